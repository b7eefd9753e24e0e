"""Produce and consume through a real Apache Kafka broker with the examples' Charter serdes."""

from __future__ import annotations

import importlib.util
import uuid

from support.paths import ROOT
from support.process import RegistryProcess

EXAMPLES = ROOT / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_examples_round_trip_through_a_broker(kafka_broker, registry: RegistryProcess) -> None:
    topic = f"charter-users-{uuid.uuid4().hex[:8]}"
    users = [{"name": f"user-{i}", "favorite_number": i} for i in range(20)]
    load("avro_producer").produce(kafka_broker.bootstrap, registry.url, topic, users)
    got = load("avro_consumer").consume(kafka_broker.bootstrap, registry.url, topic, len(users))
    assert sorted(got, key=lambda u: u["favorite_number"]) == users
