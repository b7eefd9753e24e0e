"""Schema GUIDs: returned with schemas, the same for the same content, resolvable by confluent-kafka."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import uuid
from pathlib import Path

import httpx
import orjson
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from support.http import check_error
from support.process import RegistryProcess

from charter.registry.log.file import FileLog
from charter.registry.store.records import schema_key

RECORD = json.dumps({"type": "record", "name": "G", "fields": [{"name": "a", "type": "int"}]})


def test_guid_round_trip_with_the_confluent_client(registry: RegistryProcess, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    registered = client.register_schema_full_response(subject, Schema(RECORD, "AVRO"))
    assert registered.guid is not None and uuid.UUID(registered.guid)
    again = client.register_schema_full_response(subject + "-other", Schema(RECORD, "AVRO"))
    assert again.guid == registered.guid  # same content, same GUID, like the id
    by_guid = SchemaRegistryClient({"url": registry.url}).get_schema_by_guid(registered.guid)
    assert by_guid.schema_str == RECORD.replace(" ", "")


def test_guid_endpoints_and_shapes(http: httpx.Client, subject: str) -> None:
    schema_id = http.post(f"/subjects/{subject}/versions", json={"schema": '"long"'}).json()["id"]
    body = http.get(f"/schemas/ids/{schema_id}").json()
    guid = body["guid"]
    assert http.get(f"/subjects/{subject}/versions/1").json()["guid"] == guid
    assert http.get(f"/schemas/guids/{guid}").json()["schema"] == '"long"'
    assert http.get(f"/schemas/guids/{guid}/ids").json() == [{"context": ".", "id": schema_id}]


def test_unknown_or_malformed_guid_is_a_404(http: httpx.Client) -> None:
    check_error(http.get(f"/schemas/guids/{uuid.uuid4()}"), 404, 40403)
    check_error(http.get("/schemas/guids/not-a-uuid"), 404, 40403)


def _md5_guid(data: bytes) -> str:
    return str(uuid.UUID(bytes=hashlib.md5(data).digest()))


def _register(http: httpx.Client, subject: str, body: dict[str, object]) -> dict[str, object]:
    """Register, then read the schema back by id: its text, type, guid and id."""
    schema_id = http.post(f"/subjects/{subject}/versions", json=body).json()["id"]
    return {**http.get(f"/schemas/ids/{schema_id}").json(), "id": schema_id}


def test_guid_is_the_md5_of_the_stored_schema_string(http: httpx.Client, subject: str) -> None:
    """Confluent's GUID is the UUID of the MD5 of the schema string it stores (canonical form)."""
    spaced = json.dumps({"type": "record", "name": "G2", "fields": [{"name": "a", "type": "int"}]}, indent=2)
    registered = _register(http, subject, {"schema": spaced})
    stored = str(registered["schema"])
    assert stored != spaced  # canonicalised before hashing, so whitespace does not change the GUID
    assert registered["guid"] == _md5_guid(stored.encode())
    proto = 'syntax = "proto3";\npackage g;\n\nmessage P {\n  string a = 1;\n}\n'
    registered = _register(http, f"{subject}-p", {"schema": proto, "schemaType": "PROTOBUF"})
    assert registered["guid"] == _md5_guid(str(registered["schema"]).encode())


def test_references_and_metadata_change_the_guid(http: httpx.Client, subject: str) -> None:
    http.post(f"/subjects/{subject}-dep/versions", json={"schema": json.dumps(
        {"type": "record", "name": "Dep", "fields": [{"name": "x", "type": "int"}]})})
    text = json.dumps({"type": "record", "name": "Top", "fields": [{"name": "d", "type": "Dep"}]})
    ref = {"name": "Dep", "subject": f"{subject}-dep", "version": 1}
    with_ref = _register(http, subject, {"schema": text, "references": [ref]})
    stored = str(with_ref["schema"])
    expected = hashlib.md5(stored.encode() + b"Dep" + f"{subject}-dep".encode() + (1).to_bytes(4, "big"))
    assert with_ref["guid"] == str(uuid.UUID(bytes=expected.digest()))
    tagged = _register(http, f"{subject}-m", {
        "schema": '"string"', "metadata": {"properties": {"owner": "team-b", "app": "x"}}})
    plain = _register(http, f"{subject}-n", {"schema": '"string"'})
    assert tagged["guid"] != plain["guid"] and tagged["id"] != plain["id"]
    # Confluent's Schema.updateHash marks present metadata with a byte 1, then sorted properties
    assert tagged["guid"] == _md5_guid(b'"string"' + b"\x01" + b"app" + b"x" + b"owner" + b"team-b")


def test_records_carry_the_md5_and_a_confluent_md5_is_kept(tmp_path: Path) -> None:
    """Taking over a topic keeps the GUIDs Confluent gave (its SCHEMA records carry ``md5``)."""
    foreign = hashlib.md5(b"written by another registry").digest()
    value = {"subject": "legacy-value", "version": 1, "id": 7, "schema": '"int"', "deleted": False,
             "md5": base64.b64encode(foreign).decode()}
    log = FileLog(tmp_path / "data")
    asyncio.run(log.append([(schema_key("legacy-value", 1).encode(), orjson.dumps(value))]))
    log.close()
    server = RegistryProcess(tmp_path / "data").start()
    try:
        guid = str(uuid.UUID(bytes=foreign))
        assert httpx.get(f"{server.url}/schemas/ids/7").json()["guid"] == guid
        assert httpx.get(f"{server.url}/schemas/guids/{guid}").json()["schema"] == '"int"'
        created_id = httpx.post(f"{server.url}/subjects/fresh-value/versions", json={"schema": '"long"'}).json()["id"]
        created = httpx.get(f"{server.url}/schemas/ids/{created_id}").json()
    finally:
        server.stop()
    log = FileLog(tmp_path / "data")
    try:
        values = [orjson.loads(r.value) for r in log.replay() if r.value and b'"fresh-value"' in r.value]
    finally:
        log.close()
    assert values and str(uuid.UUID(bytes=base64.b64decode(values[-1]["md5"]))) == created["guid"]


def test_empty_metadata_is_written_and_replayed(tmp_path: Path) -> None:
    """SchemaValue keeps a non-null empty Metadata / RuleSet, so its record says ``"metadata": {}``
    (Jackson writes the bean; NON_EMPTY only drops its empty members), and replaying such a record
    (here one without ``md5``) keeps it present: shown as ``{}`` and marked in the GUID (one byte 1
    per part after the schema string, Schema.updateHash's layout; no Confluent test pins it)."""
    value = {"subject": "legacy-value", "version": 1, "id": 7, "schema": '"int"', "metadata": {},
             "ruleSet": {}, "deleted": False}
    log = FileLog(tmp_path / "data")
    asyncio.run(log.append([(schema_key("legacy-value", 1).encode(), orjson.dumps(value))]))
    log.close()
    server = RegistryProcess(tmp_path / "data").start()
    try:
        got = httpx.get(f"{server.url}/schemas/ids/7").json()
        body = {"schema": '"long"', "metadata": {}}
        created = httpx.post(f"{server.url}/subjects/fresh-value/versions", json=body).json()
    finally:
        server.stop()
    assert got["metadata"] == {} and got["ruleSet"] == {} and got["guid"] == _md5_guid(b'"int"\x01\x01')
    assert created["metadata"] == {} and created["guid"] == _md5_guid(b'"long"\x01')
    log = FileLog(tmp_path / "data")
    try:
        values = [orjson.loads(r.value) for r in log.replay() if r.value and b'"fresh-value"' in r.value]
    finally:
        log.close()
    assert values[-1]["metadata"] == {} and "ruleSet" not in values[-1]
    assert str(uuid.UUID(bytes=base64.b64decode(values[-1]["md5"]))) == created["guid"]
