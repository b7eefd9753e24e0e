"""Spec review (black box): GUIDs, the V1 wire format, /v1/metadata, fetchMaxId. Written from the
specification only."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import uuid

import fastavro
import httpx
import pytest
from confluent_kafka.schema_registry import (
    Schema,
    SchemaRegistryClient,
    header_schema_id_serializer,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from support.guids import ACCEPT_UNKNOWN, AVRO_VALUE, V1, latest, md5_guid, rec, topic_name
from support.http import check_error, compact, reg, reg_ok

# --- GUIDs ------------------------------------------------------------------------------------


def test_register_returns_guid_to_clients_accepting_unknown_properties(http: httpx.Client, subject: str) -> None:
    r = reg(http, subject, rec("G1"), headers=ACCEPT_UNKNOWN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["id"], int)
    uuid.UUID(body["guid"])
    assert body["guid"] == latest(http, subject)["guid"]


def test_confluent_client_register_full_response_has_guid(registry, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    rs = client.register_schema_full_response(subject, Schema(rec("G2"), "AVRO"))
    assert rs.guid is not None
    assert str(uuid.UUID(rs.guid)) == rs.guid
    with httpx.Client(base_url=registry.url) as http:
        assert latest(http, subject)["guid"] == rs.guid


def test_guid_is_md5_of_stored_avro_schema(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G3"))
    body = latest(http, subject)
    assert body["guid"] == md5_guid(body["schema"])


def test_guid_is_md5_of_stored_json_schema(http: httpx.Client, subject: str) -> None:
    schema = compact({"type": "object", "properties": {"g4": {"type": "string"}}})
    reg_ok(http, subject, schema, schemaType="JSON")
    body = latest(http, subject)
    assert body["guid"] == md5_guid(body["schema"])


def test_guid_is_md5_of_stored_protobuf_schema(http: httpx.Client, subject: str) -> None:
    schema = 'syntax = "proto3";\npackage rvg5;\n\nmessage G5 {\n  string name = 1;\n}\n'
    reg_ok(http, subject, schema, schemaType="PROTOBUF")
    body = latest(http, subject)
    assert body["guid"] == md5_guid(body["schema"])


def test_guid_includes_metadata_properties(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G6"), metadata={"properties": {"owner": "me"}})
    body = latest(http, subject)
    assert body["guid"] != md5_guid(body["schema"])
    assert body["guid"] == md5_guid(body["schema"], "\x01", "owner", "me")  # Confluent's metadata marker


def test_guid_includes_references(http: httpx.Client, subject: str) -> None:
    child = rec("Child6", ("x", "int"))
    reg_ok(http, subject + "-child", child)
    parent = rec("Parent6", ("c", "rv.Child6"))
    reg_ok(http, subject, parent, references=[{"name": "rv.Child6", "subject": subject + "-child", "version": 1}])
    body = latest(http, subject)
    assert body["guid"] != md5_guid(body["schema"])
    # name, subject and version of each reference; the version's byte encoding is not pinned down
    h = hashlib.md5((body["schema"] + "rv.Child6" + subject + "-child").encode())
    as_int = h.copy()
    as_int.update(struct.pack(">i", 1))
    h.update(b"1")
    assert body["guid"] in (str(uuid.UUID(bytes=h.digest())), str(uuid.UUID(bytes=as_int.digest())))


def test_guid_differs_with_rule_set(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-a", rec("G7"))
    reg_ok(http, subject + "-b", rec("G7"), ruleSet={"domainRules": [
        {"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}]})
    assert latest(http, subject + "-a")["guid"] != latest(http, subject + "-b")["guid"]


def test_same_schema_same_guid_across_subjects(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-a", rec("G8"))
    reg_ok(http, subject + "-b", rec("G8"))
    assert latest(http, subject + "-a")["guid"] == latest(http, subject + "-b")["guid"]


def test_guid_on_schema_by_id_and_lookup(http: httpx.Client, subject: str) -> None:
    sid = reg_ok(http, subject, rec("G9"))
    guid = latest(http, subject)["guid"]
    assert http.get(f"/schemas/ids/{sid}").json()["guid"] == guid
    r = http.post(f"/subjects/{subject}", json={"schema": rec("G9")})
    assert r.json()["guid"] == guid


def test_get_schema_by_guid(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G10"))
    body = latest(http, subject)
    r = http.get(f"/schemas/guids/{body['guid']}")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["schema"] == body["schema"]
    assert got.get("schemaType", "AVRO") == "AVRO"


def test_get_schema_by_guid_carries_metadata(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G11"), metadata={"properties": {"k": "v"}})
    got = http.get(f"/schemas/guids/{latest(http, subject)['guid']}").json()
    assert got["metadata"]["properties"] == {"k": "v"}


def test_get_schema_by_guid_protobuf_serialized(http: httpx.Client, subject: str) -> None:
    schema = 'syntax = "proto3";\npackage rvg12;\n\nmessage G12 {\n  string name = 1;\n}\n'
    reg_ok(http, subject, schema, schemaType="PROTOBUF")
    r = http.get(f"/schemas/guids/{latest(http, subject)['guid']}", params={"format": "serialized"})
    assert r.status_code == 200, r.text
    import base64

    from google.protobuf import descriptor_pb2

    fdp = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(r.json()["schema"]))
    assert fdp.message_type[0].name == "G12"


def test_get_ids_by_guid(http: httpx.Client, subject: str) -> None:
    sid = reg_ok(http, subject, rec("G13"))
    r = http.get(f"/schemas/guids/{latest(http, subject)['guid']}/ids")
    assert r.status_code == 200, r.text
    assert {"context": ".", "id": sid} in r.json()


def test_get_ids_by_guid_lists_each_context(http: httpx.Client, subject: str) -> None:
    ctx = f".g{uuid.uuid4().hex[:8]}"
    schema = rec("G14")
    sid = reg_ok(http, subject, schema)
    cid = reg_ok(http, f":{ctx}:{subject}", schema)
    r = http.get(f"/schemas/guids/{latest(http, subject)['guid']}/ids")
    assert sorted(r.json(), key=lambda x: x["context"]) == [{"context": ".", "id": sid}, {"context": ctx, "id": cid}]


def test_guid_global_across_contexts(http: httpx.Client, subject: str) -> None:
    ctx = f".g{uuid.uuid4().hex[:8]}"
    reg_ok(http, subject, rec("G15"))
    reg_ok(http, f":{ctx}:{subject}", rec("G15"))
    assert latest(http, subject)["guid"] == latest(http, f":{ctx}:{subject}")["guid"]


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"])
def test_guid_not_a_uuid(http: httpx.Client, bad: str) -> None:
    check_error(http.get(f"/schemas/guids/{bad}"), 404, 40403)
    check_error(http.get(f"/schemas/guids/{bad}/ids"), 404, 40403)


def test_unknown_guid(http: httpx.Client) -> None:
    check_error(http.get(f"/schemas/guids/{uuid.uuid4()}"), 404, 40403)
    check_error(http.get(f"/schemas/guids/{uuid.uuid4()}/ids"), 404, 40403)


def test_confluent_client_get_schema_by_guid(registry, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    rs = client.register_schema_full_response(subject, Schema(rec("G16"), "AVRO"))
    got = client.get_schema_by_guid(rs.guid)
    assert json.loads(got.schema_str)["name"] == "G16"


def test_guid_survives_restart(fresh_registry) -> None:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, "s", rec("G17"))
        guid = latest(http, "s")["guid"]
    fresh_registry.stop()
    fresh_registry.start()
    with httpx.Client(base_url=fresh_registry.url) as http:
        assert http.get(f"/schemas/guids/{guid}").status_code == 200
        assert latest(http, "s")["guid"] == guid


# --- V1 wire format (magic byte 1 + GUID) ---------------------------------------------------------




def test_avro_header_guid_round_trip(registry) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    topic = topic_name()
    ser = AvroSerializer(client, AVRO_VALUE, conf={"schema.id.serializer": header_schema_id_serializer,
                                                   "subject.name.strategy.type": "TOPIC"})
    headers: list = []
    ctx = SerializationContext(topic, MessageField.VALUE, headers)
    payload = ser({"name": "x" * 20, "n": 3}, ctx)
    (key, value), = headers
    assert key == "__value_schema_id"
    assert value[0] == 1 and len(value) == 17
    with httpx.Client(base_url=registry.url) as http:
        assert str(uuid.UUID(bytes=value[1:])) == latest(http, f"{topic}-value")["guid"]
    de = AvroDeserializer(SchemaRegistryClient({"url": registry.url}))
    assert de(payload, SerializationContext(topic, MessageField.VALUE, headers)) == {"name": "x" * 20, "n": 3}


def test_avro_prefixed_v1_payload_deserializes(registry, subject: str) -> None:
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        guid = uuid.UUID(latest(http, subject)["guid"])
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, fastavro.parse_schema(json.loads(AVRO_VALUE)), {"name": "p", "n": 7})
    payload = b"\x01" + guid.bytes + buf.getvalue()
    de = AvroDeserializer(SchemaRegistryClient({"url": registry.url}))
    assert de(payload, SerializationContext("any-topic", MessageField.VALUE)) == {"name": "p", "n": 7}


def test_json_header_guid_round_trip(registry) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    topic = topic_name()
    schema = compact({"type": "object", "title": "W", "properties": {"name": {"type": "string"}},
                      "required": ["name"]})
    ser = JSONSerializer(schema, client, conf={"schema.id.serializer": header_schema_id_serializer,
                                               "subject.name.strategy.type": "TOPIC"})
    headers: list = []
    payload = ser({"name": "j" * 20}, SerializationContext(topic, MessageField.VALUE, headers))
    assert headers[0][1][0] == 1
    de = JSONDeserializer(None, schema_registry_client=SchemaRegistryClient({"url": registry.url}))
    assert de(payload, SerializationContext(topic, MessageField.VALUE, headers)) == {"name": "j" * 20}


def test_protobuf_header_guid_round_trip(registry) -> None:
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    pkg = f"rvp{uuid.uuid4().hex[:8]}"
    fdp = descriptor_pb2.FileDescriptorProto(name=f"{pkg}.proto", package=pkg, syntax="proto3")
    m = fdp.message_type.add(name="Thing")
    m.field.add(name="name", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{pkg}.Thing"))
    client = SchemaRegistryClient({"url": registry.url})
    topic = topic_name()
    ser = ProtobufSerializer(cls, client, conf={"schema.id.serializer": header_schema_id_serializer,
                                                "subject.name.strategy.type": "TOPIC"})
    headers: list = []
    payload = ser(cls(name="pb" * 10), SerializationContext(topic, MessageField.VALUE, headers))
    assert headers[0][1][0] == 1
    de = ProtobufDeserializer(cls, {"subject.name.strategy.type": "TOPIC"},
                              SchemaRegistryClient({"url": registry.url}))
    assert de(payload, SerializationContext(topic, MessageField.VALUE, headers)).name == "pb" * 10


# --- /v1/metadata, fetchMaxId, id reads --------------------------------------------------------


def test_v1_metadata_id_shape(http: httpx.Client) -> None:
    r = http.get("/v1/metadata/id")
    assert r.status_code == 200, r.text
    scope = r.json()["scope"]
    assert scope["path"] == []
    assert set(scope["clusters"]) >= {"kafka-cluster", "schema-registry-cluster"}
    assert scope["clusters"]["schema-registry-cluster"] == "schema-registry"


def test_v1_metadata_version_shape(http: httpx.Client) -> None:
    r = http.get("/v1/metadata/version")
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["version"], str) and body["version"]
    assert isinstance(body["commitId"], str)


def test_v1_metadata_content_type(http: httpx.Client) -> None:
    r = http.get("/v1/metadata/id")
    assert r.headers["content-type"].startswith(V1)


def test_fetch_max_id(fhttp: httpx.Client) -> None:
    reg_ok(fhttp, "a", rec("M1"))
    reg_ok(fhttp, "b", rec("M2"))
    reg_ok(fhttp, "c", rec("M3"))
    r = fhttp.get("/schemas/ids/1", params={"fetchMaxId": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["maxId"] == 3


def test_no_max_id_without_fetch_max_id(http: httpx.Client, subject: str) -> None:
    sid = reg_ok(http, subject, rec("M4"))
    assert "maxId" not in http.get(f"/schemas/ids/{sid}").json()
    assert "maxId" not in http.get(f"/schemas/ids/{sid}", params={"fetchMaxId": "false"}).json()


def test_fetch_max_id_at_least_id(http: httpx.Client, subject: str) -> None:
    sid = reg_ok(http, subject, rec("M5"))
    assert http.get(f"/schemas/ids/{sid}", params={"fetchMaxId": "true"}).json()["maxId"] >= sid


def test_ids_versions_lists_all_subjects(http: httpx.Client, subject: str) -> None:
    schema = rec("V1s")
    sid = reg_ok(http, subject + "-a", schema)
    reg_ok(http, subject + "-b", schema)
    r = http.get(f"/schemas/ids/{sid}/versions")
    assert r.status_code == 200, r.text
    assert sorted(r.json(), key=lambda x: x["subject"]) == [
        {"subject": subject + "-a", "version": 1}, {"subject": subject + "-b", "version": 1}]


def test_ids_versions_deleted_flag(http: httpx.Client, subject: str) -> None:
    schema = rec("V2s")
    sid = reg_ok(http, subject + "-a", schema)
    reg_ok(http, subject + "-b", schema)
    assert http.delete(f"/subjects/{subject}-b/versions/1").status_code == 200
    assert http.get(f"/schemas/ids/{sid}/versions").json() == [{"subject": subject + "-a", "version": 1}]
    got = http.get(f"/schemas/ids/{sid}/versions", params={"deleted": "true"}).json()
    assert {"subject": subject + "-b", "version": 1} in got


def test_ids_subjects_deleted_flag(http: httpx.Client, subject: str) -> None:
    schema = rec("V3s")
    sid = reg_ok(http, subject + "-a", schema)
    reg_ok(http, subject + "-b", schema)
    http.delete(f"/subjects/{subject}-b")
    assert http.get(f"/schemas/ids/{sid}/subjects").json() == [subject + "-a"]
    assert sorted(http.get(f"/schemas/ids/{sid}/subjects", params={"deleted": "true"}).json()) == [
        subject + "-a", subject + "-b"]


def test_ids_versions_pagination(http: httpx.Client, subject: str) -> None:
    schema = rec("V4s")
    sid = reg_ok(http, subject + "-a", schema)
    reg_ok(http, subject + "-b", schema)
    reg_ok(http, subject + "-c", schema)
    everything = http.get(f"/schemas/ids/{sid}/versions").json()
    assert len(everything) == 3
    assert http.get(f"/schemas/ids/{sid}/versions", params={"offset": 1, "limit": 1}).json() == everything[1:2]


def test_ids_versions_unknown_id(http: httpx.Client) -> None:
    check_error(http.get("/schemas/ids/987654321/versions"), 404, 40403)
    check_error(http.get("/schemas/ids/987654321/subjects"), 404, 40403)


def test_confluent_client_get_schema_versions(registry, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    sid = client.register_schema(subject, Schema(rec("V5s"), "AVRO"))
    got = client.get_schema_versions(sid)
    assert [(v.subject, v.version) for v in got] == [(subject, 1)]
    assert client.get_subjects_by_schema_id(sid) == [subject]
