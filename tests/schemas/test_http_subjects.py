"""HTTP tests for subjects and versions, driven by Confluent Schema Registry's behaviour.

Covers POST /subjects/{s}/versions (register), POST /subjects/{s} (lookup), GET/DELETE of
subjects and versions (soft then permanent), version-id parsing (`latest`, -1, invalid values),
raw `/schema` text, schema identity (id reuse across subjects, re-registration, ids never reused)
and subject names with '/' and other odd characters.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from support.http import check_error, compact

VERSION_ERR = 'Allowed values are between [1, 2^31-1] and the string "latest"'




def record(name: str, *fields: dict) -> str:
    return compact({"type": "record", "name": name, "fields": list(fields)})


def fld(name: str, type_: object, **kw: object) -> dict:
    return {"name": name, "type": type_, **kw}


A = record("R", fld("a", "int"))
B = record("R", fld("a", "int"), fld("b", "string", default=""))
C = record("R", fld("a", "int"), fld("b", "string", default=""), fld("c", "long", default=0))


def p(subject: str) -> str:
    return quote(subject, safe="")


def register(http: httpx.Client, subject: str, schema: str, **extra: object) -> httpx.Response:
    return http.post(f"/subjects/{p(subject)}/versions", json={"schema": schema, **extra})


def reg_id(http: httpx.Client, subject: str, schema: str) -> int:
    r = register(http, subject, schema)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["id"], int) and body["id"] > 0
    return body["id"]




def versions(http: httpx.Client, subject: str, **params: str) -> httpx.Response:
    return http.get(f"/subjects/{p(subject)}/versions", params=params)


# --- register and fetch -------------------------------------------------------------------


def test_register_returns_id_and_version_is_fetchable(http: httpx.Client, subject: str) -> None:
    r = register(http, subject, json.dumps(json.loads(A), indent=2))
    assert r.status_code == 200, r.text
    body = r.json()
    sid = body["id"]
    assert isinstance(sid, int)
    if "version" in body:
        assert body["version"] == 1
    got = http.get(f"/subjects/{subject}/versions/1")
    assert got.status_code == 200
    g = got.json()
    assert (g["subject"], g["version"], g["id"]) == (subject, 1, sid)
    assert g.get("schemaType", "AVRO") == "AVRO"
    assert g["schema"] == A  # canonical compact form, whitespace gone
    assert not g.get("references")


def test_register_primitive_schema(http: httpx.Client, subject: str) -> None:
    sid = reg_id(http, subject, '"string"')
    g = http.get(f"/schemas/ids/{sid}").json()
    assert g["schema"] == '"string"'


@pytest.mark.parametrize("ver", ["latest", "-1"])
def test_latest_and_minus_one(http: httpx.Client, subject: str, ver: str) -> None:
    reg_id(http, subject, A)
    sid = reg_id(http, subject, B)
    g = http.get(f"/subjects/{subject}/versions/{ver}").json()
    assert (g["version"], g["id"], g["schema"]) == (2, sid, B)


@pytest.mark.parametrize("ver", ["abc", "0", "-2", "2147483648", "1.5"])
def test_invalid_version_ids(http: httpx.Client, subject: str, ver: str) -> None:
    reg_id(http, subject, A)
    body = check_error(http.get(f"/subjects/{subject}/versions/{ver}"), 422, 42202)
    assert VERSION_ERR in body["message"]
    check_error(http.delete(f"/subjects/{subject}/versions/{ver}"), 422, 42202)
    check_error(http.get(f"/subjects/{subject}/versions/{ver}/schema"), 422, 42202)


def test_max_int_version_is_valid_but_missing(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    body = check_error(http.get(f"/subjects/{subject}/versions/2147483647"), 404, 40402)
    assert body["message"] == "Version 2147483647 not found."


def test_missing_subject_and_version(http: httpx.Client, subject: str) -> None:
    body = check_error(http.get(f"/subjects/{subject}/versions"), 404, 40401)
    assert body["message"] == f"Subject '{subject}' not found."
    check_error(http.get(f"/subjects/{subject}/versions/1"), 404, 40401)
    check_error(http.get(f"/subjects/{subject}/versions/latest"), 404, 40401)
    check_error(http.delete(f"/subjects/{subject}"), 404, 40401)
    check_error(http.delete(f"/subjects/{subject}/versions/1"), 404, 40401)
    reg_id(http, subject, A)
    check_error(http.get(f"/subjects/{subject}/versions/7"), 404, 40402)
    check_error(http.delete(f"/subjects/{subject}/versions/7"), 404, 40402)


def test_raw_schema_endpoint(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    for ver in ("1", "latest"):
        r = http.get(f"/subjects/{subject}/versions/{ver}/schema")
        assert r.status_code == 200
        assert r.text == A  # the raw text, not a JSON string literal
    check_error(http.get(f"/subjects/{subject}/versions/2/schema"), 404, 40402)


# --- lookup -------------------------------------------------------------------------------


def test_lookup(http: httpx.Client, subject: str) -> None:
    check_error(http.post(f"/subjects/{subject}", json={"schema": A}), 404, 40401)
    sid = reg_id(http, subject, A)
    spaced = json.dumps(json.loads(A), indent=4)
    r = http.post(f"/subjects/{subject}", json={"schema": spaced})
    assert r.status_code == 200, r.text
    g = r.json()
    assert (g["subject"], g["version"], g["id"], g["schema"]) == (subject, 1, sid, A)
    check_error(http.post(f"/subjects/{subject}", json={"schema": B}), 404, 40403)


def test_lookup_soft_deleted(http: httpx.Client, subject: str) -> None:
    sid = reg_id(http, subject, A)
    reg_id(http, subject, B)
    assert http.delete(f"/subjects/{subject}/versions/1").json() == 1
    check_error(http.post(f"/subjects/{subject}", json={"schema": A}), 404, 40403)
    r = http.post(f"/subjects/{subject}", params={"deleted": "true"}, json={"schema": A})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["id"]) == (1, sid)
    assert http.delete(f"/subjects/{subject}").json() == [2]
    check_error(http.post(f"/subjects/{subject}", json={"schema": B}), 404, 40401)
    r = http.post(f"/subjects/{subject}?deleted=true", json={"schema": B})
    assert r.status_code == 200 and r.json()["version"] == 2


# --- versions listing and deletion --------------------------------------------------------


def test_versions_listing_with_deleted_flags(http: httpx.Client, subject: str) -> None:
    for s in (A, B, C):
        reg_id(http, subject, s)
    assert versions(http, subject).json() == [1, 2, 3]
    assert http.delete(f"/subjects/{subject}/versions/2").json() == 2
    assert versions(http, subject).json() == [1, 3]
    assert versions(http, subject, deleted="true").json() == [1, 2, 3]
    assert versions(http, subject, deletedOnly="true").json() == [2]
    assert versions(http, subject, deleted="true", deletedAsNegative="true").json() == [1, -2, 3]
    check_error(http.get(f"/subjects/{subject}/versions/2"), 404, 40402)
    r = http.get(f"/subjects/{subject}/versions/2", params={"deleted": "true"})
    assert r.status_code == 200 and r.json()["schema"] == B


def test_version_delete_soft_then_permanent(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    reg_id(http, subject, B)
    check_error(http.delete(f"/subjects/{subject}/versions/1?permanent=true"), 404, 40407)
    assert http.delete(f"/subjects/{subject}/versions/1").json() == 1
    assert http.delete(f"/subjects/{subject}/versions/1?permanent=true").json() == 1
    assert versions(http, subject, deleted="true").json() == [2]
    check_error(http.get(f"/subjects/{subject}/versions/1?deleted=true"), 404, 40402)


def test_version_soft_delete_twice_is_40406(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    reg_id(http, subject, B)
    assert http.delete(f"/subjects/{subject}/versions/1").json() == 1
    check_error(http.delete(f"/subjects/{subject}/versions/1"), 404, 40406)


def test_delete_latest_version(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    reg_id(http, subject, B)
    r = http.delete(f"/subjects/{subject}/versions/latest")
    assert r.status_code == 200 and r.json() == 2
    assert http.get(f"/subjects/{subject}/versions/latest").json()["version"] == 1


def test_subject_delete_soft_then_permanent(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    reg_id(http, subject, B)
    check_error(http.delete(f"/subjects/{subject}?permanent=true"), 404, 40405)
    r = http.delete(f"/subjects/{subject}")
    assert r.status_code == 200 and r.json() == [1, 2]
    check_error(http.delete(f"/subjects/{subject}"), 404, 40404)
    check_error(http.get(f"/subjects/{subject}/versions"), 404, 40401)
    assert subject not in http.get("/subjects").json()
    assert subject in http.get("/subjects", params={"deleted": "true"}).json()
    assert versions(http, subject, deleted="true").json() == [1, 2]
    r = http.delete(f"/subjects/{subject}", params={"permanent": "true"})
    assert r.status_code == 200 and r.json() == [1, 2]
    check_error(http.get(f"/subjects/{subject}/versions", params={"deleted": "true"}), 404, 40401)
    assert subject not in http.get("/subjects", params={"deleted": "true"}).json()
    check_error(http.delete(f"/subjects/{subject}?permanent=true"), 404, 40401)


# --- identity -----------------------------------------------------------------------------


def test_same_schema_two_subjects_same_id(http: httpx.Client, subject: str) -> None:
    other = subject + "-other"
    mine = record("Shared" + subject.replace("-", "_"), fld("a", "int"))
    sid = reg_id(http, subject, mine)
    assert reg_id(http, other, mine) == sid
    got = http.get(f"/schemas/ids/{sid}/versions").json()
    assert sorted((x["subject"], x["version"]) for x in got) == sorted([(subject, 1), (other, 1)])


def test_reregister_is_idempotent(http: httpx.Client, subject: str) -> None:
    sid = reg_id(http, subject, A)
    assert reg_id(http, subject, A) == sid
    assert reg_id(http, subject, json.dumps(json.loads(A), indent=1)) == sid
    assert versions(http, subject).json() == [1]
    # re-registering an older version does not create a new version either
    reg_id(http, subject, B)
    assert reg_id(http, subject, A) == sid
    assert versions(http, subject).json() == [1, 2]


def test_soft_deleted_then_reregistered(http: httpx.Client, subject: str) -> None:
    sid = reg_id(http, subject, A)
    assert http.delete(f"/subjects/{subject}/versions/1").json() == 1
    assert reg_id(http, subject, A) == sid
    assert versions(http, subject).json() == [2]
    assert versions(http, subject, deleted="true").json() == [1, 2]


def test_version_numbers_continue_after_soft_delete(http: httpx.Client, subject: str) -> None:
    reg_id(http, subject, A)
    reg_id(http, subject, B)
    assert http.delete(f"/subjects/{subject}").json() == [1, 2]
    reg_id(http, subject, C)
    assert versions(http, subject).json() == [3]


def test_ids_not_reused_after_permanent_delete(http: httpx.Client, subject: str) -> None:
    unique = record("Unique" + subject.replace("-", "_"), fld("x", "int"))
    sid = reg_id(http, subject, unique)
    http.delete(f"/subjects/{subject}")
    assert http.delete(f"/subjects/{subject}?permanent=true").status_code == 200
    other = record("Other" + subject.replace("-", "_"), fld("y", "int"))
    assert reg_id(http, subject, other) > sid
    assert versions(http, subject).json() == [1]


# --- odd subject names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", ["a/b", "with space", "dots.and_under", "ünïcödé", "per%cent", "plus+sign", "q?mark#hash"]
)
def test_odd_subject_names(http: httpx.Client, subject: str, suffix: str) -> None:
    name = f"{subject}-{suffix}"
    sid = reg_id(http, name, A)
    assert name in http.get("/subjects").json()
    g = http.get(f"/subjects/{p(name)}/versions/1").json()
    assert (g["subject"], g["id"]) == (name, sid)
    r = http.post(f"/subjects/{p(name)}", json={"schema": A})
    assert r.status_code == 200 and r.json()["subject"] == name
    assert name in http.get(f"/schemas/ids/{sid}/subjects").json()
    assert http.delete(f"/subjects/{p(name)}").json() == [1]


def test_subject_with_control_character_is_invalid(http: httpx.Client, subject: str) -> None:
    check_error(register(http, subject + "\x01", A), 422, 42208)


@pytest.mark.parametrize(
    "extra",
    [
        {"schemaType": "AVRO", "references": []},
        {"schemaType": None, "references": None, "metadata": None, "ruleSet": None},
        {"metadata": {"properties": {"owner": "me"}}, "ruleSet": {"domainRules": []}},
        {"someFutureField": {"x": 1}},
    ],
)
def test_client_body_shapes_accepted(http: httpx.Client, subject: str, extra: dict) -> None:
    headers = {
        "Accept": "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json",
        "Confluent-Accept-Unknown-Properties": "true",
    }
    r = http.post(f"/subjects/{subject}/versions", json={"schema": A, **extra}, headers=headers)
    assert r.status_code == 200, r.text
    r = http.post(f"/subjects/{subject}?normalize=false&deleted=true", json={"schema": A, **extra}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1
