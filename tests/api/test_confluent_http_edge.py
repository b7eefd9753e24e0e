"""Confluent's answers at the HTTP edge: Jackson's reading of request bodies, Jersey's refusals.

Each test names the Confluent class or test whose behaviour it checks. Jersey and rest-utils set
the texts of 404/406/415 (``HTTP <status> <reason>``); Jackson reads a number or boolean given
for a String property as its text and detects a body's encoding from its first bytes. The 413
tests send real large bodies with httpx, requests, confluent-kafka's client and curl: each must
read the 413 JSON answer, not a reset connection.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from support.http import check_error
from support.process import RegistryProcess

V1 = "application/vnd.schemaregistry.v1+json"
GOOD = json.dumps({"type": "record", "name": "Edge", "fields": [{"name": "a", "type": "int"}]})
INVALID_LEVEL = (
    "Invalid compatibility level. Valid values are none, backward, forward, full, "
    "backward_transitive, forward_transitive, and full_transitive"
)
LIMIT = 64 * 1024
BIG = 8 * 1024 * 1024  # far over LIMIT: the client is still sending when the limit is crossed


# --- Jackson: String properties take numbers and booleans as text --------------------------


@pytest.mark.parametrize("value", [123, 1.5, True, False])
def test_schema_number_or_boolean_is_read_as_text(http: httpx.Client, subject: str, value: object) -> None:
    """RegisterSchemaRequest.schema is a String: Jackson reads ``123`` as "123", which is no Avro
    schema, so SubjectVersionsResource answers 42201 (invalid schema), not 400."""
    for path in (f"/subjects/{subject}/versions", f"/subjects/{subject}"):
        check_error(http.post(path, json={"schema": value}), 422, 42201)
    r = http.post(f"/compatibility/subjects/{subject}/versions/latest", json={"schema": value})
    assert r.status_code in (404, 422), r.text  # no subject yet (40401) or invalid schema
    assert http.get(f"/subjects/{subject}/versions").status_code == 404


def test_boolean_schema_registers_as_json_schema(http: httpx.Client, subject: str) -> None:
    """``true`` read as the text "true" is a valid JSON Schema (RegisterSchemaRequest, Jackson)."""
    r = http.post(f"/subjects/{subject}/versions", json={"schemaType": "JSON", "schema": True})
    assert r.status_code == 200, r.text
    latest = http.get(f"/subjects/{subject}/versions/latest").json()
    assert latest["schema"] == "true"
    assert latest["id"] == r.json()["id"]


def test_schema_type_number_is_text(http: httpx.Client, subject: str) -> None:
    """RegisterSchemaRequest.schemaType is a String: ``5`` is the unknown type "5" (42201)."""
    r = http.post(f"/subjects/{subject}/versions", json={"schema": GOOD, "schemaType": 5})
    body = check_error(r, 422, 42201)
    assert "5" in body["message"]


@pytest.mark.parametrize(("value", "kind"), [({"type": "string"}, "Object"), (["string"], "Array")])
def test_schema_object_or_array_is_a_mapping_error(
    http: httpx.Client, subject: str, value: object, kind: str
) -> None:
    """rest-utils' JsonMappingExceptionMapper: 400 with Jackson's message."""
    body = check_error(http.post(f"/subjects/{subject}/versions", json={"schema": value}), 400, 400)
    assert body["message"].startswith(f"Cannot deserialize value of type `java.lang.String` from {kind} value")


def test_mode_number_is_text(http: httpx.Client, subject: str) -> None:
    """ModeUpdateRequest.mode is a String: ``5`` is the unknown mode "5" (42204), an object is 400."""
    check_error(http.put(f"/mode/{subject}", json={"mode": 5}), 422, 42204)
    check_error(http.put(f"/mode/{subject}", json={"mode": {"x": 1}}), 400, 400)
    assert http.get(f"/mode/{subject}").status_code == 404


def test_association_numbers_are_text(http: httpx.Client, subject: str) -> None:
    """AssociationCreateOrUpdateRequest's resourceName/resourceNamespace are Strings: numbers are
    read as their text; the nested RegisterSchemaRequest's ``schema`` too (42201 for ``7``)."""
    assert http.post(f"/subjects/{subject}/versions", json={"schema": GOOD}).status_code == 200
    name = int(subject.split("-")[1], 16)  # a number no other test uses as a topic name
    body = {"resourceName": name, "resourceNamespace": 42, "resourceType": "topic",
            "associations": [{"subject": subject, "associationType": "value"}]}
    r = http.post("/associations", json=body)
    assert r.status_code == 200, r.text
    listed = http.get(f"/associations/resources/42/{name}").json()
    assert [(a["resourceName"], a["resourceNamespace"], a["subject"]) for a in listed] == [(str(name), "42", subject)]
    bad = dict(body, resourceName={"name": "t"})
    check_error(http.post("/associations", json=bad), 400, 400)
    nested = dict(body, associations=[{"subject": subject + "-n", "associationType": "key", "schema": {"schema": 7}}])
    check_error(http.post("/associations", json=nested), 422, 42201)


# --- ConfigResource: an unknown level ---------------------------------------------------------


@pytest.mark.parametrize("level", ["INVALID", "backwards", 5, True])
def test_put_config_unknown_level_exact_message(http: httpx.Client, subject: str, level: object) -> None:
    """ConfigResource.updateTopLevelConfig / updateSubjectLevelConfig throw
    RestInvalidCompatibilityException: 422, 42203 and its fixed text."""
    before = http.get("/config").json()
    for path in ("/config", f"/config/{subject}"):
        r = http.put(path, json={"compatibility": level})
        assert r.status_code == 422, r.text
        assert r.json() == {"error_code": 42203, "message": INVALID_LEVEL}
    assert http.get("/config").json() == before
    assert http.get(f"/config/{subject}").status_code == 404


def test_put_config_level_object_is_a_mapping_error(http: httpx.Client, subject: str) -> None:
    """ConfigUpdateRequest.compatibility is a String: an object is JsonMappingExceptionMapper's 400."""
    check_error(http.put(f"/config/{subject}", json={"compatibility": {"level": "FULL"}}), 400, 400)


# --- Jersey: path values, Accept, Content-Type -----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/schemas/ids/invalid",
        "/schemas/ids/1.0",
        "/schemas/ids/2147483648",
        "/schemas/ids/%201",
        "/schemas/ids/invalid/subjects",
        "/schemas/ids/invalid/versions",
        "/schemas/ids/invalid/schema",
    ],
)
def test_schema_id_not_an_integer_is_404(http: httpx.Client, path: str) -> None:
    """SchemasResource declares ``@PathParam("id") Integer id``: a value Jersey cannot convert
    (Integer.valueOf refuses it) is its NotFoundException, ``HTTP 404 Not Found``. No Confluent
    test asserts this; it is Jersey's path-parameter rule."""
    r = http.get(path)
    assert r.status_code == 404
    assert r.json() == {"error_code": 404, "message": "HTTP 404 Not Found"}


def test_schema_id_out_of_use_is_40403(http: httpx.Client) -> None:
    """An Integer that names no schema reaches SchemasResource: 40403 (RestApiTest.
    testGetSchemaNonExistingId, testGetSubjectsAssociatedWithNotFoundSchemaId)."""
    for raw in ("2147483647", "-1", "+2147483647"):
        check_error(http.get(f"/schemas/ids/{raw}"), 404, 40403)
        check_error(http.get(f"/schemas/ids/{raw}/subjects"), 404, 40403)


def test_not_acceptable_exact_text(http: httpx.Client) -> None:
    """Jersey's NotAcceptableException through rest-utils' WebApplicationExceptionMapper."""
    r = http.get("/subjects", headers={"Accept": "text/html"})
    assert r.status_code == 406
    assert r.json() == {"error_code": 406, "message": "HTTP 406 Not Acceptable"}


@pytest.mark.parametrize("accept", ["application/json", V1])
def test_unsupported_media_type_exact_text(http: httpx.Client, subject: str, accept: str) -> None:
    """Jersey's NotSupportedException; WebApplicationExceptionMapper negotiates the 415's type."""
    r = http.post(
        f"/subjects/{subject}/versions",
        content=json.dumps({"schema": GOOD}).encode(),
        headers={"Content-Type": "text/plain", "Accept": accept},
    )
    assert r.status_code == 415
    assert r.json() == {"error_code": 415, "message": "HTTP 415 Unsupported Media Type"}
    assert r.headers["content-type"].split(";")[0] == accept
    assert http.get(f"/subjects/{subject}/versions").status_code == 404


@pytest.mark.parametrize("accept", ["*", "*/x", "*; q=.2", "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"])
def test_wildcard_accept_is_served(registry: RegistryProcess, accept: str) -> None:
    """JAX-RS MediaType.isCompatible: a wildcard type covers every type (the last header is the
    default of Java's HttpURLConnection)."""
    r = httpx.get(registry.url + "/config", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == V1
    assert "compatibilityLevel" in r.json()


@pytest.mark.parametrize(
    ("codec", "ctype"),
    [
        ("utf-16-le", "application/vnd.schemaregistry.v1+json; charset=utf-16"),
        ("utf-16", "application/json; charset=UTF-16"),  # with a byte-order mark
        ("utf-16-be", "application/json; charset=utf-16be"),
        ("utf-32-le", "application/json; charset=utf-32"),
        ("utf-8-sig", "application/json; charset=utf-8"),
    ],
)
def test_body_in_utf16_is_decoded(http: httpx.Client, subject: str, codec: str, ctype: str) -> None:
    """Jackson (ByteSourceJsonBootstrapper) detects UTF-16/32 and a BOM from the first bytes."""
    schema = json.dumps({"type": "record", "name": "Unicode", "doc": "é€ Ünïcode", "fields": []}, ensure_ascii=False)
    body = json.dumps({"schema": schema}, ensure_ascii=False).encode(codec)
    r = http.post(f"/subjects/{subject}/versions", content=body, headers={"Content-Type": ctype})
    assert r.status_code == 200, r.text
    stored = http.get(f"/subjects/{subject}/versions/latest").json()
    assert json.loads(stored["schema"])["doc"] == "é€ Ünïcode"
    utf8 = http.post(f"/subjects/{subject}", json={"schema": schema})
    assert utf8.status_code == 200 and utf8.json()["id"] == r.json()["id"]


def test_truncated_utf16_is_400(http: httpx.Client, subject: str) -> None:
    """Jackson's JsonParseException for a broken body: 400 (JsonParseExceptionMapper)."""
    body = json.dumps({"schema": GOOD}).encode("utf-16-le")[:-1]
    check_error(http.post(f"/subjects/{subject}/versions", content=body), 400, 400)


# --- 413: real clients sending bodies over the limit -----------------------------------------


@pytest.fixture(scope="module")
def small_limit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    server = RegistryProcess(
        tmp_path_factory.mktemp("limit") / "data", extra=["--max-request-bytes", str(LIMIT)]
    ).start()
    yield server
    server.stop()


def _big_body() -> bytes:
    return json.dumps({"schema": GOOD, "pad": "x" * BIG}).encode()


def _check_413(status: int, text: str) -> None:
    assert status == 413, text[:300]
    body = json.loads(text)
    assert body["error_code"] == 413
    assert body["message"].startswith("HTTP 413 Request Entity Too Large")


def test_413_reaches_httpx(small_limit: RegistryProcess) -> None:
    """An 8 MiB body against a 64 KiB limit: httpx reads the 413 and the connection stays usable."""
    with httpx.Client(base_url=small_limit.url, headers={"Content-Type": V1}, timeout=60) as c:
        r = c.post("/subjects/big/versions", content=_big_body())
        _check_413(r.status_code, r.text)
        assert c.get("/subjects").json() == []
        assert c.post("/subjects/big/versions", json={"schema": GOOD}).status_code == 200


def test_413_reaches_httpx_connection_close(small_limit: RegistryProcess) -> None:
    """``Connection: close``: the server closes after answering, so it must have read the whole
    body first (closing with unread bytes makes the kernel reset the connection)."""
    r = httpx.post(
        small_limit.url + "/subjects/big-close/versions",
        content=_big_body(),
        headers={"Content-Type": V1, "Connection": "close"},
        timeout=60,
    )
    _check_413(r.status_code, r.text)


def test_413_reaches_httpx_chunked(small_limit: RegistryProcess) -> None:
    """No Content-Length (chunked upload): the limit is found while reading."""
    def chunks() -> Iterator[bytes]:
        data = _big_body()
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    with httpx.Client(base_url=small_limit.url, headers={"Content-Type": V1}, timeout=60) as c:
        r = c.post("/subjects/chunked/versions", content=chunks())
        _check_413(r.status_code, r.text)
        assert c.get("/subjects/chunked/versions").status_code == 404


def test_413_reaches_requests(small_limit: RegistryProcess) -> None:
    """requests (the HTTP library of older confluent-kafka clients and many scripts)."""
    r = requests.post(
        small_limit.url + "/subjects/big-requests/versions",
        data=_big_body(),
        headers={"Content-Type": V1},
        timeout=60,
    )
    _check_413(r.status_code, r.text)


def test_413_reaches_confluent_kafka_client(small_limit: RegistryProcess) -> None:
    """confluent-kafka's SchemaRegistryClient raises SchemaRegistryError carrying the 413."""
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    from confluent_kafka.schema_registry.error import SchemaRegistryError

    client = SchemaRegistryClient({"url": small_limit.url})
    fields = [{"name": f"f{i}_" + "x" * 200, "type": "string"} for i in range(2000)]
    schema = Schema(json.dumps({"type": "record", "name": "Huge", "fields": fields}), "AVRO")
    with pytest.raises(SchemaRegistryError) as info:
        client.register_schema("big-ck-value", schema)
    assert info.value.http_status_code == 413
    assert info.value.error_code == 413


@pytest.mark.parametrize("expect", [True, False])
def test_413_reaches_curl(small_limit: RegistryProcess, tmp_path: Path, expect: bool) -> None:
    """curl, with ``Expect: 100-continue`` (answered before the body is sent) and without."""
    curl = shutil.which("curl")
    assert curl is not None, "curl is needed for this test"
    path = tmp_path / "big.json"
    path.write_bytes(_big_body())
    cmd = [curl, "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-H", f"Content-Type: {V1}",
           "--data-binary", f"@{path}", small_limit.url + "/subjects/big-curl/versions"]
    if not expect:
        cmd[1:1] = ["-H", "Expect:"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text, _, status = out.stdout.rpartition("\n")
    _check_413(int(status), text)


def test_body_at_the_limit_is_read(small_limit: RegistryProcess) -> None:
    """A body just under the limit is passed on whole (the middleware's buffering loses nothing)."""
    doc = "d" * (LIMIT - 1000)
    schema = json.dumps({"type": "record", "name": "Near", "doc": doc, "fields": []})
    body = json.dumps({"schema": schema}).encode()
    assert LIMIT - 2000 < len(body) <= LIMIT
    with httpx.Client(base_url=small_limit.url, headers={"Content-Type": V1}, timeout=60) as c:
        r = c.post("/subjects/near/versions", content=body)
        assert r.status_code == 200, r.text
        assert json.loads(c.get("/subjects/near/versions/1").json()["schema"])["doc"] == doc
