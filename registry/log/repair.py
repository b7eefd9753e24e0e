"""Repairing a damaged embedded log: keep every frame that verifies, drop only the bytes that do not.

A log with damage in the middle (a flipped bit, a bad sector) is refused at start rather than
truncated (:class:`~charter.registry.log.framing.CorruptLogError`). :func:`repair_log`, run by
``charter repair`` with no server on the data directory (it takes the log's own lock), then:

1. scans the log with :func:`~charter.registry.log.framing.scan`, which resynchronises after each
   bad region on the next byte position where a whole frame verifies by its length and CRC;
2. copies the damaged log, byte for byte, to ``schemas.log.damaged-<UTC time>`` beside it (fsynced);
3. writes the header and every verifying frame, unchanged and in order, to a temporary file,
   fsyncs it and renames it over the log (then fsyncs the directory), so a crash leaves either the
   old log or the new one.

With ``dry_run`` it only reports. The records of the dropped frames are lost: the report names
their byte ranges so they can be looked for in the backup, or restored from a ``charter backup``.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from charter.registry.log.base import LogError
from charter.registry.log.file import fsync_dir, open_locked, replace_durably
from charter.registry.log.framing import LOG_FILE, MAGIC, Damage, scan

__all__ = ["RepairReport", "repair_log"]

_CHUNK = 8 << 20
_TMP = "schemas.repairing"  # not named after the log, so it is never mistaken for a backup of it


@dataclass
class RepairReport:
    """What a repair found (and did, unless a dry run)."""

    path: Path
    size: int
    kept: int = 0
    damages: list[Damage] = field(default_factory=list)
    backup: Path | None = None

    @property
    def dropped_bytes(self) -> int:
        return sum(d.stop - d.start for d in self.damages)

    def lines(self) -> list[str]:
        """The report as ``charter repair`` prints it."""
        if not self.damages:
            return [f"{self.path}: all {self.kept} records verify; nothing to repair"]
        out = []
        for damage in self.damages:
            kind = "torn tail" if damage.stop == self.size else "corrupt region"
            out.append(f"dropped bytes {damage.start}..{damage.stop - 1} ({damage.stop - damage.start} bytes, {kind})")
        verb = "kept" if self.backup else "would keep"
        summary = (f"{self.path}: {verb} {self.kept} records, dropping {self.dropped_bytes} bytes "
                   f"in {len(self.damages)} damaged region{'s' if len(self.damages) > 1 else ''}")
        if self.backup:
            summary += f"; the damaged log is backed up byte for byte at {self.backup}"
        else:
            summary += " (dry run: nothing written)"
        return [*out, summary]


def _write_all(fd: int, data: memoryview) -> None:
    for at in range(0, len(data), _CHUNK):
        chunk = data[at: at + _CHUNK]
        while chunk:
            chunk = chunk[os.write(fd, chunk):]


def _write_file(path: Path, parts: list[memoryview], mode: int) -> None:
    """Write ``parts`` to a new file at ``path`` (refused if it exists) and fsync it; a failure
    (a full disk, say) leaves no partial file behind."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        for part in parts:
            _write_all(fd, part)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def _backup_path(log_path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    candidate = log_path.with_name(f"{log_path.name}.damaged-{stamp}")
    serial = 1
    while candidate.exists():
        candidate = log_path.with_name(f"{log_path.name}.damaged-{stamp}-{serial}")
        serial += 1
    return candidate


def repair_log(data_dir: str | os.PathLike[str], *, dry_run: bool = False) -> RepairReport:
    """Repair the log in ``data_dir`` as the module docstring says; ``DataDirInUseError`` while a
    server (or a restore) owns it, ``LogError`` when there is no log or it is not a Charter log."""
    path = Path(data_dir) / LOG_FILE
    if not path.is_file():
        raise LogError(f"no log at {path}: nothing to repair (is --data-dir right?)")
    owned = open_locked(path, create=False)
    fd = owned.fd
    try:
        size = os.fstat(fd).st_size
        if os.pread(fd, len(MAGIC), 0) != MAGIC:
            raise LogError(f"{path} is not a Charter log (bad header); refusing to touch it")
        report = RepairReport(path, size)
        if size == len(MAGIC):
            return report
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
            view = memoryview(data)
            try:
                kept = _survey(view, size, report)
                if report.damages and not dry_run:
                    _rewrite(path, view, kept, report)
            finally:
                kept.clear()
                view.release()
        return report
    finally:
        owned.close()


def _survey(view: memoryview, size: int, report: RepairReport) -> list[memoryview]:
    """Fill ``report`` from a scan; the byte ranges to keep, adjacent frames merged into one."""
    spans: list[list[int]] = []
    pos = len(MAGIC)
    with contextlib.closing(scan(view, size)) as items:
        for item in items:
            if isinstance(item, Damage):
                report.damages.append(item)
                pos = item.stop
                continue
            report.kept += 1
            if spans and spans[-1][1] == pos:
                spans[-1][1] = item[0]
            else:
                spans.append([pos, item[0]])
            pos = item[0]
    return [view[start:stop] for start, stop in spans]


def _rewrite(path: Path, view: memoryview, kept: list[memoryview], report: RepairReport) -> None:
    """Back the damaged log up, then put a log of the kept frames in its place atomically."""
    mode = os.stat(path).st_mode & 0o777
    backup = _backup_path(path)
    _write_file(backup, [view], mode)
    fsync_dir(path.parent)  # the backup is durable before the log is replaced
    tmp = path.with_name(_TMP)
    tmp.unlink(missing_ok=True)  # left by a repair that crashed: it never replaced the log
    _write_file(tmp, [view[: len(MAGIC)], *kept], mode)
    replace_durably(tmp, path)
    report.backup = backup
