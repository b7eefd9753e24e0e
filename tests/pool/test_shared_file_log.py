"""The pool's shared log file, in process: a follower never applies bytes past the durable end the
writer published (an append whose fsync failed is cut off again), a file cut under a reader is
reported rather than read from the middle of a frame, and a takeover publishes what it adopted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from charter.registry.log.base import LogError, LogRecord
from charter.registry.log.file import FileLog
from charter.registry.log.framing import LOG_FILE, encode_frame
from charter.registry.log.shared_file import SharedFileLog

KEY = b'{"keytype":"NOOP","magic":0}'


class End:
    """A durable end held in memory (the pool keeps it on its board)."""

    def __init__(self, end: int) -> None:
        self.end = end

    def log_end(self) -> int:
        return self.end

    def set_log_end(self, end: int) -> None:
        self.end = end


def pool_log(tmp_path: Path, records: int) -> tuple[Path, End]:
    """A data directory as a pool's supervisor leaves it: checked, ``records`` records, its end."""
    owner = FileLog(tmp_path)
    owner._append_sync([(KEY, b"{}")] * records)
    end = End(owner.hand_to_pool())
    owner.close()
    return tmp_path / LOG_FILE, end


def test_a_follower_reads_only_up_to_the_durable_end(tmp_path: Path) -> None:
    path, end = pool_log(tmp_path, 3)
    follower = SharedFileLog(tmp_path, end)
    assert [r.offset for r in follower.replay()] == [0, 1, 2]
    got: list[LogRecord] = []
    follower.follow(got.append)
    with open(path, "ab") as file:  # a writer's append, written but not yet fsynced
        file.write(encode_frame(KEY, b"{}", 1))
    follower.read_new()
    assert got == []  # not durable yet: its fsync may still fail and the bytes be cut off
    end.set_log_end(path.stat().st_size)
    follower.read_new()
    assert [r.offset for r in got] == [3]
    follower.close()


def test_a_file_cut_under_a_reader_is_reported_not_read_from_the_middle(tmp_path: Path) -> None:
    path, end = pool_log(tmp_path, 3)
    follower = SharedFileLog(tmp_path, end)
    list(follower.replay())
    follower.follow(lambda record: None)
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size - 5)
    with pytest.raises(LogError, match="shorter"):
        follower.read_new()
    follower.close()


def test_a_takeover_adopts_complete_frames_cuts_a_torn_tail_and_publishes_the_end(tmp_path: Path) -> None:
    path, end = pool_log(tmp_path, 2)
    frame = encode_frame(KEY, b"{}", 1)
    with open(path, "ab") as file:  # a whole frame never published, then half of one: the writer died
        file.write(frame + frame[:7])
    worker = SharedFileLog(tmp_path, end)
    list(worker.replay())
    got: list[LogRecord] = []
    worker.follow(got.append)
    broken: list[str] = []
    worker.start(lambda message, corrupt: broken.append(message))
    deadline = time.monotonic() + 10
    while not worker.writer and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.writer and not broken
    assert [r.offset for r in got] == [2]  # the complete frame is adopted
    assert end.end == path.stat().st_size == 8 + 3 * len(frame)  # the torn half is gone, the end published
    worker.close()


def test_a_takeover_refuses_damage_followed_by_intact_records(tmp_path: Path) -> None:
    path, end = pool_log(tmp_path, 1)
    frame = encode_frame(KEY, b"{}", 1)
    with open(path, "ab") as file:  # garbage, then a whole frame: corruption, not a torn tail
        file.write(b"\x00" * 9 + frame)
    worker = SharedFileLog(tmp_path, end)
    list(worker.replay())
    worker.follow(lambda record: None)
    broken: list[tuple[str, bool]] = []
    worker.start(lambda message, corrupt: broken.append((message, corrupt)))
    deadline = time.monotonic() + 10
    while not broken and time.monotonic() < deadline:
        time.sleep(0.01)
    assert broken and broken[0][1] and "charter repair" in broken[0][0]
    assert not worker.writer and path.stat().st_size == end.end + 9 + len(frame)  # nothing truncated
    worker.close()
