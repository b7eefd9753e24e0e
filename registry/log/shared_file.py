"""The embedded log shared by the workers of one ``charter serve --workers N`` pool.

The pool's supervisor opens the data directory first (:class:`~charter.registry.log.file.FileLog`:
its lock, the header and torn-tail checks), keeps the directory's lock and hands the log file to
the workers. Each worker opens the file itself:

- **Every worker reads.** It replays the frames present at start, then tails the file (a
  background thread, and on demand before a read: :meth:`SharedFileLog.read_new`), delivering
  every frame that verifies, in order, but never past the *durable end*: the byte the writer
  published (on the pool's board, :class:`DurableEnd`) after its last ``fsync``, before it
  acknowledged anything. Bytes after it may still be removed (an append whose ``fsync`` failed is
  cut off again and answered with an error), so no worker applies a record that was not durable.
- **One worker writes:** the one holding the exclusive ``flock`` on the log file. Every worker
  contends for it; the kernel releases it when its holder dies, SIGKILL included, and another
  worker takes over within :data:`CONTEND_S`. The new writer first reads every complete frame,
  then cuts off a torn tail (its predecessor died in the middle of an append, so those bytes were
  never acknowledged) and only then accepts writes. Appends are written and fsynced before they
  are acknowledged (:func:`~charter.registry.log.file.write_frames`), exactly as on a single
  process; the writer delivers its own appends.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from charter.registry.log.base import DEFAULT_TIMEOUT_S, LogError, LogRecord, NotPrimaryError
from charter.registry.log.file import APPEND_THREAD, fsync_dir, write_frames
from charter.registry.log.framing import (
    LOG_FILE,
    MAGIC,
    CorruptLogError,
    Prefix,
    begins_with,
    check,
    prefix_of,
    records,
    verified_starts,
)

log = logging.getLogger(__name__)

CONTEND_S = 0.05  # how often a follower tries to take the writer's lock
TAIL_S = 0.02  # how often a follower looks for frames other workers appended


class DurableEnd(Protocol):
    """Where the pool's writer says the log is durable up to (a byte position in the file)."""

    def log_end(self) -> int: ...

    def set_log_end(self, end: int) -> None: ...


class SharedFileLog:
    """One worker's handle on the pool's log file; see the module docstring."""

    def __init__(self, data_dir: str | os.PathLike[str], durable: DurableEnd, *,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.durable = durable
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOG_FILE
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        except FileNotFoundError:
            raise LogError(f"{self.path} is missing: the pool's supervisor creates it first") from None
        if os.pread(self._fd, len(MAGIC), 0) != MAGIC:
            os.close(self._fd)
            raise LogError(f"{self.path} is not a Charter log (bad header); refusing to touch it")
        self.writer = False  # holds the flock: the pool's only writer
        self.on_role: Callable[[bool], None] | None = None  # told when this worker becomes the writer
        self._read_pos = len(MAGIC)  # where the next frame starts
        self._next_offset = 0
        self._deliver: Callable[[LogRecord], None] | None = None
        self._read_lock = threading.Lock()  # one reader of new frames at a time; appends take it too
        self._stopping = threading.Event()

    def describe(self) -> str:
        return f"embedded file log {self.path} (shared by the workers of a pool)"

    # ---- reading ----------------------------------------------------------------------------

    def _frames_after(self, end: int, *, whole: bool = False) -> Iterator[LogRecord]:
        """Every verifying frame from the read position up to ``end`` (in order), advancing it.
        With ``whole`` the bytes after them must be a torn tail (:func:`~charter.registry.log.framing.check`:
        :class:`CorruptLogError` when intact records follow damage)."""
        if end <= self._read_pos:
            return
        with mmap.mmap(self._fd, end, access=mmap.ACCESS_READ) as data:
            first = self._next_offset
            if whole:
                starts, good_end = check(self.path, data, end, self._read_pos, first)
            else:
                starts, good_end = verified_starts(data, end, self._read_pos)
            self._read_pos, self._next_offset = good_end, first + len(starts)
            yield from records(data, starts, first)

    def _readable_end(self) -> int:
        """How far a reader may read: the durable end, within the file (it only grows while a
        reader may read; a file shorter than what was read means someone else cut it)."""
        size = os.fstat(self._fd).st_size
        if size < self._read_pos:
            raise LogError(f"{self.path} is shorter ({size} bytes) than what this worker read ({self._read_pos}): "
                           "another program truncated it")
        return min(size, self.durable.log_end())

    def replay(self) -> Iterator[LogRecord]:
        """The durable records present now, then :meth:`follow` takes over from where this stopped."""
        with self._read_lock:
            yield from self._frames_after(self._readable_end())

    def resume_after(self, prefix: Prefix) -> bool:
        """Before :meth:`replay`: whether the durable log begins with exactly ``prefix`` (a state
        snapshot holds those records); if so, reading goes on after it."""
        with self._read_lock:
            if self._next_offset or not begins_with(self._fd, prefix, self._readable_end()):
                return False
            self._read_pos, self._next_offset = prefix.end, prefix.records
            return True

    def prefix(self) -> Prefix | None:
        """The records this worker delivered and the bytes holding them, when it is the pool's
        writer (the one worker that saves the state at a clean stop); else None."""
        with self._read_lock:
            if not self.writer or self._fd < 0:
                return None
            return prefix_of(self._fd, self._next_offset, self._read_pos)

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        self._deliver = deliver

    def read_new(self, *, wait: bool = True) -> None:
        """Deliver the durable frames other workers appended since the last read (cheap when
        nothing changed: one ``fstat``). Without ``wait``, nothing is done while another read or a
        takeover holds the reader (the event loop never blocks on it; that reader delivers)."""
        if self.writer or self._deliver is None:
            return
        if not self._read_lock.acquire(blocking=wait):
            return
        try:
            if not self.writer:
                self._deliver_upto(self._readable_end())
        finally:
            self._read_lock.release()

    def _deliver_upto(self, end: int, *, whole: bool = False) -> None:
        deliver = self._deliver
        assert deliver is not None, "follow() comes before reading on"
        for record in self._frames_after(end, whole=whole):
            deliver(record)

    # ---- the writer's role ------------------------------------------------------------------

    def start(self, on_broken: Callable[[str, bool], None]) -> None:
        """Start tailing the file and contending for the writer's lock (after :meth:`replay`).
        ``on_broken(message, corrupt)``: this worker cannot go on (the file was cut under it, a
        takeover failed; ``corrupt``: the log is damaged in the middle, restarting cannot help)."""
        self._on_broken = on_broken
        for target, name in ((self._tail, "charter-log-tail"), (self._contend, "charter-log-contend")):
            threading.Thread(target=target, name=name, daemon=True).start()

    def _tail(self) -> None:
        while not self._stopping.wait(TAIL_S):
            if self.writer:
                return
            try:
                self.read_new()
            except (OSError, ValueError, LogError) as exc:
                if not self._stopping.is_set():
                    self._on_broken(f"reading {self.path} failed: {exc}", False)
                return

    def _contend(self) -> None:
        while not self._stopping.wait(CONTEND_S):
            with self._read_lock:  # close() takes it too: the descriptor is still this log's
                if self._stopping.is_set():
                    return
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                except OSError as exc:
                    self._on_broken(f"cannot take the writer's lock on {self.path}: {exc}", False)
                    return
                try:
                    self._take_over()
                except (LogError, OSError) as exc:
                    # Never keep the lock without writing: the others could not take over.
                    with contextlib.suppress(OSError):
                        fcntl.flock(self._fd, fcntl.LOCK_UN)
                    self._on_broken(f"taking over the writer's role failed: {exc}", isinstance(exc, CorruptLogError))
                    return
            if self.on_role is not None:
                self.on_role(True)
            return

    def _take_over(self) -> None:
        """Holding the lock (and the reader): read every complete frame, durable or not (the writer
        that wrote them is gone; they are this writer's now), cut off a torn tail, publish the
        durable end, become the writer."""
        size = os.fstat(self._fd).st_size
        self._deliver_upto(size, whole=True)
        if size > self._read_pos:
            log.warning("log %s: dropping a torn tail of %d bytes at byte %d (the previous writer died in the "
                        "middle of an append it had not acknowledged)", self.path, size - self._read_pos,
                        self._read_pos)
            os.ftruncate(self._fd, self._read_pos)
        os.fsync(self._fd)  # what the previous writer wrote but may not have synced is durable now
        fsync_dir(self.path.parent)
        self.durable.set_log_end(self._read_pos)
        self.writer = True
        log.info("role: writer of the pool's log (read up to offset %d)", self._next_offset - 1)

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        if not self.writer:
            raise NotPrimaryError("this worker is not the pool's writer (writes go to the worker holding the log)")
        return self._next_offset - 1

    def _append_sync(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        with self._read_lock:
            if not self.writer:
                raise NotPrimaryError("this worker is not the pool's writer")
            out = write_frames(self._fd, self.path, self._next_offset, records, self._publish)
            self._next_offset += len(out)
            return out

    def _publish(self, record: LogRecord) -> None:
        """After the fsync, before the write is acknowledged: the records are durable; say so, then
        apply them here."""
        end = os.fstat(self._fd).st_size
        if end != self._read_pos:
            self._read_pos = end
            self.durable.set_log_end(end)
        if self._deliver is not None:
            self._deliver(record)

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        return await asyncio.get_running_loop().run_in_executor(APPEND_THREAD, self._append_sync, records)

    def stop_contending(self) -> None:
        """A stopping worker neither tails the file nor takes the writer's role any more (when the
        writer stops first, another stopping worker would otherwise take over, and save the state again)."""
        self._stopping.set()

    def close(self) -> None:
        """Stop reading and contending; closing the file releases the writer's lock at once."""
        self._stopping.set()
        with self._read_lock:
            self.writer = False
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
