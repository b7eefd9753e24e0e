"""Inline schema tags in the pure layer: each format's ``tagged_entities`` and ``with_tags``."""

from __future__ import annotations

import json
import re

import pytest

from charter.compat import EntityType, SchemaEntity, SchemaTags, UnknownEntityError
from charter.compat.formats import get_format
from charter.compat.inline_tags import edit_tags

RECORD, FIELD = EntityType.SR_RECORD, EntityType.SR_FIELD


def parse(schema_type: str, text: str):  # type: ignore[no-untyped-def]
    return get_format(schema_type).parse(text, {})


def found(schema) -> dict[tuple[str, str], tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {(t.entity.path, t.entity.entity_type.value): t.tags for t in schema.tagged_entities()}


def test_edit_tags_adds_then_removes_once() -> None:
    """from JsonSchemaTest.testAddBeforeRemoveTags (Confluent's default, addBeforeRemove=true)."""
    assert edit_tags(["EXISTING"], ["OVERLAP", "NEW"], ["OVERLAP", "EXISTING"]) == ["NEW"]
    assert edit_tags(["A", "B"], ["C", "A", "C"], ["A"]) == ["B", "C"]
    assert edit_tags(["A"], [], ["A", "Z"]) == []


def test_schema_tags_json_shape() -> None:
    tags = SchemaTags(SchemaEntity("a.B", RECORD), ("PII",))
    # Jackson writes Confluent's SchemaEntity.EntityType by its @JsonProperty names.
    assert tags.to_json() == {"schemaEntity": {"entityPath": "a.B", "entityType": "sr_record"}, "tags": ["PII"]}


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
    """Paths as AvroSchemaUtils.findMatchingEntity resolves them: a record's namespace is the one in
    force where it is written (or left out: then the first record of that name)."""
    schema = parse("AVRO", AVRO)
    assert found(schema) == {("com.acme.User.email", "sr_field"): ("PII",)}
    edits = {
        SchemaEntity("com.acme.Address.street", FIELD): ["S"],
        SchemaEntity("Other", RECORD): ["O"],
        SchemaEntity("org.geo.Point.lat", FIELD): ["G"],
        SchemaEntity("User", RECORD): ["U"],
    }
    tagged = parse("AVRO", schema.with_tags(edits, {SchemaEntity("com.acme.User.email", FIELD): ["PII"]}))
    # Listed depth first from the root, with each record's full name.
    assert [(t.entity.path, t.tags) for t in tagged.tagged_entities()] == [
        ("com.acme.User", ("U",)), ("com.acme.Address.street", ("S",)), ("Other", ("O",)),
        ("org.geo.Point.lat", ("G",)),
    ]
    assert found(schema) == {("com.acme.User.email", "sr_field"): ("PII",)}  # the parsed schema is unchanged


@pytest.mark.parametrize("entity", [
    SchemaEntity("com.acme.User.nope", FIELD), SchemaEntity("com.acme.User", FIELD),
    SchemaEntity("com.acme.User.email", RECORD), SchemaEntity("email", FIELD),
    SchemaEntity("com.acme.Point.lat", FIELD), SchemaEntity("other.User", RECORD),
])
def test_avro_unknown_entities(entity: SchemaEntity) -> None:
    with pytest.raises(UnknownEntityError, match=re.escape(f"No matching path '{entity.path}' found in the schema")):
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
    """Package-relative paths, as ProtobufSchema.inlineTaggedEntities names them; a oneof's field
    also through the oneof's name (ProtobufSchemaUtils.findMatchingElement)."""
    schema = parse("PROTOBUF", PROTO)
    assert found(schema) == {("M.a", "sr_field"): ("PII",)}
    text = schema.with_tags(
        {SchemaEntity("M", RECORD): ["R"], SchemaEntity("M.choice.b", FIELD): ["B"],
         SchemaEntity(".M.N.c", FIELD): ["C"]},
        {SchemaEntity("M.a", FIELD): ["PII"]},
    )
    assert text.count('import "confluent/meta.proto";') == 1
    assert 'doc: "keep me"' in text and 'doc: "d"' in text
    assert [(t.entity.path, t.tags) for t in parse("PROTOBUF", text).tagged_entities()] == [
        ("M", ("R",)), ("M.b", ("B",)), ("M.N.c", ("C",)),
    ]


def test_protobuf_lists_oneof_fields_first() -> None:
    """ProtobufSchema.inlineTaggedEntities walks a message's oneofs before its other fields."""
    text = """syntax = "proto3";
import "confluent/meta.proto";
message A {
  int32 x = 1 [(confluent.field_meta).tags = "X"];
  oneof o {
    int32 y = 2 [(confluent.field_meta).tags = "Y"];
  }
}
"""
    assert [t.entity.path for t in parse("PROTOBUF", text).tagged_entities()] == ["A.y", "A.x"]


def test_protobuf_adds_the_meta_import() -> None:
    schema = parse("PROTOBUF", 'syntax = "proto3";\nmessage A {\n  int32 x = 1;\n}\n')
    text = schema.with_tags({SchemaEntity("A", RECORD): ["R"], SchemaEntity("A.x", FIELD): ["F"]}, {})
    assert 'import "confluent/meta.proto";' in text
    assert found(parse("PROTOBUF", text)) == {("A", "sr_record"): ("R",), ("A.x", "sr_field"): ("F",)}
    every = {SchemaEntity("A", RECORD): ["R"], SchemaEntity("A.x", FIELD): ["F"]}
    untagged = parse("PROTOBUF", text).with_tags({}, every)
    assert "tags" not in untagged and found(parse("PROTOBUF", untagged)) == {}


@pytest.mark.parametrize("entity", [
    SchemaEntity("p.M", RECORD), SchemaEntity("p.M.a", FIELD), SchemaEntity("M.MEntry", RECORD),
    SchemaEntity("M.m.key", FIELD), SchemaEntity("M.zz", FIELD), SchemaEntity("M.N", FIELD),
    SchemaEntity("M.nope.b", FIELD),
])
def test_protobuf_unknown_entities(entity: SchemaEntity) -> None:
    with pytest.raises(UnknownEntityError, match=r"No matching (Message|Field)"):
        parse("PROTOBUF", PROTO).with_tags({entity: ["X"]}, {})


JSON_DOC = json.dumps({
    "definitions": {"Address": {"type": "object", "properties": {"street": {"type": "string"}}}},
    "type": "object",
    "properties": {
        "a.b": {"type": "string"},
        "flag": True,
        "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        "properties": {"type": "string"},
        "pet": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {"name": {"type": "string"}}}]},
    },
    "enum": [{"confluent:tags": ["NOT_A_SCHEMA"]}],
})


def test_json_paths() -> None:
    """Confluent's JSON Schema paths (JsonSchemaUtils.findMatchingEntity): 'object' steps, property
    names (joined across dots), 'array', a combination's index after sorting, definitions."""
    schema = parse("JSON", JSON_DOC)
    assert found(schema) == {}
    edits = {
        SchemaEntity("object.a.b", FIELD): ["DOTS"],
        SchemaEntity("object.list.array.object", RECORD): ["ITEM"],
        SchemaEntity("object.list.array.object.x", FIELD): ["X"],
        SchemaEntity("object.properties", FIELD): ["P"],
        SchemaEntity("object.pet.oneof.0.object.name", FIELD): ["NAME"],
        SchemaEntity("object.definitions.Address.object", RECORD): ["ADDR"],
        SchemaEntity("object.definitions.Address.object.street", FIELD): ["ST"],
        SchemaEntity("object", RECORD): ["ROOT"],
    }
    text = schema.with_tags(edits, {})
    assert json.loads(text)["properties"]["pet"]["oneOf"][1]["properties"]["name"] == {
        "type": "string", "confluent:tags": ["NAME"]}
    # The root is an allOf of the enum and the object (everit's model); its members sort ENUM < OBJECT.
    assert [(t.entity.path, t.entity.entity_type.value, t.tags) for t in parse("JSON", text).tagged_entities()] == [
        ("allof.1.object", "sr_record", ("ROOT",)),
        ("allof.1.object.a.b", "sr_field", ("DOTS",)),
        ("allof.1.object.list.array.object", "sr_record", ("ITEM",)),
        ("allof.1.object.list.array.object.x", "sr_field", ("X",)),
        ("allof.1.object.properties", "sr_field", ("P",)),
        ("allof.1.object.pet.oneof.0.object.name", "sr_field", ("NAME",)),
        ("allof.1.object.definitions.Address.object", "sr_record", ("ADDR",)),
        ("allof.1.object.definitions.Address.object.street", "sr_field", ("ST",)),
    ]
    assert found(schema) == {}  # the parsed schema is unchanged


@pytest.mark.parametrize("entity", [
    SchemaEntity("object.nope", FIELD), SchemaEntity("object", FIELD), SchemaEntity("object.flag", FIELD),
    SchemaEntity("object.pet.oneof.2.object", RECORD), SchemaEntity("object.pet.oneof.x.object", RECORD),
    SchemaEntity("#/properties/list", FIELD), SchemaEntity("record.list", FIELD),
])
def test_json_unknown_entities(entity: SchemaEntity) -> None:
    with pytest.raises(UnknownEntityError, match="No matching path"):
        parse("JSON", JSON_DOC).with_tags({entity: ["X"]}, {})


def test_json_defs_are_listed_in_modern_drafts_only() -> None:
    """JsonSchema.inlineTaggedEntities lists ``$defs`` when they are schemas: SchemaTranslator makes
    them so for 2019-09/2020-12 (a HashMap: Java's hash order); everit keeps draft 7's as data."""
    defs = {name: {"type": "object", "properties": {"f": {"type": "string", "confluent:tags": [name]}}}
            for name in ("Beta", "Alpha", "Gamma")}
    modern = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "$defs": defs}
    paths = [t.entity.path for t in parse("JSON", json.dumps(modern)).tagged_entities()]
    assert sorted(paths) == ["object.$defs.Alpha.object.f", "object.$defs.Beta.object.f", "object.$defs.Gamma.object.f"]
    hashes = {name: sum(ord(c) * 31 ** (len(name) - 1 - i) for i, c in enumerate(name)) for name in defs}
    by_bucket = sorted(defs, key=lambda k: ((hashes[k] ^ (hashes[k] >> 16)) & 15, list(defs).index(k)))
    assert paths == [f"object.$defs.{name}.object.f" for name in by_bucket]
    draft7 = {**modern, "$schema": "http://json-schema.org/draft-07/schema#"}
    assert parse("JSON", json.dumps(draft7)).tagged_entities() == []
    edited = parse("JSON", json.dumps(draft7)).with_tags({SchemaEntity("object.$defs.Alpha.object", RECORD): ["R"]}, {})
    assert json.loads(edited)["$defs"]["Alpha"]["confluent:tags"] == ["R"]
