"""Association lifecycles: cascadeLifecycle deletes the subjects of STRONG associations, and a
subject deleted for good loses its associations."""

from __future__ import annotations

import json

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.common.schema_registry_client import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
)
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from support.associations import RECORD, gone, link, new_topic, subject_with
from support.http import check_error
from support.process import RegistryProcess


def test_cascade_deletes_the_subjects_of_strong_associations_only(http: httpx.Client, subject: str) -> None:
    key, value, topic = subject + "-k", subject + "-v", new_topic()
    subject_with(http, key)
    subject_with(http, key, json.dumps({"type": "record", "name": "Assoc", "fields": [
        {"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}]}))
    assert http.delete(f"/subjects/{key}/versions/1").status_code == 200  # one version already soft-deleted
    assert http.put(f"/config/{key}", json={"compatibility": "NONE"}).status_code == 200
    subject_with(http, value)
    rid = link(http, topic, key=(key, "STRONG"), value=(value, "WEAK"))
    # the exact query confluent-kafka-python sends (Python's True)
    r = http.delete(f"/associations/resources/{rid}",
                    params=[("resourceType", "topic"), ("associationType", "key"),
                            ("associationType", "value"), ("cascadeLifecycle", "True")])
    assert r.status_code == 204, r.text
    assert gone(http, key)  # soft then hard: every version, the soft-deleted one included
    check_error(http.get(f"/config/{key}"), 404, 40408)  # as a soft delete: its config went too
    assert http.get(f"/subjects/{value}/versions").json() == [1]  # WEAK: the subject stays
    assert http.get(f"/associations/resources/{rid}").json() == []  # AssociationsResource: 200 []
    assert http.get(f"/associations/subjects/{value}").json() == []  # AssociationsResource: 200 []
    # re-registering starts over at version 1: the versions are gone, not soft-deleted
    r = http.post(f"/subjects/{key}/versions", json={"schema": RECORD})
    assert http.get(f"/subjects/{key}/versions").json() == [1], r.text


def test_without_cascade_only_the_associations_go(http: httpx.Client, subject: str) -> None:
    for flag in (None, "false", "FALSE"):
        topic = new_topic()
        subject_with(http, subject)
        rid = link(http, topic, value=(subject, "STRONG"))
        params = {} if flag is None else {"cascadeLifecycle": flag}
        assert http.delete(f"/associations/resources/{rid}", params=params).status_code == 204
        assert http.get(f"/subjects/{subject}/versions").json() == [1]
        assert http.get(f"/associations/resources/{rid}").json() == []  # AssociationsResource: 200 []


def test_cascade_on_the_subject_and_resource_name_routes(http: httpx.Client, subject: str) -> None:
    # by subject: its STRONG association deletes it, and its other (WEAK) associations go with it
    first, second = new_topic(), new_topic()
    subject_with(http, subject)
    link(http, first, value=(subject, "STRONG"))
    link(http, second, value=(subject, "WEAK"))
    r = http.delete(f"/associations/subjects/{subject}", params={"resourceType": "topic",
                                                                  "cascadeLifecycle": "true"})
    assert r.status_code == 204, r.text
    assert gone(http, subject)
    assert http.get(f"/associations/resources/lkc-1/{second}").json() == []  # AssociationsResource: 200 []
    # by namespace/name: only the filtered (key) association is deleted, so only its subject goes
    other, topic = subject + "-o", new_topic()
    subject_with(http, subject)
    subject_with(http, other)
    link(http, topic, key=(subject, "STRONG"), value=(other, "STRONG"))
    r = http.delete(f"/associations/resources/lkc-1/{topic}",
                    params={"associationType": "key", "cascadeLifecycle": "TRUE"})
    assert r.status_code == 204, r.text
    assert gone(http, subject)
    assert http.get(f"/subjects/{other}/versions").json() == [1]
    assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == [other]


def test_cascade_refused_when_referenced_or_read_only(http: httpx.Client, subject: str) -> None:
    topic, user = new_topic(), subject + "-user"
    subject_with(http, subject)
    rid = link(http, topic, value=(subject, "STRONG"))
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
    assert gone(http, subject)


def test_bad_query_values_are_refused(http: httpx.Client, subject: str) -> None:
    topic = new_topic()
    subject_with(http, subject)
    rid = link(http, topic, value=(subject, "STRONG"))
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
    topic = new_topic()
    subject_with(http, subject)
    link(http, topic, value=(subject, "WEAK"))
    http.delete(f"/subjects/{subject}").raise_for_status()
    assert http.get(f"/associations/subjects/{subject}").status_code == 200  # a soft delete keeps them
    http.delete(f"/subjects/{subject}", params={"permanent": "true"}).raise_for_status()
    assert http.get(f"/associations/subjects/{subject}").json() == []  # AssociationsResource: 200 []
    assert http.get(f"/associations/resources/-/{topic}").json() == []  # AssociationsResource: 200 []
    # the hard delete of the last version does the same; of an earlier one, not
    other, topic = subject + "-2", new_topic()
    subject_with(http, other)
    http.put(f"/config/{other}", json={"compatibility": "NONE"}).raise_for_status()
    subject_with(http, other, '"string"')
    link(http, topic, key=(other, "WEAK"))
    for version in (1, 2):
        http.delete(f"/subjects/{other}/versions/{version}").raise_for_status()
        assert http.get(f"/associations/subjects/{other}").status_code == 200
        http.delete(f"/subjects/{other}/versions/{version}", params={"permanent": "true"}).raise_for_status()
    assert http.get(f"/associations/subjects/{other}").json() == []  # AssociationsResource: 200 []


def test_cascade_survives_a_restart(fresh_registry: RegistryProcess) -> None:
    with httpx.Client(base_url=fresh_registry.url, timeout=30) as http:
        subject_with(http, "gone-value")
        subject_with(http, "kept-value")
        rid = link(http, "orders", value=("gone-value", "STRONG"))
        link(http, "payments", value=("kept-value", "WEAK"))
        assert http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"}).status_code == 204
    fresh_registry.stop()
    fresh_registry.start()
    with httpx.Client(base_url=fresh_registry.url, timeout=30) as http:
        assert http.get("/subjects", params={"deleted": "true"}).json() == ["kept-value"]
        assert http.get(f"/associations/resources/{rid}").json() == []  # AssociationsResource: 200 []
        assert http.get("/associations/resources/lkc-1/payments").json()[0]["subject"] == "kept-value"


def test_confluent_client_delete_associations_with_cascade(registry: RegistryProcess, subject: str) -> None:
    topic, key = new_topic(), subject + "-key"
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
    assert client.get_associations_by_resource_name(topic, "-") == []  # AssociationsResource: 200 []
    # The ASSOCIATED strategy (a fresh client: no cached lookup) now falls back to <topic>-value.
    fresh = SchemaRegistryClient({"url": registry.url})
    AvroSerializer(fresh, RECORD)({"a": 2}, ctx)
    assert f"{topic}-value" in fresh.get_subjects()
