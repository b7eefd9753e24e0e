"""The web console over HTTP: every page's status and content, 404 pages, check and register."""

from __future__ import annotations

import uuid

import httpx
import pytest
from support.process import RegistryProcess
from support.ui import avro_record, register, set_config, set_mode

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def ui(registry: RegistryProcess) -> httpx.Client:
    with httpx.Client(base_url=registry.url, headers=HTML, timeout=30) as client:
        yield client


@pytest.fixture
def prefix() -> str:
    return f"ui-{uuid.uuid4().hex[:10]}"


def no_trace(r: httpx.Response) -> None:
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_root_redirects_to_the_subject_list(ui: httpx.Client) -> None:
    r = ui.get("/ui", follow_redirects=True)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Subjects</h1>" in r.text


def test_json_api_still_negotiates_accept(registry: RegistryProcess) -> None:
    assert httpx.get(registry.url + "/subjects", headers={"Accept": "text/html"}).status_code == 406


def test_subject_list_search_type_deleted_and_paging(ui: httpx.Client, registry: RegistryProcess, prefix: str) -> None:
    for i in range(3):
        register(registry.url, f"{prefix}-{i}-value", avro_record(f"R{i}", ("id", "string")))
    register(registry.url, f"{prefix}-json", '{"type": "object"}', schemaType="JSON")
    r = ui.get("/ui/subjects", params={"q": prefix.upper()})  # search ignores case
    assert r.status_code == 200
    assert "4 subjects" in r.text and f"{prefix}-2-value" in r.text
    assert "BACKWARD" in r.text and "READWRITE" in r.text
    r = ui.get("/ui/subjects", params={"q": prefix, "type": "JSON"})
    assert "1 subject." in r.text and f"{prefix}-json" in r.text and f"{prefix}-0-value" not in r.text
    r = ui.get("/ui/subjects", params={"q": prefix, "size": 2, "page": 2})
    assert "page 2 of 2" in r.text and f"{prefix}-json" in r.text and f"{prefix}-0-value" not in r.text
    assert 'rel="prev"' in r.text
    assert httpx.delete(f"{registry.url}/subjects/{prefix}-1-value").status_code == 200
    r = ui.get("/ui/subjects", params={"q": prefix})
    assert f"{prefix}-1-value" not in r.text and "3 subjects" in r.text
    r = ui.get("/ui/subjects", params={"q": prefix, "deleted": "true"})
    assert f"{prefix}-1-value" in r.text and "soft-deleted" in r.text


def test_subject_page_shows_versions_schema_refs_metadata_config_mode(
    ui: httpx.Client, registry: RegistryProcess, prefix: str
) -> None:
    base = f"{prefix}-address"
    register(registry.url, base, avro_record("Address", ("street", "string")))
    user = f"{prefix}/user-value"  # a "/" in the subject name
    register(registry.url, user, avro_record("User", ("name", "string")))
    schema = '{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"name","type":"string"},' \
             '{"name":"home","type":["null","com.example.Address"],"default":null}]}'
    refs = [{"name": "com.example.Address", "subject": base, "version": 1}]
    register(registry.url, user, schema, references=refs, metadata={"properties": {"owner": "team-<a>"}})
    set_config(registry.url, base, "FULL")
    r = ui.get(f"/ui/subjects/{user.replace('/', '%2F')}")
    assert r.status_code == 200
    assert "version 2" in r.text and "v1" in r.text
    assert '<span class="tok-k">&#34;fields&#34;</span>' in r.text or 'tok-k' in r.text
    assert f'/ui/subjects/{base}/versions/1' in r.text  # reference as a link
    assert "team-&lt;a&gt;" in r.text and "<a>" not in r.text.split("Metadata and rules")[1]
    assert "BACKWARD" in r.text and "READWRITE" in r.text and "(global)" in r.text
    r = ui.get(f"/ui/subjects/{base}")
    assert "Referenced by" in r.text and f"/ui/subjects/{prefix}%2Fuser-value/versions/2" in r.text
    assert "FULL" in r.text and "(subject)" in r.text
    r = ui.get(f"/ui/subjects/{user.replace('/', '%2F')}/versions/1")
    assert r.status_code == 200 and "version 1" in r.text


def test_diff_shows_text_structure_and_verdict(ui: httpx.Client, registry: RegistryProcess, prefix: str) -> None:
    subject = f"{prefix}-value"
    register(registry.url, subject, avro_record("Order", ("id", "string"), ("note", "string")))
    set_config(registry.url, subject, "NONE")
    register(registry.url, subject, avro_record("Order", ("id", "string"), ("qty", "int"), default=False))
    r = ui.get(f"/ui/subjects/{subject}/diff", params={"from": 1, "to": 2})
    assert r.status_code == 200
    assert "Compatibility under NONE" in r.text and "Compatible" in r.text
    assert 'class="d-add"' in r.text and 'class="d-del"' in r.text
    assert "/fields[qty]" in r.text and "/fields[note]" in r.text
    set_config(registry.url, subject, "FULL")
    r = ui.get(f"/ui/subjects/{subject}/diff", params={"from": 2, "to": 1})  # order does not matter
    assert "Incompatible under FULL" in r.text
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in r.text and "qty" in r.text
    assert r.text.count('<span class="bad">incompatible</span>') == 1  # backward breaks, forward is fine


def test_check_a_change(ui: httpx.Client, registry: RegistryProcess, prefix: str) -> None:
    subject = f"{prefix}-value"
    register(registry.url, subject, avro_record("Order", ("id", "string")))
    r = ui.get("/ui/check", params={"subject": subject})
    assert r.status_code == 200 and f'value="{subject}"' in r.text
    ok = avro_record("Order", ("id", "string"), ("qty", "int"))
    r = ui.post("/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": ok, "action": "check"})
    assert r.status_code == 200 and "Compatible with" in r.text
    bad = avro_record("Order", ("id", "int"))
    r = ui.post("/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": bad, "action": "check"})
    assert r.status_code == 200 and "Incompatible with" in r.text and "TYPE_MISMATCH" in r.text
    broken = '{"type": "record",\n "name": "X",\n "fields": [\n  {"name": "a" "type": "int"}]}'
    r = ui.post("/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": broken, "action": "check"})
    assert r.status_code == 422 and "line 4" in r.text and 'class="ln err-line"><span class="lno">4<' in r.text
    no_trace(r)
    r = ui.post("/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": ok, "action": "register"})
    assert r.status_code == 200 and "Registered" in r.text and "version 2" in r.text
    assert httpx.get(f"{registry.url}/subjects/{subject}/versions/latest").json()["version"] == 2
    r = ui.post("/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": bad, "action": "register"})
    assert r.status_code == 409 and "Incompatible" in r.text
    set_mode(registry.url, subject, "READONLY")
    third = avro_record("Order", ("id", "string"), ("qty", "int"), ("note", "string"))
    r = ui.post("/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": third, "action": "register"})
    assert r.status_code == 422 and "read-only mode" in r.text and "Not registered" in r.text
    r = ui.post("/ui/check", data={"subject": "", "schema": ok})
    assert r.status_code == 400 and "Pick a subject" in r.text


@pytest.mark.parametrize("headers", [
    {"Origin": "http://attacker.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://sibling.localhost"},
])
def test_cross_site_form_posts_are_refused(
    ui: httpx.Client, registry: RegistryProcess, prefix: str, headers: dict[str, str]
) -> None:
    subject = f"{prefix}-value"
    form = {"subject": subject, "schemaType": "AVRO", "schema": avro_record("C", ("a", "int")), "action": "register"}
    r = ui.post("/ui/check", data=form, headers=headers)
    assert r.status_code == 403 and "another site" in r.text
    assert httpx.get(f"{registry.url}/subjects/{subject}/versions").status_code == 404  # nothing registered
    host = registry.url.split("://", 1)[1]
    same = ui.post("/ui/check", data=form, headers={"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200 and "Registered" in same.text


def test_schema_by_id_and_guid(ui: httpx.Client, registry: RegistryProcess, prefix: str) -> None:
    created = register(registry.url, f"{prefix}-value", avro_record("Thing", ("id", "string")))
    guid = httpx.get(f"{registry.url}/schemas/ids/{created['id']}").json()["guid"]
    r = ui.get(f"/ui/schemas?id={created['id']}", follow_redirects=True)
    assert r.status_code == 200 and f"Schema {created['id']}" in r.text and guid in r.text
    assert f"{prefix}-value v1" in r.text
    r = ui.get(f"/ui/schemas?id={guid}", follow_redirects=True)
    assert r.status_code == 200 and f"Schema {created['id']}" in r.text
    assert ui.get("/ui/schemas").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/ui/subjects/no-such-subject", "/ui/subjects/no-such-subject/diff", "/ui/schemas/ids/987654321",
     "/ui/schemas/ids/abc", "/ui/schemas/guids/not-a-guid", "/ui/schemas/guids/00000000-0000-0000-0000-000000000000",
     "/ui/no/such/page"],
)
def test_not_found_pages(ui: httpx.Client, path: str) -> None:
    r = ui.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in r.text
    no_trace(r)


@pytest.mark.parametrize("version", ["99", "0", "abc", "-5"])
def test_unknown_version_is_not_found(ui: httpx.Client, registry: RegistryProcess, prefix: str, version: str) -> None:
    register(registry.url, f"{prefix}-value", avro_record("V", ("id", "string")))
    r = ui.get(f"/ui/subjects/{prefix}-value/versions/{version}")
    assert r.status_code == 404 and "Not found" in r.text
    no_trace(r)


def test_static_assets(ui: httpx.Client) -> None:
    assert ui.get("/ui/static/console.css").headers["content-type"].startswith("text/css")
    assert ui.get("/ui/static/console.js").status_code == 200
