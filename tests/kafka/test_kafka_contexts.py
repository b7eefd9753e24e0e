"""Schema contexts and associations on the Kafka topic backend (a real Apache Kafka broker): CONTEXT
and ASSOC records in the topic, ids per context, replay after a restart, ``DELETE /contexts``, the
lifecycle cascade, and confluent-kafka's ASSOCIATED subject-name strategy against it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.common.schema_registry_client import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
)
from confluent_kafka.serialization import MessageField, SerializationContext
from support.http import check_error
from support.kafka import kafka_registry, read_topic, record_schema, register, unique, wait_status
from support.process import RegistryProcess

TEAM = ":.team-a:orders-value"
CONTEXT_KEY = b'{"keytype":"CONTEXT","tenant":"default","context":".team-a"}'


def _start(tmp: Path, bootstrap: str, topic: str, group: str) -> RegistryProcess:
    server = kafka_registry(tmp, bootstrap, topic, group).start()
    wait_status(server, ready=True, role="primary")
    return server


def _get(server: RegistryProcess, path: str, **params: str) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=10)


def _delete(server: RegistryProcess, path: str, **params: str) -> httpx.Response:
    return httpx.delete(server.url + path, params=params, timeout=10)


def _check_contexts(server: RegistryProcess) -> None:
    """What must hold before and after a restart: per-context ids and the context listing."""
    assert _get(server, "/contexts").json() == [".", ".team-a"]
    assert json.loads(_get(server, "/schemas/ids/1").json()["schema"])["name"] == "Plain"
    team = _get(server, "/schemas/ids/1", subject=TEAM).json()
    assert json.loads(team["schema"])["name"] == "Team"
    assert _get(server, f"/subjects/{TEAM}/versions/latest").json()["id"] == 1
    assert sorted(_get(server, "/subjects").json()) == sorted(["orders-value", "other-value", TEAM])
    assert _get(server, "/subjects", subjectPrefix=":.team-a:").json() == [TEAM]


def test_contexts_on_the_kafka_backend(tmp_path: Path, kafka_broker) -> None:
    topic, group, bootstrap = unique("ctx"), unique("g"), kafka_broker.bootstrap
    server = _start(tmp_path, bootstrap, topic, group)
    try:
        assert register(server.url, "orders-value", record_schema("Plain")).json()["id"] == 1
        assert register(server.url, "other-value", record_schema("Other")).json()["id"] == 2
        assert register(server.url, TEAM, record_schema("Team")).json()["id"] == 1  # its own numbering
        _check_contexts(server)
    finally:
        server.stop()
    records = read_topic(bootstrap, topic)
    contexts = [(k, v) for _, k, v in records if k == CONTEXT_KEY]
    assert len(contexts) == 1 and json.loads(contexts[0][1] or b"") == {"tenant": "default", "context": ".team-a"}
    offsets = {k: off for off, k, _ in records}
    first_schema = b'{"keytype":"SCHEMA","subject":":.team-a:orders-value","version":1,"magic":1}'
    assert offsets[CONTEXT_KEY] < offsets[first_schema]  # written with (before) the context's first schema

    server = _start(tmp_path, bootstrap, topic, group)
    try:
        _check_contexts(server)
        # the context's id space was replayed: its next schema gets 2, not the default context's 3
        assert register(server.url, ":.team-a:more-value", record_schema("More")).json()["id"] == 2
        assert "subjects" in check_error(_delete(server, "/contexts/.team-a"), 422, 42211)["message"]
        for subject in (TEAM, ":.team-a:more-value"):
            _delete(server, f"/subjects/{subject}").raise_for_status()
        check_error(_delete(server, "/contexts/.team-a"), 422, 42211)  # soft-deleted subjects still count
        for subject in (TEAM, ":.team-a:more-value"):
            _delete(server, f"/subjects/{subject}", permanent="true").raise_for_status()
    finally:
        server.stop()

    # no subject left in it: the context is listed from its CONTEXT record alone
    server = _start(tmp_path, bootstrap, topic, group)
    try:
        assert _get(server, "/contexts").json() == [".", ".team-a"]
        assert _delete(server, "/contexts/.team-a").status_code == 204
        assert _get(server, "/contexts").json() == ["."]
    finally:
        server.stop()
    assert [v for _, k, v in read_topic(bootstrap, topic) if k == CONTEXT_KEY][-1] is None  # a tombstone
    server = _start(tmp_path, bootstrap, topic, group)
    try:
        assert _get(server, "/contexts").json() == ["."]
        assert _get(server, "/subjects").json() == ["orders-value", "other-value"]
    finally:
        server.stop()


VALUE = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "n", "type": "int"}]})


def test_associated_strategy_and_cascade_on_the_kafka_backend(tmp_path: Path, kafka_broker) -> None:
    topic, group, bootstrap = unique("assoc"), unique("g"), kafka_broker.bootstrap
    server = _start(tmp_path, bootstrap, topic, group)
    try:
        assert register(server.url, "orders-contract", VALUE).status_code == 200
        client = SchemaRegistryClient({"url": server.url})
        response = client.create_association(AssociationCreateOrUpdateRequest(
            resource_name="orders", resource_namespace="lkc-1", resource_type="topic",
            associations=[AssociationCreateOrUpdateInfo(subject="orders-contract", association_type="value",
                                                        lifecycle="STRONG")],
        ))
    finally:
        server.stop()
    assoc_key = (b'{"keytype":"ASSOC","tenant":"default","resourceName":"orders","resourceNamespace":"lkc-1",'
                 b'"resourceType":"topic","associationType":"value","subject":"orders-contract","magic":0}')
    assert any(k == assoc_key and v is not None for _, k, v in read_topic(bootstrap, topic))

    server = _start(tmp_path, bootstrap, topic, group)  # the association is replayed from the topic
    try:
        client = SchemaRegistryClient({"url": server.url})
        ctx = SerializationContext("orders", MessageField.VALUE)
        payload = AvroSerializer(client, VALUE, conf={"auto.register.schemas": False})({"n": 5}, ctx)
        assert payload[1:5] == client.get_latest_version("orders-contract").schema_id.to_bytes(4, "big")
        assert AvroDeserializer(client)(payload, ctx) == {"n": 5}
        client.delete_associations(response.resource_id, "topic", ["value"], cascade_lifecycle=True)
        check_error(_get(server, "/subjects/orders-contract/versions", deleted="true"), 404, 40401)
        # no association any more: the strategy falls back to <topic>-value (and registers it there)
        fresh = SchemaRegistryClient({"url": server.url})
        AvroSerializer(fresh, VALUE)({"n": 6}, ctx)
        assert fresh.get_subjects() == ["orders-value"]
    finally:
        server.stop()
    # the cascade wrote what the two subject deletes write, and the ASSOC tombstone, in one go
    tail = [(k, v) for _, k, v in read_topic(bootstrap, topic) if b'"NOOP"' not in k]
    schema_key = b'{"keytype":"SCHEMA","subject":"orders-contract","version":1,"magic":1}'
    start = next(i for i, (k, v) in enumerate(tail) if k == assoc_key and v is None)
    assert [k for k, _ in tail[start:start + 3]] == [
        assoc_key, b'{"keytype":"DELETE_SUBJECT","subject":"orders-contract","magic":0}', schema_key]
    assert json.loads(tail[start + 1][1] or b"") == {"subject": "orders-contract", "version": 1}
    assert tail[start + 2][1] is None

    server = _start(tmp_path, bootstrap, topic, group)
    try:
        assert _get(server, "/subjects", deleted="true").json() == ["orders-value"]
        assert _get(server, "/associations/resources/-/orders").json() == []  # 200 [] when none match
    finally:
        server.stop()
