"""Produce Avro records to Kafka with Charter's serializer (an import change from confluent-kafka's).

    python examples/avro_producer.py --bootstrap localhost:9092 --registry http://localhost:8081 --topic users
"""

from __future__ import annotations

import argparse

from confluent_kafka import Producer
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer

from charter.clients import SchemaRegistryClient
from charter.clients.avro import AvroSerializer

USER_SCHEMA = """{"type": "record", "name": "User", "namespace": "example",
 "fields": [{"name": "name", "type": "string"}, {"name": "favorite_number", "type": "long"}]}"""


def produce(bootstrap: str, registry_url: str, topic: str, users: list[dict]) -> None:
    """Send each user (a dict) keyed by name; the value is Confluent-framed Avro."""
    registry = SchemaRegistryClient({"url": registry_url})
    serialize = AvroSerializer(registry, USER_SCHEMA)
    keys = StringSerializer("utf_8")
    producer = Producer({"bootstrap.servers": bootstrap})
    for user in users:
        producer.produce(topic, key=keys(user["name"]),
                         value=serialize(user, SerializationContext(topic, MessageField.VALUE)))
        producer.poll(0)
    if producer.flush(30) != 0:
        raise RuntimeError("some records were not delivered")
    registry.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--registry", default="http://localhost:8081")
    parser.add_argument("--topic", default="users")
    args = parser.parse_args()
    produce(args.bootstrap, args.registry, args.topic,
            [{"name": f"user-{i}", "favorite_number": i} for i in range(10)])
    print(f"produced 10 users to {args.topic}")


if __name__ == "__main__":
    main()
