"""Helpers of the spec-review tests (test_spec_review_contexts.py)."""

from __future__ import annotations

import uuid

from support.http import compact

V1 = "application/vnd.schemaregistry.v1+json"


def new_ctx() -> str:
    return f".rc{uuid.uuid4().hex[:10]}"


def q(ctx: str, name: str) -> str:
    return f":{ctx}:{name}"


def rec(name: str, *fields: tuple[str, object] | dict) -> str:
    return compact({
        "type": "record", "name": name,
        "fields": [f if isinstance(f, dict) else {"name": f[0], "type": f[1]} for f in fields]
        or [{"name": "a", "type": "string"}],
    })
