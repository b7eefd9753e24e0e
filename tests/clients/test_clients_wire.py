"""Wire format unit tests: our framing against confluent-kafka's SchemaId, byte for byte, offline."""

from __future__ import annotations

import io
import uuid

import pytest
from confluent_kafka.schema_registry.common.serde import SchemaId as CSchemaId
from confluent_kafka.serialization import MessageField, SerializationContext

from charter.clients import InvalidMagicByteError, SerializationError, TruncatedMessageError
from charter.clients.wire import (
    SchemaId,
    decode_indexes,
    dual_schema_id_deserializer,
    encode_indexes,
    header_schema_id_serializer,
)

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize("indexes", [None, [0], [1], [0, 0], [2, 5, 1], [63], [64], [300, 0, 70000]])
@pytest.mark.parametrize("schema_id", [1, 255, 65536, 2**31 - 1, 2**32 - 1])
def test_v0_and_v1_bytes_identical_to_confluent(schema_id: int, indexes: list[int] | None) -> None:
    ours = SchemaId("PROTOBUF" if indexes else "AVRO", schema_id, GUID, indexes)
    theirs = CSchemaId("PROTOBUF" if indexes else "AVRO", schema_id, GUID, indexes)
    assert ours.id_to_bytes() == theirs.id_to_bytes()
    assert ours.guid_to_bytes() == theirs.guid_to_bytes()
    if indexes:
        back = SchemaId("PROTOBUF")
        pos = back.parse(ours.id_to_bytes() + b"payload")
        assert (back.id, back.message_indexes) == (schema_id, indexes)
        assert (ours.id_to_bytes() + b"payload")[pos:] == b"payload"


def test_first_message_index_is_a_single_zero_byte() -> None:
    assert encode_indexes([0]) == b"\x00"
    assert decode_indexes(b"\x00", 0) == ([0], 1)
    assert encode_indexes([1, 2]) == b"\x04\x02\x04"


def test_header_form_and_dual_deserializer() -> None:
    headers: list = []
    ctx = SerializationContext("t", MessageField.VALUE, headers)
    assert header_schema_id_serializer(b"body", ctx, SchemaId("AVRO", 7, GUID)) == b"body"
    assert headers == [("__value_schema_id", b"\x01" + uuid.UUID(GUID).bytes)]
    sid = SchemaId("AVRO")
    assert dual_schema_id_deserializer(b"body", ctx, sid).read() == b"body"
    assert str(sid.guid) == GUID
    key_ctx = SerializationContext("t", MessageField.KEY, {})
    header_schema_id_serializer(b"k", key_ctx, SchemaId("AVRO", 7, GUID))
    assert list(key_ctx.headers) == ["__key_schema_id"]
    sid = SchemaId("AVRO")
    assert dual_schema_id_deserializer(b"\x00\x00\x00\x00\x09rest", None, sid).read() == b"rest" and sid.id == 9


@pytest.mark.parametrize("data,error", [
    (b"", TruncatedMessageError), (b"\x02abcdef", InvalidMagicByteError), (b"\x00\x00\x01", TruncatedMessageError),
    (b"\x01" + b"\x00" * 10, TruncatedMessageError), (b"\x00\x00\x00\x00\x01", TruncatedMessageError),
    (b"\x00\x00\x00\x00\x01\x04\x80", TruncatedMessageError),
    (b"\x00\x00\x00\x00\x01\xff\xff\xff\x0f", SerializationError),
])
def test_bad_framing(data: bytes, error: type) -> None:
    with pytest.raises(error):
        SchemaId("PROTOBUF").parse(data)
    with pytest.raises(SerializationError):
        SchemaId("PROTOBUF").from_bytes(io.BytesIO(data))
