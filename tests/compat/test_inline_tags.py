"""Inline schema tags in the pure layer: each format's ``tagged_entities`` and ``with_tags``."""

from __future__ import annotations

import json

import pytest

from charter.compat import EntityType, SchemaEntity, SchemaTags, UnknownEntityError
from charter.compat.formats import get_format
from charter.compat.tags import edit_tags

RECORD, FIELD = EntityType.SR_RECORD, EntityType.SR_FIELD


def parse(schema_type: str, text: str):  # type: ignore[no-untyped-def]
    return get_format(schema_type).parse(text, {})


def found(schema) -> dict[tuple[str, str], tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {(t.entity.path, t.entity.entity_type.value): t.tags for t in schema.tagged_entities()}


def test_edit_tags_removes_then_adds_once() -> None:
    assert edit_tags(["A", "B"], ["C", "A", "C"], ["A"]) == ["B", "C", "A"]
    assert edit_tags(["A"], [], ["A", "Z"]) == []


def test_schema_tags_json_shape() -> None:
    tags = SchemaTags(SchemaEntity("a.B", RECORD), ("PII",))
    assert tags.to_json() == {"schemaEntity": {"entityPath": "a.B", "entityType": "SR_RECORD"}, "tags": ["PII"]}


AVRO = json.dumps({
    "type": "record", "name": "User", "namespace": "com.acme",
    "fields": [
        {"name": "email", "type": "string", "confluent:tags": ["PII"]},
        {"name": "home", "type": ["null", {"type": "record", "name": "Address",
                                            "fields": [{"name": "street", "type": "string"}]}]},
        {"name": "work", "type": "Address"},
        {"name": "other", "type": {"type": "array", "items": {
            "type": "record", "name": "Other", "namespace": "",
            "fields": [{"name": "x", "type": "int"}]}}},
        {"name": "geo", "type": {"type": "record", "name": "org.geo.Point",
                                 "fields": [{"name": "lat", "type": "double"}]}},
    ],
})


def test_avro_names_follow_namespaces() -> None:
    schema = parse("AVRO", AVRO)
    assert found(schema) == {("com.acme.User.email", "SR_FIELD"): ("PII",)}
    edits = {
        SchemaEntity("com.acme.Address.street", FIELD): ["S"],
        SchemaEntity("Other", RECORD): ["O"],
        SchemaEntity("org.geo.Point.lat", FIELD): ["G"],
        SchemaEntity("com.acme.User", RECORD): ["U"],
    }
    tagged = parse("AVRO", schema.with_tags(edits, {SchemaEntity("com.acme.User.email", FIELD): ["PII"]}))
    assert found(tagged) == {
        ("com.acme.User", "SR_RECORD"): ("U",),
        ("com.acme.Address.street", "SR_FIELD"): ("S",),
        ("Other", "SR_RECORD"): ("O",),
        ("org.geo.Point.lat", "SR_FIELD"): ("G",),
    }
    assert found(schema) == {("com.acme.User.email", "SR_FIELD"): ("PII",)}  # the parsed schema is unchanged


@pytest.mark.parametrize("entity", [
    SchemaEntity("User", RECORD), SchemaEntity("com.acme.User.nope", FIELD), SchemaEntity("com.acme.User", FIELD),
    SchemaEntity("com.acme.User.email", RECORD), SchemaEntity("email", FIELD),
])
def test_avro_unknown_entities(entity: SchemaEntity) -> None:
    with pytest.raises(UnknownEntityError, match="Invalid schema: the schema has no"):
        parse("AVRO", AVRO).with_tags({entity: ["X"]}, {})


PROTO = """syntax = "proto3";
package p;

import "confluent/meta.proto";

message M {
  option (confluent.message_meta).doc = "keep me";
  string a = 1 [(confluent.field_meta).tags = "PII", (confluent.field_meta).doc = "d"];
  map<string, int32> m = 2;
  oneof choice {
    string b = 3;
  }
  message N {
    int32 c = 1;
  }
}
"""


def test_protobuf_tags_keep_other_meta_values() -> None:
    schema = parse("PROTOBUF", PROTO)
    assert found(schema) == {("p.M.a", "SR_FIELD"): ("PII",)}
    text = schema.with_tags(
        {SchemaEntity("p.M", RECORD): ["R"], SchemaEntity("p.M.b", FIELD): ["B"],
         SchemaEntity("p.M.N.c", FIELD): ["C"]},
        {SchemaEntity("p.M.a", FIELD): ["PII"]},
    )
    assert text.count('import "confluent/meta.proto";') == 1
    assert 'doc: "keep me"' in text and 'doc: "d"' in text
    assert found(parse("PROTOBUF", text)) == {
        ("p.M", "SR_RECORD"): ("R",), ("p.M.b", "SR_FIELD"): ("B",), ("p.M.N.c", "SR_FIELD"): ("C",),
    }


def test_protobuf_adds_the_meta_import() -> None:
    schema = parse("PROTOBUF", 'syntax = "proto3";\nmessage A {\n  int32 x = 1;\n}\n')
    text = schema.with_tags({SchemaEntity("A", RECORD): ["R"], SchemaEntity("A.x", FIELD): ["F"]}, {})
    assert 'import "confluent/meta.proto";' in text
    assert found(parse("PROTOBUF", text)) == {("A", "SR_RECORD"): ("R",), ("A.x", "SR_FIELD"): ("F",)}
    every = {SchemaEntity("A", RECORD): ["R"], SchemaEntity("A.x", FIELD): ["F"]}
    untagged = parse("PROTOBUF", text).with_tags({}, every)
    assert "tags" not in untagged and found(parse("PROTOBUF", untagged)) == {}


@pytest.mark.parametrize("entity", [
    SchemaEntity("M", RECORD), SchemaEntity("p.M.MEntry", RECORD), SchemaEntity("p.M.m.key", FIELD),
    SchemaEntity("p.M.zz", FIELD), SchemaEntity("p.M.N", FIELD),
])
def test_protobuf_unknown_entities(entity: SchemaEntity) -> None:
    with pytest.raises(UnknownEntityError, match=r"p\.M"):
        parse("PROTOBUF", PROTO).with_tags({entity: ["X"]}, {})


JSON_DOC = json.dumps({
    "$defs": {"Address": {"type": "object", "properties": {"street": {"type": "string"}}}},
    "type": "object",
    "properties": {
        "a/b": {"type": "string"},
        "flag": True,
        "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        "properties": {"type": "string"},
    },
    "enum": [{"confluent:tags": ["NOT_A_SCHEMA"]}],
})


def test_json_pointers() -> None:
    schema = parse("JSON", JSON_DOC)
    assert found(schema) == {}
    edits = {
        SchemaEntity("#/properties/a~1b", FIELD): ["SLASH"],
        SchemaEntity("#/properties/flag", FIELD): ["BOOL"],
        SchemaEntity("#/properties/list/items", RECORD): ["ITEM"],
        SchemaEntity("/properties/list/items/properties/x", FIELD): ["X"],
        SchemaEntity("#/properties/properties", FIELD): ["P"],
        SchemaEntity("#/$defs/Address", RECORD): ["ADDR"],
        SchemaEntity("#/$defs/Address/properties/street", FIELD): ["ST"],
        SchemaEntity("", RECORD): ["ROOT"],
    }
    text = schema.with_tags(edits, {})
    assert json.loads(text)["properties"]["flag"] == {"confluent:tags": ["BOOL"]}
    assert found(parse("JSON", text)) == {
        ("#", "SR_RECORD"): ("ROOT",),
        ("#/$defs/Address", "SR_RECORD"): ("ADDR",),
        ("#/$defs/Address/properties/street", "SR_FIELD"): ("ST",),
        ("#/properties/a~1b", "SR_FIELD"): ("SLASH",),
        ("#/properties/flag", "SR_FIELD"): ("BOOL",),
        ("#/properties/list/items", "SR_RECORD"): ("ITEM",),
        ("#/properties/list/items/properties/x", "SR_FIELD"): ("X",),
        ("#/properties/properties", "SR_FIELD"): ("P",),
    }
    assert found(schema) == {}  # the parsed schema is unchanged


@pytest.mark.parametrize("entity", [
    SchemaEntity("#/properties/nope", FIELD), SchemaEntity("#/properties/a~1b", RECORD), SchemaEntity("#", FIELD),
    SchemaEntity("#/enum/0", RECORD), SchemaEntity("#/properties", RECORD), SchemaEntity("properties/a~1b", FIELD),
])
def test_json_unknown_entities(entity: SchemaEntity) -> None:
    with pytest.raises(UnknownEntityError):
        parse("JSON", JSON_DOC).with_tags({entity: ["X"]}, {})
