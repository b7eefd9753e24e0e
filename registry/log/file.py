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


def _scan(data: bytes) -> tuple[list[LogRecord], int]:
    """Parse frames from ``data``; return the records and the end of the last good frame."""
    records: list[LogRecord] = []
    pos = len(MAGIC)
    end = len(data)
    head_size, body_head = _FRAME_HEAD.size, _BODY_HEAD.size
    while pos + head_size <= end:
        crc, length = _FRAME_HEAD.unpack_from(data, pos)
        start = pos + head_size
        stop = start + length
        if length < body_head or stop > end:
            break
        body = data[start:stop]
        if zlib.crc32(body) != crc:
            break
        ts, key_len, value_len = _BODY_HEAD.unpack_from(body, 0)
        value_size = 0 if value_len == _NULL else value_len
        if body_head + key_len + value_size != length:
            break
        key = body[body_head : body_head + key_len]
        value = None if value_len == _NULL else body[body_head + key_len :]
        records.append(LogRecord(len(records), key, value, ts))
        pos = stop
    return records, pos


class FileLog:
    """The embedded log; see the module docstring for the format and guarantees."""

    follows = False  # this process is the only writer

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = self._take_lock()
        self.path = self.data_dir / LOG_FILE
        self._records: list[LogRecord] | None = None
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
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        size = os.fstat(fd).st_size
        if size == 0:
            os.write(fd, MAGIC)
            os.fsync(fd)
            self._fsync_dir()
            self._records = []
            self._next_offset = 0
            return fd
        with open(self.path, "rb") as f:
            data = f.read()
        if not data.startswith(MAGIC):
            os.close(fd)
            raise LogError(f"{self.path} is not a Charter log (bad header); refusing to touch it")
        records, good_end = _scan(data)
        if good_end < len(data):
            log.warning(
                "log %s: dropping a torn or corrupt tail of %d bytes at offset %d (after %d good records)",
                self.path, len(data) - good_end, good_end, len(records),
            )
            os.ftruncate(fd, good_end)
            os.fsync(fd)
        self._records = records
        self._next_offset = len(records)
        return fd

    def _fsync_dir(self) -> None:
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def replay(self) -> Iterator[LogRecord]:
        records, self._records = self._records or [], None
        yield from records

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
