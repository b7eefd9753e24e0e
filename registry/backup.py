"""Portable backups of the schemas log: write, read (ours or a ``_schemas`` topic dump) and verify.

The backup format is JSON lines, UTF-8::

    {"format": "charter-backup", "version": 1, "source": "...", "created_ms": 1700000000000}
    {"key": "<record key JSON text>", "value": "<record value JSON text>" | null, "ts": 1700000000000}
    ...
    {"end": true, "count": 42, "sha256": "<hex>"}

Keys and values are the Confluent ``_schemas`` record bytes as text (they are JSON); a record
whose bytes are not UTF-8 uses ``key_b64``/``value_b64`` instead. ``NOOP`` markers are left out.
The checksum is SHA-256 over, for each record, ``len(key) (4 bytes BE) key len(value) value``
(length 0xFFFFFFFF and no bytes for a tombstone).

:func:`read_backup` also accepts a dump of a Confluent or Karapace ``_schemas`` topic as written by
``kafka-console-consumer --property print.key=true`` (default ``key.separator``, a tab): one
record per line, ``KEY<TAB>VALUE``, with ``null`` for a tombstone value.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from charter.registry.log.base import LogError, SchemaLog
from charter.registry.log.framing import read_log_file
from charter.registry.store.records import KeyType, RecordFormatError, decode_key

FORMAT = "charter-backup"
_LEN = struct.Struct(">I")


class BackupError(ValueError):
    """A backup that cannot be read, or a verification that failed."""


@dataclass(frozen=True)
class Record:
    key: bytes
    value: bytes | None
    ts: int = 0


def is_noop(key: bytes) -> bool:
    try:
        return decode_key(key).keytype is KeyType.NOOP
    except RecordFormatError:
        return False


class Checksum:
    """Count and SHA-256 of a sequence of records (see the module docstring)."""

    def __init__(self) -> None:
        self.count = 0
        self._hash = hashlib.sha256()

    def add(self, key: bytes, value: bytes | None) -> None:
        self.count += 1
        self._hash.update(_LEN.pack(len(key)) + key)
        self._hash.update(_LEN.pack(0xFFFFFFFF) if value is None else _LEN.pack(len(value)) + value)

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def checksum(records: Iterable[Record]) -> Checksum:
    total = Checksum()
    for record in records:
        total.add(record.key, record.value)
    return total


def _field(entry: dict[str, object], name: str, raw: bytes | None) -> None:
    if raw is None:
        entry[name] = None
        return
    try:
        entry[name] = raw.decode("utf-8")
    except UnicodeDecodeError:
        entry[name + "_b64"] = base64.b64encode(raw).decode()


def write_backup(out: IO[str], records: Iterable[Record], source: str) -> Checksum:
    """Write the header, the records (NOOPs left out) and the trailer; returns count and checksum."""
    total = Checksum()
    out.write(json.dumps({"format": FORMAT, "version": 1, "source": source,
                          "created_ms": int(time.time() * 1000)}) + "\n")
    for record in records:
        if is_noop(record.key):
            continue
        entry: dict[str, object] = {}
        _field(entry, "key", record.key)
        _field(entry, "value", record.value)
        entry["ts"] = record.ts
        out.write(json.dumps(entry, separators=(",", ":")) + "\n")
        total.add(record.key, record.value)
    out.write(json.dumps({"end": True, "count": total.count, "sha256": total.hexdigest}) + "\n")
    return total


def _bytes(entry: dict[str, object], name: str, line_no: int) -> bytes | None:
    if name + "_b64" in entry:
        return base64.b64decode(str(entry[name + "_b64"]))
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BackupError(f"line {line_no}: '{name}' must be a string or null")
    return value.encode("utf-8")


def read_backup(path: str | os.PathLike[str]) -> list[Record]:
    """The records of a Charter backup (count and checksum verified) or of a topic dump."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines:
        raise BackupError(f"{path} is empty")
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if isinstance(header, dict) and header.get("format") == FORMAT:
        return _read_ours(path, lines)
    return _read_dump(path, lines)


def _read_ours(path: object, lines: list[str]) -> list[Record]:
    records: list[Record] = []
    trailer = None
    for line_no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise BackupError(f"{path} line {line_no}: not JSON ({exc})") from None
        if entry.get("end"):
            trailer = entry
            break
        key = _bytes(entry, "key", line_no)
        if key is None:
            raise BackupError(f"{path} line {line_no}: a record needs a key")
        records.append(Record(key, _bytes(entry, "value", line_no), int(entry.get("ts") or 0)))
    if trailer is None:
        raise BackupError(f"{path}: no trailer line: the backup is truncated")
    total = checksum(records)
    if total.count != trailer.get("count") or total.hexdigest != trailer.get("sha256"):
        raise BackupError(f"{path}: {total.count} records with checksum {total.hexdigest[:12]}…, but the trailer "
                          f"says {trailer.get('count')} with {str(trailer.get('sha256'))[:12]}…: damaged")
    return records


def _read_dump(path: object, lines: list[str]) -> list[Record]:
    records = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        key_text, sep, value_text = line.partition("\t")
        if not sep:
            raise BackupError(f"{path} line {line_no}: expected KEY<TAB>VALUE (kafka-console-consumer with "
                              "--property print.key=true) or a Charter backup")
        key = key_text.encode("utf-8")
        try:
            decode_key(key)
        except RecordFormatError as exc:
            raise BackupError(f"{path} line {line_no}: not a _schemas record key: {exc}") from None
        value = None if value_text.strip() in ("", "null") else value_text.encode("utf-8")
        if not is_noop(key):
            records.append(Record(key, value))
    return records


def read_file_log(data_dir: str | os.PathLike[str]) -> Iterator[Record]:
    """The records of an embedded log, read-only and without its lock (a running server may own it):
    the log is append-only and every frame has a CRC, so reading stops at the last complete frame;
    damage followed by intact records is refused (``charter repair`` first), never silently skipped."""
    try:
        for key, value, ts in read_log_file(data_dir):
            yield Record(key, value, ts)
    except LogError as exc:  # a file that is not a Charter log, or a corrupt one
        raise BackupError(str(exc)) from None


async def append_all(schema_log: SchemaLog, records: Sequence[Record], batch: int = 1000) -> None:
    """Append ``records`` in order through the log's own write path, ``batch`` at a time (each
    batch atomically). The caller must be the log's writer (see :func:`charter.registry.bootstrap.restore_log`)."""
    for start in range(0, len(records), batch):
        await schema_log.write_barrier(claim=True)
        await schema_log.append([(r.key, r.value) for r in records[start: start + batch]])
