"""HTTP tests for the root, /schemas/* and /subjects listing endpoints (Confluent behaviour).

Exact listings use `fresh_registry` so that no other test's subjects leak in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from support.http import check_error

V1 = "application/vnd.schemaregistry.v1+json"


def record(name: str, *fields: str) -> str:
    return json.dumps(
        {"type": "record", "name": name, "fields": [{"name": f, "type": "int"} for f in fields]},
        separators=(",", ":"),
    )


S1 = record("One", "a")
S2 = record("Two", "a")
S3 = record("Three", "a")


@pytest.fixture
def fresh(fresh_registry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as c:
        yield c


def reg(c: httpx.Client, subject: str, schema: str) -> int:
    r = c.post(f"/subjects/{subject}/versions", json={"schema": schema})
    assert r.status_code == 200, r.text
    return r.json()["id"]




def test_root_get_and_post(http: httpx.Client) -> None:
    r = http.get("/")
    assert r.status_code == 200 and r.json() == {}
    r = http.post("/", content=b"{}")
    assert r.status_code == 200 and r.json() == {}


def test_schema_types(http: httpx.Client) -> None:
    r = http.get("/schemas/types")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(V1)
    types = r.json()
    # Confluent lists JSON, PROTOBUF, AVRO; Charter lists the formats it has, in that order.
    assert "AVRO" in types
    assert types == [t for t in ["JSON", "PROTOBUF", "AVRO"] if t in types]


def test_every_listed_type_can_be_registered_and_others_are_refused(http: httpx.Client, subject: str) -> None:
    trivial = {"AVRO": '"string"', "JSON": '{"type":"string"}', "PROTOBUF": 'syntax = "proto3"; message M {}'}
    listed = http.get("/schemas/types").json()
    for schema_type, text in trivial.items():
        r = http.post(f"/subjects/{subject}-{schema_type}/versions", json={"schema": text, "schemaType": schema_type})
        if schema_type in listed:
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 422 and r.json()["error_code"] == 42201


def test_schema_by_id(http: httpx.Client, subject: str) -> None:
    sid = reg(http, subject, S1)
    r = http.get(f"/schemas/ids/{sid}")
    assert r.status_code == 200
    body = r.json()
    assert body["schema"] == S1
    assert body.get("schemaType", "AVRO") == "AVRO"
    assert not body.get("references")
    assert "subject" not in body and "version" not in body
    raw = http.get(f"/schemas/ids/{sid}/schema")
    assert raw.status_code == 200 and raw.text == S1
    assert http.get(f"/schemas/ids/{sid}/subjects").json() == [subject]
    assert http.get(f"/schemas/ids/{sid}/versions").json() == [{"subject": subject, "version": 1}]


def test_schema_id_missing(http: httpx.Client) -> None:
    body = check_error(http.get("/schemas/ids/987654321"), 404, 40403)
    assert body["message"] == "Schema 987654321 not found"
    check_error(http.get("/schemas/ids/987654321/schema"), 404, 40403)
    check_error(http.get("/schemas/ids/987654321/subjects"), 404, 40403)
    check_error(http.get("/schemas/ids/987654321/versions"), 404, 40403)


def test_schema_id_not_an_int(http: httpx.Client) -> None:
    r = http.get("/schemas/ids/abc")
    assert r.status_code == 404, r.text
    assert r.json()["error_code"] in (404, 40403)


def test_schema_id_still_resolvable_after_soft_delete(http: httpx.Client, subject: str) -> None:
    sid = reg(http, subject, record("SoftGone" + subject.replace("-", "_"), "z"))
    assert http.delete(f"/subjects/{subject}").status_code == 200
    r = http.get(f"/schemas/ids/{sid}")
    assert r.status_code == 200, "consumers must still resolve ids of soft-deleted schemas"
    assert http.get(f"/schemas/ids/{sid}/subjects", params={"deleted": "true"}).json() == [subject]
    vs = http.get(f"/schemas/ids/{sid}/versions", params={"deleted": "true"}).json()
    assert vs == [{"subject": subject, "version": 1}]


def test_fetch_max_id(fresh: httpx.Client) -> None:
    first = reg(fresh, "a-value", S1)
    reg(fresh, "b-value", S2)
    last = reg(fresh, "c-value", S3)
    assert (first, last) == (1, 3)  # ids start at 1 and grow by one
    body = fresh.get(f"/schemas/ids/{first}", params={"fetchMaxId": "true"}).json()
    assert body["maxId"] == last
    assert "maxId" not in fresh.get(f"/schemas/ids/{first}").json()


def test_schemas_listing(fresh: httpx.Client) -> None:
    reg(fresh, "a-value", S1)
    reg(fresh, "a-value", S1.replace('}]}', '},{"name":"b","type":"int","default":0}]}'))
    reg(fresh, "b-key", S3)
    r = fresh.get("/schemas")
    assert r.status_code == 200
    items = r.json()
    assert sorted((x["subject"], x["version"]) for x in items) == [("a-value", 1), ("a-value", 2), ("b-key", 1)]
    for x in items:
        assert isinstance(x["id"], int) and isinstance(x["schema"], str)
        assert x.get("schemaType", "AVRO") == "AVRO"
    latest = fresh.get("/schemas", params={"latestOnly": "true"}).json()
    assert sorted((x["subject"], x["version"]) for x in latest) == [("a-value", 2), ("b-key", 1)]
    pref = fresh.get("/schemas", params={"subjectPrefix": "b-"}).json()
    assert [(x["subject"], x["version"]) for x in pref] == [("b-key", 1)]
    assert fresh.delete("/subjects/a-value/versions/1").status_code == 200
    live = fresh.get("/schemas").json()
    assert sorted((x["subject"], x["version"]) for x in live) == [("a-value", 2), ("b-key", 1)]
    every = fresh.get("/schemas", params={"deleted": "true"}).json()
    assert len(every) == 3


def test_schemas_listing_filters_rule_type_associations_and_aliases(fresh: httpx.Client) -> None:
    encrypt = {"domainRules": [{"name": "enc", "kind": "TRANSFORM", "type": "ENCRYPT", "mode": "WRITEREAD",
                                "tags": ["PII"], "params": {"encrypt.kek.name": "k"}}]}
    reg(fresh, "plain-value", S1)
    assert fresh.post("/subjects/secret-value/versions", json={"schema": S2, "ruleSet": encrypt}).status_code == 200
    by_rule = fresh.get("/schemas", params={"ruleType": "ENCRYPT"}).json()
    assert [(x["subject"], x["version"]) for x in by_rule] == [("secret-value", 1)]
    assert fresh.get("/schemas", params={"ruleType": "CEL"}).json() == []
    association = {"resourceName": "orders", "resourceNamespace": "lkc-1", "resourceType": "topic",
                   "associations": [{"subject": "plain-value", "associationType": "value", "lifecycle": "STRONG"}]}
    assert fresh.post("/associations", json=association).status_code == 200
    for params, expected in (
        ({"associationType": "value"}, ["plain-value"]),
        ({"associationType": "key"}, []),
        ({"resourceType": "topic", "lifecycle": "STRONG"}, ["plain-value"]),
        ({"lifecycle": "WEAK"}, []),
    ):
        assert [x["subject"] for x in fresh.get("/schemas", params=params).json()] == expected, params
    assert fresh.put("/config/orders-alias", json={"alias": "plain-value"}).status_code == 200
    without = fresh.get("/schemas", params={"subjectPrefix": "orders-"}).json()
    assert without == []
    with_aliases = fresh.get("/schemas", params={"subjectPrefix": "orders-", "aliases": "true"}).json()
    assert [(x["subject"], x["aliases"]) for x in with_aliases] == [("plain-value", ["orders-alias"])]
    assert "aliases" not in fresh.get("/schemas").json()[0]


def test_subjects_listing(fresh: httpx.Client) -> None:
    assert fresh.get("/subjects").json() == []
    for s in ("c-value", "a-value", "b-value", "bx-key"):
        reg(fresh, s, S1)
    assert fresh.get("/subjects").json() == ["a-value", "b-value", "bx-key", "c-value"]
    assert fresh.get("/subjects", params={"subjectPrefix": "b"}).json() == ["b-value", "bx-key"]
    assert fresh.get("/subjects", params={"subjectPrefix": "zzz"}).json() == []
    assert fresh.get("/subjects", params={"offset": 1, "limit": 2}).json() == ["b-value", "bx-key"]
    assert fresh.get("/subjects", params={"offset": 3}).json() == ["c-value"]
    assert fresh.get("/subjects", params={"limit": 1}).json() == ["a-value"]
    assert fresh.delete("/subjects/b-value").json() == [1]
    assert fresh.get("/subjects").json() == ["a-value", "bx-key", "c-value"]
    assert fresh.get("/subjects", params={"deleted": "true"}).json() == [
        "a-value", "b-value", "bx-key", "c-value"
    ]
    assert fresh.get("/subjects", params={"deletedOnly": "true"}).json() == ["b-value"]
    assert fresh.delete("/subjects/b-value?permanent=true").json() == [1]
    assert fresh.get("/subjects", params={"deleted": "true"}).json() == ["a-value", "bx-key", "c-value"]


def test_subject_with_only_deleted_versions_is_hidden(fresh: httpx.Client) -> None:
    reg(fresh, "x-value", S1)
    assert fresh.delete("/subjects/x-value/versions/1").json() == 1
    assert fresh.get("/subjects").json() == []
    assert fresh.get("/subjects", params={"deleted": "true"}).json() == ["x-value"]
    check_error(fresh.get("/subjects/x-value/versions"), 404, 40401)
    check_error(fresh.get("/subjects/x-value/versions/latest"), 404, 40401)


def test_schema_ids_subjects_excludes_deleted_by_default(fresh: httpx.Client) -> None:
    sid = reg(fresh, "a-value", S1)
    assert reg(fresh, "b-value", S1) == sid
    fresh.delete("/subjects/a-value")
    assert fresh.get(f"/schemas/ids/{sid}/subjects").json() == ["b-value"]
    assert fresh.get(f"/schemas/ids/{sid}/subjects", params={"deleted": "true"}).json() == [
        "a-value", "b-value"
    ]
    assert fresh.get(f"/schemas/ids/{sid}/versions").json() == [{"subject": "b-value", "version": 1}]


def test_register_response_is_json_object(fresh: httpx.Client) -> None:
    r = fresh.post("/subjects/t-value/versions", json={"schema": S2})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(V1)
    body = r.json()
    assert set(body) >= {"id"}
    assert json.loads(fresh.get(f"/schemas/ids/{body['id']}").json()["schema"]) == json.loads(S2)
