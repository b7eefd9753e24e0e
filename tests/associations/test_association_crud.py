"""Spec review (black box): associations and confluent-kafka's ASSOCIATED subject-name strategy.
Written from the specification only."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from confluent_kafka.schema_registry import (
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.schema_registry_client import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
)
from support.guids import V1, assoc_body, create_assoc, latest, rec, topic_name
from support.http import check_error, reg_ok

# --- associations -----------------------------------------------------------------------------


def test_create_association_response_shape(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A1"))
    topic = topic_name()
    body = create_assoc(http, topic, {"subject": subject, "associationType": "value"}, resource_id="rid-" + topic)
    assert body["resourceName"] == topic
    assert body["resourceNamespace"] == "lkc-test"
    assert body["resourceType"] == "topic"
    assert body["resourceId"] == "rid-" + topic
    assert len(body["associations"]) == 1
    a = body["associations"][0]
    assert a["subject"] == subject
    assert a["associationType"] == "value"
    assert a["lifecycle"] in ("STRONG", "WEAK")
    assert a["frozen"] is False


def test_get_associations_by_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A2"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"})
    r = http.get(f"/associations/subjects/{subject}")
    assert r.status_code == 200, r.text
    (a,) = r.json()
    assert a["subject"] == subject
    assert a["resourceName"] == topic
    assert a["resourceNamespace"] == "lkc-test"
    assert a["resourceType"] == "topic"
    assert a["associationType"] == "value"
    assert a["lifecycle"] == "STRONG"


def test_get_associations_by_resource_name(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-k", rec("A3k"))
    reg_ok(http, subject, rec("A3"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-k", "associationType": "key"},
                 {"subject": subject, "associationType": "value"})
    r = http.get(f"/associations/resources/lkc-test/{topic}")
    assert r.status_code == 200, r.text
    assert sorted((a["associationType"], a["subject"]) for a in r.json()) == [
        ("key", subject + "-k"), ("value", subject)]
    r = http.get(f"/associations/resources/lkc-test/{topic}", params={"associationType": "key"})
    assert [a["subject"] for a in r.json()] == [subject + "-k"]


def test_get_associations_wildcard_namespace(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A4"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, namespace="lkc-zzz")
    r = http.get(f"/associations/resources/-/{topic}", params={"resourceType": "topic", "associationType": "value"})
    assert r.status_code == 200, r.text
    assert [a["subject"] for a in r.json()] == [subject]


def test_get_associations_other_namespace_does_not_match(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A5"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, namespace="lkc-one")
    r = http.get(f"/associations/resources/lkc-two/{topic}")
    assert (r.status_code == 200 and r.json() == []) or r.status_code == 404, r.text


def test_get_associations_by_resource_id(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A6"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, resource_id=rid)
    r = http.get(f"/associations/resources/{rid}")
    assert r.status_code == 200, r.text
    assert [(a["subject"], a["resourceId"]) for a in r.json()] == [(subject, rid)]


def test_association_for_missing_subject(http: httpx.Client, subject: str) -> None:
    r = http.post("/associations", json=assoc_body(topic_name(), {"subject": subject, "associationType": "value"}))
    check_error(r, 404, 40401)


def test_association_with_inline_schema_registers_subject(http: httpx.Client, subject: str) -> None:
    topic = topic_name()
    r = http.post("/associations", json=assoc_body(topic, {
        "subject": subject, "associationType": "value", "schema": {"schema": rec("A7"), "schemaType": "AVRO"}}))
    assert r.status_code == 200, r.text
    assert json.loads(latest(http, subject)["schema"])["name"] == "A7"


@pytest.mark.parametrize(
    ("override", "entry"),
    [
        ({}, {"associationType": "bogus"}),
        ({"resourceType": "table"}, {}),
        ({}, {"lifecycle": "FOREVER"}),
        ({"resourceName": ""}, {}),
    ],
)
def test_invalid_association_is_42212(http: httpx.Client, subject: str, override: dict, entry: dict) -> None:
    reg_ok(http, subject, rec("A8"))
    body = assoc_body(topic_name(), {"subject": subject, "associationType": "value", **entry})
    body.update(override)
    check_error(http.post("/associations", json=body), 422, 42212)


def test_association_type_taken_is_conflict(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-1", rec("A9"))
    reg_ok(http, subject + "-2", rec("A9b"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-1", "associationType": "value"})
    r = http.post("/associations", json=assoc_body(topic, {"subject": subject + "-2", "associationType": "value"}))
    check_error(r, 409, 40902)


def test_put_association_replaces_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-1", rec("A10"))
    reg_ok(http, subject + "-2", rec("A10b"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-1", "associationType": "value"})
    r = http.put("/associations", json=assoc_body(topic, {"subject": subject + "-2", "associationType": "value"}))
    assert r.status_code == 200, r.text
    got = http.get(f"/associations/resources/lkc-test/{topic}").json()
    assert [a["subject"] for a in got] == [subject + "-2"]


def test_put_association_creates_when_absent(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A11"))
    topic = topic_name()
    r = http.put("/associations", json=assoc_body(topic, {"subject": subject, "associationType": "value"}))
    assert r.status_code == 200, r.text
    assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == [subject]


def test_frozen_association_cannot_be_changed(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-1", rec("A12"))
    reg_ok(http, subject + "-2", rec("A12b"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-1", "associationType": "value", "frozen": True})
    r = http.put("/associations", json=assoc_body(topic, {"subject": subject + "-2", "associationType": "value"}))
    assert r.status_code == 409, r.text
    assert 40900 < r.json()["error_code"] < 41000
    got = http.get(f"/associations/resources/-/{topic}").json()
    assert [(a["subject"], a["frozen"]) for a in got] == [(subject + "-1", True)]


def test_delete_associations_by_resource_id(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A13"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, resource_id=rid)
    r = http.delete(f"/associations/resources/{rid}")
    assert r.status_code in (200, 204), r.text
    assert http.get(f"/associations/resources/{rid}").json() == []  # AssociationsResource: 200 []
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_delete_associations_by_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A14"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value"})
    r = http.delete(f"/associations/subjects/{subject}")
    assert r.status_code in (200, 204), r.text
    r = http.get(f"/associations/resources/-/{topic}")
    assert (r.status_code == 200 and r.json() == []) or r.status_code == 404


def test_delete_missing_association_is_40410(http: httpx.Client) -> None:
    check_error(http.delete(f"/associations/resources/{uuid.uuid4()}"), 404, 40410)


def test_cascade_delete_strong_removes_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A15"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"}, resource_id=rid)
    r = http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"})
    assert r.status_code in (200, 204), r.text
    check_error(http.get(f"/subjects/{subject}/versions", params={"deleted": "true"}), 404, 40401)


def test_cascade_delete_weak_keeps_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A16"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "WEAK"}, resource_id=rid)
    assert http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"}).status_code in (200, 204)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_delete_strong_without_cascade_keeps_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A17"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"}, resource_id=rid)
    assert http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "false"}).status_code in (200, 204)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_cascade_delete_refused_when_referenced(http: httpx.Client, subject: str) -> None:
    child = rec("Child18", ("x", "int"))
    reg_ok(http, subject, child)
    reg_ok(http, subject + "-parent", rec("Parent18", ("c", "rv.Child18")),
           references=[{"name": "rv.Child18", "subject": subject, "version": 1}])
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"}, resource_id=rid)
    check_error(http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"}), 422, 42206)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.get(f"/associations/resources/{rid}").status_code == 200


def test_association_survives_restart(fresh_registry) -> None:
    topic = topic_name()
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, "s", rec("A19"))
        create_assoc(http, topic, {"subject": "s", "associationType": "value"})
    fresh_registry.stop()
    fresh_registry.start()
    with httpx.Client(base_url=fresh_registry.url) as http:
        assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == ["s"]


def test_association_to_context_subject(http: httpx.Client, subject: str) -> None:
    s = f":.a{uuid.uuid4().hex[:8]}:{subject}"
    reg_ok(http, s, rec("A20"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": s, "associationType": "value"})
    assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == [s]


def test_confluent_client_association_calls(registry, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    client.register_schema(subject, Schema(rec("A21"), "AVRO"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    resp = client.create_association(AssociationCreateOrUpdateRequest(
        resource_name=topic, resource_namespace="lkc-c", resource_id=rid, resource_type="topic",
        associations=[AssociationCreateOrUpdateInfo(subject=subject, association_type="value", lifecycle="STRONG")]))
    assert resp.associations[0].subject == subject
    found = client.get_associations_by_resource_name(topic, "-", "topic", ["value"])
    assert [a.subject for a in found] == [subject]
    assert found[0].resource_id == rid
    client.delete_associations(rid, "topic", ["value"], cascade_lifecycle=True)
    assert subject not in client.get_subjects()
