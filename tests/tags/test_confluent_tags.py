"""Schema tags over HTTP as Confluent's REST tests expect them: ``schemaTagsToAdd`` /
``schemaTagsToRemove`` / ``propagateSchemaTags`` on ``POST /subjects/{s}/versions``, Confluent's
entity paths on ``/tags``, ``findTags`` answers, lower-case entity types."""

from __future__ import annotations

import json

import httpx
from support.http import check_error

RECORD = '{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}]}'


def tags_of(path: str, kind: str, *tags: str) -> dict:
    return {"schemaEntity": {"entityPath": path, "entityType": kind}, "tags": list(tags)}


def register(http: httpx.Client, subject: str, body: dict) -> httpx.Response:
    return http.post(f"/subjects/{subject}/versions", json=body)


def latest(http: httpx.Client, subject: str, find: str = "*") -> dict:
    r = http.get(f"/subjects/{subject}/versions/latest", params={"findTags": find})
    assert r.status_code == 200, r.text
    return r.json()


def test_register_with_schema_tags_avro(http: httpx.Client, subject: str) -> None:
    """from RestApiRegisterSchemaTagsTest.testRegisterSchemaTagsBasic"""
    assert register(http, subject, {"schema": RECORD}).status_code == 200
    add = [tags_of("myrecord", "sr_record", "TAG1", "TAG2")]
    r = register(http, subject, {"schema": RECORD, "schemaTagsToAdd": add})
    assert r.status_code == 200, r.text
    v2 = latest(http, subject)
    assert v2["version"] == 2 and v2["id"] == r.json()["id"]
    assert v2["schema"] == ('{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}],'
                            '"confluent:tags":["TAG1","TAG2"]}')
    assert v2["schemaTags"] == add
    assert v2["metadata"]["properties"]["confluent:version"] == "2"

    remove = [tags_of("myrecord", "sr_record", "TAG2")]
    r = register(http, subject, {"schema": v2["schema"], "schemaTagsToRemove": remove, "version": 3})
    assert r.status_code == 200, r.text
    v3 = latest(http, subject)
    assert v3["version"] == 3 and v3["metadata"]["properties"]["confluent:version"] == "3"
    assert v3["schema"] == ('{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}],'
                            '"confluent:tags":["TAG1"]}')
    expected = [tags_of("myrecord", "sr_record", "TAG1")]
    assert v3["schemaTags"] == expected
    by_id = http.get(f"/schemas/ids/{v3['id']}", params={"findTags": "TAG1"}).json()
    assert by_id["schemaTags"] == expected

    # propagateSchemaTags: the latest version's inline tags are added to the new schema.
    evolved = {"type": "record", "name": "myrecord", "fields": [
        {"name": "f1", "type": "string"}, {"name": "f2", "type": "string", "default": "hi"}]}
    r = register(http, subject, {"schema": json.dumps(evolved), "propagateSchemaTags": True})
    assert r.status_code == 200, r.text
    v4 = latest(http, subject)
    assert v4["version"] == 4
    assert v4["schema"] == ('{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"},'
                            '{"name":"f2","type":"string","default":"hi"}],"confluent:tags":["TAG1"]}')
    assert v4["schemaTags"] == expected

    evolved["fields"][0]["confluent:tags"] = ["TAG2"]
    r = register(http, subject, {"schema": json.dumps(evolved), "propagateSchemaTags": True})
    assert r.status_code == 200, r.text
    v5 = latest(http, subject)
    assert v5["version"] == 5
    assert v5["schema"] == ('{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string",'
                            '"confluent:tags":["TAG2"]},{"name":"f2","type":"string","default":"hi"}],'
                            '"confluent:tags":["TAG1"]}')
    both = [tags_of("myrecord", "sr_record", "TAG1"), tags_of("myrecord.f1", "sr_field", "TAG2")]
    assert v5["schemaTags"] == both
    assert http.get(f"/schemas/ids/{v5['id']}", params=[("findTags", "TAG1"), ("findTags", "TAG2")]).json()[
        "schemaTags"] == both


def test_register_with_schema_tags_protobuf(http: httpx.Client, subject: str) -> None:
    """from protobuf RestApiTest.testRegisterSchemaTagsBasic: package-relative paths, with or
    without a leading dot, naming the same field."""
    text = 'syntax = "proto3";\npackage com.example;\n\nmessage Message1 {\n  string f1 = 1;\n  string f2 = 2;\n}\n'
    assert register(http, subject, {"schema": text, "schemaType": "PROTOBUF"}).status_code == 200
    add = [tags_of("Message1.f1", "sr_field", "TAG1"), tags_of(".Message1.f1", "sr_field", "TAG2")]
    r = register(http, subject, {"schema": text, "schemaType": "PROTOBUF", "schemaTagsToAdd": add})
    assert r.status_code == 200, r.text
    v2 = latest(http, subject)
    assert v2["version"] == 2
    assert '  string f1 = 1 [(confluent.field_meta) = {\n    tags: [\n      "TAG1",\n      "TAG2"\n    ]\n  }];\n' in (
        v2["schema"])
    assert v2["schemaTags"] == [tags_of("Message1.f1", "sr_field", "TAG1", "TAG2")]

    remove = [tags_of("Message1.f1", "sr_field", "TAG2")]
    r = register(http, subject, {"schema": v2["schema"], "schemaType": "PROTOBUF", "schemaTagsToRemove": remove})
    assert r.status_code == 200, r.text
    v3 = latest(http, subject)
    assert v3["version"] == 3
    assert "string f1 = 1 [(confluent.field_meta) = {" in v3["schema"] and '"TAG2"' not in v3["schema"]
    assert v3["schemaTags"] == [tags_of("Message1.f1", "sr_field", "TAG1")]


def test_tag_endpoint_protobuf_paths(http: httpx.Client, subject: str) -> None:
    """from protobuf RestApiTest.testRegisterSchemaTagsBasicDeprecated (the /tags route)"""
    text = 'syntax = "proto3";\npackage com.example;\n\nmessage Message1 {\n  string f1 = 1;\n  string f2 = 2;\n}\n'
    assert register(http, subject, {"schema": text, "schemaType": "PROTOBUF"}).status_code == 200
    add = [tags_of("Message1.f1", "sr_field", "TAG1"), tags_of(".Message1.f1", "sr_field", "TAG2")]
    r = http.post(f"/subjects/{subject}/versions/latest/tags", json={"tagsToAdd": add})
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    assert latest(http, subject)["schemaTags"] == [tags_of("Message1.f1", "sr_field", "TAG1", "TAG2")]
    assert latest(http, subject)["metadata"] == {"properties": {"confluent:version": "2"}}
    r = http.post(f"/subjects/{subject}/versions/latest/tags",
                  json={"newVersion": 3, "tagsToRemove": [tags_of("Message1.f1", "sr_field", "TAG2")]})
    assert r.status_code == 200 and r.json()["version"] == 3, r.text
    assert latest(http, subject)["schemaTags"] == [tags_of("Message1.f1", "sr_field", "TAG1")]
    assert latest(http, subject)["metadata"] == {"properties": {"confluent:version": "3"}}
    # The package-qualified name is not Confluent's path: unknown entity.
    bad = {"tagsToAdd": [tags_of("com.example.Message1.f1", "sr_field", "X")]}
    body = check_error(http.post(f"/subjects/{subject}/versions/latest/tags", json=bad), 422, 42201)
    assert "com.example.Message1.f1" in body["message"]


def test_tag_endpoint_adds_before_removes(http: httpx.Client, subject: str) -> None:
    """from JsonSchemaTest/AvroSchemaTest/ProtobufSchemaTest.testAddBeforeRemoveTags: the registry
    applies tags with addBeforeRemove, so a tag both added and removed is gone."""
    schema = {"type": "object", "properties": {"myfield1": {"type": "string", "confluent:tags": ["EXISTING"]}}}
    assert register(http, subject, {"schema": json.dumps(schema), "schemaType": "JSON"}).status_code == 200
    field = "object.myfield1"
    body = {"tagsToAdd": [tags_of(field, "sr_field", "OVERLAP", "NEW")],
            "tagsToRemove": [tags_of(field, "sr_field", "OVERLAP", "EXISTING")]}
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=body)
    assert r.status_code == 200, r.text
    assert latest(http, subject)["schemaTags"] == [tags_of(field, "sr_field", "NEW")]


def test_json_schema_paths_and_pointers(http: httpx.Client, subject: str) -> None:
    """Confluent's JSON Schema paths (JsonSchemaTest.testBasicAddAndRemoveTags); JSON pointers,
    which Confluent does not know, are unknown entities."""
    schema = {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}}}}
    assert register(http, subject, {"schema": json.dumps(schema), "schemaType": "JSON"}).status_code == 200
    add = [tags_of("object.items.array.object", "sr_record", "R"),
           tags_of("object.items.array.object.x", "sr_field", "F")]
    r = register(http, subject, {"schema": json.dumps(schema), "schemaType": "JSON", "schemaTagsToAdd": add})
    assert r.status_code == 200, r.text
    assert latest(http, subject)["schemaTags"] == add
    pointer = {"tagsToAdd": [tags_of("#/properties/items", "sr_field", "X")]}
    check_error(http.post(f"/subjects/{subject}/versions/latest/tags", json=pointer), 422, 42201)


def test_register_refuses_unknown_entities_and_bad_shapes(http: httpx.Client, subject: str) -> None:
    """AbstractSchemaRegistry.toSchemaWithTags: an entity path that resolves to nothing is an
    invalid schema; nothing is registered."""
    unknown = [tags_of("nope", "sr_record", "X")]
    check_error(register(http, subject, {"schema": RECORD, "schemaTagsToAdd": unknown}), 422, 42201)
    check_error(register(http, subject, {"schema": RECORD, "schemaTagsToRemove": unknown}), 422, 42201)
    upper = [tags_of("myrecord", "SR_RECORD", "X")]  # Jackson reads only sr_record / sr_field
    check_error(register(http, subject, {"schema": RECORD, "schemaTagsToAdd": upper}), 400, 400)
    check_error(register(http, subject, {"schema": RECORD, "propagateSchemaTags": "yes"}), 400, 400)
    assert http.get(f"/subjects/{subject}/versions").status_code == 404


RULE = {"name": "r1", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}


def test_tag_endpoint_rules_come_from_the_previous_version(http: httpx.Client, subject: str) -> None:
    """AbstractSchemaRegistry.maybeModifyPreviousRuleSet: rulesToMerge/rulesToRemove apply to the
    rule set of version newVersion - 1 (else the latest), not to the tagged version's; and
    SubjectVersionsResource.modifyTags refuses a ruleSet beside them (42210)."""
    schema = {"schema": RECORD, "ruleSet": {"domainRules": [RULE]}}
    assert register(http, subject, schema).status_code == 200
    r2 = {**RULE, "name": "r2"}
    assert register(http, subject, {"schema": RECORD, "ruleSet": {"domainRules": [r2]}}).status_code == 200
    r3 = {**RULE, "name": "r3"}
    add = [tags_of("myrecord", "sr_record", "T")]
    body = {"tagsToAdd": add, "rulesToMerge": {"domainRules": [r3]}, "newVersion": 3}
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=body)
    assert r.status_code == 200 and r.json()["version"] == 3, r.text
    v3 = http.get(f"/subjects/{subject}/versions/3").json()
    assert [rule["name"] for rule in v3["ruleSet"]["domainRules"]] == ["r2", "r3"]
    bad = {"tagsToAdd": add, "rulesToRemove": [], "ruleSet": {"domainRules": [RULE]}}
    body = check_error(http.post(f"/subjects/{subject}/versions/1/tags", json=bad), 422, 42210)
    assert "ruleSet should be omitted if specifying rulesToMerge or rulesToRemove" in body["message"]
