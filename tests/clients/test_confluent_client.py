"""Charter driven by the real confluent-kafka SchemaRegistryClient and its Avro serdes.

This is the interoperability oracle: if confluent-kafka's own client and serializers work
against Charter unchanged, existing tools do too.
"""

from __future__ import annotations

import json

import pytest
from confluent_kafka.schema_registry import (
    RegisteredSchema,
    Schema,
    SchemaReference,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from support.process import RegistryProcess

USER_V1 = {
    "type": "record",
    "name": "User",
    "namespace": "com.example",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
}
USER_V2 = {**USER_V1, "fields": [*USER_V1["fields"], {"name": "email", "type": ["null", "string"], "default": None}]}
USER_BAD = {**USER_V1, "fields": [*USER_V1["fields"], {"name": "email", "type": "string"}]}


@pytest.fixture
def client(registry: RegistryProcess) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": registry.url})


def avro(obj: dict) -> Schema:
    return Schema(json.dumps(obj, indent=2), "AVRO")


def test_register_get_lookup_and_versions(client: SchemaRegistryClient, subject: str) -> None:
    schema_id = client.register_schema(subject, avro(USER_V1))
    assert schema_id > 0
    fetched = client.get_schema(schema_id)
    assert json.loads(fetched.schema_str) == USER_V1
    assert fetched.schema_type == "AVRO"
    # The stored text is Confluent's compact canonical form, whatever whitespace came in.
    assert fetched.schema_str == json.dumps(USER_V1, separators=(",", ":"))
    found = client.lookup_schema(subject, avro(USER_V1))
    assert (found.schema_id, found.subject, found.version) == (schema_id, subject, 1)
    # Re-registering returns the same id and makes no new version.
    assert client.register_schema(subject, avro(USER_V1)) == schema_id
    assert client.get_versions(subject) == [1]
    v2 = client.register_schema(subject, avro(USER_V2))
    assert v2 != schema_id
    latest = client.get_latest_version(subject)
    assert isinstance(latest, RegisteredSchema)
    assert (latest.version, latest.schema_id) == (2, v2)
    assert client.get_version(subject, 1).schema_id == schema_id
    assert subject in client.get_subjects()


def test_same_schema_in_two_subjects_shares_its_id(client: SchemaRegistryClient, subject: str) -> None:
    a = client.register_schema(subject, avro(USER_V1))
    b = client.register_schema(subject + "-copy", avro(USER_V1))
    assert a == b
    versions = client.get_schema_versions(a)
    assert {(v.subject, v.version) for v in versions} >= {(subject, 1), (subject + "-copy", 1)}


def test_incompatible_schema_is_refused_with_409(client: SchemaRegistryClient, subject: str) -> None:
    client.register_schema(subject, avro(USER_V1))
    assert client.test_compatibility(subject, avro(USER_V2)) is True
    assert client.test_compatibility(subject, avro(USER_BAD)) is False
    with pytest.raises(SchemaRegistryError) as exc:
        client.register_schema(subject, avro(USER_BAD))
    assert exc.value.http_status_code == 409
    assert exc.value.error_code == 40901
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in exc.value.error_message
    assert client.get_versions(subject) == [1]


def test_lookup_errors(client: SchemaRegistryClient, subject: str) -> None:
    with pytest.raises(SchemaRegistryError) as exc:
        client.lookup_schema(subject, avro(USER_V1))
    assert exc.value.error_code == 40401
    client.register_schema(subject, avro(USER_V1))
    with pytest.raises(SchemaRegistryError) as exc:
        client.lookup_schema(subject, avro(USER_V2))
    assert exc.value.error_code == 40403


def test_subject_compatibility_and_config(client: SchemaRegistryClient, subject: str) -> None:
    client.register_schema(subject, avro(USER_V1))
    assert client.set_compatibility(subject, "NONE") == {"compatibility": "NONE"}
    assert client.get_compatibility(subject) == "NONE"
    assert client.register_schema(subject, avro(USER_BAD)) > 0
    config = client.get_config(subject)
    assert config.compatibility_level.value == "NONE"
    client.delete_config(subject)
    with pytest.raises(SchemaRegistryError) as exc:
        client.get_compatibility(subject)
    assert exc.value.error_code == 40408


def test_delete_version_and_subject(client: SchemaRegistryClient, subject: str) -> None:
    client.register_schema(subject, avro(USER_V1))
    client.register_schema(subject, avro(USER_V2))
    assert client.delete_version(subject, 2) == 2
    assert client.get_versions(subject) == [1]
    assert client.delete_subject(subject) == [1]
    with pytest.raises(SchemaRegistryError) as exc:
        client.get_versions(subject)
    assert exc.value.error_code == 40401
    assert client.delete_subject(subject, permanent=True) == [1, 2]
    assert subject not in client.get_subjects()


def test_modes(client: SchemaRegistryClient, subject: str) -> None:
    client.register_schema(subject, avro(USER_V1))
    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    with pytest.raises(SchemaRegistryError) as exc:
        client.register_schema(subject, avro(USER_V2))
    assert exc.value.error_code == 42205
    assert client.delete_mode(subject) == "READONLY"
    assert client.register_schema(subject, avro(USER_V2)) > 0


def test_references_and_referenced_by(client: SchemaRegistryClient, subject: str) -> None:
    address = {"type": "record", "name": "Address", "namespace": "com.example",
               "fields": [{"name": "city", "type": "string"}]}
    client.register_schema(subject + "-address", avro(address))
    person = {"type": "record", "name": "Person", "namespace": "com.example",
              "fields": [{"name": "home", "type": "com.example.Address"}]}
    refs = [SchemaReference("com.example.Address", subject + "-address", 1)]
    person_id = client.register_schema(subject, Schema(json.dumps(person), "AVRO", refs))
    assert client.get_referenced_by(subject + "-address", 1) == [person_id]
    fetched = client.get_schema(person_id)
    assert [(r.name, r.subject, r.version) for r in fetched.references] == [
        ("com.example.Address", subject + "-address", 1)
    ]
    with pytest.raises(SchemaRegistryError) as exc:
        client.delete_version(subject + "-address", 1)
    assert exc.value.error_code == 42206


def test_avro_serde_round_trip_with_default_strategy(registry: RegistryProcess) -> None:
    # confluent-kafka >= 2.14 probes /associations first, then falls back to <topic>-value.
    client = SchemaRegistryClient({"url": registry.url})
    topic = "orders-serde-test"
    serializer = AvroSerializer(client, json.dumps(USER_V1))
    ctx = SerializationContext(topic, MessageField.VALUE)
    record = {"name": "Ada", "age": 36}
    payload = serializer(record, ctx)
    assert payload[0] == 0
    schema_id = int.from_bytes(payload[1:5], "big")
    assert client.get_latest_version(f"{topic}-value").schema_id == schema_id
    fresh = SchemaRegistryClient({"url": registry.url})  # no cached schemas
    assert AvroDeserializer(fresh)(payload, ctx) == record


def test_avro_serde_schema_evolution_with_reader_schema(registry: RegistryProcess) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    topic = "users-evolution-test"
    ctx = SerializationContext(topic, MessageField.VALUE)
    old_bytes = AvroSerializer(client, json.dumps(USER_V1))({"name": "Bo", "age": 3}, ctx)
    new_bytes = AvroSerializer(client, json.dumps(USER_V2))({"name": "Cy", "age": 4, "email": "c@x"}, ctx)
    reader = AvroDeserializer(SchemaRegistryClient({"url": registry.url}), json.dumps(USER_V2))
    assert reader(old_bytes, ctx) == {"name": "Bo", "age": 3, "email": None}
    assert reader(new_bytes, ctx)["email"] == "c@x"


def test_use_latest_version_serializer(registry: RegistryProcess) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    topic = "latest-version-test"
    client.register_schema(f"{topic}-value", avro(USER_V1))
    serializer = AvroSerializer(
        client, None, conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = serializer({"name": "Di", "age": 5}, ctx)
    assert AvroDeserializer(SchemaRegistryClient({"url": registry.url}))(payload, ctx) == {"name": "Di", "age": 5}
