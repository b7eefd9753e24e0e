"""Metadata, rule sets, contract config and associations survive a restart (replayed from the log)."""

from __future__ import annotations

import json

import httpx
from support.process import V1, RegistryProcess

SCHEMA = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
RULE = {"name": "r1", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": "$"}


def test_contracts_and_associations_survive_restart(fresh_registry: RegistryProcess) -> None:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=10) as c:
        c.put("/config", json={"defaultMetadata": {"properties": {"env": "prod"}}}).raise_for_status()
        body = {"schema": SCHEMA, "metadata": {"properties": {"owner": "o"}}, "ruleSet": {"migrationRules": [RULE]}}
        c.post("/subjects/orders-value/versions", json=body).raise_for_status()
        c.post("/associations", json={"resourceName": "orders", "resourceNamespace": "lkc-1",
                                      "associations": [{"subject": "orders-value"}]}).raise_for_status()
        c.post("/associations", json={"resourceName": "gone", "resourceNamespace": "lkc-1",
                                      "associations": [{"subject": "orders-value"}]}).raise_for_status()
        assert c.delete("/associations/resources/lkc-1/gone").status_code == 204
        before = c.get("/subjects/orders-value/versions/1").json()
        assoc_before = c.get("/associations/subjects/orders-value").json()
    fresh_registry.stop()
    fresh_registry.start()
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=10) as c:
        after = c.get("/subjects/orders-value/versions/1").json()
        assert after["metadata"] == {"properties": {"env": "prod", "owner": "o"}}
        assert after["ruleSet"] == before["ruleSet"] and after["guid"] == before["guid"]
        assert c.get("/config").json()["defaultMetadata"] == {"properties": {"env": "prod"}}
        assert c.get("/associations/subjects/orders-value").json() == assoc_before
        assert [a["resourceName"] for a in assoc_before] == ["orders"]
        assert c.get("/subjects/orders-value/metadata", params={"key": "owner", "value": "o"}).json()["version"] == 1
