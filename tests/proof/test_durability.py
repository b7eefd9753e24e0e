"""An acknowledged write survives a crash: SIGKILL the server, restart, everything is there."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import httpx
from support.process import V1, RegistryProcess


def record_schema(i: int) -> str:
    return json.dumps({"type": "record", "name": f"R{i}", "fields": [{"name": "f", "type": "int"}]})


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data").start()
    acked: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int) -> None:
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=10) as client:
            i = 0
            while not stop.is_set():
                subject = f"crash-{worker}-{i}"
                try:
                    r = client.post(f"/subjects/{subject}/versions", json={"schema": record_schema(worker * 10000 + i)})
                except httpx.HTTPError:
                    return  # the server died mid-request: that write was never acknowledged
                if r.status_code == 200:
                    with lock:
                        acked[subject] = r.json()["id"]
                i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    # Let writes flow, then crash the server while requests are in flight.
    deadline = threading.Event()
    deadline.wait(1.5)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) > 20, "the writers should have had many acknowledged writes"

    restarted = RegistryProcess(tmp_path / "data").start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as client:
            subjects = set(client.get("/subjects").json())
            missing = [s for s in acked if s not in subjects]
            assert not missing, f"{len(missing)} acknowledged registrations lost, e.g. {missing[:3]}"
            for subject, schema_id in list(acked.items())[:50]:
                body = client.get(f"/subjects/{subject}/versions/1").json()
                assert body["id"] == schema_id
            # IDs are not reused after the crash: a new schema gets a fresh id.
            r = client.post("/subjects/after-crash/versions", json={"schema": record_schema(999999)},
                            headers={"Content-Type": V1})
            assert r.status_code == 200
            assert r.json()["id"] > max(acked.values())
    finally:
        restarted.stop()


def test_restart_replays_state_and_logs_the_count(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data").start()
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=10) as client:
        for i in range(5):
            assert client.post(f"/subjects/s{i}/versions", json={"schema": record_schema(i)}).status_code == 200
        assert client.put("/config", json={"compatibility": "FULL"}).status_code == 200
        assert client.delete("/subjects/s0").status_code == 200
    server.stop()
    restarted = RegistryProcess(tmp_path / "data").start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as client:
            assert client.get("/subjects").json() == ["s1", "s2", "s3", "s4"]
            assert client.get("/subjects", params={"deleted": "true"}).json() == ["s0", "s1", "s2", "s3", "s4"]
            assert client.get("/config").json()["compatibilityLevel"] == "FULL"
        assert "state of 7 records" in restarted.read_log()
    finally:
        restarted.stop()


def test_second_server_on_the_same_data_dir_exits_with_a_clear_error(tmp_path: Path) -> None:
    first = RegistryProcess(tmp_path / "data").start()
    try:
        second = RegistryProcess(tmp_path / "data")
        try:
            second.start(timeout=10)
            raise AssertionError("a second server started on a data dir that is in use")
        except RuntimeError as exc:
            assert "in use by another Charter process" in str(exc)
    finally:
        first.stop()


def test_sigterm_exits_cleanly(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data").start()
    assert server.stop(signal.SIGTERM) == 0
