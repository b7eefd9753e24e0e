"""Spec review (black box): data contracts (metadata, rule sets, config merging, metadata lookups,
compatibilityGroup, validateFields, alias, schema tags), per Confluent's v1 API and data-contract docs.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import Iterator

import httpx
import pytest
from confluent_kafka.schema_registry import (
    Metadata,
    MetadataProperties,
    Rule,
    RuleKind,
    RuleMode,
    RuleParams,
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from helpers import check_error, compact, reg, reg_ok

V1 = "application/vnd.schemaregistry.v1+json"


def rec(name: str, *fields: tuple[str, object] | dict, namespace: str | None = None) -> str:
    body: dict = {"type": "record", "name": name}
    if namespace:
        body["namespace"] = namespace
    body["fields"] = [f if isinstance(f, dict) else {"name": f[0], "type": f[1]} for f in fields] or [
        {"name": "a", "type": "string"}
    ]
    return compact(body)


def opt(name: str) -> dict:
    return {"name": name, "type": ["null", "string"], "default": None}




def version(http: httpx.Client, subject: str, v: object = "latest") -> dict:
    r = http.get(f"/subjects/{subject}/versions/{v}")
    assert r.status_code == 200, r.text
    return r.json()


def props(body: dict) -> dict:
    return (body.get("metadata") or {}).get("properties") or {}


def rule(name: str, mode: str = "WRITE", kind: str = "CONDITION", **extra: object) -> dict:
    return {"name": name, "kind": kind, "mode": mode, "type": "CEL", "expr": "true", **extra}


def rule_names(body: dict, phase: str = "domainRules") -> set[str]:
    return {r["name"] for r in (body.get("ruleSet") or {}).get(phase) or []}


def rules_by_name(body: dict, phase: str = "domainRules") -> dict[str, dict]:
    return {r["name"]: r for r in (body.get("ruleSet") or {}).get(phase) or []}


@pytest.fixture
def fhttp(fresh_registry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as c:
        yield c


# --- metadata stored with each version ----------------------------------------------------


FULL_METADATA = {
    "tags": {"User.email": ["PII"], "User.ssn": ["PII", "GDPR"]},
    "properties": {"owner": "team-a", "application.major.version": "1"},
    "sensitive": ["secret"],
}


def test_metadata_round_trip_on_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User"), metadata=FULL_METADATA)
    md = version(http, subject)["metadata"]
    assert md["properties"]["owner"] == "team-a"
    assert md["properties"]["application.major.version"] == "1"
    assert {k: sorted(v) for k, v in md["tags"].items()} == {"User.email": ["PII"], "User.ssn": ["GDPR", "PII"]}
    assert md["sensitive"] == ["secret"]


def test_metadata_on_schema_by_id(http: httpx.Client, subject: str) -> None:
    sid = reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "by-id"}})
    r = http.get(f"/schemas/ids/{sid}")
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["properties"]["owner"] == "by-id"


def test_metadata_on_lookup(http: httpx.Client, subject: str) -> None:
    md = {"properties": {"owner": "look"}}
    reg_ok(http, subject, rec("User"), metadata=md)
    r = http.post(f"/subjects/{subject}", json={"schema": rec("User"), "metadata": md})
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["properties"]["owner"] == "look"


def test_metadata_absent_when_not_given(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("Plain"))
    body = version(http, subject)
    assert not body.get("metadata")
    assert not body.get("ruleSet")


def test_metadata_is_part_of_identity(http: httpx.Client, subject: str) -> None:
    a = reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "a"}})
    b = reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "b"}})
    assert a != b
    assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]


def test_same_metadata_is_idempotent(http: httpx.Client, subject: str) -> None:
    md = {"properties": {"owner": "a"}}
    a = reg_ok(http, subject, rec("User"), metadata=md)
    b = reg_ok(http, subject, rec("User"), metadata=md)
    assert a == b
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_metadata_key_order_does_not_matter(http: httpx.Client, subject: str) -> None:
    a = reg_ok(http, subject, rec("User"), metadata={"properties": {"x": "1", "y": "2"}})
    b = reg_ok(http, subject, rec("User"), metadata={"properties": {"y": "2", "x": "1"}})
    assert a == b


def test_same_schema_and_metadata_share_id_across_subjects(http: httpx.Client, subject: str) -> None:
    md = {"properties": {"owner": f"o-{uuid.uuid4().hex[:6]}"}}
    a = reg_ok(http, subject, rec("Shared"), metadata=md)
    b = reg_ok(http, subject + "-2", rec("Shared"), metadata=md)
    c = reg_ok(http, subject + "-3", rec("Shared"))
    assert a == b
    assert c != a


def test_lookup_distinguishes_metadata(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "a"}})
    v2 = reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "b"}})
    r = http.post(f"/subjects/{subject}", json={"schema": rec("User"), "metadata": {"properties": {"owner": "b"}}})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == v2
    assert r.json()["version"] == 2


def test_metadata_inherited_from_previous_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"owner": "inherit"}})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("b")))
    assert props(version(http, subject, 2))["owner"] == "inherit"


def test_same_schema_without_metadata_reuses_previous_version(http: httpx.Client, subject: str) -> None:
    a = reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "x"}})
    b = reg_ok(http, subject, rec("User"))
    assert a == b
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_explicit_metadata_replaces_previous(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"old": "1"}})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("b")), metadata={"properties": {"new": "2"}})
    p = props(version(http, subject, 2))
    assert p.get("new") == "2"
    assert "old" not in p


# --- rule sets --------------------------------------------------------------------------------


FULL_RULE = {
    "name": "checkSsn", "doc": "ssn must be 9 digits", "kind": "CONDITION", "mode": "WRITE",
    "type": "CEL", "tags": ["PII"], "params": {"k": "v"}, "expr": "size(message.ssn) == 9",
    "onSuccess": "NONE", "onFailure": "DLQ", "disabled": True,
}


def test_rule_all_fields_round_trip(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [FULL_RULE]})
    got = version(http, subject)["ruleSet"]["domainRules"]
    assert got == [FULL_RULE]


def test_migration_and_encoding_rules_round_trip(http: httpx.Client, subject: str) -> None:
    rs = {
        "migrationRules": [{"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": "$"},
                           {"name": "both", "kind": "TRANSFORM", "mode": "UPDOWN", "type": "JSONATA",
                            "expr": "$", "onFailure": "ERROR,NONE"}],
        "encodingRules": [{"name": "enc", "kind": "TRANSFORM", "mode": "WRITEREAD", "type": "ENCRYPT_PAYLOAD",
                           "params": {"encrypt.kek.name": "k"}}],
    }
    reg_ok(http, subject, rec("User"), ruleSet=rs)
    got = version(http, subject)["ruleSet"]
    assert got["migrationRules"] == rs["migrationRules"]
    assert got["encodingRules"] == rs["encodingRules"]


def test_rule_set_on_schema_by_id(http: httpx.Client, subject: str) -> None:
    sid = reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("byId")]})
    assert rule_names(http.get(f"/schemas/ids/{sid}").json()) == {"byId"}


def test_rule_set_is_part_of_identity(http: httpx.Client, subject: str) -> None:
    a = reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("r1")]})
    b = reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("r2")]})
    assert a != b
    assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]


def test_rule_set_inherited_from_previous_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), ruleSet={"domainRules": [rule("keep")]})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("b")))
    assert rule_names(version(http, subject, 2)) == {"keep"}


@pytest.mark.parametrize(
    ("rule_set", "what"),
    [
        ({"domainRules": [{"name": "r", "kind": "BOGUS", "mode": "WRITE", "type": "CEL"}]}, "kind"),
        ({"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "SIDEWAYS", "type": "CEL"}]}, "mode"),
        ({"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "UPGRADE", "type": "CEL"}]}, "domain mode"),
        ({"migrationRules": [{"name": "r", "kind": "TRANSFORM", "mode": "WRITE", "type": "JSONATA"}]},
         "migration mode"),
        ({"encodingRules": [{"name": "r", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "ENCRYPT"}]},
         "encoding mode"),
        ({"domainRules": [{"kind": "CONDITION", "mode": "WRITE", "type": "CEL"}]}, "missing name"),
        ({"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "WRITE"}]}, "missing type"),
        ({"domainRules": [rule("dup"), rule("dup")]}, "duplicate name"),
        ({"domainRules": [rule("dup")], "migrationRules": [rule("dup", mode="UPGRADE", kind="TRANSFORM")]},
         "duplicate name across phases"),
        ({"domainRules": [rule("r", onFailure="ERROR,NONE")]}, "action pair with WRITE"),
        ({"domainRules": [rule("r", mode="WRITEREAD", onFailure="ERROR,NONE,DLQ")]}, "three actions"),
    ],
)
def test_invalid_rule_set_is_42210(http: httpx.Client, subject: str, rule_set: dict, what: str) -> None:
    body = check_error(reg(http, subject, rec("User"), ruleSet=rule_set), 422, 42210)
    assert "rule" in body["message"].lower()
    check_error(http.get(f"/subjects/{subject}/versions"), 404, 40401)


def test_action_pair_allowed_for_writeread(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("r", mode="WRITEREAD", onFailure="ERROR,NONE")]})
    assert rules_by_name(version(http, subject))["r"]["onFailure"] == "ERROR,NONE"


def test_invalid_rule_set_shape_is_client_error(http: httpx.Client, subject: str) -> None:
    r = reg(http, subject, rec("User"), ruleSet={"domainRules": "not-a-list"})
    assert r.status_code in (400, 422), r.text
    assert "Traceback" not in r.text
    assert r.json()["error_code"] in (400, 42210, 42201)


def test_invalid_rule_in_config_is_42210(http: httpx.Client, subject: str) -> None:
    bad = {"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "UPGRADE", "type": "CEL"}]}
    check_error(http.put(f"/config/{subject}", json={"defaultRuleSet": bad}), 422, 42210)
    check_error(http.put(f"/config/{subject}", json={"overrideRuleSet": bad}), 422, 42210)
    check_error(http.get(f"/config/{subject}"), 404, 40408)


def test_confluent_client_round_trips_metadata_and_rules(registry, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    # (MetadataTags are not hashable in confluent-kafka 2.16's client cache, so no tags here)
    md = Metadata(tags=None, properties=MetadataProperties({"owner": "client"}), sensitive=["a"])
    r = Rule("clientRule", "doc", RuleKind.CONDITION, RuleMode.WRITE, "CEL", ["PII"], RuleParams({"p": "1"}),
             "true", "NONE", "ERROR", False)
    rs = RuleSet(migration_rules=None, domain_rules=[r])
    client.register_schema(subject, Schema(rec("User"), "AVRO", metadata=md, rule_set=rs))
    latest = client.get_latest_version(subject)
    assert latest.schema.metadata.properties.properties["owner"] == "client"
    assert latest.schema.metadata.sensitive == ["a"]
    assert latest.schema.rule_set.domain_rules[0].name == "clientRule"
    assert latest.schema.rule_set.domain_rules[0].mode == RuleMode.WRITE
    assert latest.schema.rule_set.domain_rules[0].params.params == {"p": "1"}


# --- config default/override merging --------------------------------------------------------


def test_config_contract_fields_round_trip(http: httpx.Client, subject: str) -> None:
    cfg = {
        "compatibility": "BACKWARD",
        "compatibilityGroup": "application.major.version",
        "validateFields": True,
        "defaultMetadata": {"properties": {"d": "1"}},
        "overrideMetadata": {"properties": {"o": "1"}},
        "defaultRuleSet": {"domainRules": [rule("dflt")]},
        "overrideRuleSet": {"domainRules": [rule("ovr")]},
    }
    assert http.put(f"/config/{subject}", json=cfg).status_code == 200
    got = http.get(f"/config/{subject}").json()
    assert got["compatibilityLevel"] == "BACKWARD"
    assert got["compatibilityGroup"] == "application.major.version"
    assert got["validateFields"] is True
    assert got["defaultMetadata"]["properties"] == {"d": "1"}
    assert got["overrideMetadata"]["properties"] == {"o": "1"}
    assert rule_names({"ruleSet": got["defaultRuleSet"]}) == {"dflt"}
    assert rule_names({"ruleSet": got["overrideRuleSet"]}) == {"ovr"}


def test_config_alias_round_trip(http: httpx.Client, subject: str) -> None:
    assert http.put(f"/config/{subject}", json={"alias": "target-subject"}).status_code == 200
    assert http.get(f"/config/{subject}").json()["alias"] == "target-subject"


def test_default_metadata_applied_when_none_given(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultMetadata": {"properties": {"owner": "default"}}})
    reg_ok(http, subject, rec("User"))
    assert props(version(http, subject))["owner"] == "default"


def test_default_metadata_merges_under_explicit(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultMetadata": {"properties": {"owner": "default", "d": "1"}}})
    reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "explicit", "e": "2"}})
    p = props(version(http, subject))
    assert p["owner"] == "explicit"
    assert p["d"] == "1"
    assert p["e"] == "2"


def test_override_metadata_wins_over_explicit(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"overrideMetadata": {"properties": {"owner": "override"}}})
    reg_ok(http, subject, rec("User"), metadata={"properties": {"owner": "explicit", "e": "2"}})
    p = props(version(http, subject))
    assert p["owner"] == "override"
    assert p["e"] == "2"


def test_override_metadata_applied_without_explicit(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"overrideMetadata": {"properties": {"forced": "yes"}}})
    reg_ok(http, subject, rec("User"))
    assert props(version(http, subject))["forced"] == "yes"


def test_default_metadata_tags_merge(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultMetadata": {"tags": {"User.a": ["DEFAULT"]}}})
    reg_ok(http, subject, rec("User"), metadata={"tags": {"User.b": ["EXPLICIT"]}})
    tags = version(http, subject)["metadata"]["tags"]
    assert tags["User.a"] == ["DEFAULT"]
    assert tags["User.b"] == ["EXPLICIT"]


def test_default_rule_set_applied_when_none_given(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultRuleSet": {"domainRules": [rule("dflt")]}})
    reg_ok(http, subject, rec("User"))
    assert rule_names(version(http, subject)) == {"dflt"}


def test_default_rule_set_merges_by_name_under_explicit(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"defaultRuleSet": {"domainRules": [
        rule("shared", expr="default"), rule("onlyDefault")]}})
    reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("shared", expr="explicit"), rule("mine")]})
    rules = rules_by_name(version(http, subject))
    assert set(rules) == {"shared", "onlyDefault", "mine"}
    assert rules["shared"]["expr"] == "explicit"


def test_override_rule_set_replaces_same_name(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"overrideRuleSet": {"domainRules": [rule("shared", expr="override")]}})
    reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("shared", expr="explicit"), rule("mine")]})
    rules = rules_by_name(version(http, subject))
    assert set(rules) == {"shared", "mine"}
    assert rules["shared"]["expr"] == "override"


def test_override_rule_set_merges_per_phase(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"overrideRuleSet": {
        "migrationRules": [{"name": "mig", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": "$"}]}})
    reg_ok(http, subject, rec("User"), ruleSet={"domainRules": [rule("dom")]})
    body = version(http, subject)
    assert rule_names(body, "domainRules") == {"dom"}
    assert rule_names(body, "migrationRules") == {"mig"}


def test_global_default_metadata_applies(fhttp: httpx.Client) -> None:
    assert fhttp.put("/config", json={"defaultMetadata": {"properties": {"global": "g"}}}).status_code == 200
    reg_ok(fhttp, "s", rec("User"))
    assert props(version(fhttp, "s"))["global"] == "g"


def test_global_override_rule_set_applies(fhttp: httpx.Client) -> None:
    assert fhttp.put("/config", json={"overrideRuleSet": {"domainRules": [rule("glob")]}}).status_code == 200
    reg_ok(fhttp, "s", rec("User"))
    assert rule_names(version(fhttp, "s")) == {"glob"}


def test_default_metadata_changes_identity(http: httpx.Client, subject: str) -> None:
    plain = reg_ok(http, subject + "-plain", rec("IdentityUser"))
    http.put(f"/config/{subject}", json={"defaultMetadata": {"properties": {"x": "1"}}})
    with_md = reg_ok(http, subject, rec("IdentityUser"))
    assert with_md != plain


def test_confluent_client_server_config_contract_fields(registry, subject: str) -> None:
    from confluent_kafka.schema_registry import ServerConfig

    client = SchemaRegistryClient({"url": registry.url})
    client.set_config(subject, ServerConfig(
        compatibility_group="major",
        default_metadata=Metadata(None, MetadataProperties({"d": "1"}), None),
    ))
    got = client.get_config(subject)
    assert got.compatibility_group == "major"
    assert got.default_metadata.properties.properties == {"d": "1"}


# --- GET /subjects/{s}/metadata ----------------------------------------------------------


def _three_versions(http: httpx.Client, subject: str) -> list[int]:
    ids = [
        reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"env": "prod", "team": "a"}}),
        reg_ok(http, subject, rec("User", ("a", "string"), opt("b")), metadata={"properties": {"env": "dev"}}),
        reg_ok(http, subject, rec("User", ("a", "string"), opt("b"), opt("c")),
               metadata={"properties": {"env": "prod", "team": "b"}}),
    ]
    return ids


def test_metadata_lookup_returns_latest_match(http: httpx.Client, subject: str) -> None:
    ids = _three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "prod"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 3
    assert body["id"] == ids[2]
    assert body["subject"] == subject
    assert body["metadata"]["properties"]["team"] == "b"
    assert "schema" in body


def test_metadata_lookup_single_match(http: httpx.Client, subject: str) -> None:
    _three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "dev"})
    assert r.json()["version"] == 2


def test_metadata_lookup_multiple_pairs_all_must_match(http: httpx.Client, subject: str) -> None:
    _three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params=[("key", "env"), ("value", "prod"),
                                                           ("key", "team"), ("value", "a")])
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1


def test_metadata_lookup_no_match(http: httpx.Client, subject: str) -> None:
    _three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "staging"})
    check_error(r, 404, (40403, 40402))


def test_metadata_lookup_missing_subject(http: httpx.Client, subject: str) -> None:
    check_error(http.get(f"/subjects/{subject}/metadata", params={"key": "a", "value": "b"}), 404, 40401)


def test_metadata_lookup_deleted_flag(http: httpx.Client, subject: str) -> None:
    _three_versions(http, subject)
    assert http.delete(f"/subjects/{subject}/versions/3").status_code == 200
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "prod"})
    assert r.json()["version"] == 1
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "prod", "deleted": "true"})
    assert r.json()["version"] == 3


def test_metadata_lookup_after_inheritance(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"major": "1"}})
    reg_ok(http, subject, rec("User", ("a", "string"), opt("b")))
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "major", "value": "1"})
    assert r.json()["version"] == 2


def test_confluent_client_get_latest_with_metadata(registry, subject: str) -> None:
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        ids = _three_versions(http, subject)
    client = SchemaRegistryClient({"url": registry.url})
    got = client.get_latest_with_metadata(subject, {"env": "dev"})
    assert got.version == 2
    assert got.schema_id == ids[1]
    assert got.schema.metadata.properties.properties["env"] == "dev"


def test_avro_serializer_use_latest_with_metadata(registry) -> None:
    topic = f"t-{uuid.uuid4().hex[:10]}"
    subject = f"{topic}-value"
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        ids = _three_versions(http, subject)
    client = SchemaRegistryClient({"url": registry.url})
    ser = AvroSerializer(client, None, conf={
        "auto.register.schemas": False, "use.latest.with.metadata": {"env": "dev"},
        "subject.name.strategy.type": "TOPIC",
    })
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = ser({"a": "x", "b": "y"}, ctx)
    assert data[0] == 0
    assert struct.unpack(">I", data[1:5])[0] == ids[1]
    de = AvroDeserializer(client)
    assert de(data, ctx) == {"a": "x", "b": "y"}


def test_avro_deserializer_use_latest_with_metadata_migrates_reader(registry) -> None:
    topic = f"t-{uuid.uuid4().hex[:10]}"
    subject = f"{topic}-value"
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        _three_versions(http, subject)
    client = SchemaRegistryClient({"url": registry.url})
    ctx = SerializationContext(topic, MessageField.VALUE)
    ser = AvroSerializer(client, None, conf={
        "auto.register.schemas": False, "use.latest.with.metadata": {"team": "a"},
        "subject.name.strategy.type": "TOPIC"})
    data = ser({"a": "v1"}, ctx)
    de = AvroDeserializer(client, conf={"use.latest.with.metadata": {"team": "b"},
                                        "subject.name.strategy.type": "TOPIC"})
    assert de(data, ctx) == {"a": "v1", "b": None, "c": None}


# --- compatibilityGroup, validateFields, alias ---------------------------------------------------


def test_compatibility_group_separates_checks(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"compatibility": "BACKWARD", "compatibilityGroup": "major"})
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"major": "1"}})
    # incompatible change (new required field), but a new major version: not checked against major 1
    reg_ok(http, subject, rec("User", ("a", "string"), ("b", "int")), metadata={"properties": {"major": "2"}})
    # incompatible with major 2 and in the same group: refused
    r = reg(http, subject, rec("User", ("a", "string"), ("b", "int"), ("c", "int")),
            metadata={"properties": {"major": "2"}})
    check_error(r, 409, (409, 40901))


def test_without_compatibility_group_metadata_does_not_bypass(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"major": "1"}})
    r = reg(http, subject, rec("User", ("a", "string"), ("b", "int")), metadata={"properties": {"major": "2"}})
    check_error(r, 409, (409, 40901))


def test_compatibility_group_inherited_value_is_same_group(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"compatibilityGroup": "major"})
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"major": "1"}})
    # no metadata: inherits major=1, so it is checked against version 1
    check_error(reg(http, subject, rec("User", ("a", "string"), ("b", "int"))), 409, (409, 40901))


def test_compatibility_check_endpoint_honours_group(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"compatibilityGroup": "major"})
    reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"major": "1"}})
    r = http.post(f"/compatibility/subjects/{subject}/versions",
                  json={"schema": rec("User", ("a", "string"), ("b", "int")),
                        "metadata": {"properties": {"major": "2"}}})
    assert r.status_code == 200, r.text
    assert r.json()["is_compatible"] is True


def test_validate_fields_round_trip_global(fhttp: httpx.Client) -> None:
    assert fhttp.put("/config", json={"validateFields": True}).status_code == 200
    assert fhttp.get("/config").json()["validateFields"] is True


def test_alias_reads_target(http: httpx.Client, subject: str) -> None:
    target = subject + "-target"
    alias = subject + "-alias"
    sid = reg_ok(http, target, rec("Aliased"))
    http.put(f"/config/{alias}", json={"alias": target})
    r = http.get(f"/subjects/{alias}/versions/latest")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == sid
    assert http.get(f"/subjects/{alias}/versions").json() == [1]


def test_alias_lookup_finds_target_schema(http: httpx.Client, subject: str) -> None:
    target = subject + "-target"
    alias = subject + "-alias"
    sid = reg_ok(http, target, rec("Aliased2"))
    http.put(f"/config/{alias}", json={"alias": target})
    r = http.post(f"/subjects/{alias}", json={"schema": rec("Aliased2")})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == sid


def test_alias_metadata_lookup(http: httpx.Client, subject: str) -> None:
    target = subject + "-target"
    alias = subject + "-alias"
    reg_ok(http, target, rec("Aliased3"), metadata={"properties": {"k": "v"}})
    http.put(f"/config/{alias}", json={"alias": target})
    r = http.get(f"/subjects/{alias}/metadata", params={"key": "k", "value": "v"})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1


# --- schema tags ------------------------------------------------------------------------------


def _tag_req(path: str, etype: str, tags: list[str], **extra: object) -> dict:
    return {"tagsToAdd": [{"schemaEntity": {"entityPath": path, "entityType": etype}, "tags": tags}], **extra}


def test_schema_tags_add_field_tag_new_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.email", "SR_FIELD", ["PII"]))
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert isinstance(r.json()["id"], int)
    schema = json.loads(version(http, subject, 2)["schema"])
    assert schema["fields"][0]["confluent:tags"] == ["PII"]


def test_schema_tags_record_tag(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    r = http.post(f"/subjects/{subject}/versions/latest/tags", json=_tag_req("com.acme.User", "SR_RECORD", ["GDPR"]))
    assert r.status_code == 200, r.text
    assert json.loads(version(http, subject)["schema"])["confluent:tags"] == ["GDPR"]


def test_schema_tags_remove(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.email", "SR_FIELD", ["PII", "X"]))
    r = http.post(f"/subjects/{subject}/versions/2/tags", json={
        "tagsToRemove": [{"schemaEntity": {"entityPath": "com.acme.User.email", "entityType": "SR_FIELD"},
                          "tags": ["X"]}]})
    assert r.status_code == 200, r.text
    assert json.loads(version(http, subject, 3)["schema"])["fields"][0]["confluent:tags"] == ["PII"]


def test_find_tags_on_version(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.email", "SR_FIELD", ["PII"]))
    r = http.get(f"/subjects/{subject}/versions/2", params={"findTags": "PII"})
    assert r.status_code == 200, r.text
    tags = r.json()["schemaTags"]
    assert tags == [{"schemaEntity": {"entityPath": "com.acme.User.email", "entityType": "SR_FIELD"},
                     "tags": ["PII"]}]


def test_find_tags_on_schema_id(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    sid = http.post(f"/subjects/{subject}/versions/1/tags",
                    json=_tag_req("com.acme.User.email", "SR_FIELD", ["PII"])).json()["id"]
    r = http.get(f"/schemas/ids/{sid}", params={"findTags": "*"})
    assert r.status_code == 200, r.text
    assert r.json()["schemaTags"][0]["tags"] == ["PII"]


def test_schema_tags_unknown_entity_is_client_error(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("User", ("email", "string"), namespace="com.acme"))
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("com.acme.User.nope", "SR_FIELD", ["PII"]))
    assert 400 <= r.status_code < 500, r.text
    assert "Traceback" not in r.text
    assert r.json()["message"]


def test_schema_tags_missing_subject(http: httpx.Client, subject: str) -> None:
    r = http.post(f"/subjects/{subject}/versions/1/tags", json=_tag_req("X.a", "SR_FIELD", ["PII"]))
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
    _three_versions(http, subject)
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
