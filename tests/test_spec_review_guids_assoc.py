"""Spec review (black box): schema GUIDs and the V1 wire format, /v1/metadata, id reads
(fetchMaxId, /versions, /subjects) and /associations with confluent-kafka's ASSOCIATED strategy.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import uuid
from collections.abc import Iterator

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
from confluent_kafka.schema_registry.schema_registry_client import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
)
from confluent_kafka.serialization import MessageField, SerializationContext

from helpers import check_error, compact, reg, reg_ok

V1 = "application/vnd.schemaregistry.v1+json"
ACCEPT_UNKNOWN = {"Confluent-Accept-Unknown-Properties": "true"}
KAFKA_CLUSTER_ID = "subject.name.strategy.kafka.cluster.id"


def rec(name: str, *fields: tuple[str, object], namespace: str = "rv") -> str:
    return compact({"type": "record", "name": name, "namespace": namespace,
                    "fields": [{"name": n, "type": t} for n, t in fields] or [{"name": "a", "type": "string"}]})




def md5_guid(*parts: str) -> str:
    h = hashlib.md5()
    for p in parts:
        h.update(p.encode("utf-8"))
    return str(uuid.UUID(bytes=h.digest()))


def latest(http: httpx.Client, subject: str) -> dict:
    r = http.get(f"/subjects/{subject}/versions/latest")
    assert r.status_code == 200, r.text
    return r.json()


def topic_name() -> str:
    return f"topic-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def fhttp(fresh_registry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as c:
        yield c


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
    assert body["guid"] == md5_guid(body["schema"], "owner", "me")


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


AVRO_VALUE = rec("Wire", ("name", "string"), ("n", "int"))


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


# --- associations -----------------------------------------------------------------------------


def assoc_body(topic: str, *entries: dict, namespace: str = "lkc-test", resource_id: str | None = None) -> dict:
    body: dict = {"resourceName": topic, "resourceNamespace": namespace, "resourceType": "topic",
                  "associations": list(entries)}
    if resource_id:
        body["resourceId"] = resource_id
    return body


def create_assoc(http: httpx.Client, topic: str, *entries: dict, **kw: object) -> dict:
    r = http.post("/associations", json=assoc_body(topic, *entries, **kw))
    assert r.status_code == 200, r.text
    return r.json()


def test_create_association_response_shape(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A1"))
    topic = topic_name()
    body = create_assoc(http, topic, {"subject": subject, "associationType": "value"}, resource_id="rid-" + topic)
    assert body["resourceName"] == topic
    assert body["resourceNamespace"] == "lkc-test"
    assert body["resourceType"] == "topic"
    assert body["resourceId"] == "rid-" + topic
    assert len(body["associations"]) == 1
    a = body["associations"][0]
    assert a["subject"] == subject
    assert a["associationType"] == "value"
    assert a["lifecycle"] in ("STRONG", "WEAK")
    assert a["frozen"] is False


def test_get_associations_by_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A2"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"})
    r = http.get(f"/associations/subjects/{subject}")
    assert r.status_code == 200, r.text
    (a,) = r.json()
    assert a["subject"] == subject
    assert a["resourceName"] == topic
    assert a["resourceNamespace"] == "lkc-test"
    assert a["resourceType"] == "topic"
    assert a["associationType"] == "value"
    assert a["lifecycle"] == "STRONG"


def test_get_associations_by_resource_name(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-k", rec("A3k"))
    reg_ok(http, subject, rec("A3"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-k", "associationType": "key"},
                 {"subject": subject, "associationType": "value"})
    r = http.get(f"/associations/resources/lkc-test/{topic}")
    assert r.status_code == 200, r.text
    assert sorted((a["associationType"], a["subject"]) for a in r.json()) == [
        ("key", subject + "-k"), ("value", subject)]
    r = http.get(f"/associations/resources/lkc-test/{topic}", params={"associationType": "key"})
    assert [a["subject"] for a in r.json()] == [subject + "-k"]


def test_get_associations_wildcard_namespace(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A4"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, namespace="lkc-zzz")
    r = http.get(f"/associations/resources/-/{topic}", params={"resourceType": "topic", "associationType": "value"})
    assert r.status_code == 200, r.text
    assert [a["subject"] for a in r.json()] == [subject]


def test_get_associations_other_namespace_does_not_match(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A5"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, namespace="lkc-one")
    r = http.get(f"/associations/resources/lkc-two/{topic}")
    assert (r.status_code == 200 and r.json() == []) or r.status_code == 404, r.text


def test_get_associations_by_resource_id(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A6"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, resource_id=rid)
    r = http.get(f"/associations/resources/{rid}")
    assert r.status_code == 200, r.text
    assert [(a["subject"], a["resourceId"]) for a in r.json()] == [(subject, rid)]


def test_association_for_missing_subject(http: httpx.Client, subject: str) -> None:
    r = http.post("/associations", json=assoc_body(topic_name(), {"subject": subject, "associationType": "value"}))
    check_error(r, 404, 40401)


def test_association_with_inline_schema_registers_subject(http: httpx.Client, subject: str) -> None:
    topic = topic_name()
    r = http.post("/associations", json=assoc_body(topic, {
        "subject": subject, "associationType": "value", "schema": {"schema": rec("A7"), "schemaType": "AVRO"}}))
    assert r.status_code == 200, r.text
    assert json.loads(latest(http, subject)["schema"])["name"] == "A7"


@pytest.mark.parametrize(
    ("override", "entry"),
    [
        ({}, {"associationType": "bogus"}),
        ({"resourceType": "table"}, {}),
        ({}, {"lifecycle": "FOREVER"}),
        ({"resourceName": ""}, {}),
    ],
)
def test_invalid_association_is_42212(http: httpx.Client, subject: str, override: dict, entry: dict) -> None:
    reg_ok(http, subject, rec("A8"))
    body = assoc_body(topic_name(), {"subject": subject, "associationType": "value", **entry})
    body.update(override)
    check_error(http.post("/associations", json=body), 422, 42212)


def test_association_type_taken_is_conflict(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-1", rec("A9"))
    reg_ok(http, subject + "-2", rec("A9b"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-1", "associationType": "value"})
    r = http.post("/associations", json=assoc_body(topic, {"subject": subject + "-2", "associationType": "value"}))
    check_error(r, 409, 40902)


def test_put_association_replaces_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-1", rec("A10"))
    reg_ok(http, subject + "-2", rec("A10b"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-1", "associationType": "value"})
    r = http.put("/associations", json=assoc_body(topic, {"subject": subject + "-2", "associationType": "value"}))
    assert r.status_code == 200, r.text
    got = http.get(f"/associations/resources/lkc-test/{topic}").json()
    assert [a["subject"] for a in got] == [subject + "-2"]


def test_put_association_creates_when_absent(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A11"))
    topic = topic_name()
    r = http.put("/associations", json=assoc_body(topic, {"subject": subject, "associationType": "value"}))
    assert r.status_code == 200, r.text
    assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == [subject]


def test_frozen_association_cannot_be_changed(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-1", rec("A12"))
    reg_ok(http, subject + "-2", rec("A12b"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject + "-1", "associationType": "value", "frozen": True})
    r = http.put("/associations", json=assoc_body(topic, {"subject": subject + "-2", "associationType": "value"}))
    assert r.status_code == 409, r.text
    assert 40900 < r.json()["error_code"] < 41000
    got = http.get(f"/associations/resources/-/{topic}").json()
    assert [(a["subject"], a["frozen"]) for a in got] == [(subject + "-1", True)]


def test_delete_associations_by_resource_id(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A13"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value"}, resource_id=rid)
    r = http.delete(f"/associations/resources/{rid}")
    assert r.status_code in (200, 204), r.text
    check_error(http.get(f"/associations/resources/{rid}"), 404, 40410)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_delete_associations_by_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A14"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": subject, "associationType": "value"})
    r = http.delete(f"/associations/subjects/{subject}")
    assert r.status_code in (200, 204), r.text
    r = http.get(f"/associations/resources/-/{topic}")
    assert (r.status_code == 200 and r.json() == []) or r.status_code == 404


def test_delete_missing_association_is_40410(http: httpx.Client) -> None:
    check_error(http.delete(f"/associations/resources/{uuid.uuid4()}"), 404, 40410)


def test_cascade_delete_strong_removes_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A15"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"}, resource_id=rid)
    r = http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"})
    assert r.status_code in (200, 204), r.text
    check_error(http.get(f"/subjects/{subject}/versions", params={"deleted": "true"}), 404, 40401)


def test_cascade_delete_weak_keeps_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A16"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "WEAK"}, resource_id=rid)
    assert http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"}).status_code in (200, 204)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_delete_strong_without_cascade_keeps_subject(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A17"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"}, resource_id=rid)
    assert http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "false"}).status_code in (200, 204)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_cascade_delete_refused_when_referenced(http: httpx.Client, subject: str) -> None:
    child = rec("Child18", ("x", "int"))
    reg_ok(http, subject, child)
    reg_ok(http, subject + "-parent", rec("Parent18", ("c", "rv.Child18")),
           references=[{"name": "rv.Child18", "subject": subject, "version": 1}])
    topic = topic_name()
    rid = str(uuid.uuid4())
    create_assoc(http, topic, {"subject": subject, "associationType": "value", "lifecycle": "STRONG"}, resource_id=rid)
    check_error(http.delete(f"/associations/resources/{rid}", params={"cascadeLifecycle": "true"}), 422, 42206)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.get(f"/associations/resources/{rid}").status_code == 200


def test_association_survives_restart(fresh_registry) -> None:
    topic = topic_name()
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, "s", rec("A19"))
        create_assoc(http, topic, {"subject": "s", "associationType": "value"})
    fresh_registry.stop()
    fresh_registry.start()
    with httpx.Client(base_url=fresh_registry.url) as http:
        assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == ["s"]


def test_association_to_context_subject(http: httpx.Client, subject: str) -> None:
    s = f":.a{uuid.uuid4().hex[:8]}:{subject}"
    reg_ok(http, s, rec("A20"))
    topic = topic_name()
    create_assoc(http, topic, {"subject": s, "associationType": "value"})
    assert [a["subject"] for a in http.get(f"/associations/resources/-/{topic}").json()] == [s]


def test_confluent_client_association_calls(registry, subject: str) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    client.register_schema(subject, Schema(rec("A21"), "AVRO"))
    topic = topic_name()
    rid = str(uuid.uuid4())
    resp = client.create_association(AssociationCreateOrUpdateRequest(
        resource_name=topic, resource_namespace="lkc-c", resource_id=rid, resource_type="topic",
        associations=[AssociationCreateOrUpdateInfo(subject=subject, association_type="value", lifecycle="STRONG")]))
    assert resp.associations[0].subject == subject
    found = client.get_associations_by_resource_name(topic, "-", "topic", ["value"])
    assert [a.subject for a in found] == [subject]
    assert found[0].resource_id == rid
    client.delete_associations(rid, "topic", ["value"], cascade_lifecycle=True)
    assert subject not in client.get_subjects()


# --- the ASSOCIATED subject-name strategy (confluent-kafka's default) -------------------------


def test_associated_strategy_uses_associated_subject(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
        client = SchemaRegistryClient({"url": registry.url})
        ser = AvroSerializer(client, AVRO_VALUE)  # default strategy: ASSOCIATED
        data = ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert struct.unpack(">I", data[1:5])[0] == sid
        check_error(http.get(f"/subjects/{topic}-value/versions"), 404, 40401)


def test_associated_strategy_registers_into_associated_subject(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, rec("Other", ("z", "string")))
        http.put(f"/config/{subject}", json={"compatibility": "NONE"})
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
        ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]


def test_associated_strategy_falls_back_to_topic(registry) -> None:
    topic = topic_name()
    ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
    data = ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
    with httpx.Client(base_url=registry.url) as http:
        assert latest(http, f"{topic}-value")["id"] == struct.unpack(">I", data[1:5])[0]


def test_associated_strategy_key(registry, subject: str) -> None:
    topic = topic_name()
    key_schema = rec("Key", ("k", "string"))
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, subject, key_schema)
        create_assoc(http, topic, {"subject": subject, "associationType": "key"})
    ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), key_schema)
    data = ser({"k": "x"}, SerializationContext(topic, MessageField.KEY))
    assert struct.unpack(">I", data[1:5])[0] == sid


def test_associated_strategy_value_ignores_key_association(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "key"})
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
        ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{topic}-value/versions").json() == [1]


def test_associated_strategy_with_cluster_id(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        sid = reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"}, namespace="lkc-mine")
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE,
                             conf={"subject.name.strategy.conf": {KAFKA_CLUSTER_ID: "lkc-mine"}})
        data = ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert struct.unpack(">I", data[1:5])[0] == sid
        other = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE,
                               conf={"subject.name.strategy.conf": {KAFKA_CLUSTER_ID: "lkc-theirs"}})
        other({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{topic}-value/versions").json() == [1]


def test_associated_strategy_after_subject_permanently_deleted_falls_back(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
        http.delete(f"/subjects/{subject}")
        http.delete(f"/subjects/{subject}", params={"permanent": "true"})
        ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}), AVRO_VALUE)
        ser({"name": "a", "n": 1}, SerializationContext(topic, MessageField.VALUE))
        assert http.get(f"/subjects/{topic}-value/versions").json() == [1]


def test_associated_strategy_deserializer_round_trip(registry, subject: str) -> None:
    topic = topic_name()
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, subject, AVRO_VALUE)
        create_assoc(http, topic, {"subject": subject, "associationType": "value"})
    client = SchemaRegistryClient({"url": registry.url})
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = AvroSerializer(client, AVRO_VALUE)({"name": "rt", "n": 9}, ctx)
    assert AvroDeserializer(client)(data, ctx) == {"name": "rt", "n": 9}


def test_reregister_returns_same_guid(http: httpx.Client, subject: str) -> None:
    a = reg(http, subject, rec("G18"), headers=ACCEPT_UNKNOWN).json()
    b = reg(http, subject, rec("G18"), headers=ACCEPT_UNKNOWN).json()
    assert a["guid"] == b["guid"]
    assert a["id"] == b["id"]


def test_get_schema_by_guid_carries_references(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject + "-child", rec("Child19", ("x", "int")))
    refs = [{"name": "rv.Child19", "subject": subject + "-child", "version": 1}]
    reg_ok(http, subject, rec("Parent19", ("c", "rv.Child19")), references=refs)
    got = http.get(f"/schemas/guids/{latest(http, subject)['guid']}").json()
    assert got["references"] == refs


def test_guid_of_soft_deleted_version_still_resolves(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G20"))
    guid = latest(http, subject)["guid"]
    assert http.delete(f"/subjects/{subject}/versions/1").status_code == 200
    assert http.get(f"/schemas/guids/{guid}").status_code == 200


def test_guid_of_hard_deleted_schema_is_gone(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("G21"))
    guid = latest(http, subject)["guid"]
    http.delete(f"/subjects/{subject}/versions/1")
    http.delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"})
    check_error(http.get(f"/schemas/guids/{guid}"), 404, 40403)


def test_association_request_is_atomic(http: httpx.Client, subject: str) -> None:
    reg_ok(http, subject, rec("A22"))
    topic = topic_name()
    r = http.post("/associations", json=assoc_body(topic, {"subject": subject, "associationType": "key"},
                                                    {"subject": subject + "-missing", "associationType": "value"}))
    check_error(r, 404, 40401)
    r = http.get(f"/associations/resources/-/{topic}")
    assert (r.status_code == 200 and r.json() == []) or r.status_code == 404, r.text


def test_associations_filter_invalid_value(http: httpx.Client) -> None:
    check_error(http.get(f"/associations/resources/-/{topic_name()}", params={"associationType": "sideways"}),
                422, 42212)
