"""A stored schema's identity: its fingerprint (same fingerprint, same id) and its GUID.

The fingerprint starts with Confluent's MD5 of the content (:mod:`.digest`), which is also the
GUID read as a UUID; a byte naming the schema type follows (:func:`type_tag`: the same text in
two formats is two schemas) and, when the schema has references, metadata or rules, a digest of
them in an unambiguous form. The state keeps ids by fingerprint; a GUID finds a content through
the MD5 the fingerprint starts with (:func:`is_plain`) or the state's ``ids_by_md5``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

from charter.compat.formats import FORMATS
from charter.compat.model import SchemaType
from charter.registry.store.digest import ReferenceLike, contract_parts, guid_text, schema_md5

__all__ = ["fingerprint", "guid_md5", "guid_text", "is_plain", "md5_of", "tags_in_use", "type_tag"]

MD5_BYTES = 16
_TAGS: dict[str, bytes] = {}  # schema type -> its type_tag, looked up once


def type_tag(schema_type: str) -> bytes:
    """The byte after the MD5 in a fingerprint (the format's ``type_tag``): the same text in two
    formats is two schemas. A type without a format gets its own name's bytes."""
    tag = _TAGS.get(schema_type)
    if tag is None:
        try:
            tag = FORMATS[SchemaType(schema_type)].type_tag
        except (ValueError, KeyError):
            tag = schema_type.encode()
        _TAGS[schema_type] = tag
    return tag


def tags_in_use() -> list[bytes]:
    """The type tags a stored fingerprint can carry in this process: those of the formats loaded,
    since :func:`fingerprint` loads the format of every type it is given."""
    return [fmt.type_tag for fmt in FORMATS.loaded()]


def fingerprint(
    schema_type: str,
    text: str,
    references: Iterable[ReferenceLike],
    metadata: dict[str, Any] | None = None,
    rule_set: dict[str, Any] | None = None,
) -> bytes:
    """The identity of a schema's content: same fingerprint, same id in a context.

    Confluent's MD5 of the content (:mod:`.digest`, also the GUID), a byte naming the schema type
    and, when there are references, metadata or rules, a digest of them in an unambiguous form:
    Confluent's MD5 joins their strings without separators, so ``{"a": "bc"}`` and ``{"ab": "c"}``
    hash alike, and two versions with such contents must not share one stored copy."""
    refs = tuple(references)
    tag = type_tag(schema_type)
    if not refs and metadata is None and rule_set is None:
        return schema_md5(text) + tag
    parts = contract_parts(refs, metadata, rule_set)
    unambiguous = hashlib.md5(orjson.dumps(parts), usedforsecurity=False).digest()
    return schema_md5(text, parts) + tag + unambiguous


def md5_of(fp: bytes) -> bytes:
    """Confluent's MD5 a fingerprint starts with (what a SCHEMA record's ``md5`` holds)."""
    return fp[:MD5_BYTES]


def is_plain(fp: bytes) -> bool:
    """Whether a fingerprint is just MD5 and type byte (so the GUID finds it in ids_by_fingerprint)."""
    return len(fp) == MD5_BYTES + 1


def guid_md5(guid: str) -> bytes | None:
    """The MD5 a GUID text stands for; None when the text is not a UUID."""
    try:
        return uuid.UUID(guid).bytes
    except ValueError:
        return None
