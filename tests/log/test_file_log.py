"""The embedded durable log: frames round-trip, a torn or corrupt tail is truncated, one owner."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from charter.registry.log.base import LogError
from charter.registry.log.file import LOG_FILE, MAGIC, DataDirInUseError, FileLog


def append(log: FileLog, records: list[tuple[bytes, bytes | None]]) -> list[int]:
    return [r.offset for r in asyncio.run(log.append(records))]


def test_records_round_trip_with_offsets_and_tombstones(tmp_path: Path) -> None:
    log = FileLog(tmp_path)
    assert list(log.replay()) == []
    assert append(log, [(b"k1", b"v1"), (b"k2", None)]) == [0, 1]
    assert append(log, [(b"k3", b"")]) == [2]
    log.close()
    reopened = FileLog(tmp_path)
    got = [(r.offset, r.key, r.value) for r in reopened.replay()]
    assert got == [(0, b"k1", b"v1"), (1, b"k2", None), (2, b"k3", b"")]
    assert append(reopened, [(b"k4", b"v4")]) == [3]
    reopened.close()


@pytest.mark.parametrize("cut", [1, 5, 12, 20])
def test_torn_tail_is_truncated_and_earlier_records_survive(tmp_path: Path, cut: int) -> None:
    log = FileLog(tmp_path)
    append(log, [(b"a", b"1")])
    append(log, [(b"b", b"two")])
    log.close()
    path = tmp_path / LOG_FILE
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size - cut)  # a crash in the middle of writing the second frame
    reopened = FileLog(tmp_path)
    assert [(r.key, r.value) for r in reopened.replay()] == [(b"a", b"1")]
    assert path.stat().st_size < size - cut or cut == 0
    # The log stays appendable after recovery, at the next offset.
    assert append(reopened, [(b"c", b"3")]) == [1]
    reopened.close()
    again = FileLog(tmp_path)
    assert [r.key for r in again.replay()] == [b"a", b"c"]
    again.close()


def test_corrupt_frame_is_detected_by_checksum(tmp_path: Path) -> None:
    log = FileLog(tmp_path)
    append(log, [(b"a", b"first")])
    append(log, [(b"b", b"second")])
    log.close()
    path = tmp_path / LOG_FILE
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF  # flip bits inside the last value
    path.write_bytes(bytes(data))
    reopened = FileLog(tmp_path)
    assert [r.key for r in reopened.replay()] == [b"a"]
    reopened.close()


def test_second_owner_of_a_data_dir_is_refused(tmp_path: Path) -> None:
    first = FileLog(tmp_path)
    with pytest.raises(DataDirInUseError, match="in use by another Charter process"):
        FileLog(tmp_path)
    first.close()
    FileLog(tmp_path).close()  # free again once the owner closed it


def test_foreign_file_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / LOG_FILE
    path.write_bytes(b"not a charter log at all")
    with pytest.raises(LogError, match="not a Charter log"):
        FileLog(tmp_path)
    assert path.read_bytes() == b"not a charter log at all"


def test_new_log_starts_with_magic_header(tmp_path: Path) -> None:
    FileLog(tmp_path).close()
    assert (tmp_path / LOG_FILE).read_bytes() == MAGIC
    assert os.listdir(tmp_path) == [LOG_FILE], "the log locks itself: no lock file is needed"
