"""Spec review (black box): confluent-kafka's ASSOCIATED subject-name strategy (its default since
2.14) through associations. Written from the specification only."""

from __future__ import annotations

import struct

import httpx
from confluent_kafka.schema_registry import (
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.guids import (
    ACCEPT_UNKNOWN,
    AVRO_VALUE,
    KAFKA_CLUSTER_ID,
    V1,
    assoc_body,
    create_assoc,
    latest,
    rec,
    topic_name,
)
from support.http import check_error, reg, reg_ok

# --- the ASSOCIATED subject-name strategy (confluent-kafka's default) -------------------------


def test_associated_strategy_uses_associated_subject(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
        client = SchemaRegistryClient({"url": registry.url})
        ser = AvroSerializer(client, AVRO_VALUE)  # default strategy: ASSOCIATED
        data = ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert struct.unpack(">I", data[1:5])[0] == sid
        check_error(http.get(f"/subjects/{topic}-value/versions"), 404, 40401)


def test_associated_strategy_registers_into_associated_subject(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, rec("Other", ("z", "string")))
        http.put(f"/config/{subject}", json={"compatibility": "NONE"})
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
        ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]


def test_associated_strategy_falls_back_to_topic(registry) -> None:
    topic = topic_name()
    ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
    data = ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
    with httpx.Client(base_url=registry.url) as http:
        assert latest(http, f"{topic}-value")["id"] == struct.unpack(">I", data[1:5])[0]


def test_associated_strategy_key(registry, subject: str) -> None:
    topic = topic_name()
    key_schema = rec("Key", ("k", "string"))
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, subject, key_schema)
        create_assoc(http, topic, {"subject": subject, "associationType": "key"})
    ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), key_schema)
    data = ser({"k": "x"}, SerializationContext(topic, MessageField.KEY))
    assert struct.unpack(">I", data[1:5])[0] == sid


def test_associated_strategy_value_ignores_key_association(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "key"})
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
        ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{topic}-value/versions").json() == [1]


def test_associated_strategy_with_cluster_id(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"}, namespace="lkc-mine")
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE,
                             conf={"subject.name.strategy.conf": {KAFKA_CLUSTER_ID: "lkc-mine"}})
        data = ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert struct.unpack(">I", data[1:5])[0] == sid
        other = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE,
                               conf={"subject.name.strategy.conf": {KAFKA_CLUSTER_ID: "lkc-theirs"}})
        other({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{topic}-value/versions").json() == [1]


def test_associated_strategy_after_subject_permanently_deleted_falls_back(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
        http.delete(f"/subjects/{subject}")
        http.delete(f"/subjects/{subject}", params={"permanent": "true"})
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
        ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{topic}-value/versions").json() == [1]


def test_associated_strategy_deserializer_round_trip(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
    client = SchemaRegistryClient({"url": registry.url})
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = AvroSerializer(client, AVRO_VALUE)({"name": "rt", "n": 9}, ctx)
    assert AvroDeserializer(client)(data, ctx) == {"name": "rt", "n": 9}


def test_reregister_returns_same_guid(http: httpx.Client, subject: str) -> None:
    a = reg(http, subject, rec("G18"), headers=ACCEPT_UNKNOWN).json()
    b = reg(http, subject, rec("G18"), headers=ACCEPT_UNKNOWN).json()
    assert a["guid"] == b["guid"]
    assert a["id"] == b["id"]


def test_get_schema_by_guid_carries_references(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-child", rec("Child19", ("x", "int")))
    refs = [{"name": "rv.Child19", "subject": subject + "-child", "version": 1}]
    reg_ok(http, subject, rec("Parent19", ("c", "rv.Child19")), references=refs)
    got = http.get(f"/schemas/guids/{latest(http, subject)['guid']}").json()
    assert got["references"] == refs


def test_guid_of_soft_deleted_version_still_resolves(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G20"))
    guid = latest(http, subject)["guid"]
    assert http.delete(f"/subjects/{subject}/versions/1").status_code == 200
    assert http.get(f"/schemas/guids/{guid}").status_code == 200


def test_guid_of_hard_deleted_schema_is_gone(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G21"))
    guid = latest(http, subject)["guid"]
    http.delete(f"/subjects/{subject}/versions/1")
    http.delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"})
    check_error(http.get(f"/schemas/guids/{guid}"), 404, 40403)


def test_association_request_is_atomic(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A22"))
    topic = topic_name()
    r = http.post("/associations", json=assoc_body(topic, {"subject": subject, "associationType": "key"},
                                                    {"subject": subject + "-missing", "associationType": "value"}))
    check_error(r, 404, 40401)
    r = http.get(f"/associations/resources/-/{topic}")
    assert (r.status_code == 200 and r.json() == []) or r.status_code == 404, r.text


def test_associations_filter_invalid_value(http: httpx.Client) -> None:
    check_error(http.get(f"/associations/resources/-/{topic_name()}", params={"associationType": "sideways"}),
                422, 42212)
