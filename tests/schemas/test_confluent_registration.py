"""What registration does with versions, ``confluent:version``, empty schemas and references to
version -1, as Confluent Schema Registry does (KafkaSchemaRegistry.register / registerOrForward,
AbstractSchemaRegistry.maybePopulateFromPrevious / maybeSetMetadataRuleSet,
AbstractSchemaProvider.resolveReferences / canLookupIgnoringVersion)."""

from __future__ import annotations

import json

import httpx
from support.http import check_error

SCHEMA = '{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}]}'


def _register(http: httpx.Client, subject: str, **body: object) -> int:
    r = http.post(f"/subjects/{subject}/versions", json={"schemaType": "AVRO", "schema": SCHEMA, **body})
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


def _latest(http: httpx.Client, subject: str) -> dict:
    r = http.get(f"/subjects/{subject}/versions/latest")
    assert r.status_code == 200, r.text
    return r.json()


def _lookup(http: httpx.Client, subject: str, **body: object) -> dict:
    r = http.post(f"/subjects/{subject}", json={"schemaType": "AVRO", "schema": SCHEMA, **body})
    assert r.status_code == 200, r.text
    return r.json()


def _cv(version: dict) -> str | None:
    return ((version.get("metadata") or {}).get("properties") or {}).get("confluent:version")


def test_explicit_versions_and_minus_one(fhttp: httpx.Client) -> None:
    """from RestApiTest.testConfluentVersion (first half): version -1 finds the latest, an explicit
    next version re-registers the same schema as a new version with a new id and records
    ``confluent:version``; a lookup without metadata ignores it."""
    s = "test"
    id1 = _register(fhttp, s)
    assert _latest(fhttp, s).get("metadata") is None
    assert _register(fhttp, s, version=-1) == id1
    id2 = _register(fhttp, s, version=2)
    assert id2 != id1
    assert _register(fhttp, s, version=-1) == id2
    latest = _latest(fhttp, s)
    assert (latest["version"], _cv(latest), latest["schema"]) == (2, "2", SCHEMA)

    found = _lookup(fhttp, s)
    assert (found["version"], found.get("metadata")) == (1, None)
    found = _lookup(fhttp, s, metadata={"properties": {"confluent:version": "1"}})
    assert (found["version"], found.get("metadata")) == (1, None)
    found = _lookup(fhttp, s, metadata={"properties": {"confluent:version": "2"}})
    assert (found["version"], _cv(found)) == (2, "2")

    assert fhttp.delete(f"/subjects/{s}/versions/1").status_code == 200
    found = _lookup(fhttp, s)
    assert (found["version"], _cv(found)) == (2, "2")
    assert _register(fhttp, s) == id2
    assert _latest(fhttp, s)["version"] == 2


def test_version_must_be_the_next_one(fhttp: httpx.Client) -> None:
    """from RestApiTest.testConfluentVersion: re-registering an existing version number is 42201
    ("Version is not one more than previous version"); the next one is a new version."""
    s = "test"
    _register(fhttp, s)
    _register(fhttp, s, version=2)
    id3 = _register(fhttp, s, version=3)
    assert _register(fhttp, s, version=-1) == id3
    latest = _latest(fhttp, s)
    assert (latest["version"], _cv(latest)) == (3, "3")
    r = fhttp.post(f"/subjects/{s}/versions", json={"schema": SCHEMA, "version": 3})
    check_error(r, 422, 42201)
    assert "Version is not one more than previous version" in r.json()["message"]
    id4 = _register(fhttp, s, version=4)
    assert _lookup(fhttp, s)["version"] == 1  # the exact match (no metadata) comes first
    assert fhttp.delete(f"/subjects/{s}/versions/1").status_code == 200
    found = _lookup(fhttp, s)
    assert (found["id"], found["version"], _cv(found)) == (id4, 4, "4")


def test_confluent_version_property(fhttp: httpx.Client) -> None:
    """from RestApiTest.testConfluentVersion (second half): ``confluent:version`` "-1" (or any
    number naming no version) is replaced by the version assigned; one naming an existing version
    finds it; empty metadata finds the latest; new metadata without it gets none."""
    s = "test"
    _register(fhttp, s)
    id2 = _register(fhttp, s, version=2)
    id3 = _register(fhttp, s, version=3)
    id5 = _register(fhttp, s, metadata={"properties": {"confluent:version": "-1"}})
    assert id5 not in (id2, id3)
    latest = _latest(fhttp, s)
    assert (latest["version"], _cv(latest)) == (4, "4")
    assert _register(fhttp, s, metadata={"properties": {"confluent:version": "2"}}) == id2
    assert _register(fhttp, s, metadata={"properties": {"confluent:version": "3"}}) == id3
    id6 = _register(fhttp, s, metadata={"properties": {"confluent:version": "0"}})
    latest = _latest(fhttp, s)
    assert (latest["version"], _cv(latest), latest["id"]) == (5, "5", id6)
    assert _register(fhttp, s, metadata={"properties": {}}) == id6

    id7 = _register(fhttp, s, metadata={"properties": {"mykey": "myvalue"}})
    latest = _latest(fhttp, s)
    assert (latest["version"], _cv(latest), latest["metadata"]["properties"]) == (6, None, {"mykey": "myvalue"})
    id8 = _register(fhttp, s, version=-1)  # inherits mykey, gets confluent:version
    assert id8 != id7
    latest = _latest(fhttp, s)
    assert latest["metadata"]["properties"] == {"mykey": "myvalue", "confluent:version": "7"}
    found = _lookup(fhttp, s, metadata={"properties": {"mykey": "myvalue"}})
    assert (found["id"], found["version"]) == (id7, 6)
    assert fhttp.delete(f"/subjects/{s}/versions/6").status_code == 200
    found = _lookup(fhttp, s, metadata={"properties": {"mykey": "myvalue"}})
    assert (found["id"], found["version"], _cv(found)) == (id8, 7, "7")


def test_empty_schema_reuses_the_latest(http: httpx.Client, subject: str) -> None:
    """AbstractSchemaRegistry.maybePopulateFromPrevious: an empty (or absent, or blank) schema on a
    subject without versions is "Empty schema" (42201); with versions, the latest version's schema,
    type and references are registered again (here with new metadata: a new version)."""
    for body in ({"schema": ""}, {}, {"schema": "   "}):
        r = http.post(f"/subjects/{subject}/versions", json=body)
        check_error(r, 422, 42201)
        assert r.json()["message"] == "Empty schema"
    proto = 'syntax = "proto3";\npackage e;\n\nmessage E {\n  string a = 1;\n}\n'
    first = http.post(f"/subjects/{subject}/versions", json={"schema": proto, "schemaType": "PROTOBUF"}).json()["id"]
    assert http.post(f"/subjects/{subject}/versions", json={"schema": ""}).json()["id"] == first
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    r = http.post(f"/subjects/{subject}/versions", json={"schema": "", "metadata": {"properties": {"k": "v"}}})
    assert r.status_code == 200, r.text
    latest = _latest(http, subject)
    assert (latest["version"], latest["schemaType"], latest["metadata"]) == (2, "PROTOBUF", {"properties": {"k": "v"}})
    assert latest["schema"] == http.get(f"/subjects/{subject}/versions/1").json()["schema"]


def test_empty_schema_lookup_and_check(http: httpx.Client, subject: str) -> None:
    """canonicalizeSchema answers nothing for an empty schema: a lookup finds nothing
    (SubjectsResource: 40401 without versions, else 40403) and a compatibility check is
    "Empty schema" (AbstractSchemaRegistry.isCompatible)."""
    check_error(http.post(f"/subjects/{subject}", json={"schema": ""}), 404, 40401)
    http.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA})
    check_error(http.post(f"/subjects/{subject}", json={"schema": ""}), 404, 40403)
    r = http.post(f"/compatibility/subjects/{subject}/versions/latest", json={"schema": ""})
    check_error(r, 422, 42201)
    assert r.json()["message"] == "Empty schema"


def test_reference_to_version_minus_one_is_the_latest(http: httpx.Client, subject: str) -> None:
    """from AvroSchemaProviderTest.testResolveRecursiveReferences: a reference to version -1 is
    resolved to the referenced subject's latest version, and stored with that version."""
    dep = f"{subject}-dep"
    http.post(f"/subjects/{dep}/versions", json={"schema": json.dumps(
        {"type": "record", "name": "Dep", "fields": [{"name": "x", "type": "int"}]})})
    http.post(f"/subjects/{dep}/versions", json={"schema": json.dumps(
        {"type": "record", "name": "Dep", "fields": [{"name": "x", "type": "int"},
                                                      {"name": "y", "type": "int", "default": 0}]})})
    top = json.dumps({"type": "record", "name": "Top", "fields": [{"name": "d", "type": "Dep"}]})
    body = {"schema": top, "references": [{"name": "Dep", "subject": dep, "version": -1}]}
    r = http.post(f"/subjects/{subject}/versions", json=body)
    assert r.status_code == 200, r.text
    stored = _latest(http, subject)
    assert stored["references"] == [{"name": "Dep", "subject": dep, "version": 2}]
    assert http.post(f"/subjects/{subject}", json=body).json()["version"] == 1
    pinned = {**body, "references": [{"name": "Dep", "subject": dep, "version": 2}]}
    assert http.post(f"/subjects/{subject}/versions", json=pinned).json()["id"] == r.json()["id"]


def test_protobuf_reference_to_version_minus_one(http: httpx.Client, subject: str) -> None:
    """AbstractSchemaProvider.resolveReferences serves Protobuf the same way."""
    dep = f"{subject}-pdep"
    dep_text = 'syntax = "proto3";\npackage pd;\n\nmessage D {\n  string a = 1;\n}\n'
    r = http.post(f"/subjects/{dep}/versions", json={"schema": dep_text, "schemaType": "PROTOBUF"})
    assert r.status_code == 200, r.text
    top = 'syntax = "proto3";\npackage pt;\n\nimport "d.proto";\n\nmessage T {\n  pd.D d = 1;\n}\n'
    body = {"schema": top, "schemaType": "PROTOBUF", "references": [{"name": "d.proto", "subject": dep, "version": -1}]}
    r = http.post(f"/subjects/{subject}/versions", json=body)
    assert r.status_code == 200, r.text
    assert _latest(http, subject)["references"] == [{"name": "d.proto", "subject": dep, "version": 1}]


def test_register_response_fields(http: httpx.Client, subject: str) -> None:
    """RegisterSchemaResponse(Schema): id, version, guid, schemaType, references, metadata and
    ruleSet of the version registered, and the same for a schema found again (the schema text is
    left out: see views.register_response)."""
    body = {"schema": SCHEMA, "metadata": {"properties": {"owner": "a"}}}
    r = http.post(f"/subjects/{subject}/versions", json=body)
    assert r.status_code == 200, r.text
    stored = _latest(http, subject)
    want = {k: stored[k] for k in ("id", "version", "guid", "schemaType", "metadata")}
    assert r.json() == want
    assert http.post(f"/subjects/{subject}/versions", json=body).json() == want


def test_schema_by_id_with_subject_names_the_version(http: httpx.Client, subject: str) -> None:
    """from RestApiTest.testSchemaReferencesDifferentContext: ``GET /schemas/ids/{id}?subject=``
    answers Confluent's SchemaString with the subject and version it was found under (and ts);
    without ``subject`` neither is given."""
    other = f"{subject}-other"
    schema_id = _register(http, other)
    assert _register(http, subject) == schema_id
    r = http.get(f"/schemas/ids/{schema_id}", params={"subject": subject})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["subject"], got["version"], got["schema"]) == (subject, 1, SCHEMA)
    assert got["ts"] == _latest(http, subject)["ts"]
    plain = http.get(f"/schemas/ids/{schema_id}").json()
    assert "subject" not in plain and "version" not in plain and plain["guid"] == got["guid"]


def test_association_lookups_matching_nothing_are_empty(http: httpx.Client, subject: str) -> None:
    """from RestApiAssociationTest.testBasicAssociation (``assertEquals(0, associations.size())``):
    AssociationsResource's GETs answer ``200 []`` when nothing matches; only DELETE is 40410."""
    for path in (f"/associations/subjects/{subject}", "/associations/resources/no-such-id",
                 f"/associations/resources/-/{subject}-topic"):
        r = http.get(path)
        assert (r.status_code, r.json()) == (200, []), path
    check_error(http.delete("/associations/resources/no-such-id"), 404, 40410)
