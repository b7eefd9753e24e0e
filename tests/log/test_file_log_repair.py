"""Damage in the embedded log, in process: the scan resynchronises after a bad frame wherever the bit
flipped (length, CRC, header, body), corruption is refused at open and by backups while a torn tail is
still dropped, ``repair_log`` keeps a byte-identical backup and every verifying frame, and the lock is
the directory's and the log file's own (removing files cannot defeat it; ``charter repair`` honours it)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from charter.registry.log.base import LogError
from charter.registry.log.file import LOG_FILE, MAGIC, CorruptLogError, DataDirInUseError, FileLog
from charter.registry.log.framing import Damage, read_log_file, scan
from charter.registry.log.repair import repair_log

RECORDS = [(f"key-{i}".encode(), f"value number {i}".encode() * (i % 3 + 1)) for i in range(6)]


def _write(data_dir: Path) -> list[int]:
    """A log of RECORDS; the byte offset where each frame starts, and the end of the file last."""
    log = FileLog(data_dir)
    for record in RECORDS:
        asyncio.run(log.append([record]))
    log.close()
    starts = [len(MAGIC)]
    for key, value in RECORDS:
        starts.append(starts[-1] + 8 + 16 + len(key) + len(value))
    assert starts[-1] == (data_dir / LOG_FILE).stat().st_size
    return starts


def _flip(data_dir: Path, *positions: int, bit: int = 0x10) -> bytes:
    path = data_dir / LOG_FILE
    data = bytearray(path.read_bytes())
    for at in positions:
        data[at] ^= bit
    path.write_bytes(bytes(data))
    return bytes(data)


def _keys(data_dir: Path) -> list[bytes]:
    log = FileLog(data_dir)
    try:
        return [r.key for r in log.replay()]
    finally:
        log.close()


# Where in frame 2 the bit flips: CRC, length (low and high byte), timestamp, key length, value length, key, value.
FIELDS = {"crc": 1, "length-low": 7, "length-high": 4, "timestamp": 12, "key-length": 19,
          "value-length": 23, "key": 25, "value": 35}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bit", [0x01, 0x80])
def test_resync_drops_exactly_the_frame_whose_bit_flipped(tmp_path: Path, field: str, bit: int) -> None:
    starts = _write(tmp_path)
    data = _flip(tmp_path, starts[2] + FIELDS[field], bit=bit)
    items = list(scan(data, len(data)))
    damages = [item for item in items if isinstance(item, Damage)]
    assert damages == [Damage(starts[2], starts[3])], "a flipped length must not mislead the resync"
    assert len(items) - len(damages) == len(RECORDS) - 1


def test_two_bad_regions_and_one_right_after_the_header(tmp_path: Path) -> None:
    starts = _write(tmp_path)
    data = _flip(tmp_path, starts[0] + 5, starts[3] + 30, starts[4] + 1)  # frame 0; frames 3 and 4 together
    damages = [item for item in scan(data, len(data)) if isinstance(item, Damage)]
    assert damages == [Damage(starts[0], starts[1]), Damage(starts[3], starts[5])]
    with pytest.raises(CorruptLogError, match=r"byte offset 8 \(record offset 0.*1 more damaged region"):
        FileLog(tmp_path)
    report = repair_log(tmp_path)
    assert report.kept == 3 and report.damages == damages
    assert _keys(tmp_path) == [RECORDS[i][0] for i in (1, 2, 5)]


def test_corruption_is_refused_at_open_and_the_file_left_as_it_was(tmp_path: Path) -> None:
    starts = _write(tmp_path)
    data = _flip(tmp_path, starts[2] + 30)
    with pytest.raises(CorruptLogError) as refused:
        FileLog(tmp_path)
    message = str(refused.value)
    assert f"byte offset {starts[2]}" in message and "record offset 2" in message
    assert "3 intact records follow" in message and f"charter repair --data-dir {tmp_path}" in message
    assert (tmp_path / LOG_FILE).read_bytes() == data
    with pytest.raises(CorruptLogError):  # the failed open released the lock: a second try gets as far
        FileLog(tmp_path)


@pytest.mark.parametrize("where", ["last frame's body", "cut mid-frame"])
def test_a_torn_tail_is_still_truncated(tmp_path: Path, where: str) -> None:
    starts = _write(tmp_path)
    path = tmp_path / LOG_FILE
    if where == "cut mid-frame":
        path.write_bytes(path.read_bytes()[: starts[-2] + 11])
    else:
        _flip(tmp_path, starts[-1] - 2)
    assert _keys(tmp_path) == [key for key, _ in RECORDS[:-1]]
    assert path.stat().st_size == starts[-2]


def test_a_backup_read_refuses_corruption_but_not_a_tail_being_written(tmp_path: Path) -> None:
    starts = _write(tmp_path)
    path = tmp_path / LOG_FILE
    path.write_bytes(path.read_bytes()[:-3])  # an append in progress, as a backup of a live server sees it
    assert len(list(read_log_file(tmp_path))) == len(RECORDS) - 1
    _flip(tmp_path, starts[1] + 2)
    with pytest.raises(CorruptLogError, match="charter repair"):
        list(read_log_file(tmp_path))


def test_repair_keeps_a_byte_identical_backup_and_every_verifying_frame(tmp_path: Path) -> None:
    starts = _write(tmp_path)
    data = _flip(tmp_path, starts[1] + 6)
    dry = repair_log(tmp_path, dry_run=True)
    assert dry.backup is None and dry.damages == [Damage(starts[1], starts[2])] and dry.kept == len(RECORDS) - 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOG_FILE], "a dry run writes nothing"
    report = repair_log(tmp_path)
    assert report.backup is not None and report.backup.read_bytes() == data
    assert report.backup.name.startswith(LOG_FILE + ".damaged-")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LOG_FILE, report.backup.name])
    assert "dropped bytes" in "\n".join(report.lines())
    expected = data[: starts[1]] + data[starts[2]:]
    assert (tmp_path / LOG_FILE).read_bytes() == expected
    assert _keys(tmp_path) == [key for i, (key, _) in enumerate(RECORDS) if i != 1]
    again = repair_log(tmp_path)
    assert again.damages == [] and again.backup is None and "nothing to repair" in again.lines()[0]


def test_repair_and_a_second_owner_are_refused_while_the_log_is_open(tmp_path: Path) -> None:
    _write(tmp_path)
    owner = FileLog(tmp_path)
    try:
        (tmp_path / "lock").unlink(missing_ok=True)
        with pytest.raises(DataDirInUseError, match="in use by another Charter process"):
            FileLog(tmp_path)
        with pytest.raises(DataDirInUseError, match=f"pid {os.getpid()}"):
            repair_log(tmp_path)
        cli = subprocess.run([sys.executable, "-m", "charter.cli.main", "repair", "--data-dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 2 and "in use" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        owner.close()


def test_removing_or_renaming_the_log_under_its_owner_lets_no_second_owner_in(tmp_path: Path) -> None:
    _write(tmp_path)
    owner = FileLog(tmp_path)
    try:
        (tmp_path / LOG_FILE).rename(tmp_path / "moved.log")
        with pytest.raises(DataDirInUseError):
            FileLog(tmp_path)
        (tmp_path / "moved.log").unlink()
        with pytest.raises(DataDirInUseError):
            FileLog(tmp_path)
        with pytest.raises(LogError, match="was deleted while this server ran"):
            asyncio.run(owner.append([(b"k", b"v")]))  # it would vanish at the next start: never acknowledged
    finally:
        owner.close()


def test_an_older_charter_holding_the_lock_file_is_respected(tmp_path: Path) -> None:
    fd = os.open(tmp_path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, b"4242")
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(DataDirInUseError, match="pid 4242"):
            FileLog(tmp_path)
    finally:
        os.close(fd)
    FileLog(tmp_path).close()


def test_repair_refuses_what_it_cannot_repair(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="nothing to repair"):
        repair_log(tmp_path)
    (tmp_path / LOG_FILE).write_bytes(b"not a charter log")
    with pytest.raises(LogError, match="not a Charter log"):
        repair_log(tmp_path)
    assert (tmp_path / LOG_FILE).read_bytes() == b"not a charter log"


def test_where_a_directory_cannot_be_locked_the_log_file_lock_still_holds(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real = fcntl.flock

    def nfs_like(fd: int, operation: int) -> None:  # NFS: no exclusive flock on a directory opened read-only
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(9, "Bad file descriptor")
        real(fd, operation)

    monkeypatch.setattr(fcntl, "flock", nfs_like)
    owner = FileLog(tmp_path)
    try:
        with pytest.raises(DataDirInUseError):
            FileLog(tmp_path)
    finally:
        owner.close()
    FileLog(tmp_path).close()
