"""``charter serve --workers N`` on a Kafka topic (a real Apache Kafka broker): every worker is a member
of the topic's group with its own private URL, so exactly one worker of all the pools is the primary.

Read-your-writes holds across the workers of a pool; the primary worker SIGKILLed is replaced (the
supervisor restarts it, the group elects again after the session timeout) and nothing acknowledged
is lost; two pools on one topic forward their writes to the one primary.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import httpx
import pytest
from support.kafka import kafka_registry, record_schema, register, unique
from support.pool import kill_under_load, pool_status, wait_healthy
from support.process import V1, RegistryProcess

KILLS_ON_KAFKA = 20  # as on the embedded log; a kill of the primary waits out the session timeout


def _private(member: dict[str, object]) -> str:
    return f"http://127.0.0.1:{member['port']}"


def _check_everywhere(members: list[dict[str, object]], acked: dict[str, int]) -> None:
    for member in members:
        for subject, schema_id in acked.items():
            r = httpx.get(f"{_private(member)}/subjects/{subject}/versions/latest", timeout=10)
            assert r.status_code == 200 and r.json()["id"] == schema_id, (member, subject, r.text)


@pytest.mark.timeout(240)
def test_a_pool_on_kafka_reads_its_writes_on_every_worker_and_survives_its_primary_killed(
        tmp_path: Path, kafka_broker) -> None:
    topic, group = unique("pool"), unique("grp")
    pool = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--workers", "2").start()
    try:
        members = wait_healthy(pool.url, 2, timeout=90)
        acked: dict[str, int] = {}
        with httpx.Client(headers={"Content-Type": V1}, timeout=15) as client:
            for i in range(200):  # register on one worker, read at once on the other
                on, then = (members[0], members[1]) if i % 2 == 0 else (members[1], members[0])
                subject = f"kp-{i}"
                r = client.post(f"{_private(on)}/subjects/{subject}/versions", json={"schema": record_schema(f"K{i}")})
                assert r.status_code == 200, r.text
                acked[subject] = r.json()["id"]
                got = client.get(f"{_private(then)}/schemas/ids/{acked[subject]}")
                assert got.status_code == 200 and json.loads(got.json()["schema"]) == json.loads(record_schema(f"K{i}"))
        assert len(set(acked.values())) == len(acked)
        writer = next(m for m in members if m["role"] == "writer")
        os.kill(writer["pid"], signal.SIGKILL)
        members = wait_healthy(pool.url, 2, timeout=90)
        assert writer["pid"] not in {m["pid"] for m in members}
        r = register(pool.url, "kp-after", record_schema("After"), headers={"Content-Type": V1})
        assert r.status_code == 200, r.text
        assert r.json()["id"] not in acked.values()
        acked["kp-after"] = r.json()["id"]
        _check_everywhere(members, acked)
        assert pool_status(pool.url)["restarts"] == 1
    finally:
        pool.stop()


@pytest.mark.timeout(240)
def test_two_pools_on_one_topic_have_one_primary_and_forward_to_it(tmp_path: Path, kafka_broker) -> None:
    topic, group = unique("pools"), unique("grp")
    pools: list[RegistryProcess] = []
    try:
        for _ in range(2):
            pools.append(kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--workers", "2").start())
        boards = _one_primary(pools)
        acked = {}
        for n, pool in enumerate(pools):
            r = register(pool.url, f"two-{n}", record_schema(f"T{n}"), headers={"Content-Type": V1})
            assert r.status_code == 200, r.text
            acked[f"two-{n}"] = r.json()["id"]
        for members in boards:
            _check_everywhere(members, acked)
    finally:
        for pool in pools:
            pool.stop()


def _one_primary(pools: list[RegistryProcess], timeout: float = 90.0) -> list[list[dict[str, object]]]:
    """Each pool's workers once all of them serve and exactly one worker of all is the primary."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            boards = [pool_status(pool.url)["members"] for pool in pools]
            roles = [m["role"] for members in boards for m in members]
            last = boards
            if all(m["pid"] for members in boards for m in members) and roles.count("writer") == 1 \
                    and roles.count("follower") == len(roles) - 1:
                return boards
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"no single primary across the pools in {timeout} s: {last}")


@pytest.mark.timeout(600)
def test_sigkill_of_a_random_worker_of_a_kafka_pool_loses_nothing_and_issues_no_id_twice(
        tmp_path: Path, kafka_broker) -> None:
    topic, group = unique("poolkill"), unique("grp")
    pool = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--workers", "2",
                          "--compatibility", "NONE").start()
    try:
        killed, figures = kill_under_load(pool.url, 2, KILLS_ON_KAFKA, random.Random(18), timeout=90)
    finally:
        pool.stop()
    assert figures["lost"] == 0, figures
    assert "writer" in killed, killed
    assert figures["restarts"] == KILLS_ON_KAFKA
