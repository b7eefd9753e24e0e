"""Confluent's schema MD5: the content hash behind a schema's GUID.

Confluent Schema Registry hashes a schema (``storage/MD5.java``) by feeding an MD5 digest, in
order: the UTF-8 schema string as stored (canonical, or normalised when asked), then for each
reference its name, subject and version, then the metadata and the rule set. The GUID is that
digest read as a UUID (first eight bytes the high half, last eight the low half), so
``uuid.UUID(bytes=digest)``.

What is fed for each part follows Confluent's ``updateHash`` methods as we read them:

- a reference: name, subject, then the version as a 4-byte big-endian integer;
- metadata: its collections are sorted (Confluent keeps them in sorted maps and sets): for each
  tag path, the path then each of its tags; for each property, the name then the value; then each
  sensitive name;
- a rule set: migration rules, then domain rules, then encoding rules, each rule's present
  fields in declaration order (name, doc, kind and mode by their upper-case enum names, type,
  sorted tags, sorted params as key then value, expr, onSuccess, onFailure), then one byte ``1``
  when it is disabled.

A schema without references, metadata or rule set (the usual case) hashes to exactly
``md5(schema_string)``. The schema type is not part of the hash, as in Confluent; the registry's
identity adds it (:func:`charter.registry.store.state.fingerprint` is this hash and a type byte).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Protocol

from charter.registry.contracts import RULE_LISTS

RULE_TEXT_FIELDS_HEAD = ("name", "doc", "kind", "mode", "type")
RULE_TEXT_FIELDS_TAIL = ("expr", "onSuccess", "onFailure")
ENUM_FIELDS = ("kind", "mode")  # Java enums: hashed by their (upper-case) names


class _Ref(Protocol):
    name: str
    subject: str
    version: int


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...


def _text(md: _Digest, value: Any) -> None:
    if isinstance(value, str):
        md.update(value.encode())


def _sorted_texts(md: _Digest, values: Any) -> None:
    """A sorted set of strings (Confluent's ``SortedSet<String>``), each fed in order."""
    if isinstance(values, list):
        for value in sorted({v for v in values if isinstance(v, str)}):
            _text(md, value)


def _sorted_pairs(md: _Digest, mapping: Any) -> None:
    """A sorted string map (``SortedMap<String, String>``): each key, then its value."""
    if isinstance(mapping, dict):
        for key in sorted(mapping):
            _text(md, key)
            _text(md, mapping[key])


def _metadata(md: _Digest, metadata: dict[str, Any]) -> None:
    tags = metadata.get("tags")
    if isinstance(tags, dict):
        for path in sorted(tags):
            _text(md, path)
            _sorted_texts(md, tags[path])
    _sorted_pairs(md, metadata.get("properties"))
    _sorted_texts(md, metadata.get("sensitive"))


def _rule(md: _Digest, rule: dict[str, Any]) -> None:
    for name in RULE_TEXT_FIELDS_HEAD:
        value = rule.get(name)
        _text(md, value.upper() if name in ENUM_FIELDS and isinstance(value, str) else value)
    _sorted_texts(md, rule.get("tags"))
    _sorted_pairs(md, rule.get("params"))
    for name in RULE_TEXT_FIELDS_TAIL:
        _text(md, rule.get(name))
    if rule.get("disabled") is True:
        md.update(b"\x01")


def _rule_set(md: _Digest, rule_set: dict[str, Any]) -> None:
    for kind in RULE_LISTS:
        rules = rule_set.get(kind)
        if isinstance(rules, list):
            for rule in rules:
                if isinstance(rule, dict):
                    _rule(md, rule)


def schema_md5(
    text: str,
    references: Iterable[_Ref] = (),
    metadata: dict[str, Any] | None = None,
    rule_set: dict[str, Any] | None = None,
) -> bytes:
    """The 16-byte MD5 Confluent computes for a stored schema (see the module docstring)."""
    md = hashlib.md5(text.encode(), usedforsecurity=False)
    for ref in references:
        md.update(ref.name.encode())
        md.update(ref.subject.encode())
        md.update(ref.version.to_bytes(4, "big", signed=True))
    if metadata:
        _metadata(md, metadata)
    if rule_set:
        _rule_set(md, rule_set)
    return md.digest()


def guid_text(md5: bytes) -> str:
    """The GUID of an MD5, as Confluent prints it (``str(uuid.UUID(bytes=md5))``, computed cheaply)."""
    h = md5.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
