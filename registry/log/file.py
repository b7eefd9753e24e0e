"""The embedded durable log: `_schemas` records appended to one file on local disk.

The file format is :mod:`charter.registry.log.framing`. Every append is written and fsynced
before it returns. On open, the file is scanned; a torn or corrupt tail (a crash in the middle of
a write) is detected by its length or CRC and truncated, with a warning. Only one process may own
a data directory: an exclusive ``flock`` on ``DATA_DIR/lock`` is taken on open and held until
close, so this process is the log's only writer: its write barrier is its own last append, and
:meth:`FileLog.follow` delivers its own appends (in order, before :meth:`FileLog.append` returns).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from charter.registry.log.base import DEFAULT_TIMEOUT_S, LogError, LogRecord
from charter.registry.log.framing import LOG_FILE, MAGIC, encode_frame, frame_record, frames

log = logging.getLogger(__name__)

__all__ = ["LOG_FILE", "MAGIC", "DataDirInUseError", "FileLog", "encode_frame"]

LOCK_FILE = "lock"
# Appends run on their own thread: never queued behind parsing or checks (issue 17, item 9).
APPEND_THREAD = ThreadPoolExecutor(1, thread_name_prefix="charter-log-append")


class DataDirInUseError(LogError):
    """Another process owns the data directory."""


class FileLog:
    """The embedded log; see the module docstring for the format and guarantees."""

    def __init__(self, data_dir: str | os.PathLike[str], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._deliver: Callable[[LogRecord], None] | None = None
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = self._take_lock()
        self.path = self.data_dir / LOG_FILE
        self._fd = self._open_and_recover()
        self._write_lock = threading.Lock()

    def describe(self) -> str:
        return f"embedded file log {self.path}"

    def _take_lock(self) -> int:
        fd = os.open(self.data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirInUseError(
                f"data directory {self.data_dir} is in use by another Charter process (pid {owner}); "
                "stop it or choose another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return fd

    def _open_and_recover(self) -> int:
        """Open the log, check every frame's CRC and cut off a torn or corrupt tail."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        size = os.fstat(fd).st_size
        self._good_end = len(MAGIC)
        self._next_offset = 0
        if size == 0:
            os.write(fd, MAGIC)
            os.fsync(fd)
            self._fsync_dir()
            return fd
        if os.pread(fd, len(MAGIC), 0) != MAGIC:
            os.close(fd)
            raise LogError(f"{self.path} is not a Charter log (bad header); refusing to touch it")
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
            for frame_end, *_ in frames(data, size, verify=True):
                self._good_end = frame_end
                self._next_offset += 1
        if self._good_end < size:
            log.warning(
                "log %s: dropping a torn or corrupt tail of %d bytes at byte %d (after %d good records)",
                self.path, size - self._good_end, self._good_end, self._next_offset,
            )
            os.ftruncate(fd, self._good_end)
            os.fsync(fd)
        return fd

    def _fsync_dir(self) -> None:
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def replay(self) -> Iterator[LogRecord]:
        """Stream the records checked at open, one at a time (nothing is held in a list)."""
        end = self._good_end
        if end <= len(MAGIC):
            return
        with mmap.mmap(self._fd, end, access=mmap.ACCESS_READ) as data:
            for offset, frame in enumerate(frames(data, end, verify=False)):
                key, value, ts = frame_record(data, frame)
                yield LogRecord(offset, key, value, ts)

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """Deliver every later append; this process is the only writer, so they are its own."""
        self._deliver = deliver

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        """The last offset appended: by this process, the only writer (no term to claim)."""
        return self._next_offset - 1

    def _append_sync(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        with self._write_lock:
            ts = int(time.time() * 1000)
            out = [
                LogRecord(self._next_offset + i, key, value, ts) for i, (key, value) in enumerate(records)
            ]
            blob = b"".join(encode_frame(r.key, r.value, ts) for r in out)
            size = os.fstat(self._fd).st_size
            try:
                written = os.write(self._fd, blob)
                if written != len(blob):
                    raise OSError(f"short write: {written} of {len(blob)} bytes")
                os.fsync(self._fd)
            except OSError as exc:
                # Leave no partial frame behind: the records were not acknowledged.
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, size)
                raise LogError(f"could not append to {self.path}: {exc}") from exc
            self._next_offset += len(out)
            if self._deliver is not None:
                for record in out:
                    self._deliver(record)
            return out

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        return await asyncio.get_running_loop().run_in_executor(APPEND_THREAD, self._append_sync, records)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = -1
