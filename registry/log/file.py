"""The embedded durable log: `_schemas` records appended to one file on local disk.

File layout: an 8-byte magic header, then frames::

    crc32 (4, big-endian) | body length (4) | body
    body = timestamp_ms (8) | key length (4) | value length (4, 0xFFFFFFFF = tombstone) | key | value

The CRC covers the body. Every append is written and fsynced before it returns. On open, the
file is scanned; a torn or corrupt tail (a crash in the middle of a write) is detected by its
length or CRC and truncated, with a warning. Only one process may own a data directory: an
exclusive ``flock`` on ``DATA_DIR/lock`` is taken on open and held until close.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from charter.registry.log.base import LogError, LogRecord

log = logging.getLogger(__name__)

MAGIC = b"CHLOG\x00\x00\x01"
_FRAME_HEAD = struct.Struct(">II")  # crc, body length
_BODY_HEAD = struct.Struct(">qII")  # timestamp, key length, value length
_NULL = 0xFFFFFFFF
LOG_FILE = "schemas.log"
LOCK_FILE = "lock"


class DataDirInUseError(LogError):
    """Another process owns the data directory."""


def encode_frame(key: bytes, value: bytes | None, timestamp_ms: int) -> bytes:
    body = (
        _BODY_HEAD.pack(timestamp_ms, len(key), _NULL if value is None else len(value))
        + key
        + (value or b"")
    )
    return _FRAME_HEAD.pack(zlib.crc32(body), len(body)) + body


def _frames(data: mmap.mmap | bytes, end: int, *, verify: bool) -> Iterator[tuple[int, int, int, int, int]]:
    """Walk frames from after the header: yields (frame end, timestamp, key start, key length,
    value length or _NULL), stopping at ``end`` or at the first torn or corrupt frame."""
    view = memoryview(data)
    pos = len(MAGIC)
    head_size, body_head = _FRAME_HEAD.size, _BODY_HEAD.size
    try:
        while pos + head_size <= end:
            crc, length = _FRAME_HEAD.unpack_from(view, pos)
            start = pos + head_size
            stop = start + length
            if length < body_head or stop > end:
                return
            if verify and zlib.crc32(view[start:stop]) != crc:
                return
            ts, key_len, value_len = _BODY_HEAD.unpack_from(view, start)
            if body_head + key_len + (0 if value_len == _NULL else value_len) != length:
                return
            yield stop, ts, start + body_head, key_len, value_len
            pos = stop
    finally:
        view.release()


class FileLog:
    """The embedded log; see the module docstring for the format and guarantees."""

    follows = False  # this process is the only writer

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
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
            for frame_end, *_ in _frames(data, size, verify=True):
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
            for offset, (_, ts, key_start, key_len, value_len) in enumerate(_frames(data, end, verify=False)):
                value_start = key_start + key_len
                value = None if value_len == _NULL else data[value_start : value_start + value_len]
                yield LogRecord(offset, data[key_start:value_start], value, ts)

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """Nothing to follow: no other process writes to this log."""

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
            return out

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        return await asyncio.to_thread(self._append_sync, records)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = -1
