"""Associations (``/associations``) over HTTP and through confluent-kafka's ASSOCIATED strategy."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.common.schema_registry_client import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
)
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from conftest import RegistryProcess
from helpers import check_error

RECORD = json.dumps({"type": "record", "name": "Assoc", "fields": [{"name": "a", "type": "int"}]})


def _topic() -> str:
    return f"topic-{uuid.uuid4().hex[:10]}"


def _create(http: httpx.Client, topic: str, subject: str, **extra: object) -> httpx.Response:
    body = {"resourceName": topic, "resourceNamespace": "lkc-1", "resourceType": "topic",
            "associations": [{"subject": subject, "associationType": "value", **extra}]}
    return http.post("/associations", json=body)


def test_create_get_update_delete(http: httpx.Client, subject: str) -> None:
    topic = _topic()
    http.post(f"/subjects/{subject}/versions", json={"schema": RECORD}).raise_for_status()
    r = _create(http, topic, subject)
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["resourceName"] == topic and created["associations"][0]["subject"] == subject
    rid = created["resourceId"]
    by_resource = http.get(f"/associations/resources/lkc-1/{topic}", params={"resourceType": "topic"}).json()
    assert [(a["subject"], a["associationType"], a["resourceId"]) for a in by_resource] == [(subject, "value", rid)]
    assert by_resource[0]["guid"] == http.get(f"/subjects/{subject}/versions/latest").json()["guid"]
    # the namespace wildcard and the associationType filter
    assert len(http.get(f"/associations/resources/-/{topic}", params={"associationType": "value"}).json()) == 1
    check_error(http.get(f"/associations/resources/-/{topic}", params={"associationType": "key"}), 404, 40410)
    assert http.get(f"/associations/subjects/{subject}").json()[0]["resourceName"] == topic
    assert http.get(f"/associations/resources/{rid}").json()[0]["subject"] == subject
    # POST again is idempotent; a different subject for the same type conflicts; PUT replaces
    assert _create(http, topic, subject).status_code == 200
    other = subject + "-2"
    http.post(f"/subjects/{other}/versions", json={"schema": RECORD}).raise_for_status()
    check_error(_create(http, topic, other), 409, 40902)
    body = {"resourceName": topic, "resourceNamespace": "lkc-1",
            "associations": [{"subject": other, "associationType": "value"}]}
    assert http.put("/associations", json=body).status_code == 200
    assert [a["subject"] for a in http.get(f"/associations/resources/lkc-1/{topic}").json()] == [other]
    check_error(http.get(f"/associations/subjects/{subject}"), 404, 40410)
    assert http.delete(f"/associations/resources/lkc-1/{topic}").status_code == 204
    check_error(http.get(f"/associations/resources/lkc-1/{topic}"), 404, 40410)
    check_error(http.delete(f"/associations/resources/lkc-1/{topic}"), 404, 40410)


def test_create_with_schema_registers_it(http: httpx.Client, subject: str) -> None:
    topic = _topic()
    r = _create(http, topic, subject, schema={"schema": RECORD}, associationType="key")
    assert r.status_code == 200, r.text
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.delete(f"/associations/subjects/{subject}").status_code == 204
    check_error(http.get(f"/associations/subjects/{subject}"), 404, 40410)


def test_frozen_association_cannot_be_replaced(http: httpx.Client, subject: str) -> None:
    topic = _topic()
    http.post(f"/subjects/{subject}/versions", json={"schema": RECORD}).raise_for_status()
    assert _create(http, topic, subject, frozen=True).status_code == 200
    other = subject + "-x"
    http.post(f"/subjects/{other}/versions", json={"schema": RECORD}).raise_for_status()
    body = {"resourceName": topic, "resourceNamespace": "lkc-1", "associations": [{"subject": other}]}
    check_error(http.put("/associations", json=body), 409, 40903)


def test_bad_association_requests(http: httpx.Client, subject: str) -> None:
    topic = _topic()
    body = check_error(_create(http, topic, "no-such-subject-" + uuid.uuid4().hex), 404, 40401)
    assert "not found" in body["message"]
    http.post(f"/subjects/{subject}/versions", json={"schema": RECORD}).raise_for_status()
    msg = check_error(_create(http, topic, subject, associationType="header"), 422, 42212)["message"]
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
    check_error(_create(http, topic, subject, lifecycle="FOREVER"), 422, 42212)


def test_confluent_client_and_associated_strategy(registry: RegistryProcess, subject: str) -> None:
    topic = _topic()
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
    plain = _topic()
    AvroSerializer(client, RECORD)({"a": 1}, SerializationContext(plain, MessageField.VALUE))
    assert f"{plain}-value" in client.get_subjects()
    client.delete_associations(response.resource_id)
    with pytest.raises(SchemaRegistryError) as err:
        client.get_associations_by_resource_name(topic, "-")
    assert err.value.error_code == 40410


def _subject_with(http: httpx.Client, subject: str, schema: str = RECORD) -> None:
    http.post(f"/subjects/{subject}/versions", json={"schema": schema}).raise_for_status()


def _link(http: httpx.Client, topic: str, **types: tuple[str, str]) -> str:
    """Associate the topic's key/value with (subject, lifecycle) pairs; returns the resource id."""
    body = {"resourceName": topic, "resourceNamespace": "lkc-1", "resourceType": "topic",
            "associations": [{"subject": s, "associationType": t, "lifecycle": life}
                             for t, (s, life) in types.items()]}
    r = http.post("/associations", json=body)
    assert r.status_code == 200, r.text
    return r.json()["resourceId"]


def _gone(http: httpx.Client, subject: str) -> bool:
    """Whether the subject is deleted permanently (no version left, not even soft-deleted)."""
    r = http.get(f"/subjects/{subject}/versions", params={"deleted": "true"})
    return r.status_code == 404 and r.json()["error_code"] == 40401


def test_cascade_deletes_the_subjects_of_strong_associations_only(http: httpx.Client, subject: str) -> None:
    key, value, topic = subject + "-k", subject + "-v", _topic()
    _subject_with(http, key)
    _subject_with(http, key, json.dumps({"type": "record", "name": "Assoc", "fields": [
        {"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}]}))
    assert http.delete(f"/subjects/{key}/versions/1").status_code == 200  # one version already soft-deleted
    assert http.put(f"/config/{key}", json={"compatibility": "NONE"}).status_code == 200
    _subject_with(http, value)
    rid = _link(http, topic, key=(key, "STRONG"), value=(value, "WEAK"))
    # the exact query confluent-kafka-python sends (Python's True)
    r = http.delete(f"/associations/resources/{rid}",
                    params=[("resourceType", "topic"), ("associationType", "key"),
                            ("associationType", "value"), ("cascadeLifecycle", "True")])
    assert r.status_code == 204, r.text
    assert _gone(http, key)  # soft then hard: every version, the soft-deleted one included
    check_error(http.get(f"/config/{key}"), 404, 40408)  # as a soft delete: its config went too
    assert http.get(f"/subjects/{value}/versions").json() == [1]  # WEAK: the subject stays
    check_error(http.get(f"/associations/resources/{rid}"), 404, 40410)
    check_error(http.get(f"/associations/subjects/{value}"), 404, 40410)
    # re-registering starts over at version 1: the versions are gone, not soft-deleted
    r = http.post(f"/subjects/{key}/versions", json={"schema": RECORD})
    assert http.get(f"/subjects/{key}/versions").json() == [1], r.text


def test_without_cascade_only_the_associations_go(http: httpx.Client, subject: str) -> None:
    for flag in (None, "false", "FALSE"):
        topic = _topic()
        _subject_with(http, subject)
        rid = _link(http, topic, value=(subject, "STRONG"))
        params = {} if flag is None else {"cascadeLifecycle": flag}
        assert http.delete(f"/associations/resources/{rid}", params=params).status_code == 204
        assert http.get(f"/subjects/{subject}/versions").json() == [1]
        check_error(http.get(f"/associations/resources/{rid}"), 404, 40410)


def test_cascade_on_the_subject_and_resource_name_routes(http: httpx.Client, subject: str) -> None:
    # by subject: its STRONG association deletes it, and its other (WEAK) associations go with it
    first, second = _topic(), _topic()
    _subject_with(http, subject)
    _link(http, first, value=(subject, "STRONG"))
    _link(http, second, value=(subject, "WEAK"))
    r = http.delete(f"/associations/subjects/{subject}", params={"resourceType": "topic",
                                                                  "cascadeLifecycle": "true"})
    assert r.status_code == 204, r.text
    assert _gone(http, subject)
    check_error(http.get(f"/associations/resources/lkc-1/{second}"), 404, 40410)
    # by namespace/name: only the filtered (key) association is deleted, so only its subject goes
    other, topic = subject + "-o", _topic()
    _subject_with(http, subject)
    _subject_with(http, other)
    _link(http, topic, key=(subject, "STRONG"), value=(other, "STRONG"))
    r = http.delete(f"/associations/resources/lkc-1/{topic}",
                    params={"associationType": "key", "cascadeLifecycle": "TRUE"})
    assert r.status_code == 204, r.text
    assert _gone(http, subject)
    assert http.get(f"/subjects/{other}/versions").json() == [1]
    assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == [other]


def test_cascade_refused_when_referenced_or_read_only(http: httpx.Client, subject: str) -> None:
    topic, user = _topic(), subject + "-user"
    _subject_with(http, subject)
    rid = _link(http, topic, value=(subject, "STRONG"))
    ref = {"schema": json.dumps({"type": "record", "name": "U", "fields": [{"name": "x", "type": "Assoc"}]}),
           "references": [{"name": "Assoc", "subject": subject, "version": 1}]}
    http.post(f"/subjects/{user}/versions", json=ref).raise_for_status()
    http.delete(f"/subjects/{user}").raise_for_status()  # a soft-deleted referrer still counts
    cascade = {"cascadeLifecycle": "true"}
    body = check_error(http.delete(f"/associations/resources/{rid}", params=cascade), 422, 42206)
    assert subject in body["message"]
    # nothing was written: the association and the subject are both still there
    assert http.get(f"/associations/resources/{rid}").json()[0]["subject"] == subject
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    http.delete(f"/subjects/{user}", params={"permanent": "true"}).raise_for_status()
    assert http.put(f"/mode/{subject}", json={"mode": "READONLY"}).status_code == 200
    check_error(http.delete(f"/associations/resources/{rid}", params=cascade), 422, 42205)
    assert http.get(f"/associations/resources/{rid}").status_code == 200
    assert http.put(f"/mode/{subject}", json={"mode": "READWRITE"}).status_code == 200
    assert http.delete(f"/associations/resources/{rid}", params=cascade).status_code == 204
    assert _gone(http, subject)


def test_bad_query_values_are_refused(http: httpx.Client, subject: str) -> None:
    topic = _topic()
    _subject_with(http, subject)
    rid = _link(http, topic, value=(subject, "STRONG"))
    for bad in ("yes", "1", ""):
        msg = check_error(http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": bad}),
                          400, 400)["message"]
        assert "cascadeLifecycle" in msg and "true or false" in msg
    assert "associationType" in check_error(
        http.get(f"/associations/resources/-/{topic}", params={"associationType": "header"}), 422, 42212)["message"]
    check_error(http.delete(f"/associations/subjects/{subject}", params={"resourceType": "table"}), 422, 42212)
    check_error(http.get(f"/associations/resources/{rid}", params={"lifecycle": "FOREVER"}), 422, 42212)
    assert http.get(f"/associations/resources/{rid}").json()[0]["subject"] == subject  # nothing deleted


def test_permanent_subject_delete_removes_its_associations(http: httpx.Client, subject: str) -> None:
    topic = _topic()
    _subject_with(http, subject)
    _link(http, topic, value=(subject, "WEAK"))
    http.delete(f"/subjects/{subject}").raise_for_status()
    assert http.get(f"/associations/subjects/{subject}").status_code == 200  # a soft delete keeps them
    http.delete(f"/subjects/{subject}", params={"permanent": "true"}).raise_for_status()
    check_error(http.get(f"/associations/subjects/{subject}"), 404, 40410)
    check_error(http.get(f"/associations/resources/-/{topic}"), 404, 40410)
    # the hard delete of the last version does the same; of an earlier one, not
    other, topic = subject + "-2", _topic()
    _subject_with(http, other)
    http.put(f"/config/{other}", json={"compatibility": "NONE"}).raise_for_status()
    _subject_with(http, other, '"string"')
    _link(http, topic, key=(other, "WEAK"))
    for version in (1, 2):
        http.delete(f"/subjects/{other}/versions/{version}").raise_for_status()
        assert http.get(f"/associations/subjects/{other}").status_code == 200
        http.delete(f"/subjects/{other}/versions/{version}", params={"permanent": "true"}).raise_for_status()
    check_error(http.get(f"/associations/subjects/{other}"), 404, 40410)


def test_cascade_survives_a_restart(fresh_registry: RegistryProcess) -> None:
    with httpx.Client(base_url=fresh_registry.url, timeout=30) as http:
        _subject_with(http, "gone-value")
        _subject_with(http, "kept-value")
        rid = _link(http, "orders", value=("gone-value", "STRONG"))
        _link(http, "payments", value=("kept-value", "WEAK"))
        assert http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"}).status_code == 204
    fresh_registry.stop()
    fresh_registry.start()
    with httpx.Client(base_url=fresh_registry.url, timeout=30) as http:
        assert http.get("/subjects", params={"deleted": "true"}).json() == ["kept-value"]
        check_error(http.get(f"/associations/resources/{rid}"), 404, 40410)
        assert http.get("/associations/resources/lkc-1/payments").json()[0]["subject"] == "kept-value"


def test_confluent_client_delete_associations_with_cascade(registry: RegistryProcess, subject: str) -> None:
    topic, key = _topic(), subject + "-key"
    client = SchemaRegistryClient({"url": registry.url})
    response = client.create_association(AssociationCreateOrUpdateRequest(
        resource_name=topic, resource_namespace="lkc-7", resource_type="topic",
        associations=[
            AssociationCreateOrUpdateInfo(subject=subject, association_type="value", lifecycle="STRONG",
                                          schema=Schema(RECORD, "AVRO")),
            AssociationCreateOrUpdateInfo(subject=key, association_type="key", lifecycle="WEAK",
                                          schema=Schema('"string"', "AVRO")),
        ],
    ))
    assert {a.subject for a in response.associations} == {subject, key}
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = AvroSerializer(client, RECORD, conf={"auto.register.schemas": False})({"a": 1}, ctx)
    assert payload[1:5] == client.get_latest_version(subject).schema_id.to_bytes(4, "big")
    client.delete_associations(response.resource_id, "topic", ["key", "value"], cascade_lifecycle=True)
    with pytest.raises(SchemaRegistryError) as err:
        client.get_versions(subject)
    assert err.value.error_code == 40401
    assert client.get_versions(key) == [1]  # WEAK
    with pytest.raises(SchemaRegistryError) as err:
        client.get_associations_by_resource_name(topic, "-")
    assert err.value.error_code == 40410
    # The ASSOCIATED strategy (a fresh client: no cached lookup) now falls back to <topic>-value.
    fresh = SchemaRegistryClient({"url": registry.url})
    AvroSerializer(fresh, RECORD)({"a": 2}, ctx)
    assert f"{topic}-value" in fresh.get_subjects()


def _batch(http: httpx.Client, call: str, *entries: object) -> httpx.Response:
    return http.post(f"/associations:{call}", json={"requests": list(entries)})


def test_batch_get(http: httpx.Client, subject: str) -> None:
    t1, t2, other = _topic(), _topic(), subject + "-2"
    _subject_with(http, subject)
    _subject_with(http, other)
    rid = _link(http, t1, key=(other, "WEAK"), value=(subject, "STRONG"))
    _link(http, t2, value=(subject, "WEAK"))
    r = _batch(http, "batchGet",
               {"subject": subject},
               {"resourceId": rid, "associationTypes": ["key"]},
               {"resourceName": t2, "resourceNamespace": "-", "resourceType": "topic"},
               {"resourceName": t1, "resourceNamespace": "lkc-1", "lifecycle": "strong"},
               {"resourceName": "no-such-topic", "resourceNamespace": "-"})
    assert r.status_code == 200, r.text
    got = [[(a["resourceName"], a["associationType"], a["subject"]) for a in e["associations"]]
           for e in r.json()["responses"]]
    assert got == [
        sorted([(t1, "value", subject), (t2, "value", subject)]),
        [(t1, "key", other)],
        [(t2, "value", subject)],
        [(t1, "value", subject)],
        [],
    ]
    first = r.json()["responses"][0]["associations"][0]
    assert first["guid"] == http.get(f"/subjects/{subject}/versions/latest").json()["guid"]
    assert first["resourceId"] and first["lifecycle"] in ("STRONG", "WEAK")
    # the colon may come percent-encoded
    assert http.post("/associations%3AbatchGet", json={"requests": []}).json() == {"responses": []}
    # malformed entries fail the whole call and name the index
    for bad, words in (({"resourceName": t1}, "resourceNamespace"),
                       ({"subject": subject, "resourceId": rid}, "exactly one"),
                       ({"subject": subject, "associationType": "key"}, "unknown field"),
                       ({"subject": subject, "associationTypes": "key"}, "associationTypes"),
                       ({"subject": subject, "associationTypes": ["header"]}, "associationType"),
                       ({"subject": ":.bad ctx:x"}, "context"),
                       ("a string", "JSON object"),
                       ({}, "exactly one")):
        msg = check_error(_batch(http, "batchGet", {"subject": subject}, bad), 422, 42212)["message"]
        assert msg.startswith("requests[1]:") and words in msg, msg
    check_error(http.post("/associations:batchGet", json={"requests": {"subject": subject}}), 422, 42212)
    check_error(http.post("/associations:batchGet", json=[{"subject": subject}]), 400, 400)
    check_error(http.post("/associations:batchGet", content=b"{nope"), 400, 400)
    check_error(http.get("/associations:batchGet"), 405, 405)
    check_error(http.post("/associations:batchFrob", json={"requests": []}), 404, 404)


def test_batch_mutate_applies_every_entry_in_order(http: httpx.Client, subject: str) -> None:
    t1, t2, t3, other = _topic(), _topic(), _topic(), subject + "-2"
    _subject_with(http, subject)
    _subject_with(http, other)
    _link(http, t3, value=(other, "WEAK"))
    _link(http, t1, value=(subject, "WEAK"))
    r = _batch(http, "batchMutate",
               # t1's value moves to `other`: CREATE would conflict, but the DELETE comes first
               {"op": "DELETE", "resourceName": t1, "resourceNamespace": "lkc-1"},
               {"op": "create", "resourceName": t1, "resourceNamespace": "lkc-1",
                "associations": [{"subject": other, "associationType": "value"}]},
               {"op": "UPSERT", "resourceName": t2, "resourceNamespace": "lkc-1", "resourceId": "rid-t2",
                "associations": [{"subject": subject, "associationType": "key", "lifecycle": "STRONG"}]},
               {"op": "DELETE", "resourceName": t3, "resourceNamespace": "-", "associationTypes": ["value"]})
    assert r.status_code == 200, r.text
    responses = r.json()["responses"]
    assert responses[0] == {"deleted": 1} and responses[3] == {"deleted": 1}
    assert responses[1]["associations"] == [{"subject": other, "associationType": "value",
                                             "lifecycle": "WEAK", "frozen": False}]
    assert responses[2]["resourceId"] == "rid-t2" and responses[2]["resourceName"] == t2
    assert [a["subject"] for a in http.get(f"/associations/resources/lkc-1/{t1}").json()] == [other]
    assert http.get("/associations/resources/rid-t2").json()[0]["lifecycle"] == "STRONG"
    check_error(http.get(f"/associations/resources/-/{t3}"), 404, 40410)
    # a cascading DELETE in a batch: the STRONG subject goes too
    r = _batch(http, "batchMutate", {"op": "DELETE", "resourceId": "rid-t2", "cascadeLifecycle": True})
    assert r.json() == {"responses": [{"deleted": 1}]}
    assert _gone(http, subject)


def test_batch_mutate_is_all_or_nothing(http: httpx.Client, subject: str) -> None:
    t1, t2, other = _topic(), _topic(), subject + "-2"
    _subject_with(http, subject)
    _subject_with(http, other)
    _link(http, t1, value=(subject, "STRONG"))
    create_t2 = {"op": "CREATE", "resourceName": t2, "resourceNamespace": "lkc-1",
                 "associations": [{"subject": other}]}

    def refused(entry: object, status: int, code: int, words: str) -> None:
        body = check_error(_batch(http, "batchMutate", create_t2, entry), status, code)
        assert body["message"].startswith("requests[1]:") and words in body["message"], body
        check_error(http.get(f"/associations/resources/-/{t2}"), 404, 40410)  # entry 0 not written

    refused({"op": "CREATE", "resourceName": t1, "resourceNamespace": "lkc-1",
             "associations": [{"subject": other}]}, 409, 40902, "already has")
    refused({"op": "CREATE", "resourceName": t1, "resourceNamespace": "lkc-1",
             "associations": [{"subject": "no-such-" + uuid.uuid4().hex}]}, 404, 40401, "not found")
    refused({"op": "DELETE", "resourceName": "nothing-" + uuid.uuid4().hex, "resourceNamespace": "-"},
            404, 40410, "No associations")
    refused({"op": "CREATE", "resourceName": t1, "resourceNamespace": "lkc-1",
             "associations": [{"subject": other, "schema": {"schema": RECORD}}]}, 422, 42212, "register the schema")
    refused({"op": "RENAME"}, 422, 42212, "op")
    refused({"resourceName": t1}, 422, 42212, "'op' is required")
    refused({"op": "DELETE", "subject": subject, "cascadeLifecycle": "yes"}, 422, 42212, "cascadeLifecycle")
    refused({"op": "DELETE", "subject": subject, "lifecycles": ["STRONG"]}, 422, 42212, "unknown field")
    refused({"op": "UPSERT", "resourceName": t1, "resourceNamespace": "-",
             "associations": [{"subject": other}]}, 422, 42212, "wildcard")
    # a cascade that deletes a subject, then an entry that needs it: refused, and the subject stays
    body = check_error(_batch(http, "batchMutate",
                              {"op": "DELETE", "subject": subject, "cascadeLifecycle": True},
                              {"op": "CREATE", "resourceName": t2, "resourceNamespace": "lkc-1",
                               "associations": [{"subject": subject}]}), 404, 40401)
    assert body["message"].startswith("requests[1]:")
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.get(f"/associations/subjects/{subject}").json()[0]["resourceName"] == t1
    # an empty batch writes nothing and answers no responses
    assert _batch(http, "batchMutate").json() == {"responses": []}
    check_error(http.post("/associations:batchMutate", json={"requests": "all"}), 422, 42212)


def test_assoc_and_context_keys_round_trip_in_canonical_order() -> None:
    from charter.registry.records import KeyType, assoc_key, context_key, decode_key
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
