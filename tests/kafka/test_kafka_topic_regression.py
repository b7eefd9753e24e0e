"""The `_schemas` topic going backwards under running instances (issue 17, item 3).

A broker that restarts without having flushed its last committed records (one unreplicated broker:
possible on real Kafka too) serves a partition that ends below what the instances applied. Two
ways to get there on a real Apache Kafka broker:

- the loss itself (:func:`lose_tail_on_restart`): a broker of the test's own is SIGKILLed, the
  partition's segment file is cut after the records to keep (and its indexes and producer snapshots
  removed, as a disk that never got them), and the broker starts again; the readers see librdkafka's
  "log truncation detected";
- a stand-in on the shared broker (:func:`lose_tail`): the topic is deleted and recreated (1 partition,
  compacted, as Charter creates it) holding only its first records; the readers see an offset reset
  (out of range), as in the issue's logs.

Every instance must notice, stop accepting writes, rebuild its state from the topic, never hand out
an id already issued, and never answer a committed write with 50001 (the AssertionError of the issue).
"""

from __future__ import annotations

import json
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from support.kafka import kafka_registry, read_topic, record_schema, register, status, unique, wait_status
from support.kafka_broker import KafkaBroker
from support.process import RegistryProcess

KEEP = 4  # schemas whose records survive the loss
LOST = 4  # schemas registered (and acknowledged) whose records the topic loses
AFTER = 6  # schemas registered after the loss
RETRYABLE = {50002, 50004}  # what a write may answer while the instance rebuilds (then retried)


def _schema_records(records: list[tuple[int, bytes, bytes | None]]) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    return [(o, json.loads(k), json.loads(v)) for o, k, v in records
            if v is not None and json.loads(k).get("keytype") == "SCHEMA"]


def lose_tail(bootstrap: str, topic: str, keep_through: int) -> None:
    """Delete the topic and recreate it with the records up to offset ``keep_through`` only."""
    kept = [(k, v) for o, k, v in read_topic(bootstrap, topic) if o <= keep_through]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.delete_topics([topic])[topic].result(30)
    deadline = time.monotonic() + 30
    while True:
        try:
            admin.create_topics([NewTopic(topic, 1, 1, config={"cleanup.policy": "compact"})])[topic].result(30)
            break
        except KafkaException as exc:  # deletion still in progress on the broker
            assert time.monotonic() < deadline, f"could not recreate {topic}: {exc}"
            time.sleep(0.2)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    for key, value in kept:
        producer.produce(topic, key=key, value=value, partition=0)
    assert producer.flush(30) == 0


def lose_tail_on_restart(broker: KafkaBroker, topic: str, keep_through: int) -> None:
    """SIGKILL the broker, cut the partition's log after offset ``keep_through``, start it again."""
    assert broker.proc is not None
    broker.proc.kill()
    broker.proc.wait(30)
    partition = broker.data_dir / f"{topic}-0"
    segment = partition / "00000000000000000000.log"
    data = segment.read_bytes()
    position = 0
    while position + 12 <= len(data):  # record batches: base offset (int64), length (int32), body
        base, length = struct.unpack(">qi", data[position:position + 12])
        if base > keep_through:
            break
        position += 12 + length
    assert 0 < position < len(data), (position, len(data))
    with open(segment, "r+b") as f:
        f.truncate(position)
    for path in partition.iterdir():
        if path.suffix in (".index", ".timeindex", ".snapshot"):
            path.unlink()
    broker.start()


def register_until_answered(url: str, subject: str, schema: str, answers: list[httpx.Response],
                            limit_s: float = 60.0) -> httpx.Response:
    """Register, retrying a retryable 5xx (a rebuild in progress) until a 200 or ``limit_s``."""
    deadline = time.monotonic() + limit_s
    while True:
        answer = register(url, subject, schema)
        answers.append(answer)
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        if answer.status_code < 500 or answer.json().get("error_code") not in RETRYABLE:
            return answer
        time.sleep(0.2)


def served(url: str) -> dict[int, str]:
    """Every schema the instance serves, by id (deleted ones included)."""
    body = httpx.get(url + "/schemas", params={"deleted": "true"}, timeout=10).json()
    return {s["id"]: s["schema"] for s in body}


def check_after_loss(servers: list[RegistryProcess], bootstrap: str, topic: str,
                     lose: Callable[[int], None] | None = None) -> None:
    """Register KEEP + LOST schemas, lose the topic's records after the first KEEP (``lose``, given the
    last offset to keep; :func:`lose_tail` by default), register AFTER more, and check the outcome."""
    primary = servers[0]
    for i in range(KEEP + LOST):
        assert register(primary.url, f"s{i}", record_schema(f"S{i}")).status_code == 200
    for server in servers[1:]:
        deadline = time.monotonic() + 10
        while status(server).get("max_id") != KEEP + LOST and time.monotonic() < deadline:
            time.sleep(0.1)
    before = served(primary.url)
    assert sorted(before) == list(range(1, KEEP + LOST + 1))
    schemas = _schema_records(read_topic(bootstrap, topic))
    keep_through = next(o for o, k, _ in schemas if k["subject"] == f"s{KEEP - 1}")

    (lose or (lambda keep: lose_tail(bootstrap, topic, keep)))(keep_through)

    answers: list[httpx.Response] = []
    for i in range(KEEP + LOST, KEEP + LOST + AFTER):
        url = servers[i % len(servers)].url
        final = register_until_answered(url, f"s{i}", record_schema(f"S{i}"), answers)
        assert final.status_code == 200, final.text
    bad = [(a.status_code, a.text) for a in answers
           if a.status_code != 200 and (a.json().get("error_code") not in RETRYABLE or "AssertionError" in a.text)]
    assert not bad, bad

    in_topic = _schema_records(read_topic(bootstrap, topic))
    topic_ids = {v["id"]: v["schema"] for _, _, v in in_topic}
    # no id given to two different schemas: neither in the topic, nor against ids acknowledged before
    by_id: dict[int, set[str]] = {}
    for _, _, v in in_topic:
        by_id.setdefault(v["id"], set()).add(v["schema"])
    assert all(len(texts) == 1 for texts in by_id.values()), by_id
    for schema_id, text in topic_ids.items():
        assert before.get(schema_id, text) == text, f"id {schema_id} was reused for another schema"
    # what is served is what is in the topic, on every instance, once each has rebuilt
    for server in servers:
        deadline = time.monotonic() + 30
        while served(server.url) != topic_ids and time.monotonic() < deadline:
            time.sleep(0.2)
        assert served(server.url) == topic_ids, (server.url, sorted(served(server.url)), sorted(topic_ids))
        log = server.read_log()
        assert "went backwards" in log, log[-3000:]
        wait_status(server, ready=True)


@pytest.mark.timeout(240)
def test_one_instance_notices_the_topic_going_backwards(tmp_path: Path, kafka_broker) -> None:
    topic, group = unique("back"), unique("g")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group).start()
    try:
        wait_status(server, ready=True, role="primary")
        check_after_loss([server], kafka_broker.bootstrap, topic)
        lost = [f"{i}" for i in range(KEEP + 1, KEEP + LOST + 1)]
        log = server.read_log()
        assert "ERROR" in log and all(i in log for i in lost), log[-3000:]
    finally:
        server.stop()


@pytest.mark.timeout(300)
def test_a_broker_restarting_without_its_last_records_is_noticed(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path / "kafka").start()  # its own: this test kills it and cuts its log
    topic, group = unique("lost"), unique("g")
    server = kafka_registry(tmp_path, broker.bootstrap, topic, group).start()
    try:
        wait_status(server, ready=True, role="primary", timeout=60)
        check_after_loss([server], broker.bootstrap, topic, lambda keep: lose_tail_on_restart(broker, topic, keep))
        assert "truncation" in server.read_log()
    finally:
        server.stop()
        broker.stop()


@pytest.mark.timeout(300)
def test_two_instances_notice_the_topic_going_backwards(tmp_path: Path, kafka_broker) -> None:
    topic, group = unique("back2"), unique("g")
    servers = [kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group).start() for _ in range(2)]
    try:
        for server in servers:
            wait_status(server, ready=True)
        deadline = time.monotonic() + 30
        while not any(status(s).get("role") == "primary" and status(s).get("writable") for s in servers):
            assert time.monotonic() < deadline, "no primary elected"
            time.sleep(0.1)
        primary = next(s for s in servers if status(s).get("role") == "primary")
        check_after_loss([primary, *[s for s in servers if s is not primary]], kafka_broker.bootstrap, topic)
    finally:
        for server in servers:
            server.stop()
