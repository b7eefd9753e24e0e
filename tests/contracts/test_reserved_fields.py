"""Config ``validateFields``: reserved fields (metadata ``confluent:reserved``) checked first."""

from __future__ import annotations

import json

import httpx
import pytest
from support.http import check_error

REMOVED = ("The new schema has reserved field {} removed from its metadata which is present in the old "
           "schema's metadata.")
CONFLICT = "The new schema has field that conflicts with the reserved field {}."


def avro(*fields: str) -> str:
    return json.dumps({"type": "record", "name": "R", "fields": [
        {"name": f, "type": ["null", "int"], "default": None} for f in fields]})


def reserved(names: str) -> dict[str, object]:
    return {"properties": {"confluent:reserved": names}}


def check(http: httpx.Client, subject: str, body: dict[str, object]) -> dict[str, object]:
    r = http.post(f"/compatibility/subjects/{subject}/versions", params={"verbose": "true"}, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_reserved_fields_ignored_without_validate_fields(http: httpx.Client, subject: str) -> None:
    http.post(f"/subjects/{subject}/versions", json={"schema": avro("a"), "metadata": reserved("x")}).raise_for_status()
    body = {"schema": avro("a", "x"), "metadata": {"properties": {"owner": "me"}}}
    assert check(http, subject, body) == {"is_compatible": True, "messages": []}


def test_removed_and_conflicting_reserved_fields(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"validateFields": True}).raise_for_status()
    http.post(f"/subjects/{subject}/versions",
              json={"schema": avro("a"), "metadata": reserved("x, y")}).raise_for_status()
    # Drops the reservation of y and defines x: both messages, removals first, then the suffix.
    body = {"schema": avro("a", "x"), "metadata": reserved("x")}
    assert check(http, subject, body) == {"is_compatible": False, "messages": [
        REMOVED.format("y"), CONFLICT.format("x"), "{validateFields: 'true', compatibility: 'BACKWARD'}"]}
    r = http.post(f"/subjects/{subject}/versions", json=body)
    message = check_error(r, 409, 40901)["message"]
    assert REMOVED.format("y") in message and "validateFields: 'true'" in message
    # Keeping the reservations and not using them is fine.
    ok = {"schema": avro("a", "b"), "metadata": reserved("y,x")}
    assert check(http, subject, ok)["is_compatible"] is True
    assert http.post(f"/subjects/{subject}/versions", json=ok).status_code == 200


def test_reserved_messages_precede_level_messages(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"validateFields": True, "compatibility": "BACKWARD"}).raise_for_status()
    first = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    http.post(f"/subjects/{subject}/versions", json={"schema": first, "metadata": reserved("z")}).raise_for_status()
    second = json.dumps({"type": "record", "name": "R", "fields": [
        {"name": "a", "type": "int"}, {"name": "z", "type": "int"}]})
    messages = check(http, subject, {"schema": second})["messages"]
    # Without metadata the candidate inherits the reservation of z, so only the conflict.
    assert messages[0] == CONFLICT.format("z")
    assert messages[1].startswith("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'")
    assert messages[-1] == "{validateFields: 'true', compatibility: 'BACKWARD'}"


def test_first_version_and_level_none_still_check_conflicts(http: httpx.Client, subject: str) -> None:
    http.put(f"/config/{subject}", json={"validateFields": True, "compatibility": "NONE"}).raise_for_status()
    r = http.post(f"/subjects/{subject}/versions", json={"schema": avro("a", "x"), "metadata": reserved("x")})
    message = check_error(r, 409, 40901)["message"]
    assert CONFLICT.format("x") in message and "compatibility: 'NONE'" in message


@pytest.mark.parametrize(("schema_type", "text"), [
    ("PROTOBUF", 'syntax = "proto3";\nmessage M {\n  int32 a = 1;\n  string secret = 2;\n}\n'),
    ("JSON", json.dumps({"type": "object", "properties": {"a": {"type": "integer"},
                                                           "secret": {"type": "string"}}})),
])
def test_field_names_of_protobuf_and_json(http: httpx.Client, subject: str, schema_type: str, text: str) -> None:
    http.put(f"/config/{subject}", json={"validateFields": True}).raise_for_status()
    body = {"schemaType": schema_type, "schema": text, "metadata": reserved("secret")}
    assert check(http, subject, body)["messages"][0] == CONFLICT.format("secret")
    check_error(http.post(f"/subjects/{subject}/versions", json=body), 409, 40901)
    body["metadata"] = reserved("other")
    assert http.post(f"/subjects/{subject}/versions", json=body).status_code == 200
