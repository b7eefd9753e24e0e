"""HTTP tests for /config and /mode (global and per subject), following Confluent's behaviour.

Anything that changes the GLOBAL config or mode, or uses IMPORT mode, runs on `fresh_registry`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from support.http import check_error

V1 = "application/vnd.schemaregistry.v1+json"
LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"]


def schema(name: str, *extra: str) -> str:
    fields = [{"name": "a", "type": "int"}] + [{"name": f, "type": "int", "default": 0} for f in extra]
    return json.dumps({"type": "record", "name": name, "fields": fields})


@pytest.fixture
def fresh(fresh_registry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as c:
        yield c




def register(c: httpx.Client, subject: str, s: str, params: dict | None = None, **extra: object) -> httpx.Response:
    return c.post(f"/subjects/{subject}/versions", params=params, json={"schema": s, **extra})


# --- config -------------------------------------------------------------------------------


def test_global_config_default_put_delete(fresh: httpx.Client) -> None:
    assert fresh.get("/config").json()["compatibilityLevel"] == "BACKWARD"
    r = fresh.put("/config", json={"compatibility": "FULL"})
    assert r.status_code == 200 and r.json() == {"compatibility": "FULL"}
    assert fresh.get("/config").json()["compatibilityLevel"] == "FULL"
    r = fresh.delete("/config")
    assert r.status_code == 200 and r.json()["compatibilityLevel"] == "FULL"
    assert fresh.get("/config").json()["compatibilityLevel"] == "BACKWARD"


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_accepted_case_insensitively(http: httpx.Client, subject: str, level: str) -> None:
    r = http.put(f"/config/{subject}", json={"compatibility": level.lower()})
    assert r.status_code == 200, r.text
    assert r.json()["compatibility"].upper() == level
    assert http.get(f"/config/{subject}").json()["compatibilityLevel"] == level


@pytest.mark.parametrize("bad", ["SOMETIMES", "", "BACKWARDS", "FULL TRANSITIVE"])
def test_invalid_level(http: httpx.Client, subject: str, bad: str) -> None:
    check_error(http.put(f"/config/{subject}", json={"compatibility": bad}), 422, 42203)
    check_error(http.get(f"/config/{subject}"), 404, 40408)


def test_subject_config_lifecycle(http: httpx.Client, subject: str) -> None:
    body = check_error(http.get(f"/config/{subject}"), 404, 40408)
    assert subject in body["message"]
    glob = http.get("/config").json()["compatibilityLevel"]
    r = http.get(f"/config/{subject}", params={"defaultToGlobal": "true"})
    assert r.status_code == 200 and r.json()["compatibilityLevel"] == glob
    # a config can be set for a subject that has no schemas yet
    r = http.put(f"/config/{subject}", json={"compatibility": "FORWARD_TRANSITIVE"})
    assert r.status_code == 200 and r.json() == {"compatibility": "FORWARD_TRANSITIVE"}
    assert http.get(f"/config/{subject}").json()["compatibilityLevel"] == "FORWARD_TRANSITIVE"
    r = http.get(f"/config/{subject}", params={"defaultToGlobal": "true"})
    assert r.json()["compatibilityLevel"] == "FORWARD_TRANSITIVE"
    r = http.delete(f"/config/{subject}")
    assert r.status_code == 200 and r.json()["compatibilityLevel"] == "FORWARD_TRANSITIVE"
    check_error(http.get(f"/config/{subject}"), 404, 40408)


def test_delete_unset_subject_config(http: httpx.Client, subject: str) -> None:
    r = http.delete(f"/config/{subject}")
    assert r.status_code == 404, r.text
    assert r.json()["error_code"] in (40401, 40408)


def test_subject_config_governs_registration(http: httpx.Client, subject: str) -> None:
    assert register(http, subject, schema("C")).status_code == 200
    changed = json.dumps({"type": "record", "name": "C", "fields": [{"name": "a", "type": "string"}]})
    check_error(register(http, subject, changed), 409, 40901)
    http.put(f"/config/{subject}", json={"compatibility": "NONE"})
    assert register(http, subject, changed).status_code == 200


def test_global_config_governs_subjects_without_own(fresh: httpx.Client) -> None:
    assert register(fresh, "s", schema("G")).status_code == 200
    fields = [{"name": "a", "type": "int"}, {"name": "n", "type": "int"}]
    new_field = json.dumps({"type": "record", "name": "G", "fields": fields})
    fresh.put("/config", json={"compatibility": "FORWARD"})
    r = fresh.post("/compatibility/subjects/s/versions/latest", json={"schema": new_field})
    assert r.status_code == 200 and r.json()["is_compatible"] is True
    fresh.put("/config", json={"compatibility": "BACKWARD"})
    r = fresh.post("/compatibility/subjects/s/versions/latest", json={"schema": new_field})
    assert r.json()["is_compatible"] is False


# --- mode ---------------------------------------------------------------------------------


def test_global_mode_default_and_invalid(fresh: httpx.Client) -> None:
    assert fresh.get("/mode").json() == {"mode": "READWRITE"}
    check_error(fresh.put("/mode", json={"mode": "WRITEONLY"}), 422, 42204)
    assert fresh.get("/mode").json() == {"mode": "READWRITE"}


def test_subject_mode_lifecycle(http: httpx.Client, subject: str) -> None:
    check_error(http.get(f"/mode/{subject}"), 404, 40409)
    r = http.get(f"/mode/{subject}", params={"defaultToGlobal": "true"})
    assert r.status_code == 200 and r.json() == {"mode": "READWRITE"}
    check_error(http.put(f"/mode/{subject}", json={"mode": "SOMETIMES"}), 422, 42204)
    r = http.put(f"/mode/{subject}", json={"mode": "READONLY"})
    assert r.status_code == 200 and r.json() == {"mode": "READONLY"}
    assert http.get(f"/mode/{subject}").json() == {"mode": "READONLY"}
    r = http.delete(f"/mode/{subject}")
    assert r.status_code == 200 and r.json() == {"mode": "READONLY"}
    check_error(http.get(f"/mode/{subject}"), 404, 40409)


def test_readonly_subject_blocks_writes(http: httpx.Client, subject: str) -> None:
    assert register(http, subject, schema("RO")).status_code == 200
    http.put(f"/mode/{subject}", json={"mode": "READONLY"})
    check_error(register(http, subject, schema("RO", "b")), 422, 42205)
    check_error(http.delete(f"/subjects/{subject}/versions/1"), 422, 42205)
    check_error(http.delete(f"/subjects/{subject}"), 422, 42205)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    # reads and lookups still work
    assert http.post(f"/subjects/{subject}", json={"schema": schema("RO")}).status_code == 200
    http.put(f"/mode/{subject}", json={"mode": "READWRITE"})
    assert register(http, subject, schema("RO", "b")).status_code == 200


def test_global_readonly_vs_subject_readwrite(fresh: httpx.Client) -> None:
    assert register(fresh, "s", schema("M")).status_code == 200
    assert fresh.put("/mode", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    check_error(register(fresh, "s", schema("M", "b")), 422, 42205)
    check_error(register(fresh, "other", schema("M")), 422, 42205)
    fresh.put("/mode/s", json={"mode": "READWRITE"})
    assert register(fresh, "s", schema("M", "b")).status_code == 200  # subject mode wins


def test_readonly_override_beats_subject_mode(fresh: httpx.Client) -> None:
    assert register(fresh, "s", schema("O")).status_code == 200
    fresh.put("/mode/s", json={"mode": "READWRITE"})
    r = fresh.put("/mode", json={"mode": "READONLY_OVERRIDE"})
    assert r.status_code == 200, r.text
    check_error(register(fresh, "s", schema("O", "b")), 422, 42205)
    check_error(fresh.delete("/subjects/s"), 422, 42205)


def test_import_mode_requires_empty_registry(fresh: httpx.Client) -> None:
    assert register(fresh, "s", schema("I")).status_code == 200
    body = check_error(fresh.put("/mode", json={"mode": "IMPORT"}), 422, 42205)
    assert "existing" in body["message"].lower()
    assert fresh.get("/mode").json() == {"mode": "READWRITE"}
    r = fresh.put("/mode", params={"force": "true"}, json={"mode": "IMPORT"})
    assert r.status_code == 200 and r.json() == {"mode": "IMPORT"}


def test_subject_import_mode_requires_empty_subject(http: httpx.Client, subject: str) -> None:
    assert register(http, subject, schema("SI")).status_code == 200
    check_error(http.put(f"/mode/{subject}", json={"mode": "IMPORT"}), 422, 42205)
    check_error(http.get(f"/mode/{subject}"), 404, 40409)
    r = http.put(f"/mode/{subject}?force=true", json={"mode": "IMPORT"})
    assert r.status_code == 200 and r.json() == {"mode": "IMPORT"}
    empty = subject + "-empty"
    assert http.put(f"/mode/{empty}", json={"mode": "IMPORT"}).json() == {"mode": "IMPORT"}


def test_import_keeps_id_and_version_then_readwrite_allocates_higher(fresh: httpx.Client) -> None:
    assert fresh.put("/mode", json={"mode": "IMPORT"}).status_code == 200
    r = register(fresh, "imp", schema("Imp"), id=100, version=3)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == 100
    r = register(fresh, "imp", schema("Imp", "b"), id=57, version=5)
    assert r.status_code == 200 and r.json()["id"] == 57
    assert fresh.get("/subjects/imp/versions").json() == [3, 5]
    got = fresh.get("/subjects/imp/versions/3").json()
    assert (got["id"], got["version"]) == (100, 3)
    assert fresh.get("/schemas/ids/100").json()["schema"] == fresh.get("/subjects/imp/versions/3/schema").text
    # IMPORT skips compatibility checks
    incompatible = json.dumps({"type": "record", "name": "Imp", "fields": [{"name": "a", "type": "string"}]})
    assert register(fresh, "imp", incompatible, id=101, version=6).status_code == 200
    assert fresh.put("/mode", json={"mode": "READWRITE"}).status_code == 200
    r = register(fresh, "fresh-subject", schema("Brand", "new"))
    assert r.status_code == 200 and r.json()["id"] > 101
    fields = [{"name": "a", "type": "string"}, {"name": "z", "type": "int", "default": 1}]
    r = register(fresh, "imp", json.dumps({"type": "record", "name": "Imp", "fields": fields}))
    assert r.status_code == 200
    assert fresh.get("/subjects/imp/versions/latest").json()["version"] == 7


def test_import_id_conflict_is_refused(fresh: httpx.Client) -> None:
    fresh.put("/mode", json={"mode": "IMPORT"})
    assert register(fresh, "a", schema("A1"), id=10, version=1).status_code == 200
    # the same id cannot name a different schema
    r = register(fresh, "b", schema("B1"), id=10, version=1)
    assert r.status_code in (409, 422), r.text
    assert r.json()["error_code"] in (42205, 42207)
    assert fresh.get("/schemas/ids/10").json()["schema"] == fresh.get("/subjects/a/versions/1/schema").text


def test_delete_global_mode(fresh: httpx.Client) -> None:
    fresh.put("/mode", json={"mode": "READONLY"})
    r = fresh.delete("/mode")
    assert r.status_code == 200 and r.json() == {"mode": "READONLY"}
    assert fresh.get("/mode").json() == {"mode": "READWRITE"}


def test_config_extra_fields_round_trip(http: httpx.Client, subject: str) -> None:
    r = http.put(f"/config/{subject}", json={"compatibility": "FULL", "normalize": True})
    assert r.status_code == 200, r.text
    assert r.json()["compatibility"] == "FULL" and r.json().get("normalize") is True
    assert http.get(f"/config/{subject}").json() == {"compatibilityLevel": "FULL", "normalize": True}
