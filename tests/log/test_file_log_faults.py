"""The embedded log under storage faults (issue 17, items 1-2): corruption in the middle of the file is
refused, never truncated, and `charter repair` skips only the bad frame after a backup; the owner's
lock cannot be defeated by removing a file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.cli import charter
from support.process import V1, RegistryProcess

SUBJECTS = 100


def _schema(i: int) -> str:
    return json.dumps({"type": "record", "name": f"R{i}", "fields": [{"name": f"f{i}", "type": "int"}]})


def _fill(data_dir: Path) -> Path:
    server = RegistryProcess(data_dir).start()
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=30) as http:
        for i in range(SUBJECTS):
            assert http.post(f"/subjects/s{i}/versions", json={"schema": _schema(i)}).status_code == 200
    assert server.stop() == 0
    return data_dir / "schemas.log"


def _serve(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Start in the foreground, expecting a refusal (a good start would run until the timeout)."""
    return subprocess.run([sys.executable, "-m", "charter.cli.main", "serve", "--port", "0", "--data-dir",
                           str(data_dir)], capture_output=True, text=True, timeout=60)


def _subjects(data_dir: Path) -> list[str]:
    server = RegistryProcess(data_dir).start()
    try:
        return httpx.get(server.url + "/subjects", timeout=30).json()
    finally:
        server.stop()


@pytest.mark.timeout(240)
def test_a_flipped_bit_mid_file_is_refused_not_truncated(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log_file = _fill(data_dir)
    data = bytearray(log_file.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x10
    log_file.write_bytes(bytes(data))

    refused = _serve(data_dir)
    assert refused.returncode != 0
    message = refused.stderr + refused.stdout
    assert "corrupt" in message.lower() and "charter repair" in message, message[-2000:]
    assert "offset" in message.lower()
    assert log_file.read_bytes() == bytes(data), "intact records after the bad frame were destroyed"

    repaired = subprocess.run([sys.executable, "-m", "charter.cli.main", "repair", "--data-dir", str(data_dir)],
                              capture_output=True, text=True, timeout=120)
    assert repaired.returncode == 0, repaired.stderr
    backups = [p for p in data_dir.iterdir() if p.name != log_file.name and p.name.startswith(log_file.name)]
    assert backups and backups[0].read_bytes() == bytes(data), "repair must keep a backup of the damaged log"
    assert len(_subjects(data_dir)) == SUBJECTS - 1


@pytest.mark.timeout(240)
def test_a_torn_tail_is_still_dropped_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log_file = _fill(data_dir)
    data = log_file.read_bytes()
    log_file.write_bytes(data[:-7])  # a crash in the middle of the last append
    assert len(_subjects(data_dir)) == SUBJECTS - 1


@pytest.mark.timeout(120)
def test_removing_the_lock_file_does_not_let_a_second_process_write(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = RegistryProcess(data_dir).start()
    try:
        for leftover in data_dir.iterdir():
            if leftover.name == "lock":
                leftover.unlink()
        second = _serve(data_dir)
        assert second.returncode != 0
        assert "in use" in (second.stderr + second.stdout).lower(), second.stderr[-2000:]
    finally:
        first.stop()


@pytest.mark.timeout(240)
def test_backup_refuses_a_corrupt_log_and_restore_honours_the_lock(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log_file = _fill(data_dir)
    out = tmp_path / "backup.jsonl"
    assert charter("backup", "--data-dir", str(data_dir), "--out", str(out)).returncode == 0
    data = bytearray(log_file.read_bytes())
    data[len(data) // 2] ^= 0x10
    log_file.write_bytes(bytes(data))
    refused = charter("backup", "--data-dir", str(data_dir), "--out", str(tmp_path / "partial.jsonl"))
    assert refused.returncode == 2 and "charter repair" in refused.stderr, refused.stderr[-2000:]
    assert not list(tmp_path.glob("partial.jsonl*")), "a refused backup leaves no partial file"

    target = tmp_path / "target"
    server = RegistryProcess(target).start()
    try:
        (target / "lock").unlink(missing_ok=True)
        restore = charter("restore", str(out), "--data-dir", str(target))
        assert restore.returncode == 2 and "in use" in restore.stderr, restore.stderr[-2000:]
        assert httpx.get(server.url + "/subjects", timeout=30).json() == []
    finally:
        server.stop()
