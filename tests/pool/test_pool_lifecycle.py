"""How a ``charter serve --workers N`` pool starts, takes over and stops, on the embedded log.

The default size, the data directory kept from other processes while a pool runs, a torn tail left
by a writer killed in the middle of an append (cut off by the worker that takes over), a stop that
leaves a log a single process opens, and workers that stop when their supervisor is SIGKILLed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support.pool import alive, pool_status, wait_healthy
from support.process import V1, RegistryProcess

from charter.registry.log.framing import LOG_FILE, encode_frame


def register(url: str, subject: str, schema: str) -> int:
    r = httpx.post(f"{url}/subjects/{subject}/versions", json={"schema": schema}, headers={"Content-Type": V1},
                   timeout=10)
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


def test_without_workers_the_pool_has_one_worker_per_core_up_to_four(tmp_path: Path) -> None:
    expected = max(1, min(os.cpu_count() or 1, 4))
    server = RegistryProcess(tmp_path / "data")
    old = os.environ.pop("CHARTER_WORKERS", None)
    try:
        server.start()
        status = httpx.get(server.url + "/status").json()
        assert (status["pool"]["workers"] if "pool" in status else 1) == expected
    finally:
        server.stop()
        if old is not None:
            os.environ["CHARTER_WORKERS"] = old


def test_the_pools_data_directory_is_refused_to_any_other_server(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2"]).start()
    try:
        wait_healthy(pool.url, 2)
        other = subprocess.run(
            [sys.executable, "-m", "charter.cli.main", "serve", "--port", "0", "--data-dir", str(tmp_path / "data"),
             "--workers", "1"], capture_output=True, text=True, timeout=60)
        assert other.returncode == 2
        assert "in use by another Charter process" in other.stderr
    finally:
        pool.stop()


@pytest.mark.timeout(120)
def test_a_writer_killed_mid_append_leaves_a_torn_tail_the_next_writer_cuts_off(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2", "--compatibility", "NONE"]).start()
    try:
        first = register(pool.url, "torn", '"string"')
        writer = next(m for m in wait_healthy(pool.url, 2) if m["role"] == "writer")
        os.kill(writer["pid"], signal.SIGSTOP)  # frozen: its lock held, as in the middle of an append
        frame = encode_frame(b'{"keytype":"NOOP","magic":0}', b"{}", 0)
        with open(tmp_path / "data" / LOG_FILE, "ab") as log:
            log.write(frame[: len(frame) // 2])  # half a frame: what a crash mid-append leaves
        os.kill(writer["pid"], signal.SIGKILL)
        wait_healthy(pool.url, 2)
        second = register(pool.url, "torn", '"int"')
        assert second == first + 1
        for member in wait_healthy(pool.url, 2):
            versions = httpx.get(f"http://127.0.0.1:{member['port']}/subjects/torn/versions").json()
            assert versions == [1, 2]
        assert "dropping a torn tail" in pool.read_log()
    finally:
        pool.stop()
    single = RegistryProcess(tmp_path / "data", extra=["--workers", "1"]).start()  # the log is whole
    try:
        assert httpx.get(single.url + "/subjects/torn/versions").json() == [1, 2]
    finally:
        single.stop()


def test_a_stopped_pool_leaves_its_log_to_a_single_process(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2"]).start()
    ids = [register(pool.url, f"s{i}", f'{{"type":"enum","name":"E{i}","symbols":["A"]}}') for i in range(20)]
    assert pool.stop() == 0
    single = RegistryProcess(tmp_path / "data", extra=["--workers", "1"]).start()
    try:
        for i, schema_id in enumerate(ids):
            assert httpx.get(f"{single.url}/subjects/s{i}/versions/latest").json()["id"] == schema_id
    finally:
        single.stop()


def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2"]).start()
    pids = [m["pid"] for m in wait_healthy(pool.url, 2)]
    assert pool_status(pool.url)["supervisor_pid"] == pool.proc.pid  # type: ignore[union-attr]
    pool.kill()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids)
    again = RegistryProcess(tmp_path / "data", extra=["--workers", "1"]).start()  # nothing holds the directory
    again.stop()


def test_a_pool_with_tls_on_the_embedded_log_is_refused_with_a_way_out(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "charter.cli.main", "serve", "--data-dir", str(tmp_path / "data"), "--workers", "2",
         "--tls-cert", str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem")],
        capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "--workers above 1 with --tls-cert" in refused.stderr and "use --workers 1" in refused.stderr
