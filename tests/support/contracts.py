"""Helpers of the spec-review tests (test_spec_review_contracts.py)."""

from __future__ import annotations

import httpx

from support.http import compact, reg_ok

V1 = "application/vnd.schemaregistry.v1+json"


def rec(name: str, *fields: tuple[str, object] | dict, namespace: str | None = None) -> str:
    body: dict = {"type": "record", "name": name}
    if namespace:
        body["namespace"] = namespace
    body["fields"] = [f if isinstance(f, dict) else {"name": f[0], "type": f[1]} for f in fields] or [
        {"name": "a", "type": "string"}
    ]
    return compact(body)


def opt(name: str) -> dict:
    return {"name": name, "type": ["null", "string"], "default": None}




def version(http: httpx.Client, subject: str, v: object = "latest") -> dict:
    r = http.get(f"/subjects/{subject}/versions/{v}")
    assert r.status_code == 200, r.text
    return r.json()


def props(body: dict) -> dict:
    return (body.get("metadata") or {}).get("properties") or {}


def rule(name: str, mode: str = "WRITE", kind: str = "CONDITION", **extra: object) -> dict:
    return {"name": name, "kind": kind, "mode": mode, "type": "CEL", "expr": "true", **extra}


def rule_names(body: dict, phase: str = "domainRules") -> set[str]:
    return {r["name"] for r in (body.get("ruleSet") or {}).get(phase) or []}


def rules_by_name(body: dict, phase: str = "domainRules") -> dict[str, dict]:
    return {r["name"]: r for r in (body.get("ruleSet") or {}).get(phase) or []}


def three_versions(http: httpx.Client, subject: str) -> list[int]:
    """Three versions of one subject with env/team metadata (prod+a, dev, prod+b)."""
    ids = [
        reg_ok(http, subject, rec("User", ("a", "string")), metadata={"properties": {"env": "prod", "team": "a"}}),
        reg_ok(http, subject, rec("User", ("a", "string"), opt("b")), metadata={"properties": {"env": "dev"}}),
        reg_ok(http, subject, rec("User", ("a", "string"), opt("b"), opt("c")),
               metadata={"properties": {"env": "prod", "team": "b"}}),
    ]
    return ids
