"""Proof on Kafka (real broker, noida-db): load and SIGKILL on one instance and on two (primary
killed mid-load, clients retry on the survivor), and backup/restore of a Kafka topic.

noida-db never evicts a member killed without leaving (no session timer): after each SIGKILL the
tests wait the session timeout and send LeaveGroup for the dead member themselves, the SIMULATED
BROKER EVICTION of tests/kafka_support.py. noida-db has no transaction timer either: a real broker
aborts the open transaction of a primary killed mid-write after ``transaction.timeout.ms``, noida-db
never does, and the restarted instance's read_committed replay would wait behind it forever. So
the single-instance test kills the primary between two transactions (:func:`kill_between_transactions`);
with two instances the survivor's promotion (``init_transactions``) aborts it, as on a real broker.
The load and its checks are in tests/proof_support.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Consumer, TopicPartition
from kafka_support import (
    SESSION_TIMEOUT_MS,
    evict_member,
    kafka_registry,
    record_schema,
    register,
    status,
    unique,
    wait_status,
)
from proof_support import run_load

from conftest import V1, RegistryProcess


def simulated_broker_eviction(bootstrap: str, group: str, member: str) -> None:
    """What a real broker does session.timeout.ms after a member stops heartbeating."""
    time.sleep(SESSION_TIMEOUT_MS / 1000)
    assert evict_member(bootstrap, group, member) == 0


def _offsets(bootstrap: str, topic: str, isolation: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "test-lso", "isolation.level": isolation})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5, cached=False)[1]
    finally:
        consumer.close()


def kill_between_transactions(server: RegistryProcess, bootstrap: str, topic: str, tries: int = 200) -> None:
    """SIGKILL the primary while it has no transaction open on the broker (see the module docstring):
    stop it, and kill it if the last stable offset is the high watermark, else let it run a moment."""
    assert server.proc is not None
    for _ in range(tries):
        server.proc.send_signal(signal.SIGSTOP)
        time.sleep(0.05)  # let a request already on the wire land
        if _offsets(bootstrap, topic, "read_committed") == _offsets(bootstrap, topic, "read_uncommitted"):
            break
        server.proc.send_signal(signal.SIGCONT)
        time.sleep(0.01)
    server.kill()


def test_load_with_sigkill_on_one_kafka_instance(tmp_path: Path, kafka_broker: Any) -> None:
    topic, group = unique("load"), unique("grp")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--compatibility", "NONE").start()
    wait_status(server, ready=True, role="primary")
    current = [server]
    restarted = threading.Event()

    def crash() -> None:
        member = status(current[0])["group_member_id"]
        kill_between_transactions(current[0], kafka_broker.bootstrap, topic)
        simulated_broker_eviction(kafka_broker.bootstrap, group, member)
        current[0] = RegistryProcess(server.data_dir, server.port, server.extra).start()
        restarted.set()

    try:
        figures = run_load(lambda: [current[0].url], crash, retry_s=40)
        assert restarted.is_set() and figures["acked_after_crash"] > 0
    finally:
        current[0].stop()


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
        member = status(a)["group_member_id"]
        a.kill()
        alive[:] = [b.url]  # clients retry on the survivor
        simulated_broker_eviction(kafka_broker.bootstrap, group, member)
        wait_status(b, role="primary", primary_url=b.url, timeout=20)

    try:
        figures = run_load(lambda: list(alive), crash, retry_s=40)
        assert figures["new_ids_after_crash"] > 0 and figures["collisions_after_crash"] == 0
    finally:
        for server in (a, b):
            if server.proc is not None and server.proc.poll() is None:
                server.stop()


def charter(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charter.cli.main", *args], capture_output=True, text=True,
                          timeout=120)


def snapshot(url: str) -> dict[str, Any]:
    """Every subject/version with its id and schema, the global config and per-subject configs."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=10) as c:
        subjects = c.get("/subjects", params={"deleted": "true"}).json()
        for subject in subjects:
            for version in c.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json():
                v = c.get(f"/subjects/{subject}/versions/{version}", params={"deleted": "true"}).json()
                out[f"{subject}/{version}"] = (v["id"], v["schema"])
            config = c.get(f"/config/{subject}")
            out[f"config {subject}"] = config.json() if config.status_code == 200 else None
        out["live subjects"] = sorted(c.get("/subjects").json())
        out["config"] = c.get("/config").json()
    return out


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
