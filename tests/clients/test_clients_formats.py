"""Protobuf and JSON Schema serdes against a real Charter server and confluent-kafka's serdes.

These need the server to accept PROTOBUF and JSON; until ``GET /schemas/types`` lists them each
test SKIPS with that reason (visible in ``-ra``), and passes once the formats are registered.
The same serdes are checked offline (byte-identical with confluent-kafka) in test_clients_wire.py.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient as CClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer as CJSONDeserializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer as CJSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CProtobufDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.process import RegistryProcess

from charter.clients import RecordValidationError, SchemaRegistryClient
from charter.clients.json_schema import JSONDeserializer, JSONSerializer
from charter.clients.protobuf import ProtobufDeserializer, ProtobufSerializer

COMMON = 'syntax = "proto3";\npackage charter.ct;\nmessage Money { string currency = 1; int64 units = 2; }\n'
ORDER = """syntax = "proto3";
package charter.ct;
import "google/protobuf/timestamp.proto";
import "charter_ct_common.proto";
message Order {
  string id = 1;
  charter.ct.Money total = 2;
  google.protobuf.Timestamp placed_at = 3;
  repeated Line lines = 4;
  message Line { string sku = 1; int32 quantity = 2; }
}
"""
JSON_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#", "title": "Person", "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name"],
})


def need(registry: RegistryProcess, fmt: str) -> None:
    with SchemaRegistryClient({"url": registry.url}) as c:
        if fmt not in c.get_schema_types():
            pytest.skip(f"the server does not register {fmt} yet (GET /schemas/types)")


@pytest.fixture(scope="module")
def pb(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("ct_protos")
    (out / "charter_ct_common.proto").write_text(COMMON)
    (out / "charter_ct_order.proto").write_text(ORDER)
    import grpc_tools

    well_known = Path(grpc_tools.__file__).parent / "_proto"
    assert protoc.main(["protoc", f"-I{out}", f"-I{well_known}", f"--python_out={out}", "charter_ct_common.proto",
                        "charter_ct_order.proto"]) == 0
    sys.path.insert(0, str(out))
    return importlib.import_module("charter_ct_order_pb2")


def order(pb: ModuleType):
    msg = pb.Order(id="o-1", lines=[pb.Order.Line(sku="x", quantity=2)])
    msg.total.currency, msg.total.units = "EUR", 12
    msg.placed_at.seconds = 1700000000
    return msg


@pytest.fixture
def clients(registry: RegistryProcess):
    with SchemaRegistryClient({"url": registry.url}) as ours, CClient({"url": registry.url}) as theirs:
        yield ours, theirs


def test_protobuf_interop_byte_identical(registry, clients, pb, subject: str) -> None:
    need(registry, "PROTOBUF")
    ours, theirs = clients
    ctx = SerializationContext(subject.removesuffix("-value"), MessageField.VALUE)
    msg = order(pb)
    mine = ProtobufSerializer(pb.Order, ours, {})(msg, ctx)
    other = CProtobufSerializer(pb.Order, theirs, {})(msg, ctx)
    assert mine == other
    assert CProtobufDeserializer(pb.Order, {})(mine, ctx) == msg
    assert ProtobufDeserializer(pb.Order, {}, ours)(other, ctx) == msg
    dynamic = ProtobufDeserializer(None, {}, ours)(other, ctx)  # class built from the registered descriptor
    assert dynamic.SerializeToString() == msg.SerializeToString()
    assert dynamic.DESCRIPTOR.full_name == "charter.ct.Order"


def test_protobuf_nested_message_indexes(registry, clients, pb, subject: str) -> None:
    need(registry, "PROTOBUF")
    ours, theirs = clients
    ctx = SerializationContext(subject.removesuffix("-value"), MessageField.VALUE)
    line = pb.Order.Line(sku="n", quantity=3)
    mine = ProtobufSerializer(pb.Order.Line, ours, {})(line, ctx)
    assert mine == CProtobufSerializer(pb.Order.Line, theirs, {})(line, ctx)
    assert mine[5:8] == b"\x04\x00\x00"  # count 2, then [0, 0] zigzag: Order is message 0, Line nested 0
    assert CProtobufDeserializer(pb.Order.Line, {})(mine, ctx) == line
    assert ProtobufDeserializer(None, {}, ours)(mine, ctx).sku == "n"


def test_json_interop_byte_identical_and_validation(registry, clients, subject: str) -> None:
    need(registry, "JSON")
    ours, theirs = clients
    ctx = SerializationContext(subject.removesuffix("-value"), MessageField.VALUE)
    person = {"name": "Ada", "age": 36}
    mine = JSONSerializer(JSON_SCHEMA, ours)(person, ctx)
    other = CJSONSerializer(JSON_SCHEMA, theirs)(person, ctx)
    assert mine == other
    assert CJSONDeserializer(None, schema_registry_client=theirs)(mine, ctx) == person
    assert JSONDeserializer(None, schema_registry_client=ours)(other, ctx) == person
    assert JSONDeserializer(JSON_SCHEMA)(other, ctx) == person
    with pytest.raises(RecordValidationError):
        JSONSerializer(JSON_SCHEMA, ours)({"age": -1}, ctx)
    bad = mine[:5] + b'{"age":-1}'
    with pytest.raises(RecordValidationError):
        JSONDeserializer(None, schema_registry_client=ours)(bad, ctx)
