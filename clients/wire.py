"""Confluent wire formats: V0 and V1 prefixes, the header form, and Protobuf message indexes.

* V0: ``0x00`` + 4-byte big-endian schema id + payload (the default).
* V1: ``0x01`` + 16-byte GUID + payload.
* Header form: the V1 bytes go in the ``__key_schema_id`` / ``__value_schema_id`` header and the
  payload is written without a prefix.
* Protobuf adds, after the id or GUID, the message-index path: a zigzag varint count then one
  zigzag varint per index; ``[0]`` (the first top-level message) is written as a single ``0x00``.

``SchemaId`` has the same methods as confluent-kafka's (``id_to_bytes``, ``guid_to_bytes``,
``from_bytes``), so confluent-kafka's ``schema.id.serializer`` / ``schema.id.deserializer``
callables work with our serdes and ours with the same call signature. Bad framing raises
``InvalidMagicByteError`` or ``TruncatedMessageError``, never ``struct.error``.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from charter.compat.model import SchemaType

from .errors import InvalidMagicByteError, SerializationError, TruncatedMessageError
from .serialization import MessageField, SerializationContext

MAGIC_V0 = 0
MAGIC_V1 = 1
KEY_SCHEMA_ID_HEADER = "__key_schema_id"
VALUE_SCHEMA_ID_HEADER = "__value_schema_id"
MAX_INDEX_COUNT = 100_000

__all__ = [
    "KEY_SCHEMA_ID_HEADER",
    "VALUE_SCHEMA_ID_HEADER",
    "SchemaId",
    "decode_indexes",
    "dual_schema_id_deserializer",
    "encode_indexes",
    "header_schema_id_serializer",
    "prefix_schema_id_deserializer",
    "prefix_schema_id_serializer",
    "v0_prefix",
]


def _zigzag_varint(value: int) -> bytes:
    value = (value << 1) ^ (value >> 63)
    out = bytearray()
    while value & ~0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_indexes(indexes: list[int] | tuple[int, ...]) -> bytes:
    """The Protobuf message-index path; ``[0]`` is the single byte 0x00."""
    if not indexes:
        raise ValueError("message indexes must not be empty")
    if list(indexes) == [0]:
        return b"\x00"
    return _zigzag_varint(len(indexes)) + b"".join(_zigzag_varint(i) for i in indexes)


def _read_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise TruncatedMessageError("message truncated inside the protobuf message indexes")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return (value >> 1) ^ -(value & 1), pos
        shift += 7
        if shift > 63:
            raise SerializationError("invalid varint in the protobuf message indexes")


def decode_indexes(buf: bytes | memoryview, pos: int) -> tuple[list[int], int]:
    """Read a message-index path at ``pos``; returns (indexes, position after them)."""
    count, pos = _read_varint(buf, pos)
    if count < 0 or count > MAX_INDEX_COUNT:
        raise SerializationError(f"invalid protobuf message index count {count}")
    if count == 0:
        return [0], pos
    indexes = []
    for _ in range(count):
        value, pos = _read_varint(buf, pos)
        indexes.append(value)
    return indexes, pos


def v0_prefix(schema_id: int, indexes: list[int] | None = None) -> bytes:
    """The V0 prefix for a schema id (plus the Protobuf indexes, if any)."""
    if not 0 <= schema_id < 1 << 32:
        raise SerializationError(f"schema id {schema_id} does not fit the 4-byte wire format")
    prefix = b"\x00" + schema_id.to_bytes(4, "big")
    return prefix + encode_indexes(indexes) if indexes is not None else prefix


class SchemaId:
    """A schema id and/or GUID with optional Protobuf message indexes (confluent-kafka's interface)."""

    __slots__ = ("guid", "id", "message_indexes", "schema_type")

    def __init__(self, schema_type: str, schema_id: int | None = None, guid: str | uuid.UUID | None = None,
                 message_indexes: list[int] | None = None) -> None:
        self.schema_type = schema_type
        self.id = schema_id
        self.guid = uuid.UUID(str(guid)) if guid is not None else None
        self.message_indexes = message_indexes

    def id_to_bytes(self) -> bytes:
        if self.id is None:
            raise SerializationError("Schema ID is not set")
        return v0_prefix(self.id, self.message_indexes)

    def guid_to_bytes(self) -> bytes:
        if self.guid is None:
            raise SerializationError("Schema GUID is not set")
        out = b"\x01" + self.guid.bytes
        return out + encode_indexes(self.message_indexes) if self.message_indexes is not None else out

    def parse(self, data: bytes | memoryview) -> int:
        """Read the framing at the start of ``data``; returns the offset of the payload."""
        if len(data) == 0:
            raise TruncatedMessageError("empty message: no magic byte")
        magic = data[0]
        if magic == MAGIC_V0:
            if len(data) < 5:
                raise TruncatedMessageError(f"message of {len(data)} bytes is truncated inside the schema id")
            self.id = int.from_bytes(data[1:5], "big")
            pos = 5
        elif magic == MAGIC_V1:
            if len(data) < 17:
                raise TruncatedMessageError(f"message of {len(data)} bytes is truncated inside the schema GUID")
            self.guid = uuid.UUID(bytes=bytes(data[1:17]))
            pos = 17
        else:
            raise InvalidMagicByteError(
                f"unknown magic byte 0x{magic:02x}: this message was not produced with a schema registry serializer")
        if self.schema_type == SchemaType.PROTOBUF:
            self.message_indexes, pos = decode_indexes(data, pos)
        return pos

    def from_bytes(self, payload: io.BytesIO) -> io.BytesIO:
        """confluent-kafka's interface: parse the framing from a stream, return the rest as a stream."""
        data = payload.read()
        return io.BytesIO(data[self.parse(data):])


def _header_key(ctx: SerializationContext | None) -> str:
    return KEY_SCHEMA_ID_HEADER if ctx is not None and ctx.field == MessageField.KEY else VALUE_SCHEMA_ID_HEADER


def prefix_schema_id_serializer(payload: bytes, ctx: SerializationContext | None, schema_id: Any) -> bytes:
    """The default: the V0 id prefix in front of the payload."""
    return schema_id.id_to_bytes() + payload


def header_schema_id_serializer(payload: bytes, ctx: SerializationContext | None, schema_id: Any) -> bytes:
    """Put the V1 GUID form in the ``__key_schema_id``/``__value_schema_id`` header; payload unprefixed."""
    if ctx is None:
        raise SerializationError("SerializationContext is required for header_schema_id_serializer")
    headers = ctx.headers
    if headers is None:
        raise SerializationError("Missing headers: give the SerializationContext a headers list or dict")
    value = schema_id.guid_to_bytes()
    if isinstance(headers, list):
        headers.append((_header_key(ctx), value))
    elif isinstance(headers, dict):
        headers[_header_key(ctx)] = value
    else:
        raise SerializationError("Invalid headers type")
    return payload


def find_header(ctx: SerializationContext | None) -> bytes | None:
    """The schema-id header of ``ctx`` for its field, or None."""
    if ctx is None or not ctx.headers:
        return None
    key = _header_key(ctx)
    headers = ctx.headers
    if isinstance(headers, dict):
        return headers.get(key)
    for name, value in headers:
        if name == key:
            return value
    return None


def dual_schema_id_deserializer(payload: bytes, ctx: SerializationContext | None, schema_id: Any) -> io.BytesIO:
    """Read the schema id from the header if present, else from the payload prefix (the default)."""
    header = find_header(ctx)
    if header is not None:
        schema_id.from_bytes(io.BytesIO(header))
        return io.BytesIO(payload)
    return schema_id.from_bytes(io.BytesIO(payload))


def prefix_schema_id_deserializer(payload: bytes, ctx: SerializationContext | None, schema_id: Any) -> io.BytesIO:
    """Read the schema id from the payload prefix only."""
    return schema_id.from_bytes(io.BytesIO(payload))
