"""Helpers for the web console tests: seeding schemas over the JSON API."""

from __future__ import annotations

import json
from typing import Any

import httpx

V1 = "application/vnd.schemaregistry.v1+json"


def avro_record(name: str, *fields: tuple[str, Any], default: bool = True) -> str:
    """An Avro record schema with the given (name, type) fields; every field after the first has a default."""
    out = []
    for index, (field, typ) in enumerate(fields):
        entry: dict[str, Any] = {"name": field, "type": typ}
        if index and default:
            entry["default"] = {"string": "", "int": 0, "double": 0.0, "boolean": False}.get(typ)
        out.append(entry)
    return json.dumps({"type": "record", "name": name, "namespace": "com.example", "fields": out})


def register(base: str, subject: str, schema: str, **extra: Any) -> dict[str, Any]:
    body = {"schema": schema, **extra}
    r = httpx.post(f"{base}/subjects/{subject.replace('/', '%2F')}/versions", json=body,
                   headers={"Content-Type": V1}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def set_config(base: str, subject: str, level: str) -> None:
    r = httpx.put(f"{base}/config/{subject}", json={"compatibility": level}, headers={"Content-Type": V1})
    assert r.status_code == 200, r.text


def set_mode(base: str, subject: str, mode: str) -> None:
    r = httpx.put(f"{base}/mode/{subject}", json={"mode": mode}, headers={"Content-Type": V1})
    assert r.status_code == 200, r.text
