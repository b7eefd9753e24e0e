"""The embedded durable log: `_schemas` records appended to one file on local disk.

The file format is :mod:`charter.registry.log.framing`. Every append is written and fsynced
before it returns. On open, every frame is checked: a torn tail (bytes that do not verify, up to the
end of the file: a crash in the middle of an append) is truncated with a warning; damage followed by
intact records is corruption, and opening refuses with :class:`CorruptLogError` (naming the offset
and ``charter repair``) rather than destroy them.

Only one process may own a data directory: an exclusive ``flock`` on the directory's own
descriptor and one on the log file's (:func:`open_locked`) are taken at open and held until close,
so removing any file in the directory cannot let a second writer in (and an append to a log deleted
under a running server is refused, not acknowledged). This process is then the log's only writer:
its write barrier is its own last append, and :meth:`FileLog.follow` delivers its own appends (in
order, before :meth:`FileLog.append` returns).
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
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from charter.registry.log.base import DEFAULT_TIMEOUT_S, LogError, LogRecord
from charter.registry.log.framing import (
    LOG_FILE,
    MAGIC,
    CorruptLogError,
    Prefix,
    begins_with,
    check,
    encode_frame,
    prefix_of,
    records,
    verified_starts,
)

log = logging.getLogger(__name__)

__all__ = ["LOG_FILE", "MAGIC", "CorruptLogError", "DataDirInUseError", "FileLog", "OwnedLog", "encode_frame",
           "fsync_dir", "open_locked", "replace_durably", "write_frames"]

LEGACY_LOCK_FILE = "lock"  # what Charter locked before the log itself: only checked, never created
# Appends run on their own thread: never queued behind parsing or checks (issue 17, item 9).
APPEND_THREAD = ThreadPoolExecutor(1, thread_name_prefix="charter-log-append")


class DataDirInUseError(LogError):
    """Another process owns the data directory."""


def _holder(fd: int) -> str:
    """The pid holding a flock on ``fd``'s file, from /proc/locks (Linux), else "unknown"."""
    st = os.fstat(fd)
    inode = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with contextlib.suppress(OSError), open("/proc/locks", encoding="ascii", errors="replace") as locks:
        for line in locks:
            fields = line.split()
            if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == inode:
                return fields[4]
    return "unknown"


def _in_use(data_dir: Path, owner: str, what: Path) -> DataDirInUseError:
    return DataDirInUseError(
        f"data directory {data_dir} is in use by another Charter process (pid {owner}, which holds the "
        f"exclusive lock on {what}); stop it (or wait for the charter restore/repair that holds it), "
        "or choose another --data-dir"
    )


def _refuse_legacy_owner(data_dir: Path) -> None:
    """An older Charter locks ``DATA_DIR/lock`` instead of the log: refuse while one holds it."""
    try:
        fd = os.open(data_dir / LEGACY_LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
        raise _in_use(data_dir, owner, data_dir / LEGACY_LOCK_FILE) from None
    finally:
        os.close(fd)


def _flock(fd: int, data_dir: Path, what: Path) -> None:
    """Take the exclusive lock on ``fd``, or close it and raise :class:`DataDirInUseError`."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = _holder(fd)
        os.close(fd)
        raise _in_use(data_dir, owner, what) from None


def _lock_dir(data_dir: Path) -> int:
    """The data directory's own descriptor, exclusively flocked: no file removed, renamed or
    created inside it lets a second owner in. -1 on a filesystem that cannot lock a directory
    (NFS emulates flock with byte-range locks, which need a file open for writing): there, the
    log file's own lock is the one that holds."""
    fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _flock(fd, data_dir, data_dir)
    except OSError:  # not a DataDirInUseError: this filesystem cannot flock a directory
        os.close(fd)
        return -1
    return fd


def _open_log(path: Path, create: bool) -> int:
    """The log at ``path``, opened for appending and exclusively flocked. If the path was replaced
    while we locked (``charter repair`` renames a rewritten log into place), lock the new file."""
    for _ in range(10):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0), 0o644)
        _flock(fd, path.parent, path)
        st = os.fstat(fd)
        with contextlib.suppress(FileNotFoundError):
            now = os.stat(path)
            if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                return fd
        os.close(fd)
    raise LogError(f"{path} keeps being replaced while Charter opens it; is another tool rewriting it?")


def fsync_dir(directory: Path) -> None:
    """Make the directory's entries (a new or renamed file) durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(written: Path, path: Path) -> None:
    """Put ``written`` (a complete, fsynced file) in ``path``'s place atomically, and make the
    rename durable: a crash leaves the old file or the new one, never a mix."""
    os.replace(written, path)
    fsync_dir(path.parent)


def write_frames(fd: int, path: Path, first_offset: int, records: Sequence[tuple[bytes, bytes | None]],
                 deliver: Callable[[LogRecord], None] | None) -> list[LogRecord]:
    """Append ``records`` to the log open at ``fd`` as one write, fsynced: they are numbered from
    ``first_offset``, then handed to ``deliver`` (the writer delivers its own appends). On failure
    no partial frame stays behind (:class:`LogError`: not written)."""
    ts = int(time.time() * 1000)
    out = [LogRecord(first_offset + i, key, value, ts) for i, (key, value) in enumerate(records)]
    blob = b"".join(encode_frame(r.key, r.value, ts) for r in out)
    stat = os.fstat(fd)
    if stat.st_nlink == 0:
        raise LogError(f"{path} was deleted while this server ran: refusing to acknowledge writes "
                       "that would be lost; restore it from a backup, or restart Charter on the directory")
    size = stat.st_size
    try:
        written = os.write(fd, blob)
        if written != len(blob):
            raise OSError(f"short write: {written} of {len(blob)} bytes")
        os.fsync(fd)
    except OSError as exc:
        # Leave no partial frame behind: the records were not acknowledged.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
        raise LogError(f"could not append to {path}: {exc}") from exc
    if deliver is not None:
        for record in out:
            deliver(record)
    return out


class OwnedLog:
    """An open log file and the locks that make this process its only owner, until :meth:`close`."""

    def __init__(self, fd: int, dir_fd: int) -> None:
        self.fd = fd
        self._dir_fd = dir_fd

    def close(self) -> None:
        """Close the log, then give up the directory (closing a descriptor releases its flock)."""
        for fd in (self.fd, self._dir_fd):
            if fd >= 0:
                os.close(fd)
        self.fd = self._dir_fd = -1


def open_locked(path: Path, *, create: bool) -> OwnedLog:
    """Own the log at ``path``: an exclusive ``flock`` on its directory and on the log file itself
    (:class:`DataDirInUseError`, naming the holder's pid, when another process holds either), and
    none on an older Charter's ``lock`` file."""
    _refuse_legacy_owner(path.parent)
    dir_fd = _lock_dir(path.parent)
    try:
        return OwnedLog(_open_log(path, create), dir_fd)
    except BaseException:
        if dir_fd >= 0:
            os.close(dir_fd)
        raise


class FileLog:
    """The embedded log; see the module docstring for the format and guarantees."""

    def __init__(self, data_dir: str | os.PathLike[str], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._deliver: Callable[[LogRecord], None] | None = None
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / LOG_FILE
        self._owned = open_locked(self.path, create=True)
        self._fd = self._owned.fd
        try:
            self._recover()
        except BaseException:
            self._owned.close()
            raise
        self._write_lock = threading.Lock()

    def describe(self) -> str:
        return f"embedded file log {self.path}"

    def _recover(self) -> None:
        """Check every frame's CRC: cut off a torn tail, refuse corruption followed by intact records.
        Where each frame starts is kept for :meth:`replay`, which then reads them without a second walk."""
        fd = self._fd
        size = os.fstat(fd).st_size
        self._good_end = len(MAGIC)
        self._next_offset = 0
        self._replay_from = 0  # the first offset replay reads (after a snapshot's prefix)
        self._starts: array[int] | None = None
        if size == 0:
            os.write(fd, MAGIC)
            os.fsync(fd)
            fsync_dir(self.data_dir)
            return
        if os.pread(fd, len(MAGIC), 0) != MAGIC:
            raise LogError(f"{self.path} is not a Charter log (bad header); refusing to touch it")
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
            self._starts, self._good_end = check(self.path, data, size)
        self._next_offset = len(self._starts)
        if self._good_end < size:
            log.warning(
                "log %s: dropping a torn tail of %d bytes at byte %d (after %d good records, "
                "and no intact record after it: a crash in the middle of an append)",
                self.path, size - self._good_end, self._good_end, self._next_offset,
            )
            os.ftruncate(fd, self._good_end)
            os.fsync(fd)

    def replay(self) -> Iterator[LogRecord]:
        """Stream the records checked at open, one at a time (nothing is held in a list), from
        the first one after the prefix :meth:`resume_after` accepted."""
        end, first = self._good_end, self._replay_from
        starts, self._starts = self._starts, None  # read once: a second replay checks the frames again
        if end <= len(MAGIC):
            return
        with mmap.mmap(self._fd, end, access=mmap.ACCESS_READ) as data:
            starts = starts if starts is not None else verified_starts(data, end)[0]
            yield from records(data, starts[first:] if first else starts, first)

    def resume_after(self, prefix: Prefix) -> bool:
        """Before :meth:`replay`: whether the log begins with exactly ``prefix`` (a state snapshot
        holds those records); if so, replay starts after it."""
        starts = self._starts
        if starts is None or prefix.records > len(starts):
            return False
        boundary = starts[prefix.records] if prefix.records < len(starts) else self._good_end
        if boundary != prefix.end or not begins_with(self._fd, prefix, self._good_end):
            return False
        self._replay_from = prefix.records
        return True

    def prefix(self) -> Prefix | None:
        """Every record this process delivered (all of them: it is the only writer) and the
        bytes holding them; None once closed."""
        with self._write_lock:
            if self._fd < 0:
                return None
            return prefix_of(self._fd, self._next_offset, os.fstat(self._fd).st_size)

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """Deliver every later append; this process is the only writer, so they are its own."""
        self._deliver = deliver

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        """The last offset appended: by this process, the only writer (no term to claim)."""
        return self._next_offset - 1

    def _append_sync(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        with self._write_lock:
            out = write_frames(self._fd, self.path, self._next_offset, records, self._deliver)
            self._next_offset += len(out)
            return out

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        return await asyncio.get_running_loop().run_in_executor(APPEND_THREAD, self._append_sync, records)

    def hand_to_pool(self) -> int:
        """Close the log file (and its lock) but keep the data directory's: the workers of a pool
        (:mod:`charter.registry.log.shared_file`) take the file from here, and no other Charter process
        can open the directory while this one lives. (On a filesystem that cannot lock a directory,
        the writer's lock on the log file is the only guard left.) Returns the byte up to which the
        log is durable: checked at open, and every append since was fsynced."""
        with self._write_lock:
            end = os.fstat(self._fd).st_size
            os.close(self._owned.fd)
            self._owned.fd = self._fd = -1
            return end

    def close(self) -> None:
        """Close the log, which releases its locks."""
        self._owned.close()
        self._fd = -1
