"""The pool's board: a small file every worker of ``charter serve --workers N`` maps into memory.

The supervisor creates it (in a private runtime directory) before starting the workers; each
worker has one slot and writes only its own, and reads the others':

- ``pid``, ``port`` (its private listener: where the other workers forward writes), ``role``
  (starting, follower, writer) and ``started`` (unix ms) say who is where (``GET /status``);
- ``applied`` (the last log offset its state applied) and ``rss`` (resident memory, KiB) are
  refreshed by the worker (``/status`` and ``/metrics`` describe the whole pool from any worker);
- ``acked``: the highest log offset of a write this worker acknowledged. A worker answers a read
  only once its state has applied :meth:`Board.acked` (the largest over all slots), so a write
  acknowledged by any worker is visible on every worker right after (read-your-writes).

The header holds the number of workers, the supervisor's pid, how many workers it restarted,
which worker took the writer's role last and, on the embedded log, the byte up to which the log is
durable (:meth:`Board.log_end`: no worker reads past it).
Values are aligned 8-byte integers, each written by one process; a reader may see a slot
half-updated across fields, never a torn value.
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile
import time
from dataclasses import dataclass

MAGIC = b"CHPOOL01"
_HEADER = struct.Struct("<8sqqq")  # magic, workers, supervisor pid, restarts
_SLOT = struct.Struct("<qqqqqqq")  # pid, port, role, applied, acked, started ms, rss KiB
_FIELDS = ("pid", "port", "role", "applied", "acked", "started", "rss")
_SLOT_SIZE = 64
_HEADER_SIZE = 64
_Q = struct.Struct("<q")
_RESTARTS_AT = 24  # header fields after the struct: restarts, then the writer's index
_WRITER_AT = 32
_LOG_END_AT = 40

STARTING, FOLLOWER, WRITER = 0, 1, 2
ROLE_NAMES = {STARTING: "starting", FOLLOWER: "follower", WRITER: "writer"}


@dataclass(frozen=True)
class Seat:
    """One worker's slot, as read from the board."""

    index: int
    pid: int
    port: int
    role: int
    applied: int
    acked: int
    started: int
    rss: int

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, "unknown")


class Board:
    """The mapped board; see the module docstring. It lives in an unlinked file (nothing to clean
    up, nothing a temporary-files cleaner can remove): workers map it through the descriptor
    they inherit (:attr:`fd`)."""

    def __init__(self, fd: int, data: mmap.mmap) -> None:
        self.fd = fd
        self._data = data
        magic, self.workers, self.supervisor_pid, _ = _HEADER.unpack_from(data, 0)
        if magic != MAGIC:
            raise ValueError(f"descriptor {fd} is not a Charter pool board")

    @classmethod
    def create(cls, workers: int) -> Board:
        """A fresh board for ``workers`` workers (every slot empty, ``acked`` -1), inheritable."""
        image = bytearray(_HEADER_SIZE + _SLOT_SIZE * workers)
        _HEADER.pack_into(image, 0, MAGIC, workers, os.getpid(), 0)
        _Q.pack_into(image, _WRITER_AT, -1)
        for index in range(workers):
            _SLOT.pack_into(image, _HEADER_SIZE + _SLOT_SIZE * index, 0, 0, STARTING, -1, -1, 0, 0)
        fd, path = tempfile.mkstemp(prefix="charter-pool-board-")
        os.unlink(path)
        os.write(fd, image)
        os.set_inheritable(fd, True)
        return cls.attach(fd)

    @classmethod
    def attach(cls, fd: int) -> Board:
        """The board behind ``fd`` (the supervisor's, or the one a worker inherited)."""
        size = os.fstat(fd).st_size
        if size < _HEADER_SIZE:
            raise ValueError(f"descriptor {fd} is not a Charter pool board")
        return cls(fd, mmap.mmap(fd, size))

    def _at(self, index: int, field: str | None = None) -> int:
        if not 0 <= index < self.workers:
            raise IndexError(f"worker {index} is not on a board of {self.workers}")
        return _HEADER_SIZE + _SLOT_SIZE * index + (8 * _FIELDS.index(field) if field else 0)

    def _set(self, index: int, field: str, value: int) -> None:
        _Q.pack_into(self._data, self._at(index, field), value)

    def _get(self, index: int, field: str) -> int:
        return int(_Q.unpack_from(self._data, self._at(index, field))[0])

    # ---- written by the supervisor ----------------------------------------------------------

    def vacate(self, index: int) -> None:
        """The worker at ``index`` is gone: free its slot (its ``acked`` stays: it was acknowledged)."""
        for field, value in (("pid", 0), ("port", 0), ("role", STARTING), ("applied", -1), ("rss", 0)):
            self._set(index, field, value)

    def count_restart(self) -> None:
        _Q.pack_into(self._data, _RESTARTS_AT, self.restarts + 1)

    @property
    def restarts(self) -> int:
        return int(_Q.unpack_from(self._data, _RESTARTS_AT)[0])

    # ---- written by a worker, into its own slot ---------------------------------------------

    def take_seat(self, index: int, port: int) -> None:
        self._set(index, "port", port)
        self._set(index, "role", STARTING)
        self._set(index, "started", int(time.time() * 1000))
        self._set(index, "pid", os.getpid())

    def set_role(self, index: int, role: int) -> None:
        self._set(index, "role", role)

    def set_applied(self, index: int, offset: int) -> None:
        self._set(index, "applied", offset)

    def set_rss(self, index: int, kib: int) -> None:
        self._set(index, "rss", kib)

    def ack(self, index: int, offset: int) -> None:
        """This worker acknowledged a write committed at ``offset``."""
        if offset > self._get(index, "acked"):
            self._set(index, "acked", offset)

    # ---- read by every worker ---------------------------------------------------------------

    def acked(self) -> int:
        """The highest offset any worker acknowledged: what a read must see."""
        data, at = self._data, _HEADER_SIZE + 8 * _FIELDS.index("acked")
        return max(_Q.unpack_from(data, at + _SLOT_SIZE * i)[0] for i in range(self.workers))

    def seat(self, index: int) -> Seat:
        return Seat(index, *_SLOT.unpack_from(self._data, self._at(index)))

    def seats(self) -> list[Seat]:
        return [self.seat(index) for index in range(self.workers)]

    def log_end(self) -> int:
        """The byte up to which the embedded log is durable (published by its writer after each fsync)."""
        return int(_Q.unpack_from(self._data, _LOG_END_AT)[0])

    def set_log_end(self, end: int) -> None:
        _Q.pack_into(self._data, _LOG_END_AT, end)

    def claim_writer(self, index: int) -> None:
        """Worker ``index`` holds the log now (claims are serialised by the log's lock: the last one holds)."""
        self.set_role(index, WRITER)
        _Q.pack_into(self._data, _WRITER_AT, index)

    def writer(self) -> Seat | None:
        """The worker that last took the writer's role, while it is on the board."""
        index = int(_Q.unpack_from(self._data, _WRITER_AT)[0])
        if not 0 <= index < self.workers:
            return None
        seat = self.seat(index)
        return seat if seat.role == WRITER and seat.pid else None

    def describe(self) -> dict[str, object]:
        """The pool for ``GET /status``."""
        seats = self.seats()
        return {
            "workers": self.workers,
            "supervisor_pid": self.supervisor_pid,
            "restarts": self.restarts,
            "acked_offset": self.acked(),
            "rss_mb": round(sum(s.rss for s in seats) / 1024, 1),
            "members": [
                {"worker": s.index, "pid": s.pid or None, "port": s.port or None, "role": s.role_name,
                 "applied_offset": s.applied,
                 "rss_mb": round(s.rss / 1024, 1), "started_ms": s.started or None}
                for s in seats
            ],
        }

    def close(self) -> None:
        self._data.close()
        os.close(self.fd)


def rss_kib() -> int:
    """This process's resident memory (VmRSS), in KiB; 0 where /proc is not available."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
