"""/metrics on a pool shows every worker's requests (registry/api/pool_metrics.py): whichever worker
a scrape reaches, the request counter and the latency histogram of a route are there for each
worker, under its ``worker`` label, with what that worker served; a worker that does not answer is
left out and counted as missing, and the scrape still answers in time."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import httpx
import pytest
from support.pool import wait_healthy
from support.process import RegistryProcess

pytestmark = pytest.mark.timeout(120)

ROUTE = "/schemas/types"


def sample(text: str, name: str, labels: str = "") -> float | None:
    """The value of one sample in Prometheus text (None when absent)."""
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


def served(text: str, worker: int | None = None) -> float | None:
    where = "" if worker is None else f',worker="{worker}"'
    return sample(text, "charter_http_requests_total", f'{{method="GET",route="{ROUTE}",status="200"{where}}}')


def test_a_scrape_of_any_worker_counts_every_workers_requests(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2"]).start()
    try:
        members = wait_healthy(pool.url, 2)
        urls = [f"http://127.0.0.1:{m['port']}" for m in members]
        counts = {m["worker"]: count for m, count in zip(members, (30, 50), strict=True)}
        for url, count in zip(urls, counts.values(), strict=True):
            with httpx.Client(base_url=url, timeout=10) as client:
                for _ in range(count):
                    assert client.get(ROUTE).status_code == 200
        for url in [*urls, pool.url, pool.url]:  # each worker directly, then through the shared port
            text = httpx.get(f"{url}/metrics", timeout=10).text
            for worker, count in counts.items():
                assert served(text, worker) == count, text
                histogram = f'{{method="GET",route="{ROUTE}",worker="{worker}"}}'
                assert sample(text, "charter_http_request_duration_seconds_count", histogram) == count
            assert served(text) is None  # no sample without its worker label
            assert sample(text, "charter_pool_metrics_missing_workers") == 0

        asked = {"X-Charter-Pool-Series": "1"}  # how one worker asks another, on its private port
        assert httpx.get(f"{urls[0]}/metrics", headers=asked, timeout=10).headers["content-type"] == "application/json"
        public = httpx.get(f"{pool.url}/metrics", headers=asked, timeout=10)  # the shared port: the whole pool
        assert public.headers["content-type"].startswith("text/plain") and served(public.text, 0) is not None

        stuck = members[1]["pid"]
        os.kill(stuck, signal.SIGSTOP)  # it cannot answer: the other worker's scrape leaves it out
        try:
            text = httpx.get(f"{urls[0]}/metrics", timeout=10).text
        finally:
            os.kill(stuck, signal.SIGCONT)
        assert sample(text, "charter_pool_metrics_missing_workers") == 1
        assert served(text, members[0]["worker"]) == 30
        assert served(text, members[1]["worker"]) is None
    finally:
        pool.stop()


def test_a_single_process_has_no_pool_gauge(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data", extra=["--workers", "1"]).start()
    try:
        assert httpx.get(f"{server.url}{ROUTE}", timeout=10).status_code == 200
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
        assert served(text) == 1
        assert sample(text, "charter_pool_metrics_missing_workers") is None
    finally:
        server.stop()
