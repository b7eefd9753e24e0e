"""Inline schema tags as Confluent's provider tests expect them: entity paths, the edited schema
(compared canonically with the schema the test expects), the tagged entities, add-before-remove."""

from __future__ import annotations

import json

import pytest
from confluent_tag_schemas import (
    AVRO_BASIC,
    AVRO_BASIC_TAGGED,
    AVRO_COMPLEX,
    AVRO_COMPLEX_TAGGED,
    JSON_BASIC,
    JSON_BASIC_TAGGED,
    JSON_COMPOSITE,
    JSON_COMPOSITE_TAGGED,
    JSON_CONDITIONAL,
    JSON_CONDITIONAL_TAGGED,
    JSON_NESTED_2020_12,
    JSON_RECURSIVE,
    JSON_RECURSIVE_TAGGED,
    JSON_REF_IN_ARRAY,
)

from charter.compat import EntityType, SchemaEntity, UnknownEntityError
from charter.compat.formats import get_format

RECORD, FIELD = EntityType.SR_RECORD, EntityType.SR_FIELD


def parse(schema_type: str, schema: object):  # type: ignore[no-untyped-def]
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return get_format(schema_type).parse(text, {}, validate=False)


def entities(schema) -> dict[SchemaEntity, set[str]]:  # type: ignore[no-untyped-def]
    return {t.entity: set(t.tags) for t in schema.tagged_entities()}


def check_round_trip(schema_type: str, before: object, after: object, tags: dict[SchemaEntity, list[str]]) -> None:
    """Adding ``tags`` to ``before`` gives ``after``; removing them gives ``before`` back."""
    original = parse(schema_type, before)
    tagged = parse(schema_type, original.with_tags(tags, {}))
    assert tagged.canonical() == parse(schema_type, after).canonical()
    untagged = parse(schema_type, tagged.with_tags({}, tags))
    assert untagged.canonical() == original.canonical()


# ---- Avro -----------------------------------------------------------------------------------


def test_avro_basic_add_and_remove() -> None:
    """from AvroSchemaTest.testBasicAddAndRemoveTags"""
    tags = {
        SchemaEntity("com.example.mynamespace.nestedRecordWithoutNamespace.nested_field1", FIELD): ["PII"],
        SchemaEntity("com.example.mynamespace.nested.nestedRecordWithNamespace.nested_field2", FIELD): ["PII"],
        SchemaEntity("com.example.mynamespace.sampleRecord.my_field3", FIELD): ["PII"],
        SchemaEntity("com.example.mynamespace.sampleRecord", RECORD): ["PII"],
        SchemaEntity("com.example.mynamespace.nested.nestedRecordWithNamespace", RECORD): ["PII"],
    }
    check_round_trip("AVRO", AVRO_BASIC, AVRO_BASIC_TAGGED, tags)
    found = entities(parse("AVRO", parse("AVRO", AVRO_BASIC).with_tags(tags, {})))
    assert found == {
        **{entity: set(names) for entity, names in tags.items()},
        SchemaEntity("com.example.mynamespace.nestedRecordWithoutNamespace.nested_field2", FIELD): {"PRIVATE"},
        SchemaEntity("com.example.mynamespace.nested.nestedRecordWithNamespace.nested_field2", FIELD): {
            "PII", "PRIVATE"},
    }


def test_avro_complex_add_and_remove() -> None:
    """from AvroSchemaTest.testComplexAddAndRemoveTags: a union root; records reached through
    arrays and maps; paths with and without their namespace."""
    tags = {
        SchemaEntity("com.example.mynamespace.sampleRecord.my_field1", FIELD): ["PII"],
        SchemaEntity("com.example.mynamespace.nested.nestedRecord2.nested_field2", FIELD): ["PII"],
        SchemaEntity("recordMapValue.my_field1", FIELD): ["PII"],
        SchemaEntity("nestedRecord3.nested_field2", FIELD): ["PII"],
        SchemaEntity("com.example.mynamespace.nested.recordItem", RECORD): ["PII"],
        SchemaEntity("recordMapValue", RECORD): ["PII"],
    }
    check_round_trip("AVRO", AVRO_COMPLEX, AVRO_COMPLEX_TAGGED, tags)
    found = entities(parse("AVRO", AVRO_COMPLEX_TAGGED))
    assert found[SchemaEntity("nestedRecord3.nested_field2", FIELD)] == {"PRIVATE", "PII"}
    assert found[SchemaEntity("com.example.mynamespace.nestedRecord.nested_field2", FIELD)] == {"PRIVATE"}
    nested = SchemaEntity("com.example.mynamespace.nested.nestedRecord2.nested_field2", FIELD)
    assert found[nested] == {"PRIVATE", "PII"}


def test_avro_add_before_remove() -> None:
    """from AvroSchemaTest.testAddBeforeRemoveTags: a tag both added and removed is removed."""
    schema = parse("AVRO", {"name": "sampleRecord", "namespace": "com.example.mynamespace", "type": "record",
                            "fields": [{"name": "my_field1", "type": "string", "confluent:tags": ["EXISTING"]}]})
    field = SchemaEntity("com.example.mynamespace.sampleRecord.my_field1", FIELD)
    edited = parse("AVRO", schema.with_tags({field: ["OVERLAP", "NEW"]}, {field: ["OVERLAP", "EXISTING"]}))
    assert entities(edited) == {field: {"NEW"}}


def test_avro_tags_keep_insertion_order() -> None:
    """from AvroSchemaTest.testTagsInsertionOrder"""
    schema = parse("AVRO", {"type": "record", "name": "myrecord", "fields": [{"type": "string", "name": "f1"}]})
    text = schema.with_tags({SchemaEntity("myrecord.f1", FIELD): ["tag1", "tag2"]}, {})
    assert text == ('{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string",'
                    '"confluent:tags":["tag1","tag2"]}]}')


# ---- JSON Schema ----------------------------------------------------------------------------


def test_json_basic_add_and_remove() -> None:
    """from JsonSchemaTest.testBasicAddAndRemoveTags"""
    tags = {
        SchemaEntity("object.myfield1.array.object.field1", FIELD): ["PII"],
        SchemaEntity("object.myfield2.allof.0.object.nestedUnionField2", FIELD): ["PII"],
        SchemaEntity("object.myfield3.not.object.nestedNotField2", FIELD): ["PII"],
        SchemaEntity("object.myfield4", FIELD): ["PII"],
        SchemaEntity("object.myfield1.array.object", RECORD): ["record"],
        SchemaEntity("object.myfield2.allof.0.object", RECORD): ["record"],
        SchemaEntity("object.myfield3.not.object", RECORD): ["record"],
    }
    check_round_trip("JSON", JSON_BASIC, JSON_BASIC_TAGGED, tags)
    assert entities(parse("JSON", JSON_BASIC_TAGGED)) == {entity: set(names) for entity, names in tags.items()}


def test_json_add_before_remove() -> None:
    """from JsonSchemaTest.testAddBeforeRemoveTags"""
    schema = parse("JSON", {"$schema": "http://json-schema.org/draft-07/schema#", "title": "SampleRecord",
                            "type": "object",
                            "properties": {"myfield1": {"type": "string", "confluent:tags": ["EXISTING"]}}})
    field = SchemaEntity("object.myfield1", FIELD)
    edited = parse("JSON", schema.with_tags({field: ["OVERLAP", "NEW"]}, {field: ["OVERLAP", "EXISTING"]}))
    assert entities(edited) == {field: {"NEW"}}


def test_json_conditional() -> None:
    """from JsonSchemaTest.testAddTagsToConditional: a root with if/then/else is an allOf whose
    members sort CONDITIONAL before OBJECT."""
    tags = {
        SchemaEntity("allof.0.conditional.else.object.postal_code", FIELD): ["testConditional"],
        SchemaEntity("allof.1.object.country", FIELD): ["testConditional"],
        SchemaEntity("allof.1.object", RECORD): ["record"],
        SchemaEntity("allof.0.conditional.if.object", RECORD): ["record"],
    }
    check_round_trip("JSON", JSON_CONDITIONAL, JSON_CONDITIONAL_TAGGED, tags)
    assert entities(parse("JSON", JSON_CONDITIONAL_TAGGED)) == {e: set(names) for e, names in tags.items()}


def test_json_recursive_schema() -> None:
    """from JsonSchemaTest.testAddTagToRecursiveSchema: ``"type": ["null", "object"]`` is an anyOf;
    the index step stays on the same JSON object."""
    field = SchemaEntity("anyof.1.object.parent", FIELD)
    text = parse("JSON", JSON_RECURSIVE).with_tags({field: ["PII"]}, {})
    assert parse("JSON", text).canonical() == parse("JSON", JSON_RECURSIVE_TAGGED).canonical()
    assert entities(parse("JSON", text)) == {field: {"testRecursive", "PII"}}


def test_json_composite_field_in_definitions() -> None:
    """from JsonSchemaTest.testAddTagToCompositeField: definitions, and names holding dots."""
    tags = {
        SchemaEntity("object.definitions.CardDetails.object.credit_card", FIELD): ["PII"],
        SchemaEntity("object.definitions.Another.Details.object.additional.field1", FIELD): ["TEST2"],
        SchemaEntity("object.definitions.CardDetails.object", RECORD): ["TEST3"],
    }
    check_round_trip("JSON", JSON_COMPOSITE, JSON_COMPOSITE_TAGGED, tags)
    assert entities(parse("JSON", JSON_COMPOSITE_TAGGED)) == {e: set(names) for e, names in tags.items()}


def test_json_found_tags() -> None:
    """from JsonSchemaTest.testInlineTagsForRefInArray, testInlineTagsForNullInArray and
    testNestedCombinedSchemasDraft_2020_12"""
    assert entities(parse("JSON", JSON_REF_IN_ARRAY)) == {
        SchemaEntity("object.definitions.MetricData.object.name", FIELD): {"PII"}}
    assert entities(parse("JSON", JSON_NESTED_2020_12)) == {
        SchemaEntity("object.myfield1.array.object.field1", FIELD): {"PII"}}
    null_in_array = {
        "$id": "http://example.com/myURI.schema.json", "$schema": "http://json-schema.org/draft-07/schema#",
        "additionalProperties": False, "definitions": {"banana": {"type": "string", "enum": ["a", "b", None]}},
        "properties": {"f1": {"$ref": "#/definitions/banana", "confluent:tags": ["PII"]}},
        "title": "SampleRecord", "type": "object",
    }
    assert entities(parse("JSON", null_in_array)) == {SchemaEntity("object.f1", FIELD): {"PII"}}


# ---- Protobuf -------------------------------------------------------------------------------

PROTO_BASIC = """syntax = "proto3";
package com.example.mynamespace;

import "confluent/meta.proto";
import "confluent/type/decimal.proto";

option java_package = "io.confluent.kafka.serializers.protobuf.test";
option java_outer_classname = "ComplexProto";
option (confluent.file_meta).tags = "FILE";

message SampleRecord {
  option (confluent.message_meta).tags = "OTHER";

  int32 my_field1 = 1 [
    (confluent.field_meta).tags = "OTHER",
    (confluent.field_meta).tags = "PRIVATE"
  ];
  double my_field2 = 2 [(confluent.field_meta) = {
    tags: [ "PRIVATE" ]
  }];
  NestedRecord my_field3 = 3 [(confluent.field_meta) = {
    doc: "field_meta"
  }];

  message NestedRecord {
    int64 nested_filed1 = 4;
  }
  enum Kind {
    option (confluent.enum_meta).tags = "ENUM";
    UNKNOWN = 0;
    APPLE = 6 [(confluent.enum_value_meta) = {
      tags: [
        "CONST"
      ]
    }];
    BANANA = 7;
  }
}
"""  # Confluent's test has no zero value in Kind (Wire accepts that, protoc does not)


def test_protobuf_basic_add_and_remove() -> None:
    """from ProtobufSchemaTest.testBasicAddAndRemoveSchemaTags: paths relative to the package, a
    leading dot ignored; the found entities are named without it."""
    add = {
        SchemaEntity(".SampleRecord.my_field1", FIELD): ["PII"],
        SchemaEntity(".SampleRecord.my_field2", FIELD): ["PII"],
        SchemaEntity(".SampleRecord.my_field3", FIELD): ["PII"],
        SchemaEntity(".SampleRecord.NestedRecord.nested_filed1", FIELD): ["PII"],
        SchemaEntity(".SampleRecord", RECORD): ["PII"],
        SchemaEntity(".SampleRecord.NestedRecord", RECORD): ["PII"],
    }
    tagged = parse("PROTOBUF", parse("PROTOBUF", PROTO_BASIC).with_tags(add, {}))
    assert entities(tagged) == {
        SchemaEntity("SampleRecord", RECORD): {"OTHER", "PII"},
        SchemaEntity("SampleRecord.my_field1", FIELD): {"OTHER", "PRIVATE", "PII"},
        SchemaEntity("SampleRecord.my_field2", FIELD): {"PRIVATE", "PII"},
        SchemaEntity("SampleRecord.my_field3", FIELD): {"PII"},
        SchemaEntity("SampleRecord.NestedRecord", RECORD): {"PII"},
        SchemaEntity("SampleRecord.NestedRecord.nested_filed1", FIELD): {"PII"},
    }
    remove = {
        SchemaEntity(".SampleRecord.my_field1", FIELD): ["OTHER"],
        SchemaEntity(".SampleRecord.my_field2", FIELD): ["PRIVATE"],
        SchemaEntity(".SampleRecord.my_field3", FIELD): ["PII"],
        SchemaEntity(".SampleRecord.NestedRecord.nested_filed1", FIELD): ["DOES_NOT_EXIST"],
        SchemaEntity(".SampleRecord", RECORD): ["OTHER"],
        SchemaEntity(".SampleRecord.NestedRecord", RECORD): ["PII"],
    }
    removed = parse("PROTOBUF", tagged.with_tags({}, remove))
    assert entities(removed) == {
        SchemaEntity("SampleRecord", RECORD): {"PII"},
        SchemaEntity("SampleRecord.my_field1", FIELD): {"PRIVATE", "PII"},
        SchemaEntity("SampleRecord.my_field2", FIELD): {"PII"},
        SchemaEntity("SampleRecord.NestedRecord.nested_filed1", FIELD): {"PII"},
    }
    assert 'doc: "field_meta"' in removed.canonical()  # my_field3 keeps its other Meta value


def test_protobuf_add_before_remove() -> None:
    """from ProtobufSchemaTest.testAddBeforeRemoveTags"""
    schema = parse("PROTOBUF", 'syntax = "proto3";\npackage com.example.mynamespace;\n\n'
                               'import "confluent/meta.proto";\n\nmessage SampleRecord {\n'
                               '  string my_field1 = 1 [(confluent.field_meta) = {\n    tags: [\n'
                               '      "EXISTING"\n    ]\n  }];\n}\n')
    field = SchemaEntity(".SampleRecord.my_field1", FIELD)
    edited = parse("PROTOBUF", schema.with_tags({field: ["OVERLAP", "NEW"]}, {field: ["OVERLAP", "EXISTING"]}))
    assert entities(edited) == {SchemaEntity("SampleRecord.my_field1", FIELD): {"NEW"}}


ONEOF = """syntax = "proto3";
package com.example.mynamespace;

message SampleRecord {
  oneof test_oneof {
    string f1 = 1;
    int32 f2 = 2;
  }
}
"""


def test_protobuf_oneof_field_names() -> None:
    """from ProtobufSchemaTest.testOptionalOneOfFieldName: a oneof's field by its message or
    through its oneof, with or without the leading dot."""
    tags = {
        SchemaEntity(".SampleRecord.f1", FIELD): ["TAG1"],
        SchemaEntity(".SampleRecord.test_oneof.f1", FIELD): ["TAG2"],
        SchemaEntity("SampleRecord.f2", FIELD): ["TAG3"],
        SchemaEntity("SampleRecord.test_oneof.f2", FIELD): ["TAG4"],
    }
    text = parse("PROTOBUF", ONEOF).with_tags(tags, {})
    assert '"TAG1",\n        "TAG2"' in text and '"TAG3",\n        "TAG4"' in text
    assert entities(parse("PROTOBUF", text)) == {
        SchemaEntity("SampleRecord.f1", FIELD): {"TAG1", "TAG2"},
        SchemaEntity("SampleRecord.f2", FIELD): {"TAG3", "TAG4"},
    }


@pytest.mark.parametrize("entity", [
    SchemaEntity("SampleRecord", FIELD), SchemaEntity("SampleRecord.bad_oneof.f1", FIELD),
    SchemaEntity("SampleRecord.f3", FIELD), SchemaEntity("badRecord", RECORD), SchemaEntity("..SampleRecord", RECORD),
    SchemaEntity(".SampleRecord.f1", RECORD),
])
def test_protobuf_invalid_paths(entity: SchemaEntity) -> None:
    """from ProtobufSchemaTest.testInvalidPath (whose second field is named like the oneof, which
    protoc refuses)"""
    schema = parse("PROTOBUF", ONEOF)
    with pytest.raises(UnknownEntityError):
        schema.with_tags({entity: ["TAG1"]}, {})
