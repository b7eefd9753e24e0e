"""Schema contexts over HTTP: qualified subjects (``:.ctx:name``), ids per context, ``/contexts``,
context-level config, restart, and the real confluent-kafka client using qualified subjects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from support.http import check_error
from support.process import V1, RegistryProcess

RECORD = json.dumps({"type": "record", "name": "C", "fields": [{"name": "a", "type": "int"}]})
OTHER = json.dumps({"type": "record", "name": "D", "fields": [{"name": "b", "type": "string"}]})
ADDED = json.dumps({"type": "record", "name": "C", "fields": [
    {"name": "a", "type": "int"}, {"name": "b", "type": "string"}]})  # no default: not BACKWARD


@pytest.fixture
def client(fresh_registry: RegistryProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as c:
        yield c


def register(client: httpx.Client, subject: str, schema: str, **extra: object) -> int:
    r = client.post(f"/subjects/{subject}/versions", json={"schema": schema, **extra})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def test_ids_are_per_context(client: httpx.Client) -> None:
    assert register(client, "orders", OTHER) == 1
    assert register(client, "payments", RECORD) == 2
    assert register(client, ":.prod:payments", RECORD) == 1  # a new context numbers from 1
    assert register(client, ":.prod:orders", OTHER) == 2
    assert register(client, ":.prod:again", RECORD) == 1  # same content, same context: same id
    assert register(client, ":.test:payments", OTHER) == 1
    # by id: the default context without ?subject=, the subject's context with it
    assert json.loads(client.get("/schemas/ids/1").json()["schema"])["name"] == "D"
    assert json.loads(client.get("/schemas/ids/1", params={"subject": ":.prod:x"}).json()["schema"])["name"] == "C"
    raw = client.get("/schemas/ids/2/schema", params={"subject": ":.prod:orders"}).json()
    assert raw["name"] == "D"
    check_error(client.get("/schemas/ids/3", params={"subject": ":.prod:x"}), 404, 40403)
    subjects = client.get("/schemas/ids/1/subjects", params={"subject": ":.prod:payments"}).json()
    assert subjects == [":.prod:again", ":.prod:payments"]
    assert client.get("/schemas/ids/1/subjects").json() == ["orders"]
    versions = client.get("/schemas/ids/2/versions", params={"subject": ":.prod:"}).json()
    assert versions == [{"subject": ":.prod:orders", "version": 1}]
    body = client.get("/schemas/ids/2", params={"subject": ":.prod:orders", "fetchMaxId": "true"}).json()
    assert body["maxId"] == 2
    # the subject's own reads and lookups
    got = client.get("/subjects/:.prod:payments/versions/latest").json()
    assert got["id"] == 1 and got["subject"] == ":.prod:payments"
    found = client.post("/subjects/:.prod:orders", json={"schema": OTHER}).json()
    assert found["id"] == 2 and found["version"] == 1
    # a GUID is content-derived: one GUID, an id in each context that holds it
    guid = client.get("/schemas/ids/2").json()["guid"]
    assert client.get(f"/schemas/guids/{guid}/ids").json() == [
        {"context": ".", "id": 2}, {"context": ".prod", "id": 1},
    ]
    # the explicit default context is the unqualified subject
    assert client.get("/subjects/:.:orders/versions").json() == [1]


def test_subject_and_context_listings(client: httpx.Client) -> None:
    for subject in ("a", ":.prod:b", ":.prod:c", ":.test:d"):
        register(client, subject, RECORD)
    everything = ["a", ":.prod:b", ":.prod:c", ":.test:d"]
    assert sorted(client.get("/subjects").json()) == sorted(everything)
    assert sorted(client.get("/subjects", params={"subjectPrefix": ":*:"}).json()) == sorted(everything)
    assert client.get("/subjects", params={"subjectPrefix": ":.prod:"}).json() == [":.prod:b", ":.prod:c"]
    assert client.get("/subjects", params={"subjectPrefix": ":.prod:c"}).json() == [":.prod:c"]
    assert client.get("/subjects", params={"subjectPrefix": ":.:"}).json() == ["a"]
    assert client.get("/contexts").json() == [".", ".prod", ".test"]
    assert client.get("/contexts", params={"contextPrefix": ".p"}).json() == [".prod"]
    assert client.get("/contexts", params={"offset": 1, "limit": 1}).json() == [".prod"]
    schemas = client.get("/schemas", params={"subjectPrefix": ":.test:"}).json()
    assert [s["subject"] for s in schemas] == [":.test:d"]


def test_delete_context(client: httpx.Client) -> None:
    register(client, ":.gone:s", RECORD)
    body = check_error(client.delete("/contexts/.gone"), 422, 42211)
    assert ".gone" in body["message"]
    assert client.delete("/subjects/:.gone:s").status_code == 200
    check_error(client.delete("/contexts/.gone"), 422, 42211)  # soft-deleted subjects still count
    assert client.delete("/subjects/:.gone:s", params={"permanent": "true"}).status_code == 200
    assert client.delete("/contexts/.gone").status_code == 204
    assert client.get("/contexts").json() == ["."]
    check_error(client.delete("/contexts/.gone"), 404, 404)
    check_error(client.delete("/contexts/bad ctx"), 422, 42208)


def test_context_level_config_and_mode(client: httpx.Client) -> None:
    register(client, ":.strict:s", RECORD)
    register(client, "plain", RECORD)
    assert client.put("/config", json={"compatibility": "NONE"}).status_code == 200
    assert client.put("/config/:.strict:", json={"compatibility": "BACKWARD"}).status_code == 200
    # the context's setting applies to its subjects, before the global one
    check_error(client.post("/subjects/:.strict:s/versions", json={"schema": ADDED}), 409, (409, 40901))
    inherited = client.get("/config/:.strict:s", params={"defaultToGlobal": "true"}).json()
    assert inherited["compatibilityLevel"] == "BACKWARD"
    check_error(client.get("/config/:.strict:s"), 404, 40408)
    register(client, "plain", ADDED)  # the default context follows the global NONE
    # a subject's own setting still comes first
    assert client.put("/config/:.strict:s", json={"compatibility": "NONE"}).status_code == 200
    register(client, ":.strict:s", ADDED)
    # context-level mode
    assert client.put("/mode/:.strict:", json={"mode": "READONLY"}).status_code == 200
    check_error(client.post("/subjects/:.strict:t/versions", json={"schema": RECORD}), 422, 42205)
    assert client.get("/mode/:.strict:t", params={"defaultToGlobal": "true"}).json() == {"mode": "READONLY"}
    register(client, "plain2", RECORD)


def test_invalid_context_names(client: httpx.Client) -> None:
    for subject in (":ctx:s", ":.a b:s", ":.ctx$:s"):
        body = check_error(client.post(f"/subjects/{subject}/versions", json={"schema": RECORD}), 422, 42208)
        assert "context" in body["message"]
    check_error(client.post("/subjects/:.ctx:/versions", json={"schema": RECORD}), 422, 42208)
    check_error(client.get("/subjects", params={"subjectPrefix": ":nodot:"}), 422, 42208)
    check_error(client.get("/schemas/ids/1", params={"subject": ":bad:x"}), 422, 42208)
    check_error(client.get("/subjects/:bad:x/versions"), 422, 42208)
    # a subject that merely starts with ':' is an ordinary subject
    assert register(client, ":plain", RECORD) == 1


def test_references_across_contexts(client: httpx.Client) -> None:
    register(client, ":.lib:common", RECORD)
    ref = [{"name": "C", "subject": ":.lib:common", "version": 1}]
    wrapper = json.dumps({"type": "record", "name": "W", "fields": [{"name": "c", "type": "C"}]})
    assert register(client, "app", wrapper, references=ref) == 1
    assert client.get("/subjects/:.lib:common/versions/1/referencedby").json() == [1]
    body = client.get("/schemas/ids/1").json()
    assert body["references"] == ref


def test_unqualified_references_are_read_in_the_referrers_context(client: httpx.Client) -> None:
    """A schema in ``.team`` that references ``common`` means ``:.team:common`` (Confluent qualifies
    references with their parent's context): resolution, referencedby, delete protection, format."""
    register(client, ":.team:common", RECORD)
    register(client, "common", OTHER)  # the default context's 'common' is another schema
    wrapper = json.dumps({"type": "record", "name": "W", "fields": [{"name": "c", "type": "C"}]})
    ref = [{"name": "C", "subject": "common", "version": 1}]
    wid = register(client, ":.team:app", wrapper, references=ref)
    assert client.get("/subjects/:.team:common/versions/1/referencedby").json() == [wid]
    assert client.get("/subjects/common/versions/1/referencedby").json() == []
    stored = client.get("/subjects/:.team:app/versions/1").json()
    assert stored["references"] == ref  # kept as written
    resolved = client.get("/subjects/:.team:app/versions/1", params={"format": "resolved"}).json()
    assert '"name":"C"' in resolved["schema"] and '"name":"a"' in resolved["schema"]
    assert client.delete("/subjects/:.team:common/versions/1").status_code == 422  # 42206: still referenced
    # in the default context the same reference names the default 'common' (record D, no 'C')
    check_error(client.post("/subjects/app/versions", json={"schema": wrapper, "references": ref}), 422, 42201)


def test_id_lookup_with_an_unqualified_subject_falls_back_to_the_contexts(client: httpx.Client) -> None:
    schema_id = register(client, ":.linked:orders-value", RECORD)
    assert client.get(f"/schemas/ids/{schema_id}").status_code == 404  # nothing in the default context
    found = client.get(f"/schemas/ids/{schema_id}", params={"subject": "orders-value"})
    assert found.status_code == 200 and json.loads(found.json()["schema"])["name"] == "C"
    check_error(client.get("/schemas/ids/999", params={"subject": "orders-value"}), 404, 40403)


def test_restart_keeps_contexts_and_ids(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data").start()
    try:
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=30) as c:
            register(c, "x", OTHER)
            register(c, ":.prod:x", RECORD)
            c.put("/config/:.prod:", json={"compatibility": "FULL"}).raise_for_status()
    finally:
        server.stop()
    restarted = RegistryProcess(tmp_path / "data").start()
    try:
        with httpx.Client(base_url=restarted.url, headers={"Content-Type": V1}, timeout=30) as c:
            assert c.get("/contexts").json() == [".", ".prod"]
            assert c.get("/subjects/:.prod:x/versions/1").json()["id"] == 1
            assert register(c, ":.prod:y", OTHER) == 2  # the context's counter survived
            assert register(c, "y", RECORD) == 2
            assert c.get("/config/:.prod:").json()["compatibilityLevel"] == "FULL"
    finally:
        restarted.stop()


def test_confluent_client_with_qualified_subjects(fresh_registry: RegistryProcess) -> None:
    sr = SchemaRegistryClient({"url": fresh_registry.url})
    default_id = sr.register_schema(":.:plain-value", Schema(OTHER, "AVRO"))
    ctx_id = sr.register_schema(":.team:orders-value", Schema(RECORD, "AVRO"))
    assert default_id == 1 and ctx_id == 1
    fresh = SchemaRegistryClient({"url": fresh_registry.url})
    assert json.loads(fresh.get_schema(1, subject_name=":.team:orders-value").schema_str)["name"] == "C"
    assert json.loads(fresh.get_schema(1).schema_str)["name"] == "D"
    latest = fresh.get_latest_version(":.team:orders-value")
    assert latest.schema_id == 1 and latest.subject == ":.team:orders-value"
    assert fresh.lookup_schema(":.team:orders-value", Schema(RECORD, "AVRO")).schema_id == 1
    assert ":.team:orders-value" in fresh.get_subjects()


def test_state_replays_context_records() -> None:
    from charter.registry.store.records import context_key, schema_key, schema_value
    from charter.registry.store.state import RegistryState

    state = RegistryState()
    ctx = {"tenant": "default", "context": ".prod"}
    state.apply(context_key(".prod"), ctx, 0, 0)
    for offset, (subject, text) in enumerate([("s", RECORD), (":.prod:s", OTHER), (":.prod:t", OTHER)], 1):
        state.apply(schema_key(subject, 1), schema_value(subject, 1, 1, "AVRO", text, (), None, None,
                                                        deleted=False), offset, 0)
    assert state.schemas_by_id[1].text == RECORD and state.max_id == 1
    prod = state.space(".prod")
    assert prod.schemas_by_id[1].text == OTHER and prod.schemas_by_id[1].users == 2
    assert state.context_names() == [".", ".prod"]
    for offset, subject in enumerate([":.prod:s", ":.prod:t"], 10):
        state.apply(schema_key(subject, 1), None, offset, 0)
    assert not prod.schemas_by_id and state.schemas_by_id[1].text == RECORD
    state.apply(context_key(".prod"), None, 20, 0)
    assert state.context_names() == ["."]
