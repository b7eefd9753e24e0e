"""Associations (``/associations``) over HTTP and through confluent-kafka's ASSOCIATED strategy."""

from __future__ import annotations

import uuid

import httpx
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.common.schema_registry_client import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
)
from confluent_kafka.serialization import MessageField, SerializationContext
from support.associations import RECORD, create, new_topic
from support.http import check_error
from support.process import RegistryProcess


def test_create_get_update_delete(http: httpx.Client, subject: str) -> None:
    topic = new_topic()
    http.post(f"/subjects/{subject}/versions", json={"schema": RECORD}).raise_for_status()
    r = create(http, topic, subject)
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["resourceName"] == topic and created["associations"][0]["subject"] == subject
    rid = created["resourceId"]
    by_resource = http.get(f"/associations/resources/lkc-1/{topic}", params={"resourceType": "topic"}).json()
    assert [(a["subject"], a["associationType"], a["resourceId"]) for a in by_resource] == [(subject, "value", rid)]
    assert by_resource[0]["guid"] == http.get(f"/subjects/{subject}/versions/latest").json()["guid"]
    # the namespace wildcard and the associationType filter
    assert len(http.get(f"/associations/resources/-/{topic}", params={"associationType": "value"}).json()) == 1
    assert http.get(f"/associations/resources/-/{topic}", params={"associationType": "key"}).json() == []
    assert http.get(f"/associations/subjects/{subject}").json()[0]["resourceName"] == topic
    assert http.get(f"/associations/resources/{rid}").json()[0]["subject"] == subject
    # POST again is idempotent; a different subject for the same type conflicts; PUT replaces
    assert create(http, topic, subject).status_code == 200
    other = subject + "-2"
    http.post(f"/subjects/{other}/versions", json={"schema": RECORD}).raise_for_status()
    check_error(create(http, topic, other), 409, 40902)
    body = {"resourceName": topic, "resourceNamespace": "lkc-1",
            "associations": [{"subject": other, "associationType": "value"}]}
    assert http.put("/associations", json=body).status_code == 200
    assert [a["subject"] for a in http.get(f"/associations/resources/lkc-1/{topic}").json()] == [other]
    assert http.get(f"/associations/subjects/{subject}").json() == []  # AssociationsResource: 200 []
    assert http.delete(f"/associations/resources/lkc-1/{topic}").status_code == 204
    assert http.get(f"/associations/resources/lkc-1/{topic}").json() == []  # AssociationsResource: 200 []
    check_error(http.delete(f"/associations/resources/lkc-1/{topic}"), 404, 40410)


def test_create_with_schema_registers_it(http: httpx.Client, subject: str) -> None:
    topic = new_topic()
    r = create(http, topic, subject, schema={"schema": RECORD}, associationType="key")
    assert r.status_code == 200, r.text
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.delete(f"/associations/subjects/{subject}").status_code == 204
    assert http.get(f"/associations/subjects/{subject}").json() == []  # AssociationsResource: 200 []


def test_frozen_association_cannot_be_replaced(http: httpx.Client, subject: str) -> None:
    topic = new_topic()
    http.post(f"/subjects/{subject}/versions", json={"schema": RECORD}).raise_for_status()
    assert create(http, topic, subject, frozen=True).status_code == 200
    other = subject + "-x"
    http.post(f"/subjects/{other}/versions", json={"schema": RECORD}).raise_for_status()
    body = {"resourceName": topic, "resourceNamespace": "lkc-1", "associations": [{"subject": other}]}
    check_error(http.put("/associations", json=body), 409, 40903)


def test_bad_association_requests(http: httpx.Client, subject: str) -> None:
    topic = new_topic()
    body = check_error(create(http, topic, "no-such-subject-" + uuid.uuid4().hex), 404, 40401)
    assert "not found" in body["message"]
    http.post(f"/subjects/{subject}/versions", json={"schema": RECORD}).raise_for_status()
    msg = check_error(create(http, topic, subject, associationType="header"), 422, 42212)["message"]
    assert "associationType" in msg and "key, value" in msg
    assert "resourceName" in check_error(
        http.post("/associations", json={"resourceNamespace": "x", "associations": [{"subject": subject}]}),
        422, 42212)["message"]
    assert "associations" in check_error(
        http.post("/associations", json={"resourceName": "t", "resourceNamespace": "x"}), 422, 42212)["message"]
    check_error(http.post("/associations", json={"resourceName": "t", "resourceNamespace": "x",
                                                 "resourceType": "table", "associations": [{"subject": subject}]}),
                422, 42212)
    check_error(http.post("/associations", json=[1]), 400, 400)
    check_error(create(http, topic, subject, lifecycle="FOREVER"), 422, 42212)


def test_confluent_client_and_associated_strategy(registry: RegistryProcess, subject: str) -> None:
    topic = new_topic()
    client = SchemaRegistryClient({"url": registry.url})
    client.register_schema(subject, Schema(RECORD, "AVRO"))
    response = client.create_association(AssociationCreateOrUpdateRequest(
        resource_name=topic, resource_namespace="lkc-9", resource_type="topic",
        associations=[AssociationCreateOrUpdateInfo(subject=subject, association_type="value")],
    ))
    assert response.associations[0].subject == subject
    found = client.get_associations_by_resource_name(topic, "-", "topic", ["value"])
    assert [a.subject for a in found] == [subject]
    # The default ASSOCIATED strategy serializes the topic's values under the associated subject.
    serializer = AvroSerializer(client, RECORD, conf={"auto.register.schemas": False})
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = serializer({"a": 7}, ctx)
    schema_id = client.get_latest_version(subject).schema_id
    assert payload[1:5] == schema_id.to_bytes(4, "big")
    assert AvroDeserializer(client)(payload, ctx) == {"a": 7}
    # Without an association the strategy falls back to <topic>-value (registering it).
    plain = new_topic()
    AvroSerializer(client, RECORD)({"a": 1}, SerializationContext(plain, MessageField.VALUE))
    assert f"{plain}-value" in client.get_subjects()
    client.delete_associations(response.resource_id)
    assert client.get_associations_by_resource_name(topic, "-") == []  # AssociationsResource: 200 []



def test_assoc_and_context_keys_round_trip_in_canonical_order() -> None:
    from charter.registry.store.records import KeyType, assoc_key, context_key, decode_key
    from charter.registry.store.state import RegistryState

    key = assoc_key("orders", "lkc-1", "topic", "value", "orders-value")
    assert key.encode() == (b'{"keytype":"ASSOC","tenant":"default","resourceName":"orders",'
                            b'"resourceNamespace":"lkc-1","resourceType":"topic","associationType":"value",'
                            b'"subject":"orders-value","magic":0}')
    assert decode_key(key.encode()) == key
    ctx = context_key(".ctx")
    assert ctx.encode() == b'{"keytype":"CONTEXT","tenant":"default","context":".ctx"}'
    assert decode_key(ctx.encode()).keytype is KeyType.CONTEXT
    state = RegistryState()
    state.apply(key, {"subject": "orders-value", "resourceName": "orders"}, 0, 0)
    assert len(state.associations) == 1
    state.apply(decode_key(key.encode()), None, 1, 0)
    assert not state.associations
    state.apply(ctx, {"tenant": "default", "context": ".ctx"}, 2, 0)  # read and ignored


def test_malformed_guid_says_what_a_guid_is(http: httpx.Client) -> None:
    assert "UUID" in check_error(http.get("/schemas/guids/not-a-uuid"), 404, 40403)["message"]
