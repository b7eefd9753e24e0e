"""The embedded log's file format: the header, one frame per record, and reading frames back.

File layout: an 8-byte magic header (:data:`MAGIC`), then frames::

    crc32 (4, big-endian) | body length (4) | body
    body = timestamp_ms (8) | key length (4) | value length (4, 0xFFFFFFFF = tombstone) | key | value

The CRC covers the body. A frame *verifies* when its body fits in the file, its key and value
lengths add up to the body length, and its CRC matches. Bytes that do not verify form a
:class:`Damage` region, which ends where the next verifying frame starts (found by trying every
byte position: no length field inside damage is trusted). Damage that runs to the end of the file is
a *torn tail* (a crash in the middle of an append); damage followed by a verifying frame is
*corruption* in the middle of the log (:func:`scan` tells them apart). :func:`check` is the one
check of a log before use, in one pass over the frames that also keeps where each starts, so that
:func:`records` reads them back without walking the file again. Used by
:class:`~charter.registry.log.file.FileLog`, which owns a data directory, by
:mod:`~charter.registry.log.repair`, and by backups, which read a log without its lock
(:func:`read_log_file`).
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from array import array
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from charter.registry.log.base import LogError, LogRecord

MAGIC = b"CHLOG\x00\x00\x01"
LOG_FILE = "schemas.log"  # the log's name inside a data directory
NULL = 0xFFFFFFFF  # the value length of a tombstone
_FRAME_HEAD = struct.Struct(">II")  # crc, body length
_BODY_HEAD = struct.Struct(">qII")  # timestamp, key length, value length
_HEAD = struct.Struct(">IIqII")  # both of them: a frame's first 24 bytes

class CorruptLogError(LogError):
    """Damage in the middle of a log, with intact records after it: never truncated, see ``charter repair``."""


Frame = tuple[int, int, int, int, int]
"""(frame end, timestamp, key start, key length, value length or :data:`NULL`), positions in the file."""


def encode_frame(key: bytes, value: bytes | None, timestamp_ms: int) -> bytes:
    body = (
        _BODY_HEAD.pack(timestamp_ms, len(key), NULL if value is None else len(value))
        + key
        + (value or b"")
    )
    return _FRAME_HEAD.pack(zlib.crc32(body), len(body)) + body


class Damage(NamedTuple):
    """Bytes ``[start, stop)`` that hold no verifying frame; ``stop`` is where the next one starts,
    or the end of the scanned range."""

    start: int
    stop: int


def _frame_at(view: memoryview, pos: int, end: int) -> Frame | None:
    """The frame starting at ``pos`` if it is whole and consistent and its CRC matches."""
    head_size, body_head = _FRAME_HEAD.size, _BODY_HEAD.size
    if pos + head_size + body_head > end:
        return None
    crc, length = _FRAME_HEAD.unpack_from(view, pos)
    start = pos + head_size
    stop = start + length
    if length < body_head or stop > end:
        return None
    ts, key_len, value_len = _BODY_HEAD.unpack_from(view, start)
    if body_head + key_len + (0 if value_len == NULL else value_len) != length:
        return None
    if zlib.crc32(view[start:stop]) != crc:
        return None
    return stop, ts, start + body_head, key_len, value_len


def verified_starts(data: mmap.mmap | bytes, end: int, start: int = len(MAGIC)) -> tuple[array[int], int]:
    """Where each frame starts, from ``start`` (after the header) up to ``end`` or to the first frame
    that does not verify, and where the frames that verify end. The same checks as :func:`_frame_at`, inlined:
    this loop runs once per record at every start."""
    unpack, crc32, body_head, null = _HEAD.unpack_from, zlib.crc32, _BODY_HEAD.size, NULL
    starts: array[int] = array("q")
    keep = starts.append
    view = memoryview(data)
    pos, last = start, end - _HEAD.size  # a frame starting after `last` cannot hold its heads
    try:
        while pos <= last:
            crc, length, _, key_len, value_len = unpack(view, pos)
            start = pos + _FRAME_HEAD.size
            stop = start + length
            if (stop > end or length != body_head + key_len + (0 if value_len == null else value_len)
                    or crc32(view[start:stop]) != crc):
                break
            keep(pos)
            pos = stop
    finally:
        view.release()
    return starts, pos


def scan(data: mmap.mmap | bytes, end: int, start: int = len(MAGIC)) -> Iterator[Frame | Damage]:
    """Every verifying frame from ``start`` (after the header) up to ``end``, in order, with a
    :class:`Damage` between them wherever bytes do not verify. After a bad frame the walk
    resynchronises on the next byte position where a whole frame verifies (so a flipped length field
    cannot mislead it); the last item is a :class:`Damage` ending at ``end`` when the file has a torn
    tail."""
    view = memoryview(data)
    pos = start
    try:
        while pos < end:
            frame = _frame_at(view, pos, end)
            if frame is not None:
                yield frame
                pos = frame[0]
                continue
            bad = pos
            pos += 1
            while pos < end and (frame := _frame_at(view, pos, end)) is None:
                pos += 1
            yield Damage(bad, pos)
    finally:
        view.release()


def check(path: Path, data: mmap.mmap | bytes, end: int, start: int = len(MAGIC),
          first: int = 0) -> tuple[array[int], int]:
    """Check a log's frames from ``start`` (record offset ``first``) up to ``end``: where each frame
    that verifies starts (for :func:`records`) and where they end; bytes after that are a torn tail.
    Raises :class:`CorruptLogError` when intact records follow damage (``path`` names the log in the
    message)."""
    starts, good_end = verified_starts(data, end, start)
    if good_end < end:
        with closing(scan(data, end, good_end)) as items:
            damage = next(items)  # the bytes at good_end do not verify: scan starts with them
            if isinstance(damage, Damage) and damage.stop < end:
                raise corruption_error(path, damage, first + len(starts), items)
    return starts, good_end


def records(data: mmap.mmap | bytes, starts: array[int], first: int = 0) -> Iterator[LogRecord]:
    """The records of the frames starting at ``starts`` (checked by :func:`check`), offsets from ``first``."""
    unpack, head_size, null = _HEAD.unpack_from, _HEAD.size, NULL
    for offset, pos in enumerate(starts, first):
        _, _, ts, key_len, value_len = unpack(data, pos)
        key_start = pos + head_size
        value_start = key_start + key_len
        value = None if value_len == null else data[value_start: value_start + value_len]
        yield LogRecord(offset, data[key_start:value_start], value, ts)


class Prefix(NamedTuple):
    """The first ``records`` records of a log file, which end at byte ``end``; ``crc`` is the CRC-32
    of bytes [0, end), the header included. A state snapshot names the prefix it was built from, and
    is used only on a log that still begins with exactly those bytes."""

    records: int
    end: int
    crc: int


def prefix_of(fd: int, records: int, end: int) -> Prefix:
    """The :class:`Prefix` of the log open at ``fd`` whose first ``records`` records end at ``end``
    (one CRC over the bytes: 45 ms for 100 MB)."""
    with mmap.mmap(fd, end, access=mmap.ACCESS_READ) as data:
        return Prefix(records, end, zlib.crc32(data))


def begins_with(fd: int, prefix: Prefix, end: int) -> bool:
    """Whether the log open at ``fd``, read up to byte ``end``, begins with exactly ``prefix``: the
    bytes before ``prefix.end`` have its CRC, and a record starts there (a frame verifies at
    ``prefix.end``, or the log ends there)."""
    if not len(MAGIC) <= prefix.end <= end:
        return False
    with mmap.mmap(fd, end, access=mmap.ACCESS_READ) as data, memoryview(data) as view:
        if zlib.crc32(view[:prefix.end]) != prefix.crc:
            return False
        return prefix.end == end or _frame_at(view, prefix.end, end) is not None


def corruption_error(path: Path, first: Damage, before: int, rest: Iterator[Frame | Damage]) -> CorruptLogError:
    """The refusal for ``first``, damage found after ``before`` good records with ``rest`` (the
    remainder of :func:`scan`) still holding intact records: it names the offset and the way out."""
    after = regions = 0
    for item in rest:
        if isinstance(item, Damage):
            regions += 1
        else:
            after += 1
    more = f" ({regions} more damaged region{'s' if regions > 1 else ''} after it)" if regions else ""
    return CorruptLogError(
        f"{path} is corrupt: {first.stop - first.start} bytes at byte offset {first.start} (record offset "
        f"{before}, after {before} good records) do not verify, and {after} intact records follow{more}. "
        "This is damage on disk, not a torn tail, so nothing is truncated. Stop every Charter process on "
        f"this data directory and run `charter repair --data-dir {path.parent}` (it keeps a byte-identical "
        "backup of the damaged log and drops only the bytes that do not verify; --dry-run shows what), or "
        "restore a backup with `charter restore`"
    )


def read_log_file(data_dir: str | os.PathLike[str]) -> Iterator[tuple[bytes, bytes | None, int]]:
    """The (key, value, timestamp) records of the log in ``data_dir``, read-only and without its
    lock (a running server may own it): the log is append-only and every frame has a CRC, so
    reading stops at the last complete frame (an append in progress is a torn tail). Damage followed
    by intact records raises :class:`CorruptLogError`, so a backup never silently misses records.
    Nothing when there is no log yet."""
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
            starts, _ = check(path, data, size)
            for record in records(data, starts):
                yield record.key, record.value, record.timestamp_ms
