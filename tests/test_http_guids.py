"""Schema GUIDs: returned with schemas, the same for the same content, resolvable by confluent-kafka."""

from __future__ import annotations

import json
import uuid

import httpx
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

from conftest import RegistryProcess
from helpers import check_error

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
