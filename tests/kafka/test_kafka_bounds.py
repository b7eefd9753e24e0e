"""Nothing hangs on Kafka: a write that cannot complete is answered within ``kafkastore.timeout.ms``.

Two ways a write can be stuck, both reproduced on the real broker:

- the topic's last stable offset cannot move past a transaction left open (here by a foreign
  transactional producer that never commits, as a primary SIGKILLed mid-write leaves one until it
  is fenced or aborted): the primary's write barrier is never reached by its read_committed reader;
- the broker stops answering (SIGSTOP of the broker process).

In both, every concurrent write gets Confluent's 50002 in about the timeout (never an open socket),
``/status`` says ``writable: false`` and why, ``/status/ready`` answers 503 on the primary, and
writes succeed again as soon as the cause is gone.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer
from support.kafka import kafka_registry, record_schema, register, status, unique, wait_status

TIMEOUT_MS = 500  # Confluent's kafkastore.timeout.ms default, also ours
ANSWER_BOUND_S = 3.0  # timeout plus the time to answer under 20 concurrent requests on 2 cores


def _concurrent_writes(url: str, prefix: str, count: int = 20) -> list[tuple[int, int | None, float]]:
    """``count`` registrations at once: (HTTP status, error_code, seconds to the answer) each."""

    def one(i: int) -> tuple[int, int | None, float]:
        started = time.monotonic()
        r = register(url, f"{prefix}-{i}", record_schema(f"{prefix.replace('-', '_')}_{i}"))
        code = r.json().get("error_code") if r.status_code != 200 else None
        return r.status_code, code, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def _ready_probe(url: str) -> tuple[int, dict[str, Any]]:
    r = httpx.get(url + "/status/ready", timeout=5)
    return r.status_code, r.json()


def _wait_writable(url: str, timeout: float = 30.0) -> float:
    """Register until one succeeds; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if register(url, unique("again"), record_schema("Again")).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"no write succeeded within {timeout} s")


@pytest.mark.timeout(120)
def test_a_transaction_left_open_times_writes_out_and_status_says_why(tmp_path: Path, kafka_broker: Any) -> None:
    topic, group = unique("open-txn"), unique("grp")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group,
                            "--kafkastore-timeout-ms", str(TIMEOUT_MS)).start()
    stuck = Producer({"bootstrap.servers": kafka_broker.bootstrap, "transactional.id": unique("stuck"),
                      "transaction.timeout.ms": 600000})
    try:
        wait_status(server, ready=True, role="primary", writable=True)
        assert register(server.url, "before", record_schema("Before")).status_code == 200
        assert _ready_probe(server.url)[0] == 200

        stuck.init_transactions(10)
        stuck.begin_transaction()
        stuck.produce(topic, key=b'{"keytype":"NOOP","magic":0}', value=None, partition=0)
        stuck.flush(10)  # the record is in the log, its transaction open: the LSO stops before it

        answers = _concurrent_writes(server.url, "stuck")
        assert all(s == 500 and code == 50002 for s, code, _ in answers), answers
        slowest = max(t for _, _, t in answers)
        assert slowest < ANSWER_BOUND_S, f"slowest answer took {slowest:.2f} s"
        body = status(server)
        assert body["ready"] is True and body["writable"] is False, body
        assert "open" in body["reason"] and "transaction" in body["reason"], body["reason"]
        code, probe = _ready_probe(server.url)
        assert code == 503 and probe["writable"] is False and probe["reason"], probe

        stuck.abort_transaction(10)
        took = _wait_writable(server.url)
        assert took < 10, took
        wait_status(server, writable=True, reason=None, timeout=10)
        assert _ready_probe(server.url)[0] == 200
        # nothing written while stuck was lost or half-applied: every subject is readable or absent
        with httpx.Client(base_url=server.url, timeout=10) as c:
            for i in range(20):
                r = c.get(f"/subjects/stuck-{i}/versions")
                assert r.status_code in (200, 404), r.text
    finally:
        server.stop()


@pytest.mark.timeout(180)
def test_a_stopped_broker_times_writes_out_then_they_resume(tmp_path: Path, kafka_broker: Any) -> None:
    topic, group = unique("paused"), unique("grp")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group,
                            "--kafkastore-timeout-ms", str(TIMEOUT_MS)).start()
    pid = kafka_broker.proc.pid
    try:
        wait_status(server, ready=True, role="primary", writable=True)
        assert register(server.url, "before", record_schema("Before")).status_code == 200
        os.kill(pid, signal.SIGSTOP)
        try:
            answers = _concurrent_writes(server.url, "paused")
            reads = httpx.get(server.url + "/subjects/before/versions/latest", timeout=5)
        finally:
            os.kill(pid, signal.SIGCONT)
        assert all(s == 500 and code == 50002 for s, code, _ in answers), answers
        slowest = max(t for _, _, t in answers)
        assert slowest < ANSWER_BOUND_S, f"slowest answer took {slowest:.2f} s"
        assert reads.status_code == 200  # reads are served from memory all along
        took = _wait_writable(server.url, timeout=60)
        print(f"\nwrites resumed {took:.2f} s after the broker did")
    finally:
        server.stop()
