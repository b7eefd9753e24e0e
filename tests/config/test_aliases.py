"""Config ``alias``: a subject that names another one for schema reads, checks and registration."""

from __future__ import annotations

import json
import uuid

import httpx
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.http import check_error
from support.process import RegistryProcess


def record(*fields: str) -> str:
    return json.dumps({"type": "record", "name": "A", "fields": [
        {"name": f, "type": "int"} for f in fields]})


def alias_name() -> str:
    return f"alias-{uuid.uuid4().hex[:12]}"


def test_reads_lookup_and_checks_resolve_to_the_aliased_subject(http: httpx.Client, subject: str) -> None:
    http.post(f"/subjects/{subject}/versions", json={"schema": record("a")}).raise_for_status()
    alias = alias_name()
    check_error(http.get(f"/subjects/{alias}/versions"), 404, 40401)
    r = http.put(f"/config/{alias}", json={"alias": subject})
    assert r.status_code == 200 and r.json() == {"alias": subject}
    assert http.get(f"/config/{alias}").json()["alias"] == subject
    assert http.get(f"/subjects/{alias}/versions").json() == [1]
    got = http.get(f"/subjects/{alias}/versions/latest").json()
    assert (got["subject"], got["version"]) == (subject, 1)
    assert http.get(f"/subjects/{alias}/versions/1/schema").json() == json.loads(record("a"))
    assert http.post(f"/subjects/{alias}", json={"schema": record("a")}).json()["subject"] == subject
    # The check runs against the aliased subject's history: adding a field without default breaks it.
    r = http.post(f"/compatibility/subjects/{alias}/versions/latest", json={"schema": record("a", "b")})
    assert r.json() == {"is_compatible": False}
    # Listing subjects shows only real subjects; the alias's config stays its own.
    assert alias not in http.get("/subjects").json()
    assert http.get(f"/config/{subject}", params={"defaultToGlobal": "true"}).json().get("alias") is None


def test_registration_through_an_alias_lands_in_the_aliased_subject(http: httpx.Client, subject: str) -> None:
    alias = alias_name()
    http.put(f"/config/{alias}", json={"alias": subject}).raise_for_status()
    r = http.post(f"/subjects/{alias}/versions", json={"schema": record("a")})
    assert r.status_code == 200, r.text
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert alias not in http.get("/subjects").json()
    # The aliased subject's compatibility applies to registrations made through the alias.
    check_error(http.post(f"/subjects/{alias}/versions", json={"schema": record("a", "b")}), 409, 40901)
    # Deletes never follow an alias.
    check_error(http.delete(f"/subjects/{alias}"), 404, 40401)
    # Removing the alias makes the name an ordinary (empty) subject again.
    http.delete(f"/config/{alias}").raise_for_status()
    check_error(http.get(f"/subjects/{alias}/versions"), 404, 40401)


def test_alias_chains_and_loops(http: httpx.Client, subject: str) -> None:
    http.post(f"/subjects/{subject}/versions", json={"schema": record("a")}).raise_for_status()
    first, second = alias_name(), alias_name()
    http.put(f"/config/{first}", json={"alias": second}).raise_for_status()
    http.put(f"/config/{second}", json={"alias": subject}).raise_for_status()
    assert http.get(f"/subjects/{first}/versions/1").json()["subject"] == subject
    # A loop stops before the repeat: each side reads the other, and nothing hangs.
    a, b = alias_name(), alias_name()
    http.put(f"/config/{a}", json={"alias": b}).raise_for_status()
    http.put(f"/config/{b}", json={"alias": a}).raise_for_status()
    check_error(http.get(f"/subjects/{a}/versions"), 404, 40401)
    http.post(f"/subjects/{a}/versions", json={"schema": record("a")}).raise_for_status()
    assert http.get(f"/subjects/{a}/versions").json() == [1]  # a names b, where it was registered
    check_error(http.get(f"/subjects/{b}/versions"), 404, 40401)  # b names a, which is empty
    assert b in http.get("/subjects").json() and a not in http.get("/subjects").json()
    # A subject aliased to itself is just itself.
    http.put(f"/config/{subject}", json={"alias": subject}).raise_for_status()
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_alias_into_a_context_and_bad_alias(http: httpx.Client, subject: str) -> None:
    target = f":.aliased:{subject}"
    sid = http.post(f"/subjects/{target}/versions", json={"schema": record("z")}).json()["id"]
    alias = alias_name()
    http.put(f"/config/{alias}", json={"alias": target}).raise_for_status()
    assert http.get(f"/subjects/{alias}/versions/latest").json()["subject"] == target
    # ``?subject=`` with the alias reads the id in the aliased subject's context.
    got = http.get(f"/schemas/ids/{sid}", params={"subject": alias}).json()
    assert json.loads(got["schema"]) == json.loads(record("z"))
    # ConfigUpdateRequest.alias is a Java String: Jackson reads a number as its text, refuses an object.
    check_error(http.put(f"/config/{alias}", json={"alias": {"to": target}}), 400, 400)
    assert http.put(f"/config/{alias}", json={"alias": 5}).json()["alias"] == "5"
    check_error(http.put(f"/config/{alias}", json={"alias": ":bad ctx:x"}), 422, 42208)


def test_confluent_serializer_through_an_alias(registry: RegistryProcess, subject: str) -> None:
    """A serializer whose topic maps to the alias registers into, and reads from, the aliased subject."""
    client = SchemaRegistryClient({"url": registry.url})
    topic = alias_name()
    # confluent-kafka's ServerConfig has no ``alias`` field: set it over HTTP.
    httpx.put(f"{registry.url}/config/{topic}-value", json={"alias": subject}).raise_for_status()
    serializer = AvroSerializer(client, record("a"), conf={"auto.register.schemas": True})
    data = serializer({"a": 1}, SerializationContext(topic, MessageField.VALUE))
    assert data is not None
    latest = client.get_latest_version(subject)
    assert int.from_bytes(data[1:5], "big") == latest.schema_id
    assert client.get_latest_version(f"{topic}-value").subject == subject
    assert client.get_subjects().count(f"{topic}-value") == 0
    assert client.register_schema(f"{topic}-value", Schema(record("a"), "AVRO")) == latest.schema_id
