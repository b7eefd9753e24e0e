"""Helpers of the spec-review tests (test_spec_review_guids_assoc.py)."""

from __future__ import annotations

import hashlib
import uuid

import httpx

from support.http import compact

V1 = "application/vnd.schemaregistry.v1+json"
ACCEPT_UNKNOWN = {"Confluent-Accept-Unknown-Properties": "true"}
KAFKA_CLUSTER_ID = "subject.name.strategy.kafka.cluster.id"


def rec(name: str, *fields: tuple[str, object], namespace: str = "rv") -> str:
    return compact({"type": "record", "name": name, "namespace": namespace,
                    "fields": [{"name": n, "type": t} for n, t in fields] or [{"name": "a", "type": "string"}]})




def md5_guid(*parts: str) -> str:
    h = hashlib.md5()
    for p in parts:
        h.update(p.encode("utf-8"))
    return str(uuid.UUID(bytes=h.digest()))


def latest(http: httpx.Client, subject: str) -> dict:
    r = http.get(f"/subjects/{subject}/versions/latest")
    assert r.status_code == 200, r.text
    return r.json()


def topic_name() -> str:
    return f"topic-{uuid.uuid4().hex[:10]}"


AVRO_VALUE = rec("Wire", ("name", "string"), ("n", "int"))


def assoc_body(topic: str, *entries: dict, namespace: str = "lkc-test", resource_id: str | None = None) -> dict:
    body: dict = {"resourceName": topic, "resourceNamespace": namespace, "resourceType": "topic",
                  "associations": list(entries)}
    if resource_id:
        body["resourceId"] = resource_id
    return body


def create_assoc(http: httpx.Client, topic: str, *entries: dict, **kw: object) -> dict:
    r = http.post("/associations", json=assoc_body(topic, *entries, **kw))
    assert r.status_code == 200, r.text
    return r.json()
