"""Protobuf and JSON Schema through Charter with confluent-kafka's own serializers (the oracle).

Protobuf classes are generated with protoc (grpcio-tools) at test time: one file that imports a
well-known type (google/protobuf/timestamp.proto, resolved by the server without a reference) and
one that imports another registered file (registered by the serializer as a reference).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.process import RegistryProcess

COMMON_PROTO = """syntax = "proto3";
package charter.test;

message Money {
  string currency = 1;
  int64 units = 2;
}
"""

ORDER_PROTO = """syntax = "proto3";
package charter.test;

import "google/protobuf/timestamp.proto";
import "charter_common.proto";

message Order {
  string id = 1;
  charter.test.Money total = 2;
  google.protobuf.Timestamp placed_at = 3;
  repeated Line lines = 4;

  message Line {
    string sku = 1;
    int32 quantity = 2;
  }
}
"""


@pytest.fixture(scope="module")
def protos(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """Generate charter_common_pb2 and charter_order_pb2 with protoc and import them."""
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("protos")
    (out / "charter_common.proto").write_text(COMMON_PROTO)
    (out / "charter_order.proto").write_text(ORDER_PROTO)
    include = Path(protoc.__file__).parent / "_proto"
    args = ["protoc", f"-I{out}", f"-I{include}", f"--python_out={out}", "charter_common.proto", "charter_order.proto"]
    assert protoc.main(args) == 0
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module("charter_order_pb2")
    finally:
        sys.path.remove(str(out))


def test_protobuf_round_trip_with_imports(registry: RegistryProcess, protos: ModuleType) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    topic = "orders-proto"
    ctx = SerializationContext(topic, MessageField.VALUE)
    serializer = ProtobufSerializer(protos.Order, client, {"use.deprecated.format": False})
    order = protos.Order(id="o-1", lines=[protos.Order.Line(sku="a", quantity=2)])
    order.total.currency, order.total.units = "EUR", 12
    order.placed_at.seconds = 1_700_000_000
    payload = serializer(order, ctx)
    assert payload[0] == 0
    # The registered import became its own subject, referenced by the order schema.
    latest = client.get_latest_version(f"{topic}-value")
    assert [(r.name, r.subject) for r in latest.schema.references] == [("charter_common.proto", "charter_common.proto")]
    assert latest.schema.schema_type == "PROTOBUF"
    deserializer = ProtobufDeserializer(protos.Order, {"use.deprecated.format": False},
                                        SchemaRegistryClient({"url": registry.url}))
    assert deserializer(payload, ctx) == order


def test_protobuf_nested_message_index(registry: RegistryProcess, protos: ModuleType) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    ctx = SerializationContext("order-lines-proto", MessageField.VALUE)
    line = protos.Order.Line(sku="z", quantity=7)
    payload = ProtobufSerializer(protos.Order.Line, client, {"use.deprecated.format": False})(line, ctx)
    # After the magic byte and id: message indexes [0, 0] (Order is message 0, Line its nested
    # message 0) as zigzag varints: count 2 -> 0x04, then 0x00 0x00.
    assert payload[5:8] == b"\x04\x00\x00"
    deserializer = ProtobufDeserializer(protos.Order.Line, {"use.deprecated.format": False}, client)
    assert deserializer(payload, ctx) == line


def test_protobuf_serialized_format_is_a_file_descriptor(registry: RegistryProcess, protos: ModuleType) -> None:
    import base64

    from google.protobuf import descriptor_pb2

    client = SchemaRegistryClient({"url": registry.url})
    ProtobufSerializer(protos.Order, client, {"use.deprecated.format": False})(
        protos.Order(id="x"), SerializationContext("fd-proto", MessageField.VALUE)
    )
    fetched = client.get_latest_version("fd-proto-value", fmt="serialized")
    fd = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(fetched.schema.schema_str))
    assert fd.package == "charter.test"
    assert [m.name for m in fd.message_type] == ["Order"]
    assert "google/protobuf/timestamp.proto" in fd.dependency


def test_protobuf_incompatible_change_is_refused(registry: RegistryProcess, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    v1 = 'syntax = "proto3";\nmessage M {\n  string name = 1;\n  int32 age = 2;\n}\n'
    v2 = 'syntax = "proto3";\nmessage M {\n  string name = 1;\n  string age = 2;\n}\n'
    client.register_schema(subject, Schema(v1, "PROTOBUF"))
    with pytest.raises(SchemaRegistryError) as exc:
        client.register_schema(subject, Schema(v2, "PROTOBUF"))
    assert exc.value.http_status_code == 409
    assert "FIELD_SCALAR_KIND_CHANGED" in exc.value.error_message


def test_json_schema_round_trip_and_validation(registry: RegistryProcess) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "User",
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
        "required": ["name"],
    }
    ctx = SerializationContext("users-json", MessageField.VALUE)
    payload = JSONSerializer(json.dumps(schema), client)({"name": "Ada", "age": 36}, ctx)
    assert payload[0] == 0
    assert client.get_latest_version("users-json-value").schema.schema_type == "JSON"
    reader = JSONDeserializer(None, schema_registry_client=SchemaRegistryClient({"url": registry.url}))
    assert reader(payload, ctx) == {"name": "Ada", "age": 36}
    from confluent_kafka.serialization import SerializationError

    with pytest.raises(SerializationError):
        JSONSerializer(json.dumps(schema), client)({"age": -1}, ctx)


def test_json_schema_reference_between_subjects(registry: RegistryProcess, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    address = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    client.register_schema(subject + "-address", Schema(json.dumps(address), "JSON"))
    person = {"type": "object", "properties": {"home": {"$ref": "address.json"}}}
    from confluent_kafka.schema_registry import SchemaReference

    refs = [SchemaReference("address.json", subject + "-address", 1)]
    person_id = client.register_schema(subject, Schema(json.dumps(person), "JSON", refs))
    assert client.get_referenced_by(subject + "-address", 1) == [person_id]


def test_json_schema_lenient_policy_allows_optional_property(registry: RegistryProcess, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    v1 = {"type": "object", "properties": {"a": {"type": "string"}}}
    v2 = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    client.register_schema(subject, Schema(json.dumps(v1), "JSON"))
    assert client.test_compatibility(subject, Schema(json.dumps(v2), "JSON")) is False  # STRICT: open content model
    import httpx

    r = httpx.put(f"{registry.url}/config/{subject}", json={"compatibilityPolicy": "LENIENT"})
    assert r.status_code == 200, r.text
    assert client.test_compatibility(subject, Schema(json.dumps(v2), "JSON")) is True
