"""The embedded log's file format: the header, one frame per record, and reading frames back.

File layout: an 8-byte magic header (:data:`MAGIC`), then frames::

    crc32 (4, big-endian) | body length (4) | body
    body = timestamp_ms (8) | key length (4) | value length (4, 0xFFFFFFFF = tombstone) | key | value

The CRC covers the body. A frame that is cut short or whose CRC does not match ends the readable
log (a crash in the middle of a write). Used by :class:`~charter.registry.log.file.FileLog`, which
owns a data directory, and by backups, which read a log without its lock (:func:`read_log_file`).
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from charter.registry.log.base import LogError

MAGIC = b"CHLOG\x00\x00\x01"
LOG_FILE = "schemas.log"  # the log's name inside a data directory
NULL = 0xFFFFFFFF  # the value length of a tombstone
_FRAME_HEAD = struct.Struct(">II")  # crc, body length
_BODY_HEAD = struct.Struct(">qII")  # timestamp, key length, value length

Frame = tuple[int, int, int, int, int]
"""(frame end, timestamp, key start, key length, value length or :data:`NULL`), positions in the file."""


def encode_frame(key: bytes, value: bytes | None, timestamp_ms: int) -> bytes:
    body = (
        _BODY_HEAD.pack(timestamp_ms, len(key), NULL if value is None else len(value))
        + key
        + (value or b"")
    )
    return _FRAME_HEAD.pack(zlib.crc32(body), len(body)) + body


def frames(data: mmap.mmap | bytes, end: int, *, verify: bool) -> Iterator[Frame]:
    """Walk frames from after the header, stopping at ``end`` or at the first torn or corrupt
    frame (its CRC is checked when ``verify``)."""
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
            if body_head + key_len + (0 if value_len == NULL else value_len) != length:
                return
            yield stop, ts, start + body_head, key_len, value_len
            pos = stop
    finally:
        view.release()


def frame_record(data: mmap.mmap | bytes, frame: Frame) -> tuple[bytes, bytes | None, int]:
    """The (key, value or None, timestamp) a frame holds."""
    _, ts, key_start, key_len, value_len = frame
    value_start = key_start + key_len
    value = None if value_len == NULL else data[value_start: value_start + value_len]
    return data[key_start:value_start], value, ts


def read_log_file(data_dir: str | os.PathLike[str]) -> Iterator[tuple[bytes, bytes | None, int]]:
    """The (key, value, timestamp) records of the log in ``data_dir``, read-only and without its
    lock (a running server may own it): the log is append-only and every frame has a CRC, so
    reading stops at the last complete frame. Nothing when there is no log yet."""
    path = Path(data_dir) / LOG_FILE
    if not path.exists():
        return
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size <= len(MAGIC):
            return
        if file.read(len(MAGIC)) != MAGIC:
            raise LogError(f"{path} is not a Charter log (bad header)")
        with mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ) as data:
            for frame in frames(data, size, verify=True):
                yield frame_record(data, frame)
