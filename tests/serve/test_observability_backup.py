"""Metrics, request ids, JSON logs, and backup/restore of the embedded log (Kafka: test_kafka_backup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
from support.process import V1, RegistryProcess


def schema(i: int) -> str:
    return json.dumps({"type": "record", "name": f"R{i}", "fields": [{"name": "a", "type": "int"}]})


def charter(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charter.cli.main", *args], capture_output=True, text=True,
                          input=stdin, timeout=120)


def test_metrics_request_ids_and_json_logs(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data", extra=["--log-format", "json", "--access-log"]).start()
    try:
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=10) as c:
            for i in range(3):
                assert c.post(f"/subjects/m{i}/versions", json={"schema": schema(i)}).status_code == 200
            assert c.delete("/subjects/m0").status_code == 200
            assert c.get("/schemas/ids/1").status_code == 200
            r = c.get("/subjects/nope/versions", headers={"X-Request-ID": "abc-123"})
            assert r.status_code == 404 and r.headers["x-request-id"] == "abc-123"
            assert len(c.get("/").headers["x-request-id"]) == 16
            assert c.get("/status/live").json() == {"alive": True}
            # the embedded log: one process, always the writer, ready once replayed
            assert c.get("/status/ready").json() == {"ready": True, "writable": True, "role": "primary",
                                                     "reason": None}
            status = c.get("/status").json()
            assert status["ready"] is True and status["writable"] is True and status["reason"] is None
            text = c.get("/metrics").text
        register = 'method="POST",route="/subjects/{subject}/versions",status="200"'
        assert f"charter_http_requests_total{{{register}}} 3.0" in text
        assert 'route="/schemas/ids/{schema_id}"' in text and "/subjects/m1" not in text
        assert 'charter_schemas{type="avro"} 3.0' in text
        assert "charter_registered_count 2.0" in text and "charter_deleted_count 1.0" in text
        assert "charter_primary 1.0" in text and "charter_replay_offset 3.0" in text
        assert "charter_http_request_duration_seconds_bucket" in text
    finally:
        server.stop()
    lines = [json.loads(line) for line in server.read_log().splitlines() if line.startswith("{")]
    access = [e for e in lines if e["logger"] == "charter.access"]
    assert any(e["request_id"] == "abc-123" and e["status"] == 404 for e in access), access[-3:]


def test_backup_of_a_running_server_and_restore(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "a").start()
    try:
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=10) as c:
            ids = {f"b{i}": c.post(f"/subjects/b{i}/versions", json={"schema": schema(i)}).json()["id"]
                   for i in range(20)}
            assert c.put("/config/b1", json={"compatibility": "NONE"}).status_code == 200
        backup = tmp_path / "backup.jsonl"
        done = charter("backup", "--data-dir", str(tmp_path / "a"), "--out", str(backup))  # server still running
        assert done.returncode == 0, done.stderr
        assert "21 records" in done.stderr
    finally:
        server.stop()
    header, *_, trailer = backup.read_text().splitlines()
    assert json.loads(header)["format"] == "charter-backup" and json.loads(trailer)["count"] == 21
    done = charter("restore", str(backup), "--data-dir", str(tmp_path / "b"))
    assert done.returncode == 0 and "verified" in done.stderr, done.stderr
    refused = charter("restore", str(backup), "--data-dir", str(tmp_path / "b"))
    assert refused.returncode == 2 and "--force" in refused.stderr
    restored = RegistryProcess(tmp_path / "b").start()
    try:
        with httpx.Client(base_url=restored.url, timeout=10) as c:
            for subject, schema_id in ids.items():
                assert c.get(f"/subjects/{subject}/versions/1").json()["id"] == schema_id
            assert c.get("/config/b1").json()["compatibilityLevel"] == "NONE"
    finally:
        restored.stop()
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text(backup.read_text().replace('R3', 'R9', 1))
    bad = charter("restore", str(damaged), "--data-dir", str(tmp_path / "c"))
    assert bad.returncode == 2 and "damaged" in bad.stderr


def test_restore_a_confluent_topic_dump(tmp_path: Path) -> None:
    """kafka-console-consumer --property print.key=true output of a Confluent/Karapace _schemas topic."""
    key = '{"keytype":"SCHEMA","subject":"imported","version":1,"magic":1}'
    value = json.dumps({"subject": "imported", "version": 1, "id": 7, "schema": schema(7), "deleted": False})
    dump = tmp_path / "schemas.dump"
    dump.write_text(f'{{"keytype":"NOOP","magic":0}}\tnull\n{key}\t{value}\n'
                    '{"keytype":"CONFIG","subject":null,"magic":0}\t{"compatibilityLevel":"FULL"}\n')
    done = charter("restore", str(dump), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 0 and "restored 2 records" in done.stderr, done.stderr
    server = RegistryProcess(tmp_path / "d").start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            assert c.get("/subjects/imported/versions/1").json()["id"] == 7
            assert c.get("/config").json()["compatibilityLevel"] == "FULL"
    finally:
        server.stop()
