"""Small helpers shared by the HTTP tests: Confluent error assertions, compact JSON, registering."""

from __future__ import annotations

import json

import httpx


def compact(obj: object) -> str:
    """JSON without whitespace, as Confluent stores schema text."""
    return json.dumps(obj, separators=(",", ":"))


def check_error(r: httpx.Response, status: int, code: int | tuple[int, ...]) -> dict:
    """Assert a Confluent-shaped error: the status, one of the error codes, a message, no traceback."""
    assert r.status_code == status, r.text
    assert "Traceback" not in r.text and 'File "' not in r.text
    body = r.json()
    codes = code if isinstance(code, tuple) else (code,)
    assert body["error_code"] in codes, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def reg(http: httpx.Client, subject: str, schema: str, headers: dict | None = None, **body: object) -> httpx.Response:
    """``POST /subjects/{subject}/versions`` with the schema and any other body fields."""
    return http.post(f"/subjects/{subject}/versions", json={"schema": schema, **body}, headers=headers)


def reg_ok(http: httpx.Client, subject: str, schema: str, **body: object) -> int:
    """Register and expect success; returns the schema id."""
    r = reg(http, subject, schema, **body)
    assert r.status_code == 200, r.text
    return r.json()["id"]
