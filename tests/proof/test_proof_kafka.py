"""Proof on Kafka (a real Apache Kafka broker): load and SIGKILL on one instance and on two (primary
killed mid-load, clients retry on the survivor), and backup/restore of a Kafka topic.

Each primary is SIGKILLed while a transaction of its is open on the broker
(:func:`support.kafka.kill_mid_transaction`), and nothing helps the survivors: the broker expires the
dead member's session, the survivor's promotion (``init_transactions``) fences the dead writer and
aborts its transaction; a restarted single instance waits, in its read_committed replay, until the
broker aborts it (``transaction.timeout.ms``). The load and its checks are in tests/support/proof.py.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.kafka import (
    kafka_registry,
    kill_mid_transaction,
    record_schema,
    register,
    snapshot,
    unique,
    wait_status,
)
from support.process import V1, RegistryProcess
from support.proof import run_load

RETRY_S = 60.0  # each registration's retry budget: covers a restart behind the broker's transaction abort


@pytest.mark.timeout(600)
def test_load_with_sigkill_on_one_kafka_instance(tmp_path: Path, kafka_broker: Any) -> None:
    topic, group = unique("load"), unique("grp")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--compatibility", "NONE").start()
    wait_status(server, ready=True, role="primary")
    current = [server]
    restarted = threading.Event()

    def crash() -> None:
        kill_mid_transaction(current[0], kafka_broker.bootstrap, topic)
        current[0] = RegistryProcess(server.data_dir, server.port, server.extra).start()
        restarted.set()

    try:
        figures = run_load(lambda: [current[0].url], crash, retry_s=RETRY_S)
        assert restarted.is_set() and figures["acked_after_crash"] > 0
    finally:
        current[0].stop()


@pytest.mark.timeout(600)
def test_load_over_two_kafka_instances_with_the_primary_killed(tmp_path: Path, kafka_broker: Any) -> None:
    topic, group = unique("load2"), unique("grp")
    a = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--compatibility", "NONE")
    b = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--compatibility", "NONE")
    if b.url < a.url:  # the smaller URL is elected: start it first so that it is the primary
        a, b = b, a
    a.start()
    wait_status(a, ready=True, role="primary")
    b.start()
    wait_status(b, ready=True, role="follower", primary_url=a.url)
    alive = [a.url, b.url]  # half the clients write through the follower (forwarded)

    def crash() -> None:
        kill_mid_transaction(a, kafka_broker.bootstrap, topic)
        alive[:] = [b.url]  # clients retry on the survivor
        wait_status(b, role="primary", primary_url=b.url, timeout=30)

    try:
        figures = run_load(lambda: list(alive), crash, retry_s=RETRY_S)
        assert figures["new_ids_after_crash"] > 0 and figures["collisions_after_crash"] == 0
    finally:
        for server in (a, b):
            if server.proc is not None and server.proc.poll() is None:
                server.stop()


def charter(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charter.cli.main", *args], capture_output=True, text=True,
                          timeout=120)


def test_backup_and_restore_of_a_kafka_topic(tmp_path: Path, kafka_broker: Any) -> None:
    bootstrap = kafka_broker.bootstrap
    topic, group = unique("bk"), unique("grp")
    source = kafka_registry(tmp_path, bootstrap, topic, group).start()
    try:
        wait_status(source, ready=True, role="primary")
        for i in range(15):
            for field in ("a", "b", "c")[: 1 + i % 3]:
                assert register(source.url, f"bk-{i}", record_schema(f"B{i}", field)).status_code == 200
        with httpx.Client(base_url=source.url, headers={"Content-Type": V1}, timeout=10) as c:
            assert c.put("/config/bk-1", json={"compatibility": "NONE"}).status_code == 200
            assert c.put("/config", json={"compatibility": "FULL"}).status_code == 200
            assert c.delete("/subjects/bk-2/versions/2").status_code == 200
            assert c.delete("/subjects/bk-4").status_code == 200
        before = snapshot(source.url)
        backup = tmp_path / "kafka.backup"
        done = charter("backup", "--kafka-bootstrap", bootstrap, "--kafka-topic", topic, "--out", str(backup))
        assert done.returncode == 0, done.stderr
    finally:
        source.stop()
    assert len(before) > 30 and before["config"]["compatibilityLevel"] == "FULL"

    fresh_topic = unique("restored")
    done = charter("restore", str(backup), "--kafka-bootstrap", bootstrap, "--kafka-topic", fresh_topic)
    assert done.returncode == 0 and "verified" in done.stderr, done.stderr
    done = charter("restore", str(backup), "--data-dir", str(tmp_path / "embedded"))
    assert done.returncode == 0 and "verified" in done.stderr, done.stderr
    for target in (["--kafka-bootstrap", bootstrap, "--kafka-topic", fresh_topic],
                   ["--data-dir", str(tmp_path / "embedded")]):
        refused = charter("restore", str(backup), *target)
        assert refused.returncode == 2 and "--force" in refused.stderr, (target, refused.stderr)

    on_kafka = kafka_registry(tmp_path, bootstrap, fresh_topic, unique("grp")).start()
    on_file = RegistryProcess(tmp_path / "embedded").start()
    try:
        wait_status(on_kafka, ready=True, role="primary")
        assert snapshot(on_kafka.url) == before
        assert snapshot(on_file.url) == before
        # the restored registries go on issuing fresh ids
        new = register(on_kafka.url, "bk-new", record_schema("New")).json()["id"]
        assert new > max(v[0] for k, v in before.items() if "/" in k)
    finally:
        on_kafka.stop()
        on_file.stop()
