"""Spec review (black box), data contracts: metadata and rule sets stored per version, validation
(42210), config default/override merging. Written from the specification only."""

from __future__ import annotations

import uuid

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
from support.contracts import opt, props, rec, rule, rule_names, rules_by_name, version
from support.http import check_error, reg, reg_ok

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
