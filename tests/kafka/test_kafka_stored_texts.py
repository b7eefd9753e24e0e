"""The Kafka backend's twin of tests/schemas/test_stored_texts_read_back.py: schema texts kept in
the spill file read back byte-identical after a restart that replays them from the topic."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.kafka import kafka_registry, unique, wait_status
from support.texts import populate, snapshot


def test_texts_read_back_byte_identical_after_a_restart_on_kafka(tmp_path: Path, kafka_broker) -> None:
    topic, group, bootstrap = unique("texts"), unique("g"), kafka_broker.bootstrap
    server = kafka_registry(tmp_path, bootstrap, topic, group).start()
    try:
        wait_status(server, ready=True, role="primary")
        versions = populate(server.url, "ktxt")
        before = snapshot(server.url, versions)
    finally:
        server.stop()
    server = kafka_registry(tmp_path, bootstrap, topic, group).start()
    try:
        wait_status(server, ready=True, role="primary")
        assert snapshot(server.url, versions) == before
        gone = httpx.get(f"{server.url}/subjects/ktxt-short/versions/2", params={"deleted": "true"}, timeout=10)
        assert gone.status_code == 404
    finally:
        server.stop()
