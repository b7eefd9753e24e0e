"""Helpers of the association tests: topics, associations and subjects made over HTTP."""

from __future__ import annotations

import json
import uuid

import httpx

RECORD = json.dumps({"type": "record", "name": "Assoc", "fields": [{"name": "a", "type": "int"}]})


def new_topic() -> str:
    return f"topic-{uuid.uuid4().hex[:10]}"


def create(http: httpx.Client, topic: str, subject: str, **extra: object) -> httpx.Response:
    body = {"resourceName": topic, "resourceNamespace": "lkc-1", "resourceType": "topic",
            "associations": [{"subject": subject, "associationType": "value", **extra}]}
    return http.post("/associations", json=body)


def subject_with(http: httpx.Client, subject: str, schema: str = RECORD) -> None:
    http.post(f"/subjects/{subject}/versions", json={"schema": schema}).raise_for_status()


def link(http: httpx.Client, topic: str, **types: tuple[str, str]) -> str:
    """Associate the topic's key/value with (subject, lifecycle) pairs; returns the resource id."""
    body = {"resourceName": topic, "resourceNamespace": "lkc-1", "resourceType": "topic",
            "associations": [{"subject": s, "associationType": t, "lifecycle": life}
                             for t, (s, life) in types.items()]}
    r = http.post("/associations", json=body)
    assert r.status_code == 200, r.text
    return r.json()["resourceId"]


def gone(http: httpx.Client, subject: str) -> bool:
    """Whether the subject is deleted permanently (no version left, not even soft-deleted)."""
    r = http.get(f"/subjects/{subject}/versions", params={"deleted": "true"})
    return r.status_code == 404 and r.json()["error_code"] == 40401
