"""Reliability proofs of ``charter serve --workers N`` on the embedded log (real processes, real SIGKILL).

- SIGKILL of a random worker, the writer included, 20 times while clients register: nothing
  acknowledged is lost, no id is issued twice, and the supervisor brings the pool back each time.
- Read-your-writes across workers: 1,000 registrations on one worker, each read back at once on
  the other (through the workers' private listeners, so which worker answers is not left to chance).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest
from support.pool import kill_under_load, wait_healthy
from support.process import V1, RegistryProcess
from support.proof import schema

KILLS = 20


@pytest.mark.timeout(900)
def test_sigkill_of_a_random_worker_20_times_loses_nothing_and_issues_no_id_twice(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2", "--compatibility", "NONE"]).start()
    try:
        killed, figures = kill_under_load(pool.url, 2, KILLS, random.Random(18))
    finally:
        pool.stop()
    assert figures["lost"] == 0, figures
    assert {"writer", "follower"} <= set(killed), killed
    assert figures["restarts"] == KILLS
    assert pool.proc is not None and pool.proc.returncode == 0


@pytest.mark.timeout(300)
def test_read_your_writes_across_workers_on_1000_register_then_read_pairs(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2", "--compatibility", "NONE"]).start()
    try:
        members = wait_healthy(pool.url, 2)
        urls = [f"http://127.0.0.1:{m['port']}" for m in members]
        stale = 0
        with httpx.Client(headers={"Content-Type": V1}, timeout=10) as client:
            for i in range(1000):
                on, then = (urls[0], urls[1]) if i % 2 == 0 else (urls[1], urls[0])
                subject = f"ryw-{i % 10}"
                r = client.post(f"{on}/subjects/{subject}/versions", json={"schema": schema(i)})
                assert r.status_code == 200, r.text
                schema_id = r.json()["id"]
                by_id = client.get(f"{then}/schemas/ids/{schema_id}")
                latest = client.get(f"{then}/subjects/{subject}/versions/latest")
                if by_id.status_code != 200 or json.loads(by_id.json()["schema"]) != json.loads(schema(i)):
                    stale += 1
                if latest.status_code != 200 or latest.json()["id"] != schema_id:
                    stale += 1
        assert stale == 0
    finally:
        pool.stop()


def test_the_pool_is_described_by_status_and_metrics_on_every_worker(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2"]).start()
    try:
        members = wait_healthy(pool.url, 2)
        httpx.post(pool.url + "/subjects/s/versions", json={"schema": '"string"'}, headers={"Content-Type": V1})
        for member in members:
            url = f"http://127.0.0.1:{member['port']}"
            status = httpx.get(url + "/status").json()
            assert status["worker"] == member["worker"]
            assert status["role"] == ("primary" if member["role"] == "writer" else "follower")
            assert status["pool"]["workers"] == 2 and status["pool"]["acked_offset"] >= 0
            assert {m["pid"] for m in status["pool"]["members"]} == {m["pid"] for m in members}
            metrics = httpx.get(url + "/metrics").text
            assert "charter_pool_workers 2.0" in metrics
            assert metrics.count("charter_pool_worker_writer{") == 2
            writer = next(m["worker"] for m in members if m["role"] == "writer")
            assert f'charter_pool_worker_writer{{worker="{writer}"}} 1.0' in metrics
    finally:
        pool.stop()
