"""One Charter instance on the Kafka topic: start-up, readiness, role changes and a clean stop.

Start-up runs in a background thread so that ``GET /status`` answers (503, ``ready: false``)
while Kafka is unreachable or the replay runs:

1. wait for a broker (retrying, one clear log line each time); a broker that refuses the
   credentials or the certificates is fatal at once (exit code 2, the message names the setting);
2. check or create the topic (a topic that is not 1-partition compacted is fatal: exit code 2);
3. replay up to a NOOP marker (progress in the log), then follow the topic;
4. ready; join the election group (its client, kafka-python, is imported only then: about 0.1 s
   that is not on the way to ready).

Role changes come from :class:`~charter.registry.cluster.election.Elector`: when a rebalance starts
this instance stops writing at once; when it is assigned the primary role, a promotion thread
fences older writers (``init_transactions``) and commits a NOOP barrier. ``role`` is ``primary``
only once that is done. On stop (SIGTERM) in-flight requests have finished already (uvicorn drains
them first); the instance stops writing, leaves the group (a follower takes over at once) and closes
the topic.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from charter.registry.cluster import FOLLOWER, PRIMARY, SharedLog
from charter.registry.log.base import LogConfigError, LogError
from charter.registry.store.state_writer import StateWriter

if TYPE_CHECKING:
    from charter.registry.cluster.election import Assignment, Elector
    from charter.registry.cluster.pool import PoolSeat

log = logging.getLogger("charter.cluster")

RETRY_S = 2.0


class KafkaCluster:
    """The :class:`~charter.registry.cluster.ClusterView` of an instance on a shared log (a Kafka topic)."""

    shared = True

    def __init__(self, writer: StateWriter, shared_log: SharedLog, *, advertised_url: str,
                 eligible: bool = True, session_timeout_ms: int = 10000, heartbeat_interval_ms: int = 3000,
                 on_fatal: Callable[[str], None] | None = None, seat: PoolSeat | None = None) -> None:
        self.writer = writer
        self.seat = seat  # a worker of a --workers pool: its place on the pool's board
        self.pooled = seat is not None
        self.log = shared_log
        self.term = shared_log.term
        self.advertised_url = advertised_url
        self.ready = False
        self.replayed = 0
        self.fatal: str | None = None
        self._on_fatal = on_fatal
        self._assignment: Assignment | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.eligible = eligible  # Confluent's leader.eligibility: false never becomes primary
        self._session = (session_timeout_ms, heartbeat_interval_ms)
        self.elector: Elector | None = None  # the group member, made once the replay is done
        self._elector_lock = threading.Lock()  # its creation against stop()

    # ---- the view the HTTP layer reads -----------------------------------------------------

    @property
    def role(self) -> str:
        return PRIMARY if self.term.writable else FOLLOWER

    @property
    def primary_url(self) -> str | None:
        assignment = self._assignment
        return assignment.master_url if assignment is not None else None

    @property
    def member_id(self) -> str | None:
        elector = self.elector
        return elector.member_id if elector is not None else None

    def writes_here(self) -> bool:
        return self.term.elected

    def write_status(self) -> tuple[bool, str | None]:
        """Whether a write sent here now can be carried out (here, or forwarded), and why not."""
        term, offset = self.term, self.writer.state.offset
        if self.fatal:
            return False, self.fatal
        if not self.ready:
            return False, self.log.progress()
        if term.rebuilding is not None:
            return False, (f"the topic {self.log.topic} went backwards ({term.rebuilding}); rebuilding the state "
                           "from the topic before the next write")
        if not term.elected:
            if self.primary_url is None:
                return False, f"no primary is elected in group {self.log.group_id} right now"
            return True, None  # writes are forwarded to the primary
        barrier = term.promotion_barrier
        if barrier < 0:
            return False, ("elected primary; starting the writer (init_transactions fences older writers) before "
                           "the next write")
        last, written_at = term.last_write
        if offset < barrier or (offset < last and time.monotonic() - written_at > self.log.timeout_s):
            return False, (f"waiting for offset {max(barrier, last)} (applied up to {offset}): a transaction "
                           "left open by an earlier primary, or a slow broker, holds the reader back")
        return True, None

    async def wait_for_primary(self, timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        while True:
            if self.term.elected:
                return self.advertised_url
            url = self.primary_url
            if url is not None or time.monotonic() >= deadline:
                return url
            await asyncio.sleep(0.05)

    def status(self) -> dict[str, Any]:
        assignment = self._assignment
        return {
            "store": self.log.describe(),
            "topic": self.log.topic,
            "group_id": self.log.group_id,
            "generation": self.elector.generation if self.elector is not None else None,
            "primary_member_id": assignment.master if assignment else None,
            "topic_position": self.log.position,
            "records_replayed": self.replayed,
            "rebuilds": self.writer.rebuilds,
            **(self.seat.status() if self.seat is not None else {}),
        }

    async def read_barrier(self, acked: int = -1) -> None:
        """A pooled worker waits for its consumer to reach what the pool acknowledged."""
        if self.seat is not None:
            await self.seat.read_barrier(acked)

    # ---- start-up ----------------------------------------------------------------------------

    async def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._thread = threading.Thread(target=self._boot, args=(loop,), name="charter-boot", daemon=True)
        self._thread.start()

    def _boot(self, loop: asyncio.AbstractEventLoop) -> None:
        started = time.perf_counter()
        while not self._stopping.is_set():
            try:
                self.log.prepare()
                break
            except LogConfigError as exc:  # retrying cannot fix these
                self._fail(str(exc))
                return
            except LogError as exc:  # unreachable: retry, one line each time
                log.warning("%s; retrying in %.0f s (not ready)", exc, RETRY_S)
                self._stopping.wait(RETRY_S)
        if self._stopping.is_set():
            return
        # The topic going backwards later: the reader rebuilds the state (and a write that sees it asks for that).
        self.log.on_rewind = self.writer.rebuild
        self.writer.on_regression = self.log.rewind
        prepared = time.perf_counter()
        try:
            self.replayed = self.writer.replay()
        except LogError as exc:
            self._fail(f"replay of {self.log.topic} failed: {exc}")
            return
        state, done = self.writer.state, time.perf_counter()
        log.info(
            "store: %s; replayed %d records in %.2f s (broker and topic checks %.2f s, reading and applying "
            "%.2f s; %d subjects, %d schemas, %d skipped); ready",
            self.log.describe(), self.replayed, done - started, prepared - started, done - prepared,
            len(state.subjects), state.schema_count(), state.skipped,
        )
        self.writer.start_following(loop)
        self.ready = True
        if self.seat is not None:
            self.seat.start()
        self._join_group()

    def _join_group(self) -> None:
        """Make the group member and start it, unless the instance is stopping."""
        from charter.registry.cluster.election import Elector, member_identity

        with self._elector_lock:
            if self._stopping.is_set():
                return
            session_ms, heartbeat_ms = self._session
            self.elector = Elector(
                self.log.connection, self.log.group_id, member_identity(self.advertised_url, self.eligible),
                session_timeout_ms=session_ms, heartbeat_interval_ms=heartbeat_ms,
                on_prepare=self._on_prepare, on_assignment=self._on_assignment, on_fatal=self._fail,
            )
            # Fenced by another writer while the group may still name this instance: elect again, so
            # that exactly one instance ends up both elected and writing.
            self.term.on_fenced = self.elector.request_rejoin
            self.elector.start()

    def _fail(self, message: str) -> None:
        self.fatal = message
        log.critical("%s", message)
        if self._on_fatal is not None:
            self._on_fatal(message)

    # ---- role changes ------------------------------------------------------------------------

    def _on_prepare(self) -> None:
        if self.term.elected:
            log.info("role: rebalance started; this instance stops writing")
        self.term.set_elected(False)
        if self.seat is not None:
            self.seat.set_writing(False)

    def _on_assignment(self, assignment: Assignment) -> None:
        self._assignment = assignment
        if assignment.is_primary:
            log.info("role: elected primary (generation %d, member %s); fencing older writers",
                     assignment.generation, assignment.member_id)
            self.term.set_elected(True)
            if self.seat is not None:
                self.seat.set_writing(True)
            threading.Thread(target=self._promote, name="charter-promote", daemon=True).start()
        else:
            self.term.set_elected(False)
            if self.seat is not None:
                self.seat.set_writing(False)
            log.info("role: follower (generation %d, member %s); primary is %s",
                     assignment.generation, assignment.member_id, assignment.master_url or "unknown")

    def _promote(self) -> None:
        """Start the writer (fencing older ones) and log once the state reached its barrier."""
        started = time.monotonic()
        self.log.start_promotion()
        while self.term.elected and not self._stopping.is_set():
            barrier = self.term.promotion_barrier
            if barrier >= 0 and self.writer.state.offset >= barrier:
                log.info("role: primary at %s, read up to offset %d, accepting writes (%.2f s)",
                         self.advertised_url, barrier, time.monotonic() - started)
                return
            if barrier < 0 and not self.log.promoting:
                return  # demoted or stopping: the writer's own thread gave up
            time.sleep(0.01)

    # ---- stop --------------------------------------------------------------------------------

    async def stop(self) -> None:
        """After uvicorn drained in-flight requests: stop writing, leave the group, close."""
        self._stopping.set()
        if self.seat is not None:
            self.seat.stop()
        self.term.set_elected(False)
        with self._elector_lock:
            elector = self.elector
        if elector is not None:
            await asyncio.to_thread(elector.stop, True)
        await asyncio.to_thread(self.log.close)
        log.info("stopped: left group %s", self.log.group_id)
