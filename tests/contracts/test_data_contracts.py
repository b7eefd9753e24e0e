"""Data contracts: metadata and rule sets stored, validated (42210), merged and looked up."""

from __future__ import annotations

import json
import uuid

import httpx
from confluent_kafka.schema_registry import Metadata, MetadataProperties, Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.http import check_error
from support.process import V1, RegistryProcess


def record(name: str, *fields: tuple[str, str]) -> str:
    return json.dumps({"type": "record", "name": name, "fields": [{"name": f, "type": t} for f, t in fields]})


V1_SCHEMA = record("C", ("a", "int"))
RULE = {"name": "checkA", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "message.a > 0"}


def test_metadata_and_rules_are_stored_and_inherited(http: httpx.Client, subject: str) -> None:
    body = {"schema": V1_SCHEMA, "metadata": {"properties": {"owner": "team-a"}},
            "ruleSet": {"domainRules": [RULE]}}
    r = http.post(f"/subjects/{subject}/versions", json=body)
    assert r.status_code == 200, r.text
    latest = http.get(f"/subjects/{subject}/versions/latest").json()
    assert latest["metadata"] == {"properties": {"owner": "team-a"}}
    assert latest["ruleSet"]["domainRules"][0]["name"] == "checkA"
    # Re-registering the text alone finds the same version (it would inherit that metadata).
    assert http.post(f"/subjects/{subject}/versions", json={"schema": V1_SCHEMA}).json()["id"] == r.json()["id"]
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.post(f"/subjects/{subject}", json={"schema": V1_SCHEMA}).json()["version"] == 1
    # A new schema without metadata inherits the latest version's metadata and rules.
    v2_text = json.dumps({"type": "record", "name": "C", "fields": [
        {"name": "a", "type": "int"}, {"name": "b", "type": ["null", "int"], "default": None}]})
    http.post(f"/subjects/{subject}/versions", json={"schema": v2_text}).raise_for_status()
    v2 = http.get(f"/subjects/{subject}/versions/2").json()
    assert v2["metadata"] == latest["metadata"] and v2["ruleSet"] == latest["ruleSet"]


def test_config_default_and_override_metadata_merge(http: httpx.Client, subject: str) -> None:
    cfg = {"defaultMetadata": {"properties": {"owner": "default", "tier": "bronze"}},
           "overrideMetadata": {"properties": {"tier": "gold"}},
           "overrideRuleSet": {"domainRules": [{**RULE, "name": "forced"}]}}
    assert http.put(f"/config/{subject}", json=cfg).status_code == 200
    body = {"schema": V1_SCHEMA, "metadata": {"properties": {"owner": "me"}}}
    http.post(f"/subjects/{subject}/versions", json=body).raise_for_status()
    got = http.get(f"/subjects/{subject}/versions/1").json()
    assert got["metadata"]["properties"] == {"owner": "me", "tier": "gold"}
    assert [r["name"] for r in got["ruleSet"]["domainRules"]] == ["forced"]


def test_compatibility_group_partitions_the_check(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"compatibility": "BACKWARD", "compatibilityGroup": "major"})
    first = {"schema": V1_SCHEMA, "metadata": {"properties": {"major": "1"}}}
    http.post(f"/subjects/{subject}/versions", json=first).raise_for_status()
    breaking = record("C", ("z", "string"))
    check_error(http.post(f"/subjects/{subject}/versions",
                          json={"schema": breaking, "metadata": {"properties": {"major": "1"}}}), 409, 40901)
    major2 = {"schema": breaking, "metadata": {"properties": {"major": "2"}}}
    r = http.post(f"/subjects/{subject}/versions", json=major2)
    assert r.status_code == 200, r.text


def test_latest_with_metadata_endpoint(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"compatibility": "NONE"}).raise_for_status()
    for i, owner in enumerate(["a", "b", "a"]):
        body = {"schema": record("M", *[(f"f{j}", "int") for j in range(i + 1)]),
                "metadata": {"properties": {"owner": owner, "n": str(i)}}}
        http.post(f"/subjects/{subject}/versions", json=body).raise_for_status()
    assert http.get(f"/subjects/{subject}/metadata", params={"key": "owner", "value": "b"}).json()["version"] == 2
    got = http.get(f"/subjects/{subject}/metadata", params=[("key", "owner"), ("value", "a"), ("key", "n"),
                                                            ("value", "0")]).json()
    assert got["version"] == 1
    check_error(http.get(f"/subjects/{subject}/metadata", params={"key": "owner", "value": "zz"}), 404, 40403)
    check_error(http.get("/subjects/nope-" + uuid.uuid4().hex + "/metadata", params={"key": "k", "value": "v"}),
                404, 40401)


def test_confluent_client_metadata_and_serializer(registry: RegistryProcess, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    schema = Schema(V1_SCHEMA, "AVRO", metadata=Metadata(None, MetadataProperties({"app": "x"}), None))
    registered = client.register_schema_full_response(subject, schema)
    assert registered.guid and client.get_schema_by_guid(registered.guid).metadata.properties.properties == {"app": "x"}
    latest = client.get_latest_with_metadata(subject, {"app": "x"})
    assert latest.version == 1 and latest.schema_id == registered.schema_id
    topic = subject.removesuffix("-value")
    serializer = AvroSerializer(client, None, conf={"auto.register.schemas": False,
                                                    "use.latest.with.metadata": {"app": "x"}})
    payload = serializer({"a": 5}, SerializationContext(topic, MessageField.VALUE))
    assert payload[1:5] == registered.schema_id.to_bytes(4, "big")


def test_invalid_rule_sets_are_42210_with_the_field(http: httpx.Client, subject: str) -> None:
    cases = {
        "kind": {**RULE, "kind": "FILTER"},
        "mode": {**RULE, "mode": "SOMETIMES"},
        "onFailure": {**RULE, "onFailure": "EXPLODE"},
        "name": {k: v for k, v in RULE.items() if k != "name"},
        "type": {k: v for k, v in RULE.items() if k != "type"},
        "pair": {**RULE, "onSuccess": "NONE,ERROR"},  # a pair needs WRITEREAD/UPDOWN
    }
    for field, rule in cases.items():
        r = http.post(f"/subjects/{subject}/versions", json={"schema": V1_SCHEMA, "ruleSet": {"domainRules": [rule]}})
        message = check_error(r, 422, 42210)["message"]
        assert ("pair" if field == "pair" else field) in message, (field, message)
    dup = {"domainRules": [RULE, RULE]}
    assert "duplicate" in check_error(http.post(f"/subjects/{subject}/versions",
                                                json={"schema": V1_SCHEMA, "ruleSet": dup}), 422, 42210)["message"]
    migration = {"migrationRules": [{**RULE, "mode": "WRITE"}]}
    check_error(http.post(f"/subjects/{subject}/versions", json={"schema": V1_SCHEMA, "ruleSet": migration}),
                422, 42210)
    ok = {"domainRules": [{**RULE, "mode": "WRITEREAD", "onFailure": "ERROR,NONE"}]}
    assert http.post(f"/subjects/{subject}/versions", json={"schema": V1_SCHEMA, "ruleSet": ok}).status_code == 200
    check_error(http.put(f"/config/{subject}", json={"defaultRuleSet": {"domainRules": [{"name": "x"}]}}),
                422, 42210)
    check_error(http.post(f"/subjects/{subject}/versions",
                          json={"schema": V1_SCHEMA, "metadata": {"properties": {"n": [1]}}}), 400, 400)


def test_v1_metadata_endpoints(http: httpx.Client) -> None:
    ident = http.get("/v1/metadata/id", headers={"Accept": V1}).json()
    assert ident["scope"]["path"] == [] and "schema-registry-cluster" in ident["scope"]["clusters"]
    assert "version" in http.get("/v1/metadata/version").json()
