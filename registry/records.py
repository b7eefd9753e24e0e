"""The `_schemas` record format shared with Confluent Schema Registry and Karapace.

Keys are compact JSON with a fixed property order (compaction compares key bytes, so the
bytes must be canonical); values are JSON objects or ``None`` (a tombstone). This module is
the one place that knows those bytes: it encodes keys for writing and decodes keys in either
the Confluent order or Karapace's older one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson


class KeyType(StrEnum):
    SCHEMA = "SCHEMA"
    CONFIG = "CONFIG"
    MODE = "MODE"
    DELETE_SUBJECT = "DELETE_SUBJECT"
    CLEAR_SUBJECT = "CLEAR_SUBJECT"
    NOOP = "NOOP"
    CONTEXT = "CONTEXT"
    ASSOC = "ASSOC"


class RecordFormatError(ValueError):
    """A key or value that is not in the `_schemas` format."""


@dataclass(frozen=True, slots=True)
class RecordKey:
    """A decoded key. ``subject`` is None for the global CONFIG/MODE keys and for NOOP."""

    keytype: KeyType
    subject: str | None = None
    version: int | None = None
    magic: int = 0

    def encode(self) -> bytes:
        """The canonical key bytes, in the property order Confluent writes."""
        if self.keytype is KeyType.SCHEMA:
            body: dict[str, Any] = {
                "keytype": "SCHEMA",
                "subject": self.subject,
                "version": self.version,
                "magic": self.magic or 1,
            }
        elif self.keytype is KeyType.NOOP:
            body = {"keytype": "NOOP", "magic": self.magic}
        else:
            body = {"keytype": self.keytype.value, "subject": self.subject, "magic": self.magic}
        return orjson.dumps(body)


def schema_key(subject: str, version: int) -> RecordKey:
    return RecordKey(KeyType.SCHEMA, subject, version, 1)


def config_key(subject: str | None) -> RecordKey:
    return RecordKey(KeyType.CONFIG, subject)


def mode_key(subject: str | None) -> RecordKey:
    return RecordKey(KeyType.MODE, subject)


def delete_subject_key(subject: str) -> RecordKey:
    return RecordKey(KeyType.DELETE_SUBJECT, subject)


def decode_key(raw: bytes) -> RecordKey:
    """Decode a key written by Confluent, Karapace or Charter (any property order)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RecordFormatError(f"key is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RecordFormatError("key is not a JSON object")
    try:
        keytype = KeyType(data.get("keytype"))
    except ValueError:
        raise RecordFormatError(f"unknown keytype {data.get('keytype')!r}") from None
    subject = data.get("subject")
    version = data.get("version")
    if subject is not None and not isinstance(subject, str):
        raise RecordFormatError("key subject is not a string")
    if version is not None and not isinstance(version, int):
        raise RecordFormatError("key version is not an integer")
    if keytype is KeyType.SCHEMA and (subject is None or version is None):
        raise RecordFormatError("SCHEMA key without subject or version")
    magic = data.get("magic", 0)
    return RecordKey(keytype, subject, version, magic if isinstance(magic, int) else 0)


def decode_value(raw: bytes | None) -> dict[str, Any] | None:
    """A value object, or None for a tombstone."""
    if raw is None:
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RecordFormatError(f"value is not JSON: {exc}") from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise RecordFormatError("value is not a JSON object")
    return data


def encode_value(value: dict[str, Any] | None) -> bytes | None:
    return None if value is None else orjson.dumps(value)


def schema_value(
    subject: str,
    version: int,
    schema_id: int,
    schema_type: str,
    text: str,
    references: Sequence[Any],
    metadata: dict[str, Any] | None,
    rule_set: dict[str, Any] | None,
    *,
    deleted: bool,
) -> dict[str, Any]:
    """A SCHEMA record value as Confluent writes it (``schemaType`` omitted for AVRO)."""
    value: dict[str, Any] = {"subject": subject, "version": version, "id": schema_id, "schema": text}
    if schema_type != "AVRO":
        value["schemaType"] = schema_type
    if references:
        value["references"] = [r.to_json() for r in references]
    if metadata:
        value["metadata"] = metadata
    if rule_set:
        value["ruleSet"] = rule_set
    value["deleted"] = deleted
    return value
