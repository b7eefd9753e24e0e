"""This instance's standing as the single writer of a shared log: its term and its fencing state.

Every election or demotion starts a new *term* (:meth:`Term.set_elected`). The log's writer starts
in a term once it has fenced older writers and committed a barrier (:meth:`Term.writer_started`);
it is *writable* while that term lasts. A write *claims* the term while it holds the writer lock
(:meth:`Term.claim`), and the writer accepts its records only if the claim is still the current
term (:meth:`Term.holds_claim`), so records computed from an older state are never written. A write
whose outcome is unknown makes the writer *stale* (:meth:`Term.mark_stale`) until it restarts;
fenced by another writer, this instance stops being elected and asks for a new election
(:meth:`Term.fenced`, which calls :attr:`Term.on_fenced`). While the log's reader rebuilds the state
because the log went backwards (:meth:`Term.begin_rebuild` .. :meth:`Term.end_rebuild`), no write
is claimed nor appended, and :attr:`Term.rebuilding` says why.

The election (:mod:`charter.registry.cluster.node`) sets the role; the log's writer
(:class:`charter.registry.log.kafka_writer.KafkaWriter`) asks this object whether it may write.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Term:
    """See the module docstring. Thread-safe: the election, the writer and requests all use it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.elected = False
        self.number = 0  # +1 on every election or demotion
        self.writer_term = -1  # the term whose writer fenced older writers (-1: none)
        self.stale = False  # a write failed with an unknown outcome: restart the writer first
        self.claimed = -2  # the term a write claimed holding the writer lock
        self._promotion_barrier = -1  # offset of the barrier committed when this term's writer started
        self._last_write = (-1, time.monotonic())  # (offset, monotonic time) of this instance's last write
        self.on_fenced: Callable[[], None] | None = None  # asks the group to elect again
        self.rebuilding: str | None = None  # why the state is being rebuilt from the log (None: it is not)
        self._write_before_rebuild = self._last_write
        self._rebuilds = 0  # rebuilds begun so far; a claim holds only within the same count
        self._claimed_rebuilds = 0

    # ---- what the writer and the cluster read ------------------------------------------------

    @property
    def writable(self) -> bool:
        """Elected, and the writer of this term is initialised (older writers fenced)."""
        return self.elected and self.writer_term == self.number

    @property
    def ready(self) -> bool:
        """Writable, and the last write's outcome is known."""
        return self.writable and not self.stale

    @property
    def promotion_barrier(self) -> int:
        """Offset of the barrier this term's writer committed after fencing (-1 before that)."""
        return self._promotion_barrier if self.ready else -1

    @property
    def last_write(self) -> tuple[int, float]:
        """(offset, monotonic time) of the last record this instance committed (barrier or data)."""
        return self._last_write

    def holds_claim(self) -> bool:
        """The term a write claimed is still the current one, and its writer still the same."""
        term = self.number
        return (self.elected and self.claimed == term and self.writer_term == term and self.rebuilding is None
                and self._claimed_rebuilds == self._rebuilds)

    # ---- transitions ----------------------------------------------------------------------------

    def set_elected(self, elected: bool) -> None:
        """The election's verdict: start (True) or stop (False, at once) being the writer."""
        with self._lock:
            if elected == self.elected:
                return
            self.elected = elected
            self.number += 1
            if not elected:
                self.writer_term = -1  # refuse every later append of the old term

    def writer_started(self, term: int, barrier: int) -> None:
        """The writer fenced older writers in ``term`` and committed a barrier at ``barrier``."""
        with self._lock:
            self._promotion_barrier = barrier
            self._last_write = (barrier, time.monotonic())
            self.writer_term = term
            self.stale = False

    def wrote(self, offset: int) -> None:
        self._last_write = (offset, time.monotonic())

    def claim(self) -> bool:
        """Claim the current term for a write about to be computed, if the writer is ready in it."""
        term = self.number
        if self.elected and self.writer_term == term and not self.stale and self.rebuilding is None:
            self.claimed, self._claimed_rebuilds = term, self._rebuilds
            return True
        return False

    def begin_rebuild(self, reason: str) -> None:
        """The log went backwards: refuse writes until :meth:`end_rebuild`. A write claimed before
        is refused too (:meth:`holds_claim`): it was computed from the state being replaced."""
        with self._lock:
            if self.rebuilding is None:
                self._write_before_rebuild = self._last_write
            self.rebuilding = reason
            self._rebuilds += 1  # a claim made before the rebuild no longer holds

    def end_rebuild(self, end: int) -> None:
        """The state was rebuilt from the log up to ``end``: writes resume. The barrier and the last
        write of before the rebuild may name offsets the log no longer has: they become ``end``."""
        with self._lock:
            if self._last_write == self._write_before_rebuild and self._last_write[0] > end:
                self._last_write = (end, time.monotonic())
            self._promotion_barrier = min(self._promotion_barrier, end)
            self.rebuilding = None

    def mark_stale(self) -> None:
        self.stale = True

    def fenced(self) -> None:
        """Another writer fenced this one: stop writing, and ask the group to elect again (if the
        group still names this instance, its new writer fences the other one)."""
        self.set_elected(False)
        if self.on_fenced is not None:
            self.on_fenced()
