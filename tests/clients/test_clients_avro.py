"""charter.clients.avro against a real Charter server and confluent-kafka's serdes (the oracle):
interop both directions, byte-identical payloads, wire forms, reader schemas, bad input, caching."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient as CClient
from confluent_kafka.schema_registry import header_schema_id_serializer as c_header_serializer
from confluent_kafka.schema_registry.avro import AvroDeserializer as CAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as CAvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError
from support.process import RegistryProcess

from charter.clients import (
    InvalidMagicByteError,
    RecordValidationError,
    Schema,
    SchemaRegistryClient,
    SchemaResolutionError,
    TruncatedMessageError,
    UnknownSchemaError,
)
from charter.clients.avro import AvroDeserializer, AvroSerializer

SCHEMA = json.dumps({
    "type": "record", "name": "Payment", "namespace": "charter.test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
})
RECORD = {
    "id": "p-1", "amount": decimal.Decimal("12.34"),
    "at": datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.UTC),
    "day": datetime.date(2024, 5, 6), "ref": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "tags": ["a", "b"], "note": None,
}


@pytest.fixture
def ours(registry: RegistryProcess):
    with SchemaRegistryClient({"url": registry.url}) as c:
        yield c


@pytest.fixture
def theirs(registry: RegistryProcess):
    with CClient({"url": registry.url}) as c:
        yield c


def ctx_for(topic: str, headers: list | None = None) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE, headers)


def topic_of(subject: str) -> str:
    return subject.removesuffix("-value")


def test_byte_identical_and_both_directions(ours, theirs, subject: str) -> None:
    ctx = ctx_for(topic_of(subject))
    mine = AvroSerializer(ours, SCHEMA)(RECORD, ctx)
    other = CAvroSerializer(theirs, SCHEMA)(RECORD, ctx)
    assert mine == other  # same schema id, same bytes
    assert mine[0] == 0 and int.from_bytes(mine[1:5], "big") == ours.get_latest_version(subject).schema_id
    assert CAvroDeserializer(theirs)(mine, ctx) == RECORD
    assert AvroDeserializer(ours)(other, ctx) == RECORD


def test_confluent_registers_we_read_and_vice_versa_other_subject_strategies(ours, theirs, subject: str) -> None:
    topic = topic_of(subject)
    conf = {"subject.name.strategy": "topic_record"}
    mine = AvroSerializer(ours, SCHEMA, conf=conf)(RECORD, ctx_for(topic))
    assert ours.get_latest_version(f"{topic}-charter.test.Payment").version == 1
    theirs_conf = {"subject.name.strategy.type": "RECORD"}
    other = CAvroSerializer(theirs, SCHEMA, conf=theirs_conf)(RECORD, ctx_for(topic))
    assert AvroDeserializer(ours)(other, ctx_for(topic)) == RECORD
    assert CAvroDeserializer(theirs)(mine, ctx_for(topic)) == RECORD
    record_subject = AvroSerializer(ours, SCHEMA, conf={"subject.name.strategy": "record"})
    assert record_subject(RECORD, ctx_for(topic)) == other


def test_to_dict_from_dict_and_primitive_schema(ours, theirs, subject: str) -> None:
    ctx = ctx_for(topic_of(subject))

    class Box:
        def __init__(self, v: str) -> None:
            self.v = v

    ser = AvroSerializer(ours, '"string"', to_dict=lambda o, c: o.v)
    data = ser(Box("hello"), ctx)
    assert data == CAvroSerializer(theirs, '"string"')("hello", ctx)
    de = AvroDeserializer(ours, from_dict=lambda d, c: Box(d))
    assert de(data, ctx).v == "hello"
    assert ser(None, ctx) is None and de(None, ctx) is None


def test_reader_schema_resolution(ours, subject: str) -> None:
    ctx = ctx_for(topic_of(subject))
    data = AvroSerializer(ours, SCHEMA)(RECORD, ctx)
    reader = json.loads(SCHEMA)
    reader["fields"] = [f for f in reader["fields"] if f["name"] in ("id", "tags")]
    reader["fields"].append({"name": "extra", "type": "int", "default": 7})
    assert AvroDeserializer(ours, json.dumps(reader))(data, ctx) == {"id": "p-1", "tags": ["a", "b"], "extra": 7}
    unreadable = {"type": "record", "name": "Payment", "namespace": "charter.test",
                  "fields": [{"name": "missing", "type": "int"}]}
    with pytest.raises(SchemaResolutionError):
        AvroDeserializer(ours, json.dumps(unreadable))(data, ctx)


def test_use_latest_version_and_use_schema_id(ours, subject: str) -> None:
    ctx = ctx_for(topic_of(subject))
    first = AvroSerializer(ours, SCHEMA)(RECORD, ctx)
    sid = int.from_bytes(first[1:5], "big")
    latest = AvroSerializer(ours, None, conf={"auto.register.schemas": False, "use.latest.version": True})
    assert latest(RECORD, ctx) == first
    by_id = AvroSerializer(ours, SCHEMA, conf={"auto.register.schemas": False, "use.schema.id": sid})
    assert by_id(RECORD, ctx) == first
    lookup = AvroSerializer(ours, SCHEMA, conf={"auto.register.schemas": False, "subject.name.strategy": "topic"})
    assert lookup(RECORD, ctx) == first
    with pytest.raises(ValueError):
        AvroSerializer(ours, SCHEMA, conf={"use.latest.version": True})
    with pytest.raises(ValueError, match="Unrecognized"):
        AvroSerializer(ours, SCHEMA, conf={"no.such.key": 1})


def test_header_form_when_the_registry_returns_guids(ours, theirs, subject: str) -> None:
    """V1 header form interop: needs the server to return ``guid`` and serve /schemas/guids/{guid}."""
    ctx = ctx_for(topic_of(subject), [])
    registered = ours.register_schema_full_response(subject, Schema(SCHEMA))
    if registered.guid is None:
        pytest.skip("Charter does not return schema GUIDs yet: the V1/header form cannot resolve a schema")
    ser = AvroSerializer(ours, SCHEMA, conf={"schema.id.serializer": c_header_serializer})
    payload = ser(RECORD, ctx)
    assert ctx.headers and ctx.headers[0][0] == "__value_schema_id" and ctx.headers[0][1][0] == 1
    assert AvroDeserializer(ours)(payload, ctx) == RECORD
    assert CAvroDeserializer(theirs)(payload, ctx) == RECORD


def test_bad_input_is_a_serialization_error_that_says_which(ours, subject: str) -> None:
    ctx = ctx_for(topic_of(subject))
    good = AvroSerializer(ours, SCHEMA)(RECORD, ctx)
    de = AvroDeserializer(ours)
    cases = [
        (b"", TruncatedMessageError), (b"\x07" + good[1:], InvalidMagicByteError),
        (good[:3], TruncatedMessageError), (good[:12], TruncatedMessageError),
        (b"\x00" + (2**31 - 5).to_bytes(4, "big") + good[5:], UnknownSchemaError),
        (b"\x01" + b"\x00" * 5, TruncatedMessageError),
    ]
    for data, error in cases:
        with pytest.raises(error) as e:
            de(data, ctx)
        assert isinstance(e.value, SerializationError)
    with pytest.raises(RecordValidationError):
        AvroSerializer(ours, SCHEMA)({**RECORD, "id": 5}, ctx)
    with pytest.raises(RecordValidationError):
        AvroSerializer(ours, SCHEMA)({"id": "x"}, ctx)


def test_serializing_1000_records_makes_a_bounded_number_of_registry_calls(registry, subject: str) -> None:
    with SchemaRegistryClient({"url": registry.url}) as client:
        ser, de = AvroSerializer(client, SCHEMA), AvroDeserializer(client)
        ctx = ctx_for(topic_of(subject))
        payloads = [ser({**RECORD, "id": f"p-{i}"}, ctx) for i in range(1000)]
        assert client.requests_sent <= 2  # association lookup (404 -> topic) + register
        assert [de(p, ctx)["id"] for p in payloads] == [f"p-{i}" for i in range(1000)]
        assert client.requests_sent <= 2  # the writer schema came from the register cache
    with SchemaRegistryClient({"url": registry.url}) as cold:
        de = AvroDeserializer(cold)
        for p in payloads:
            de(p, ctx)
        assert cold.requests_sent == 1
