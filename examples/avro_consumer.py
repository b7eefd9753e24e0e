"""Consume the Avro records of avro_producer.py with Charter's deserializer.

    python examples/avro_consumer.py --bootstrap localhost:9092 --registry http://localhost:8081 --topic users
"""

from __future__ import annotations

import argparse
import time

from confluent_kafka import Consumer
from confluent_kafka.serialization import MessageField, SerializationContext

from charter.clients import SchemaRegistryClient
from charter.clients.avro import AvroDeserializer


def consume(bootstrap: str, registry_url: str, topic: str, count: int, timeout: float = 30.0) -> list[dict]:
    """Read ``count`` records from the start of ``topic`` and return the decoded values."""
    registry = SchemaRegistryClient({"url": registry_url})
    deserialize = AvroDeserializer(registry)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"charter-example-{time.time_ns()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    values: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while len(values) < count and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            ctx = SerializationContext(msg.topic(), MessageField.VALUE, msg.headers())
            values.append(deserialize(msg.value(), ctx))
    finally:
        consumer.close()
        registry.close()
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--registry", default="http://localhost:8081")
    parser.add_argument("--topic", default="users")
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()
    for user in consume(args.bootstrap, args.registry, args.topic, args.count):
        print(user)


if __name__ == "__main__":
    main()
