"""Schema tags: ``POST /subjects/{s}/versions/{v}/tags`` registers a version with inline tags
edited (Avro, Protobuf, JSON Schema), ``findTags`` lists them, and bad requests get Confluent
errors."""

from __future__ import annotations

import json

import httpx
import pytest
from support.http import check_error

from charter.registry.api.app import api_table
from charter.registry.api.auth import need

AVRO = json.dumps({
    "type": "record", "name": "User", "namespace": "com.acme",
    "fields": [
        {"name": "email", "type": "string"},
        {"name": "address", "type": {"type": "record", "name": "Address",
                                     "fields": [{"name": "street", "type": "string"}]}},
    ],
})
PROTO = """syntax = "proto3";
package com.acme;

message User {
  string email = 1;
  Address address = 2;
  message Address {
    string street = 1;
  }
}
"""
JSON_SCHEMA = json.dumps({
    "type": "object",
    "properties": {
        "email": {"type": "string"},
        "address": {"type": "object", "properties": {"street": {"type": "string"}}},
    },
})
# (schemaType, text, a field path, a record path, a nested field path)
FORMATS = {
    "AVRO": (AVRO, "com.acme.User.email", "com.acme.User", "com.acme.Address.street"),
    "PROTOBUF": (PROTO, "User.email", "User.Address", "User.Address.street"),
    "JSON": (JSON_SCHEMA, "object.email", "object", "object.address.object.street"),
}
RULE = {"name": "r1", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}


def entity(path: str, kind: str, *tags: str) -> dict:
    return {"schemaEntity": {"entityPath": path, "entityType": kind}, "tags": list(tags)}


def register(http: httpx.Client, subject: str, schema_type: str, text: str, **extra: object) -> dict:
    r = http.post(f"/subjects/{subject}/versions", json={"schema": text, "schemaType": schema_type, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def tag(http: httpx.Client, subject: str, body: dict, version: str = "latest") -> httpx.Response:
    return http.post(f"/subjects/{subject}/versions/{version}/tags", json=body)


@pytest.mark.parametrize("schema_type", list(FORMATS))
def test_add_find_and_remove_tags(http: httpx.Client, subject: str, schema_type: str) -> None:
    text, field, record, nested = FORMATS[schema_type]
    first = register(http, subject, schema_type, text)
    r = tag(http, subject, {"tagsToAdd": [entity(field, "sr_field", "PII"), entity(record, "sr_record", "ENTITY"),
                                          entity(nested, "sr_field", "PII", "ADDRESS")]})
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["version"] == 2 and created["id"] != first["id"] and created["guid"]
    v2 = http.get(f"/subjects/{subject}/versions/2").json()
    assert v2["id"] == created["id"] and "schemaTags" not in v2
    if schema_type == "PROTOBUF":
        assert 'import "confluent/meta.proto";' in v2["schema"]
        assert "(confluent.field_meta)" in v2["schema"] and "(confluent.message_meta)" in v2["schema"]
        assert '"PII"' in v2["schema"] and '"ENTITY"' in v2["schema"]
    else:
        assert '"confluent:tags":["PII"]' in v2["schema"] and '"confluent:tags":["ENTITY"]' in v2["schema"]
        assert '"confluent:tags":["PII","ADDRESS"]' in v2["schema"]

    everything = http.get(f"/subjects/{subject}/versions/2", params={"findTags": "*"}).json()["schemaTags"]
    assert sorted(everything, key=lambda e: e["schemaEntity"]["entityPath"]) == sorted([
        entity(field, "sr_field", "PII"), entity(record, "sr_record", "ENTITY"),
        entity(nested, "sr_field", "PII", "ADDRESS"),
    ], key=lambda e: e["schemaEntity"]["entityPath"])
    pii = http.get(f"/subjects/{subject}/versions/latest", params={"findTags": "PII"}).json()["schemaTags"]
    # extractSchemaTags: the entities having a wanted tag, each with all its tags.
    assert {e["schemaEntity"]["entityPath"]: e["tags"] for e in pii} == {field: ["PII"], nested: ["PII", "ADDRESS"]}
    by_id = http.get(f"/schemas/ids/{created['id']}", params=[("findTags", "ENTITY"), ("findTags", "ADDRESS")])
    assert by_id.json()["schemaTags"] == [entity(record, "sr_record", "ENTITY"),
                                          entity(nested, "sr_field", "PII", "ADDRESS")]
    assert "schemaTags" not in http.get(f"/schemas/ids/{created['id']}", params={"findTags": "NOPE"}).json()
    assert "schemaTags" not in http.get(f"/subjects/{subject}/versions/1", params={"findTags": "*"}).json()

    # Removing one tag leaves the others; removing every tag gives back the first schema.
    r = tag(http, subject, {"tagsToRemove": [entity(nested, "sr_field", "ADDRESS")], "newVersion": 3})
    assert r.status_code == 200 and r.json()["version"] == 3, r.text
    left = http.get(f"/subjects/{subject}/versions/3", params={"findTags": "*"}).json()["schemaTags"]
    assert entity(nested, "sr_field", "PII") in left and len(left) == 3
    r = tag(http, subject, {"tagsToRemove": [entity(field, "sr_field", "PII"), entity(record, "sr_record", "ENTITY"),
                                             entity(nested, "sr_field", "PII")]})
    assert r.status_code == 200, r.text
    latest = http.get(f"/subjects/{subject}/versions/{r.json()['version']}").json()
    assert "confluent:tags" not in latest["schema"] and "PII" not in latest["schema"]
    # modifySchemaTags marks the metadata with confluent:version: a new version, not version 1.
    assert r.json()["version"] == 4 and r.json()["id"] != first["id"]
    assert latest["metadata"] == {"properties": {"confluent:version": "4"}}
    if schema_type != "PROTOBUF":  # the Protobuf text keeps its new import
        assert latest["schema"] == http.get(f"/subjects/{subject}/versions/1").json()["schema"]


def test_tagging_again_registers_a_new_version(http: httpx.Client, subject: str) -> None:
    """AbstractSchemaRegistry.modifySchemaTags sets confluent:version (newVersion, else 0), which the
    registration makes the new version's number: every tagging is a new version."""
    register(http, subject, "AVRO", AVRO)
    body = {"tagsToAdd": [entity("com.acme.User.email", "sr_field", "PII")]}
    first = tag(http, subject, body).json()
    second = tag(http, subject, body).json()
    assert (first["version"], second["version"]) == (2, 3) and first["id"] != second["id"]
    assert http.get(f"/subjects/{subject}/versions/3").json()["metadata"] == {
        "properties": {"confluent:version": "3"}}


def test_an_older_version_can_be_tagged(http: httpx.Client, subject: str) -> None:
    register(http, subject, "AVRO", AVRO)
    more = json.loads(AVRO)
    more["fields"].append({"name": "phone", "type": ["null", "string"], "default": None})
    register(http, subject, "AVRO", json.dumps(more))
    r = tag(http, subject, {"tagsToAdd": [entity("com.acme.User.email", "sr_field", "PII")]}, version="1")
    assert r.status_code == 200 and r.json()["version"] == 3, r.text
    schema = json.loads(http.get(f"/subjects/{subject}/versions/3").json()["schema"])
    assert [f["name"] for f in schema["fields"]] == ["email", "address"]
    assert schema["fields"][0]["confluent:tags"] == ["PII"]


def test_new_version_must_be_the_next_one(http: httpx.Client, subject: str) -> None:
    register(http, subject, "AVRO", AVRO)
    add = [entity("com.acme.User", "sr_record", "A")]
    for wrong in (1, 3, 0, -1):
        body = check_error(tag(http, subject, {"tagsToAdd": add, "newVersion": wrong}), 422, 42202)
        assert "next version is 2" in body["message"]
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    r = tag(http, subject, {"tagsToAdd": add, "newVersion": 2})
    assert r.status_code == 200 and r.json()["version"] == 2, r.text


def test_metadata_and_rules(http: httpx.Client, subject: str) -> None:
    r2 = {**RULE, "name": "r2"}
    register(http, subject, "AVRO", AVRO, metadata={"properties": {"owner": "a"}},
             ruleSet={"domainRules": [RULE, r2]})
    add = [entity("com.acme.User.email", "sr_field", "PII")]
    # Without metadata or rules in the request: the tagged version's are kept.
    assert tag(http, subject, {"tagsToAdd": add}).status_code == 200
    v2 = http.get(f"/subjects/{subject}/versions/2").json()
    assert v2["metadata"] == {"properties": {"owner": "a", "confluent:version": "2"}}
    assert [r["name"] for r in v2["ruleSet"]["domainRules"]] == ["r1", "r2"]
    # rulesToMerge replaces by name and appends new ones; rulesToRemove drops; metadata replaces.
    merged = {**RULE, "expr": "message.email != ''"}
    r3 = {**RULE, "name": "r3", "mode": "READ"}
    body = {"tagsToAdd": [entity("com.acme.User", "sr_record", "X")], "metadata": {"properties": {"owner": "b"}},
            "rulesToMerge": {"domainRules": [merged, r3]}, "rulesToRemove": ["r2"]}
    assert tag(http, subject, body).json()["version"] == 3
    v3 = http.get(f"/subjects/{subject}/versions/3").json()
    assert v3["metadata"] == {"properties": {"owner": "b", "confluent:version": "3"}}
    rules = {r["name"]: r for r in v3["ruleSet"]["domainRules"]}
    assert list(rules) == ["r1", "r3"] and rules["r1"]["expr"] == "message.email != ''"
    # ruleSet replaces the rule set; removing every rule leaves an empty one, {} (nothing inherited):
        # AbstractSchemaRegistry.maybeModifyPreviousRuleSet builds a new, non-null RuleSet.
    body = {"tagsToRemove": [entity("com.acme.User", "sr_record", "X")], "ruleSet": {"migrationRules": [
        {**RULE, "name": "m1", "mode": "UPGRADE", "kind": "TRANSFORM"}]}}
    assert tag(http, subject, body).json()["version"] == 4
    assert list(http.get(f"/subjects/{subject}/versions/4").json()["ruleSet"]) == ["migrationRules"]
    assert tag(http, subject, {"rulesToRemove": ["m1"]}).json()["version"] == 5
    v5 = http.get(f"/subjects/{subject}/versions/5").json()
    assert v5["ruleSet"] == {} and v5["metadata"] == {"properties": {"owner": "b", "confluent:version": "5"}}
    # Rules to merge are validated like any rule set.
    check_error(tag(http, subject, {"rulesToMerge": {"domainRules": [{"name": "bad"}]}}), 422, 42210)


@pytest.mark.parametrize("schema_type", list(FORMATS))
def test_unknown_entities(http: httpx.Client, subject: str, schema_type: str) -> None:
    text, field, record, _nested = FORMATS[schema_type]
    register(http, subject, schema_type, text)
    unknown = {"AVRO": "com.acme.Nope", "PROTOBUF": "Nope", "JSON": "object.nope"}[schema_type]
    bad_ones = [entity(unknown, "sr_record", "A"), entity(unknown, "sr_field", "A"), entity(record, "sr_field", "A")]
    if schema_type != "JSON":  # Confluent's JSON Schema lookup takes a field's path as a record too
        bad_ones.append(entity(field, "sr_record", "A"))
    for bad in bad_ones:
        body = check_error(tag(http, subject, {"tagsToAdd": [bad]}), 422, 42201)
        assert bad["schemaEntity"]["entityPath"] in body["message"]
    check_error(tag(http, subject, {"tagsToRemove": [entity(unknown, "sr_field", "A")]}), 422, 42201)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_compatibility_and_mode_still_apply(http: httpx.Client, subject: str) -> None:
    one = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    two = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]})
    http.put(f"/config/{subject}", json={"compatibility": "NONE"}).raise_for_status()
    register(http, subject, "AVRO", one)
    register(http, subject, "AVRO", two)
    http.put(f"/config/{subject}", json={"compatibility": "BACKWARD"}).raise_for_status()
    add = {"tagsToAdd": [entity("R.a", "sr_field", "PII")]}
    check_error(tag(http, subject, add, version="1"), 409, 40901)
    assert tag(http, subject, add, version="2").json()["version"] == 3
    http.put(f"/mode/{subject}", json={"mode": "READONLY"}).raise_for_status()
    try:
        check_error(tag(http, subject, {"tagsToAdd": [entity("R", "sr_record", "X")]}), 422, 42205)
    finally:
        http.delete(f"/mode/{subject}").raise_for_status()


def test_missing_subject_or_version(http: httpx.Client, subject: str) -> None:
    body = {"tagsToAdd": [entity("R", "sr_record", "X")]}
    check_error(tag(http, subject, body), 404, 40401)
    check_error(tag(http, subject, body, version="3"), 404, 40401)
    register(http, subject, "AVRO", AVRO)
    check_error(tag(http, subject, body, version="7"), 404, 40402)
    check_error(tag(http, subject, body, version="abc"), 422, 42202)
    check_error(tag(http, subject, body, version="0"), 422, 42202)


@pytest.mark.parametrize("body", [
    [], "x", {"tagsToAdd": {}}, {"tagsToAdd": ["PII"]}, {"tagsToAdd": [{"tags": ["PII"]}]},
    {"tagsToAdd": [{"schemaEntity": {"entityType": "sr_field"}, "tags": ["A"]}]},
    {"tagsToAdd": [entity("com.acme.User", "SR_FOO", "A")]},
    {"tagsToAdd": [entity("com.acme.User", "SR_RECORD", "A")]},  # Jackson knows only sr_record/sr_field
    {"tagsToAdd": [entity("com.acme.User", "sr_record"),
                   {"schemaEntity": {"entityPath": "com.acme.User", "entityType": "sr_record"}}]},
    {"tagsToRemove": [{"schemaEntity": {"entityPath": "com.acme.User", "entityType": "sr_record"}, "tags": [1]}]},
    {"tagsToAdd": [entity("com.acme.User", "sr_record", "")]},
    {"newVersion": "2"}, {"newVersion": True}, {"metadata": []}, {"ruleSet": "x"}, {"rulesToMerge": 1},
    {"rulesToRemove": "r1"}, {"rulesToRemove": [1]}, {"metadata": {"properties": {"a": [1]}}},
])
def test_malformed_bodies_are_400(http: httpx.Client, subject: str, body: object) -> None:
    register(http, subject, "AVRO", AVRO)
    check_error(tag(http, subject, body), 400, 400)  # type: ignore[arg-type]
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_body_that_is_not_json(http: httpx.Client, subject: str) -> None:
    register(http, subject, "AVRO", AVRO)
    check_error(http.post(f"/subjects/{subject}/versions/1/tags", content=b"{nope"), 400, 400)
    check_error(http.post(f"/subjects/{subject}/versions/1/tags", content=b""), 400, 400)


def test_find_tags_values(http: httpx.Client, subject: str) -> None:
    """findTags is Jersey's List<String>: one tag per parameter, no splitting at commas; the
    entities having one of them come with all their tags (extractSchemaTags)."""
    register(http, subject, "AVRO", AVRO)
    tag(http, subject, {"tagsToAdd": [entity("com.acme.User.email", "sr_field", "PII", "GDPR")]}).raise_for_status()
    url = f"/subjects/{subject}/versions/2"
    full = [entity("com.acme.User.email", "sr_field", "PII", "GDPR")]
    assert http.get(url, params=[("findTags", "GDPR"), ("findTags", "X")]).json()["schemaTags"] == full
    assert "schemaTags" not in http.get(url, params={"findTags": "PII,GDPR"}).json()
    assert "schemaTags" not in http.get(url, params={"findTags": ""}).json()


def test_tagging_is_a_subject_write_for_acls_and_forwarding() -> None:
    is_write = api_table().writes
    assert is_write("POST", "/subjects/s/versions/latest/tags") and is_write("POST", "/subjects/s/versions/2/tags/")
    assert not is_write("POST", "/subjects/s/versions/2/other")
    needed = need(api_table(), "POST", "/subjects/a%2Fb/versions/2/tags")
    assert needed.role == "write" and needed.subject == "a/b" and not needed.global_write
