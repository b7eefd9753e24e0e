"""Parsing Protobuf schemas with protoc: syntaxes, references, well-known types, errors,
base64 descriptors, ``format=serialized`` and message indexes."""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message_factory import GetMessageClass

from charter.compat.model import InvalidSchemaError, ParsedSchema, SchemaType
from charter.compat.protobuf import PROTOBUF_FORMAT, ProtobufSchema, is_builtin

PROTOS = Path(__file__).parent / "protos"


def parse(text: str, deps: dict[str, ProtobufSchema] | None = None) -> ProtobufSchema:
    return PROTOBUF_FORMAT.parse(text, deps or {})


def test_format_and_schema_satisfy_the_protocols() -> None:
    schema = parse('syntax = "proto3";\nmessage M { int32 a = 1; }\n')
    assert PROTOBUF_FORMAT.schema_type is SchemaType.PROTOBUF
    assert isinstance(schema, ParsedSchema)
    assert schema.schema_type is SchemaType.PROTOBUF


def test_kitchen_sink_proto2_parses_everything() -> None:
    schema = parse((PROTOS / "kitchen_sink.proto").read_text())
    file = schema.file_descriptor()
    assert file.package == "sink.v1"
    assert list(file.dependency) == ["google/protobuf/descriptor.proto", "google/protobuf/timestamp.proto"]
    assert list(file.public_dependency) == [1]
    order = file.message_type[1]
    assert [f.name for f in order.field] == ["id", "qty", "prices", "status", "lines", "at", "card", "iban", "extra"]
    assert order.oneof_decl[0].name == "payment"
    assert [(r.start, r.end) for r in order.reserved_range] == [(8, 9), (10, 13)]
    assert [e.name for e in file.extension] == ["file_tag", "rule", "channel"]
    assert file.service[0].method[0].name == "Get"
    assert not file.HasField("source_code_info")


def test_editions_parse() -> None:
    schema = parse('edition = "2023";\npackage e;\nmessage M { int32 a = 1; repeated int32 b = 2; }\n')
    file = schema.file_descriptor()
    assert file.syntax == "editions"
    assert schema.canonical().startswith('edition = "2023";\npackage e;\n')
    assert "  int32 a = 1;\n  repeated int32 b = 2;\n" in schema.canonical()


def test_imports_resolve_through_dependencies_transitively() -> None:
    base = parse('syntax = "proto3";\npackage base;\nmessage Id { string v = 1; }\n')
    mid = parse(
        'syntax = "proto3";\npackage mid;\nimport "base.proto";\nmessage Ref { base.Id id = 1; }\n',
        {"base.proto": base},
    )
    top = parse(
        'syntax = "proto3";\npackage top;\nimport "mid.proto";\nimport "base.proto";\n'
        "message T { mid.Ref r = 1; base.Id i = 2; }\n",
        {"base.proto": base, "mid.proto": mid},
    )
    assert list(top.dependency_descriptors()) == ["base.proto", "mid.proto"]
    assert top.index.get(".base.Id") is not None


def test_well_known_and_confluent_imports_need_no_reference() -> None:
    schema = parse(
        'syntax = "proto3";\npackage w;\n'
        'import "google/protobuf/timestamp.proto";\nimport "google/type/date.proto";\n'
        'import "confluent/meta.proto";\nimport "confluent/type/decimal.proto";\n'
        "message M {\n  google.protobuf.Timestamp t = 1;\n  google.type.Date d = 2;\n"
        '  confluent.type.Decimal amount = 3 [(confluent.field_meta).params = { key: "scale" value: "2" }];\n}\n'
    )
    deps = schema.dependency_descriptors()
    assert "google/protobuf/descriptor.proto" in deps  # needed by confluent/meta.proto
    assert list(deps)[-1] in {"confluent/type/decimal.proto", "confluent/meta.proto"}
    assert is_builtin("google/type/date.proto") and not is_builtin("other.proto")


def test_unresolved_import_is_kept_but_its_types_stay_undefined() -> None:
    """An import no reference resolves is skipped (ProtobufSchema.toDynamicSchema), so the
    schema parses; a type the text takes from it cannot be resolved and is refused by name."""
    schema = parse('syntax = "proto3";\nimport "missing/thing.proto";\nmessage M { int32 a = 1; }\n')
    assert list(schema.file_descriptor().dependency) == ["missing/thing.proto"]
    with pytest.raises(InvalidSchemaError) as caught:
        parse('syntax = "proto3";\nimport "missing/thing.proto";\nmessage M { missing.Thing t = 1; }\n')
    message = str(caught.value)
    assert message.startswith("Invalid schema: ")
    assert '"missing.Thing" is not defined' in message
    assert "schema:3:13:" in message


def test_syntax_error_has_line_and_column_and_no_temp_path() -> None:
    with pytest.raises(InvalidSchemaError) as caught:
        parse('syntax = "proto3";\nmessage M {\n  int32 a = 1\n}\n')
    assert str(caught.value) == 'Invalid schema: schema:4:1: Expected ";".'
    assert tempfile.gettempdir() not in str(caught.value)


def test_semantic_errors_are_reported() -> None:
    with pytest.raises(InvalidSchemaError, match=r'^Invalid schema: schema:2:13: "Nope" is not defined\.$'):
        parse('syntax = "proto3";\nmessage M { Nope a = 1; }\n')
    with pytest.raises(InvalidSchemaError, match=r"schema:2:36: Field number 1 has already been used"):
        parse('syntax = "proto3";\nmessage M { int32 a = 1; int32 b = 1; }\n')


def test_garbage_is_invalid() -> None:
    with pytest.raises(InvalidSchemaError):
        parse("not a schema at all {")


def test_nothing_left_behind_in_the_temp_dir() -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    parse('syntax = "proto3";\nmessage M { int32 a = 1; }\n')
    with pytest.raises(InvalidSchemaError):
        parse("message {")
    after = set(os.listdir(tempfile.gettempdir()))
    assert not {name for name in after - before if name.startswith("charter-proto-")}


def test_serialized_round_trip_and_base64_input() -> None:
    text = 'syntax = "proto3";\npackage acme;\nmessage M { int32 a = 1; repeated string b = 2; }\n'
    schema = parse(text)
    encoded = schema.formatted("serialized")
    decoded = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(encoded))
    assert decoded.package == "acme" and decoded.message_type[0].field[1].name == "b"
    again = parse(encoded)
    assert again.file_descriptor() == schema.file_descriptor()
    assert again.canonical() == schema.canonical()
    assert again.differences(schema) == []


def test_base64_descriptor_with_dangling_type_is_rejected() -> None:
    file = descriptor_pb2.FileDescriptorProto(name="x.proto", package="p", syntax="proto3")
    message = file.message_type.add(name="M")
    message.field.add(name="a", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE, type_name=".p.Nope")
    with pytest.raises(InvalidSchemaError):
        parse(base64.b64encode(file.SerializeToString()).decode())


def test_serialized_builds_a_usable_message_class_with_dependencies() -> None:
    dep = parse('syntax = "proto3";\npackage lib;\nmessage Money { int64 units = 1; }\n')
    schema = parse(
        'syntax = "proto3";\npackage shop;\nimport "lib.proto";\nimport "google/protobuf/timestamp.proto";\n'
        "message Order { lib.Money total = 1; google.protobuf.Timestamp at = 2; map<string, int32> q = 3; }\n",
        {"lib.proto": dep},
    )
    pool = descriptor_pool.DescriptorPool()
    for name, file in schema.dependency_descriptors().items():
        file.name = name
        pool.Add(file)
    main = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(schema.formatted("serialized")))
    main.name = "default"  # what confluent-kafka's deserializer calls it
    pool.Add(main)
    order_class = GetMessageClass(pool.FindMessageTypeByName("shop.Order"))
    order = order_class()
    order.total.units = 42
    order.at.seconds = 7
    order.q["x"] = 3
    assert order_class.FromString(order.SerializeToString()).total.units == 42


def test_message_indexes_for_nested_messages() -> None:
    schema = parse(
        'syntax = "proto3";\npackage idx;\n'
        "message A { message B { message C {} } message D {} }\n"
        "message E { message F {} }\n"
    )
    assert schema.message_indexes("idx.A") == [0]
    assert schema.message_indexes("idx.A.B.C") == [0, 0, 0]
    assert schema.message_indexes(".idx.A.D") == [0, 1]
    assert schema.message_indexes("idx.E.F") == [1, 0]
    assert schema.message_name([1, 0]) == "idx.E.F"
    assert schema.message_name([]) == "idx.A"
    assert schema.first_message_name() == "idx.A"
    with pytest.raises(KeyError):
        schema.message_indexes("idx.Nope")
    with pytest.raises(IndexError):
        schema.message_name([5])


def test_message_indexes_count_map_entries_like_the_client() -> None:
    schema = parse('syntax = "proto3";\nmessage A { map<string, int32> m = 1; message B {} }\n')
    # the map entry A.MEntry is nested type 0, as in the descriptor confluent-kafka indexes
    assert schema.message_indexes("A.B") == [0, 1]
    assert schema.message_name([0, 1]) == "A.B"


def test_dependency_of_another_format_is_rejected() -> None:
    from charter.compat.avro import AVRO_FORMAT

    avro = AVRO_FORMAT.parse('{"type":"record","name":"R","fields":[]}', {})
    with pytest.raises(InvalidSchemaError, match="not a Protobuf schema"):
        PROTOBUF_FORMAT.parse('syntax = "proto3";\nimport "r.proto";\n', {"r.proto": avro})
