"""Spec review (black box), data contracts: schema tags and other contract edge cases. Written from
the specification only."""

from __future__ import annotations

import json
import struct
import uuid

import httpx
import pytest
from confluent_kafka.schema_registry import (
    RuleKind,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.contracts import V1, opt, props, rec, rule, rule_names, three_versions, version
from support.http import check_error, reg, reg_ok

# --- schema tags ------------------------------------------------------------------------------


def _tag_req(path: str, etype: str, tags: list[str], **extra: object) -> dict:
    return {"tagsToAdd": [{"schemaEntity": {"entityPath": path, "entityType": etype}, "tags": tags}], **extra}


def test_schema_tags_add_field_tag_new_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.email", "sr_field", ["PII"]))
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert isinstance(r.json()["id"], int)
    schema = json.loads(version(http, subject, 2)["schema"])
    assert schema["fields"][0]["confluent:tags"] == ["PII"]


def test_schema_tags_record_tag(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    r = http.post(f"/subjects/{subject}/versions/latest/tags", json=_tag_req("com.acme.User", "sr_record", ["GDPR"]))
    assert r.status_code == 200, r.text
    assert json.loads(version(http, subject)["schema"])["confluent:tags"] == ["GDPR"]


def test_schema_tags_remove(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.email", "sr_field", ["PII", "X"]))
    r = http.post(f"/subjects/{subject}/versions/2/tags", json={
        "tagsToRemove": [{"schemaEntity": {"entityPath": "com.acme.User.email", "entityType": "sr_field"},
                          "tags": ["X"]}]})
    assert r.status_code == 200, r.text
    assert json.loads(version(http, subject, 3)["schema"])["fields"][0]["confluent:tags"] == ["PII"]


def test_find_tags_on_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.email", "sr_field", ["PII"]))
    r = http.get(f"/subjects/{subject}/versions/2", params={"findTags": "PII"})
    assert r.status_code == 200, r.text
    tags = r.json()["schemaTags"]
    assert tags == [{"schemaEntity": {"entityPath": "com.acme.User.email", "entityType": "sr_field"},
                     "tags": ["PII"]}]


def test_find_tags_on_schema_id(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    sid = http.post(f"/subjects/{subject}/versions/1/tags",
                    json=_tag_req("com.acme.User.email", "sr_field", ["PII"])).json()["id"]
    r = http.get(f"/schemas/ids/{sid}", params={"findTags": "*"})
    assert r.status_code == 200, r.text
    assert r.json()["schemaTags"][0]["tags"] == ["PII"]


def test_schema_tags_unknown_entity_is_client_error(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.nope", "sr_field", ["PII"]))
    assert 400 <= r.status_code < 500, r.text
    assert "Traceback" not in r.text
    assert r.json()["message"]


def test_schema_tags_missing_subject(http: httpx.Client, subject: str) -> None:
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("X.a", "sr_field", ["PII"]))
    check_error(r, 404, 40401)


# --- more contract edge cases ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["kind", "mode"])
def test_lowercase_rule_enum_not_stored_verbatim(registry, http: httpx.Client, subject: str, field: str) -> None:
    # Confluent's RuleKind/RuleMode are enums: "condition"/"write" is not one of their values.
    # Storing it verbatim would hand every client a rule it cannot parse.
    r0 = rule("lower")
    r0[field] = r0[field].lower()
    r = reg(http, subject, rec(f"Lower{uuid.uuid4().hex[:8]}"), ruleSet={"domainRules": [r0]})
    if r.status_code == 200:
        stored = version(http, subject)["ruleSet"]["domainRules"][0]
        assert stored["kind"] == "CONDITION" and stored["mode"] == "WRITE", stored
        SchemaRegistryClient({"url": registry.url}).get_latest_version(subject)
    else:
        check_error(r, r.status_code, (400, 42210))
        assert r.status_code in (400, 422)


def test_metadata_property_number_is_coerced_to_string(http: httpx.Client, subject: str) -> None:
    # Confluent reads properties as Map<String, String>; Jackson turns a JSON number into its text
    r = reg(http, subject, rec("User"), metadata={"properties": {"n": 1}})
    assert r.status_code == 200, r.text
    assert props(version(http, subject)) == {"n": "1"}


def test_reserved_field_conflict_with_validate_fields(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"validateFields": True})
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"confluent:reserved": "ssn"}})
    body = check_error(reg(http, subject, rec("User", ("a", "string"), opt("ssn"))), 409, (409, 40901))
    assert "ssn" in body["message"]


def test_reserved_field_removed_with_validate_fields(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"validateFields": True})
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"confluent:reserved": "ssn"}})
    r = reg(http, subject, rec("User", ("a", "string"), opt("b")), metadata={"properties": {"other": "x"}})
    check_error(r, 409, (409, 40901))


def test_reserved_field_not_checked_without_validate_fields(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"confluent:reserved": "ssn"}})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("ssn")))


def test_default_metadata_reregister_is_idempotent(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultMetadata": {"properties": {"d": "1"}}})
    a = reg_ok(http, subject, rec("User"))
    b = reg_ok(http, subject, rec("User"))
    assert a == b
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_override_rule_set_reregister_is_idempotent(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"overrideRuleSet": {"domainRules": [rule("o")]}})
    a = reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("mine")]})
    b = reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("mine")]})
    assert a == b


def test_lookup_without_metadata_finds_version_with_metadata(http: httpx.Client, subject: str) -> None:
    # what a serializer with auto.register.schemas=False sends: the bare schema
    sid = reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "x"}},
                 ruleSet={"domainRules": [rule("r")]})
    r = http.post(f"/subjects/{subject}", params={"normalize": "false", "deleted": "true"},
                  json={"schema": rec("User"), "schemaType": "AVRO"})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == sid


def test_serializer_without_auto_register_finds_version_with_contract(registry, subject: str) -> None:
    topic = f"t-{uuid.uuid4().hex[:10]}"
    schema = rec("Contracted", ("a", "string"))
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, f"{topic}-value", schema, metadata={"properties": {"owner": "x"}})
    ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), schema,
                         conf={"auto.register.schemas": False, "subject.name.strategy.type": "TOPIC"})
    data = ser({"a": "v"}, SerializationContext(topic, MessageField.VALUE))
    assert struct.unpack(">I", data[1:5])[0] == sid


def test_metadata_lookup_without_pairs_is_latest(http: httpx.Client, subject: str) -> None:
    three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata")
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 3


def test_context_config_default_metadata_applies(http: httpx.Client) -> None:
    ctx = f".m{uuid.uuid4().hex[:8]}"
    assert http.put(f"/config/:{ctx}:", json={"defaultMetadata": {"properties": {"ctx": "yes"}}}).status_code == 200
    reg_ok(http, f":{ctx}:s", rec("User"))
    assert props(version(http, f":{ctx}:s"))["ctx"] == "yes"


def test_delete_config_returns_contract_fields(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"compatibilityGroup": "major", "defaultMetadata": {"properties": {"d": "1"}}})
    r = http.delete(f"/config/{subject}")
    assert r.status_code == 200, r.text
    assert r.json()["compatibilityGroup"] == "major"
    assert r.json()["defaultMetadata"]["properties"] == {"d": "1"}
    check_error(http.get(f"/config/{subject}"), 404, 40408)


def test_metadata_lookup_mismatched_key_value_counts(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User"), metadata={"properties": {"a": "b"}})
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "a"})
    assert 400 <= r.status_code < 500, r.text
    assert "Traceback" not in r.text


def test_lowercase_rule_does_not_alter_identical_canonical_rule_set(registry, http: httpx.Client, subject: str) -> None:
    # a correctly-cased rule set registered elsewhere must read back exactly as sent
    lower = rule("caseRule")
    lower["kind"] = "condition"
    schema = rec(f"CaseUser{uuid.uuid4().hex[:8]}")
    reg(http, subject + "-lower", schema, ruleSet={"domainRules": [lower]})
    reg_ok(http, subject, schema, ruleSet={"domainRules": [rule("caseRule")]})
    assert version(http, subject)["ruleSet"]["domainRules"] == [rule("caseRule")]
    latest = SchemaRegistryClient({"url": registry.url}).get_latest_version(subject)
    assert latest.schema.rule_set.domain_rules[0].kind == RuleKind.CONDITION


def test_explicit_rule_set_replaces_previous(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), ruleSet={"domainRules": [rule("old")]})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("b")), ruleSet={"domainRules": [rule("new")]})
    assert rule_names(version(http, subject, 2)) == {"new"}


def test_default_metadata_sensitive_union(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultMetadata": {"sensitive": ["a"]}})
    reg_ok(http, subject, rec("SensitiveUser"), metadata={"sensitive": ["b"]})
    assert sorted(version(http, subject)["metadata"]["sensitive"]) == ["a", "b"]


def test_override_metadata_on_top_of_inherited(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"owner": "v1", "keep": "k"}})
    http.put(f"/config/{subject}", json={"overrideMetadata": {"properties": {"owner": "forced"}}})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("b")))
    p = props(version(http, subject, 2))
    assert p["owner"] == "forced"
    assert p["keep"] == "k"


def test_validate_rules_round_trip(http: httpx.Client, subject: str) -> None:
    assert http.put(f"/config/{subject}", json={"validateRules": True}).status_code == 200
    assert http.get(f"/config/{subject}").json()["validateRules"] is True


@pytest.mark.parametrize(
    "other",
    [
        {"sensitive": ["owner", "x"]},
        {"tags": {"owner": ["x"]}},
        {"properties": {"own": "erx"}},
    ],
    ids=["sensitive", "tags", "split-property"],
)
def test_each_version_reads_back_its_own_metadata(http: httpx.Client, subject: str, other: dict) -> None:
    # two different metadata objects on the same schema text in two subjects: each version must
    # read back the metadata it was registered with, never the other subject's
    schema = rec(f"Own{uuid.uuid4().hex[:8]}")
    reg_ok(http, subject + "-a", schema, metadata={"properties": {"owner": "x"}})
    reg_ok(http, subject + "-b", schema, metadata=other)
    md = version(http, subject + "-b")["metadata"]
    assert {k: v for k, v in md.items() if v} == other
    assert props(version(http, subject + "-a")) == {"owner": "x"}


def test_different_metadata_same_subject_is_a_new_version(http: httpx.Client, subject: str) -> None:
    schema = rec(f"Own{uuid.uuid4().hex[:8]}")
    reg_ok(http, subject, schema, metadata={"properties": {"owner": "x"}})
    reg_ok(http, subject, schema, metadata={"properties": {"own": "erx"}})
    assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]
    assert props(version(http, subject, 2)) == {"own": "erx"}


def test_each_version_reads_back_its_own_rule_set(http: httpx.Client, subject: str) -> None:
    schema = rec(f"OwnRule{uuid.uuid4().hex[:8]}")
    a = {"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}
    b = {"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CE", "expr": "Ltrue"}
    reg_ok(http, subject + "-a", schema, ruleSet={"domainRules": [a]})
    reg_ok(http, subject + "-b", schema, ruleSet={"domainRules": [b]})
    assert version(http, subject + "-b")["ruleSet"]["domainRules"] == [b]
