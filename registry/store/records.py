"""The `_schemas` record format shared with Confluent Schema Registry and Karapace.

Keys are compact JSON with a fixed property order (compaction compares key bytes, so the
bytes must be canonical); values are JSON objects or ``None`` (a tombstone). This module is
the one place that knows those bytes: it encodes keys for writing and decodes keys in either
the Confluent order or Karapace's older one.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NamedTuple

import orjson

from charter.compat.model import DEFAULT_SCHEMA_TYPE
from charter.registry.store.digest import contract_parts, schema_md5


class KeyType(StrEnum):
    SCHEMA = "SCHEMA"
    CONFIG = "CONFIG"
    MODE = "MODE"
    DELETE_SUBJECT = "DELETE_SUBJECT"
    CLEAR_SUBJECT = "CLEAR_SUBJECT"
    NOOP = "NOOP"
    CONTEXT = "CONTEXT"
    ASSOC = "ASSOC"


KEY_TYPES = {kt.value: kt for kt in KeyType}  # a dict lookup: replay decodes a key per record


class RecordFormatError(ValueError):
    """A key or value that is not in the `_schemas` format."""


class RecordKey(NamedTuple):
    """A decoded key. ``subject`` is None for the global CONFIG/MODE keys and for NOOP. (A named
    tuple: immutable and hashable like a frozen dataclass, and built in a third of the time, once
    per record at replay.)"""

    keytype: KeyType
    subject: str | None = None
    version: int | None = None
    magic: int = 0
    # CONTEXT and ASSOC keys: their other properties, in canonical order (see ASSOC_FIELDS)
    fields: tuple[tuple[str, str], ...] = ()

    def field(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)

    def encode(self) -> bytes:
        """The canonical key bytes, in the property order Confluent writes."""
        if self.keytype is KeyType.CONTEXT:
            body: dict[str, Any] = {"keytype": "CONTEXT", **dict(self.fields)}
        elif self.keytype is KeyType.ASSOC:
            body = {"keytype": "ASSOC", **dict(self.fields), "subject": self.subject, "magic": self.magic}
        elif self.keytype is KeyType.SCHEMA:
            body = {
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


DEFAULT_TENANT = "default"
CONTEXT_FIELDS = ("tenant", "context")
# ASSOC key order: keytype, these, subject, magic
ASSOC_FIELDS = ("tenant", "resourceName", "resourceNamespace", "resourceType", "associationType")


def context_key(context: str, tenant: str = DEFAULT_TENANT) -> RecordKey:
    return RecordKey(KeyType.CONTEXT, fields=(("tenant", tenant), ("context", context)))


def assoc_key(
    resource_name: str,
    resource_namespace: str,
    resource_type: str,
    association_type: str,
    subject: str,
    tenant: str = DEFAULT_TENANT,
) -> RecordKey:
    values = (tenant, resource_name, resource_namespace, resource_type, association_type)
    return RecordKey(KeyType.ASSOC, subject, fields=tuple(zip(ASSOC_FIELDS, values, strict=True)))


_new_key = tuple.__new__  # builds a RecordKey without the Python-level __new__ (once per record at replay)


def decode_key(raw: bytes) -> RecordKey:
    """Decode a key written by Confluent, Karapace or Charter (any property order)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RecordFormatError(f"key is not JSON: {exc}") from None
    # Nearly every record is a SCHEMA key with a string subject and integer version and magic: that
    # case is checked in one step; every other key takes the general path below (same result).
    if type(data) is dict and data.get("keytype") == "SCHEMA":
        subject, version, magic = data.get("subject"), data.get("version"), data.get("magic", 0)
        if type(subject) is str and type(version) is int and type(magic) is int:
            return _new_key(RecordKey, (KeyType.SCHEMA, subject, version, magic, ()))
    return _key_of(data)


def _key_of(data: Any) -> RecordKey:
    """:func:`decode_key` for a decoded key of any type and shape."""
    if not isinstance(data, dict):
        raise RecordFormatError("key is not a JSON object")
    raw_type = data.get("keytype")
    keytype = KEY_TYPES.get(raw_type) if isinstance(raw_type, str) else None
    if keytype is None:
        raise RecordFormatError(f"unknown keytype {raw_type!r}")
    subject = data.get("subject")
    version = data.get("version")
    if subject is not None and not isinstance(subject, str):
        raise RecordFormatError("key subject is not a string")
    if version is not None and not isinstance(version, int):
        raise RecordFormatError("key version is not an integer")
    if keytype is KeyType.SCHEMA and (subject is None or version is None):
        raise RecordFormatError("SCHEMA key without subject or version")
    magic = data.get("magic", 0)
    magic = magic if isinstance(magic, int) else 0
    if keytype in (KeyType.CONTEXT, KeyType.ASSOC):
        names = CONTEXT_FIELDS if keytype is KeyType.CONTEXT else ASSOC_FIELDS
        fields = tuple((n, data.get(n)) for n in names)
        if any(not isinstance(v, str) for _, v in fields):
            raise RecordFormatError(f"{keytype.value} key without string {', '.join(names)}")
        if keytype is KeyType.ASSOC and subject is None:
            raise RecordFormatError("ASSOC key without a subject")
        return RecordKey(keytype, subject, None, magic, fields)  # type: ignore[arg-type]
    return RecordKey(keytype, subject, version, magic)


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
    md5: bytes | None = None,
) -> dict[str, Any]:
    """A SCHEMA record value as Confluent writes it (``schemaType`` omitted for AVRO).

    ``md5`` (base64 in the record) is the content hash behind the GUID; computed when not given."""
    value: dict[str, Any] = {"subject": subject, "version": version, "id": schema_id, "schema": text}
    if schema_type != DEFAULT_SCHEMA_TYPE:
        value["schemaType"] = schema_type
    if references:
        value["references"] = [r.to_json() for r in references]
    if metadata is not None:  # SchemaValue writes an empty Metadata / RuleSet as {} (it is non-null)
        value["metadata"] = metadata
    if rule_set is not None:
        value["ruleSet"] = rule_set
    if md5 is None:
        md5 = schema_md5(text, contract_parts(references, metadata, rule_set))
    value["md5"] = md5_text(md5)
    value["deleted"] = deleted
    return value


def md5_text(md5: bytes) -> str:
    """An MD5 as a SCHEMA record's ``md5`` holds it (base64)."""
    return binascii.b2a_base64(md5, newline=False).decode()


def stored_md5(value: dict[str, Any]) -> bytes | None:
    """The ``md5`` a SCHEMA record carries (Confluent and Charter write it), or None if absent or bad."""
    raw = value.get("md5")
    if not isinstance(raw, str):
        return None
    try:
        md5 = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    return md5 if len(md5) == 16 else None
