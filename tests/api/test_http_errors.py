"""HTTP tests for bad input, error shapes and content negotiation (Confluent behaviour).

Every bad request must get a clean `{"error_code": int, "message": str}` body, never a 500 and
never a traceback, and a refused write must leave the registry state unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from support.http import check_error
from support.process import RegistryProcess

V1 = "application/vnd.schemaregistry.v1+json"
GOOD = json.dumps({"type": "record", "name": "Good", "fields": [{"name": "a", "type": "int"}]})


def snapshot(http: httpx.Client, subject: str) -> tuple:
    return (
        http.get("/subjects", params={"deleted": "true"}).json(),
        http.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json(),
        http.get("/config").json(),
        http.get("/mode").json(),
        http.get(f"/subjects/{subject}/versions/latest").json(),
    )


# --- malformed bodies ---------------------------------------------------------------------

MALFORMED = [b"{", b"{'schema': 'x'}", b"not json", b'{"schema": "\\"string\\""', b"\xff\xfe"]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_json_register(http: httpx.Client, subject: str, body: bytes) -> None:
    check_error(http.post(f"/subjects/{subject}/versions", content=body), 400, 400)


@pytest.mark.parametrize(
    "path", ["/subjects/{s}", "/compatibility/subjects/{s}/versions/latest", "/config", "/mode"]
)
def test_malformed_json_other_endpoints(http: httpx.Client, subject: str, path: str) -> None:
    method = http.put if path in ("/config", "/mode") else http.post
    check_error(method(path.format(s=subject), content=b"{oops"), 400, 400)


def test_empty_body_register(http: httpx.Client, subject: str) -> None:
    r = http.post(f"/subjects/{subject}/versions", content=b"")
    assert r.status_code in (400, 422), r.text
    check_error(r, r.status_code, (400, 42201))


@pytest.mark.parametrize("body", ["[1, 2]", '"schema"', "42", "null"])
def test_body_not_an_object(http: httpx.Client, subject: str, body: str) -> None:
    r = http.post(f"/subjects/{subject}/versions", content=body.encode())
    if body == "null":  # Jackson maps a JSON null body to a null request: "Empty schema"
        check_error(r, r.status_code, (400, 42201))
        assert r.status_code in (400, 422)
    else:
        check_error(r, 400, 400)


def test_schema_missing(http: httpx.Client, subject: str) -> None:
    check_error(http.post(f"/subjects/{subject}/versions", json={"schemaType": "AVRO"}), 422, 42201)
    check_error(http.post(f"/subjects/{subject}/versions", json={}), 422, 42201)


@pytest.mark.parametrize("value", [{"type": "string"}, ["string"]])
def test_schema_not_a_string(http: httpx.Client, subject: str, value: object) -> None:
    """Jackson refuses an object or array for a String property (400, JsonMappingExceptionMapper);
    numbers and booleans are read as their text (tests/api/test_confluent_http_edge.py)."""
    check_error(http.post(f"/subjects/{subject}/versions", json={"schema": value}), 400, 400)


def test_references_not_a_list(http: httpx.Client, subject: str) -> None:
    r = http.post(f"/subjects/{subject}/versions", json={"schema": GOOD, "references": "nope"})
    check_error(r, 400, 400)


def test_config_body_is_a_list(http: httpx.Client, subject: str) -> None:
    check_error(http.put(f"/config/{subject}", content=b'["FULL"]'), 400, 400)


def test_unknown_schema_type(http: httpx.Client, subject: str) -> None:
    r = http.post(f"/subjects/{subject}/versions", json={"schema": GOOD, "schemaType": "XML"})
    check_error(r, 422, 42201)


@pytest.mark.parametrize(
    "schema",
    [
        "not json at all",
        '{"type": "record"}',
        '{"type": "record", "name": "X", "fields": [{"name": "a"}]}',
        '{"type": "nosuchtype"}',
        '{"type": "enum", "name": "E", "symbols": ["A", "A"]}',
        '{"type": "record", "name": "X", "fields": [{"name": "a", "type": "int", "default": "x"}]}',
        '{"type": "fixed", "name": "F"}',
        '{"type": "record", "name": "1bad", "fields": []}',
        "",
    ],
)
def test_invalid_avro(http: httpx.Client, subject: str, schema: str) -> None:
    check_error(http.post(f"/subjects/{subject}/versions", json={"schema": schema}), 422, 42201)
    # An empty schema is nothing to look up: 40401 here (tests/schemas/test_confluent_registration.py)
    check_error(http.post(f"/subjects/{subject}", json={"schema": schema}), *((422, 42201) if schema else (404, 40401)))


# --- routing and negotiation --------------------------------------------------------------


def test_unknown_route(http: httpx.Client) -> None:
    body = check_error(http.get("/no/such/route"), 404, 404)
    assert body["message"]
    check_error(http.get("/subjects/x/versions/1/nonsense"), 404, 404)


@pytest.mark.parametrize(
    ("method", "path"), [("DELETE", "/schemas/types"), ("PUT", "/subjects"), ("POST", "/schemas/ids/1")]
)
def test_wrong_method(http: httpx.Client, method: str, path: str) -> None:
    check_error(http.request(method, path, content=b"{}"), 405, 405)


def test_wrong_content_type(http: httpx.Client, subject: str) -> None:
    r = http.post(
        f"/subjects/{subject}/versions",
        content=json.dumps({"schema": GOOD}).encode(),
        headers={"Content-Type": "text/plain"},
    )
    check_error(r, 415, 415)
    assert http.get(f"/subjects/{subject}/versions").status_code == 404


@pytest.mark.parametrize(
    "ctype", ["application/json", "application/octet-stream", "application/vnd.schemaregistry+json"]
)
def test_accepted_request_content_types(http: httpx.Client, subject: str, ctype: str) -> None:
    r = http.post(
        f"/subjects/{subject}/versions",
        content=json.dumps({"schema": GOOD}).encode(),
        headers={"Content-Type": ctype},
    )
    assert r.status_code == 200, r.text


def test_unacceptable_accept(http: httpx.Client) -> None:
    check_error(http.get("/subjects", headers={"Accept": "text/html"}), 406, 406)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, V1),
        ("*/*", V1),
        ("application/json", "application/json"),
        ("application/vnd.schemaregistry+json", "application/vnd.schemaregistry+json"),
        (V1, V1),
        ("application/json, application/vnd.schemaregistry.v1+json", V1),
        ("text/html, application/json;q=0.9", "application/json"),
    ],
)
def test_content_negotiation(registry: RegistryProcess, accept: str | None, expected: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    r = httpx.get(registry.url + "/config", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0].strip() == expected
    assert "compatibilityLevel" in r.json()


def test_error_responses_use_negotiated_type(http: httpx.Client) -> None:
    r = http.get("/subjects/definitely-missing-subject-xyz/versions")
    assert r.headers["content-type"].split(";")[0] == V1
    r = http.get("/subjects/definitely-missing-subject-xyz/versions", headers={"Accept": "application/json"})
    assert r.headers["content-type"].split(";")[0] == "application/json"


# --- size limits --------------------------------------------------------------------------


def test_oversized_request_and_schema(tmp_path: Path) -> None:
    srv = RegistryProcess(tmp_path / "data", extra=["--max-schema-bytes", "2000", "--max-request-bytes", "20000"])
    srv.start()
    try:
        with httpx.Client(base_url=srv.url, headers={"Content-Type": V1}, timeout=30) as c:
            doc = "d" * 3000
            big = json.dumps({"type": "record", "name": "Big", "doc": doc, "fields": []})
            check_error(c.post("/subjects/s/versions", json={"schema": big}), 422, 42209)
            huge = json.dumps({"schema": GOOD, "pad": "x" * 50000})
            check_error(c.post("/subjects/s/versions", content=huge.encode()), 413, 413)
            assert c.get("/subjects").json() == []
            assert c.post("/subjects/s/versions", json={"schema": GOOD}).status_code == 200
    finally:
        srv.stop()


# --- refused writes change nothing --------------------------------------------------------


def test_refused_writes_change_nothing(http: httpx.Client, subject: str) -> None:
    assert http.post(f"/subjects/{subject}/versions", json={"schema": GOOD}).status_code == 200
    before = snapshot(http, subject)
    incompatible = json.dumps(
        {"type": "record", "name": "Good", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]}
    )
    attempts = [
        http.post(f"/subjects/{subject}/versions", content=b"{bad"),
        http.post(f"/subjects/{subject}/versions", json={"schema": "nope"}),
        http.post(f"/subjects/{subject}/versions", json={"schema": GOOD, "schemaType": "XML"}),
        http.post(f"/subjects/{subject}/versions", json={"schema": incompatible}),
        http.post(
            f"/subjects/{subject}/versions",
            json={"schema": GOOD, "references": [{"name": "X", "subject": "nope-nope", "version": 1}]},
        ),
        http.put(f"/config/{subject}", json={"compatibility": "SOMETIMES"}),
        http.put("/config", json={"compatibility": "SOMETIMES"}),
        http.put(f"/mode/{subject}", json={"mode": "WRITEONLY"}),
        http.delete(f"/subjects/{subject}?permanent=true"),
        http.delete(f"/subjects/{subject}/versions/1?permanent=true"),
        http.delete(f"/subjects/{subject}/versions/abc"),
    ]
    for r in attempts:
        assert 400 <= r.status_code < 500, r.text
        assert "Traceback" not in r.text
        assert isinstance(r.json()["error_code"], int)
    assert snapshot(http, subject) == before
    assert http.get(f"/config/{subject}").status_code == 404
    assert http.get(f"/mode/{subject}").status_code == 404


FUZZ = [
    ("POST", "/subjects/{s}/versions", b'{"schema": null}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "\\"int\\"", "references": [{"name": 1}]}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "\\"int\\"", "references": [null]}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "\\"int\\"", "schemaType": 5}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "\\"int\\"", "version": "x"}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "\\"int\\"", "id": -5}'),
    ("POST", "/subjects/{s}/versions?normalize=maybe", b'{"schema": "\\"int\\""}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "' + b"[" * 5000 + b'"}'),
    ("POST", "/subjects/{s}/versions", b'{"schema": "{\\"type\\":\\"record\\",\\"name\\":\\"R\\",\\"fields\\":{}}"}'),
    ("PUT", "/config/{s}", b'{"compatibility": 5}'),
    ("PUT", "/config/{s}", b"{}"),
    ("PUT", "/mode/{s}", b'{"mode": null}'),
    ("PUT", "/mode/{s}", b"{}"),
    ("GET", "/subjects?offset=-1&limit=abc", None),
    ("GET", "/subjects/{s}/versions?deleted=maybe", None),
    ("GET", "/schemas/ids/99999999999999999999", None),
    ("GET", "/schemas/ids/-1", None),
    ("POST", "/compatibility/subjects/{s}/versions/latest", b'{"schema": 12}'),
    ("POST", "/compatibility/subjects/{s}/versions/latest?verbose=true", b'{"schema": "{"}'),
]


@pytest.mark.parametrize(("method", "path", "body"), FUZZ)
def test_never_a_500(http: httpx.Client, subject: str, method: str, path: str, body: bytes | None) -> None:
    r = http.request(method, path.format(s=subject), content=body)
    assert r.status_code < 500, r.text
    assert "Traceback" not in r.text and 'File "' not in r.text
    if r.status_code >= 400:
        b = r.json()
        assert isinstance(b["error_code"], int) and isinstance(b["message"], str)
