"""Confluent's schema MD5: the content hash behind a schema's GUID.

Confluent Schema Registry hashes a schema (``storage/MD5.java``) by feeding an MD5 digest, in
order: the UTF-8 schema string as stored (canonical, or normalised when asked), then for each
reference its name, subject and version, then the metadata and the rule set. The GUID is that
digest read as a UUID (first eight bytes the high half, last eight the low half), so
``uuid.UUID(bytes=digest)``.

What is fed for each part follows Confluent's ``updateHash`` methods (``Schema``, ``SchemaReference``,
``Metadata``, ``RuleSet``, ``Rule`` in ``client/rest/entities``):

- a reference: name, subject, then the version as a 4-byte big-endian integer;
- metadata, when present (even empty): one byte ``1`` (Confluent's "to distinguish from null"),
  then its sorted collections (Confluent keeps them in sorted maps and sets, ordered as Java
  orders strings, by UTF-16 code unit): for each tag path, the path then each of its tags; for
  each property, the name then the value; then each sensitive name;
- a rule set, when present (even empty): one byte ``1``, then migration rules, then domain rules,
  then encoding rules, each rule's present fields in declaration order (name, doc, kind and mode by
  their upper-case enum names, ``TRANSFORM`` and ``WRITEREAD`` when absent as Confluent defaults
  them, type, sorted tags, sorted params as key then value, expr, onSuccess, onFailure), then one
  byte ``1`` when it is disabled; then ``enableAt`` when given.

A schema without references, metadata or rule set (the usual case) hashes to exactly
``md5(schema_string)``. The schema type is not part of the hash, as in Confluent; the registry's
identity adds it (:func:`charter.registry.store.identity.fingerprint`).

:func:`contract_parts` is the one description of what is hashed after the schema string: nested
lists of strings, 4-byte integers (reference versions) and ``True`` (a byte 1). The MD5 feeds
them flat, as Confluent does; the identity also needs them unambiguous (Confluent's flat feed
makes ``{"a": "bc"}`` and ``{"ab": "c"}`` alike), and takes their JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Protocol

# The rule lists of a rule set, in the order Confluent hashes them (and the one place they are named)
RULE_LISTS = ("migrationRules", "domainRules", "encodingRules")
RULE_TEXT_FIELDS_HEAD = ("name", "doc", "kind", "mode", "type")
RULE_TEXT_FIELDS_TAIL = ("expr", "onSuccess", "onFailure")
ENUM_FIELDS = ("kind", "mode")  # Java enums: hashed by their (upper-case) names

RULE_DEFAULTS = {"kind": "TRANSFORM", "mode": "WRITEREAD"}  # Confluent's Rule constructor defaults

Parts = list[Any]  # nested lists of str, int (a 4-byte version) and True (one byte 1: a marker)


class ReferenceLike(Protocol):
    name: str
    subject: str
    version: int


def _java_order(text: str) -> bytes:
    """The sort key Java's ``String.compareTo`` amounts to: UTF-16 code units."""
    return text.encode("utf-16-be", "surrogatepass")


def _texts(values: Any) -> list[str]:
    """A sorted set of strings (Confluent's ``SortedSet<String>``)."""
    if not isinstance(values, list):
        return []
    return sorted({v for v in values if isinstance(v, str)}, key=_java_order)


def _pairs(mapping: Any) -> list[list[str]]:
    """A sorted string map (``SortedMap<String, String>``): each key with its value."""
    if not isinstance(mapping, dict):
        return []
    keys = sorted((k for k, v in mapping.items() if isinstance(v, str)), key=_java_order)
    return [[key, mapping[key]] for key in keys]


def _metadata_parts(metadata: dict[str, Any]) -> Parts:
    tags = metadata.get("tags")
    paths = [[path, _texts(tags[path])] for path in sorted(tags, key=_java_order)] if isinstance(tags, dict) else []
    return [True, paths, _pairs(metadata.get("properties")), _texts(metadata.get("sensitive"))]


def _enum_or_text(name: str, value: Any) -> Any:
    if name not in ENUM_FIELDS:
        return value
    return value.upper() if isinstance(value, str) else RULE_DEFAULTS[name]


def _rule_parts(rule: dict[str, Any]) -> Parts:
    head = [_enum_or_text(name, rule.get(name)) for name in RULE_TEXT_FIELDS_HEAD]
    tail = [rule.get(name) for name in RULE_TEXT_FIELDS_TAIL]
    return [*head, _texts(rule.get("tags")), _pairs(rule.get("params")), *tail, rule.get("disabled") is True or None]


def _rule_set_parts(rule_set: dict[str, Any]) -> Parts:
    out: Parts = [True]
    for kind in RULE_LISTS:
        rules = rule_set.get(kind)
        out.append([_rule_parts(r) for r in rules if isinstance(r, dict)] if isinstance(rules, list) else [])
    enable_at = rule_set.get("enableAt")
    if isinstance(enable_at, str):
        out.append(enable_at.upper())
    return out


def contract_parts(
    references: Iterable[ReferenceLike], metadata: dict[str, Any] | None, rule_set: dict[str, Any] | None
) -> Parts:
    """What follows the schema string in the hash, in order (see the module docstring). Metadata
    and a rule set count when given, even empty (``{}``): Confluent marks any non-null one."""
    return [
        [[ref.name, ref.subject, ref.version] for ref in references],
        _metadata_parts(metadata) if metadata is not None else [],
        _rule_set_parts(rule_set) if rule_set is not None else [],
    ]


def _feed(md: Any, parts: Any) -> None:
    if isinstance(parts, str):
        md.update(parts.encode())
    elif parts is True:
        md.update(b"\x01")
    elif isinstance(parts, int):
        md.update((parts & 0xFFFFFFFF).to_bytes(4, "big"))
    elif isinstance(parts, list):
        for part in parts:
            _feed(md, part)


def schema_md5(text: str, parts: Parts | None = None) -> bytes:
    """The 16-byte MD5 Confluent computes for a stored schema: its string, then ``parts``
    (:func:`contract_parts`; none for a schema without references, metadata and rules)."""
    md = hashlib.md5(text.encode(), usedforsecurity=False)
    if parts:
        _feed(md, parts)
    return md.digest()


def guid_text(md5: bytes) -> str:
    """The GUID of an MD5, as Confluent prints it (``str(uuid.UUID(bytes=md5))``, computed cheaply)."""
    h = md5.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
