"""Spec review (black box), data contracts: GET /subjects/{s}/metadata and use.latest.with.metadata,
compatibilityGroup, validateFields, alias. Written from the specification only."""

from __future__ import annotations

import struct
import uuid

import httpx
from confluent_kafka.schema_registry import (
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.contracts import V1, opt, rec, three_versions
from support.http import check_error, reg, reg_ok

# --- GET /subjects/{s}/metadata ----------------------------------------------------------


def test_metadata_lookup_returns_latest_match(http: httpx.Client, subject: str) -> None:
    ids = three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "prod"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 3
    assert body["id"] == ids[2]
    assert body["subject"] == subject
    assert body["metadata"]["properties"]["team"] == "b"
    assert "schema" in body


def test_metadata_lookup_single_match(http: httpx.Client, subject: str) -> None:
    three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "dev"})
    assert r.json()["version"] == 2


def test_metadata_lookup_multiple_pairs_all_must_match(http: httpx.Client, subject: str) -> None:
    three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params=[("key", "env"), ("value", "prod"),
                                                           ("key", "team"), ("value", "a")])
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1


def test_metadata_lookup_no_match(http: httpx.Client, subject: str) -> None:
    three_versions(http, subject)
    r = http.get(f"/subjects/{subject}/metadata", params={"key": "env", "value": "staging"})
    check_error(r, 404, (40403, 40402))


def test_metadata_lookup_missing_subject(http: httpx.Client, subject: str) -> None:
    check_error(http.get(f"/subjects/{subject}/metadata", params={"key": "a", "value": "b"}), 404, 40401)


def test_metadata_lookup_deleted_flag(http: httpx.Client, subject: str) -> None:
    three_versions(http, subject)
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
        ids = three_versions(http, subject)
    client = SchemaRegistryClient({"url": registry.url})
    got = client.get_latest_with_metadata(subject, {"env": "dev"})
    assert got.version == 2
    assert got.schema_id == ids[1]
    assert got.schema.metadata.properties.properties["env"] == "dev"


def test_avro_serializer_use_latest_with_metadata(registry) -> None:
    topic = f"t-{uuid.uuid4().hex[:10]}"
    subject = f"{topic}-value"
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        ids = three_versions(http, subject)
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
        three_versions(http, subject)
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
