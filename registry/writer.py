"""The single path by which state changes: records appended to the log, then applied.

:class:`StateWriter` owns the in-memory state, the log and the write lock. Services build
records under ``async with writer.lock`` from the current state and call :meth:`write`; the
records are appended durably, then applied, and only then does ``write`` return. Replay at
start-up and records delivered later by a shared log go through the same :meth:`apply`, which
applies each offset once and in order, so the state is always a pure function of the log.

On a shared log (``follows = True``) other processes may have written before this one became the
writer, so taking ``writer.lock`` first asks the log for a *write barrier* (``write_barrier()``:
the offset of a marker it wrote after fencing older writers, or of its own last write) and waits
until the state has applied it. Whatever is computed under the lock (e.g. the next schema ID from
``state.max_id``) therefore sees every record any earlier writer committed.

Every wait is bounded, so a write is always answered (Confluent's ``KafkaSchemaRegistry`` bounds the
same steps by ``kafkastore.timeout.ms``): reaching the barrier and reading a committed write back
each take at most the log's ``timeout_s``, and a write waits at most :data:`LOCK_WAIT_S` for its
turn. The barrier is awaited before the lock too, so when the log is stuck every waiting write
times out together instead of one after another. A timeout is Confluent's 50002; an instance that
is not (or no longer) the primary answers 50004.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Sequence
from typing import Any

from charter.registry import errors
from charter.registry.log.base import LogError, LogRecord, LogTimeoutError, NotPrimaryError, SchemaLog
from charter.registry.records import RecordFormatError, RecordKey, decode_key, decode_value, encode_value
from charter.registry.store.state import RegistryState

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 0.5  # kafkastore.timeout.ms's default, for logs that do not say theirs
LOCK_WAIT_S = 30.0  # the longest a write waits for the writes queued before it


class WriteLock:
    """``async with writer.lock``: the one-writer lock, plus catching up to the log's write barrier."""

    def __init__(self, writer: StateWriter) -> None:
        self._lock = asyncio.Lock()
        self._writer = writer

    def locked(self) -> bool:
        return self._lock.locked()

    async def __aenter__(self) -> None:
        # One catch-up budget per write, from its arrival: the first wait runs outside the lock, so
        # a stuck log times every waiting write out at once; the second is instant unless an
        # earlier write moved the barrier and was not read back (the log is stuck: fail at once).
        deadline = time.monotonic() + self._writer.timeout_s
        await self._writer.catch_up(deadline, holding_lock=False)
        try:
            await asyncio.wait_for(self._lock.acquire(), LOCK_WAIT_S)
        except TimeoutError:
            raise errors.operation_timed_out(
                f"the write waited {LOCK_WAIT_S:.0f} s for earlier writes to finish") from None
        try:
            self._writer.check_not_failed_since(deadline - self._writer.timeout_s)
            await self._writer.catch_up(deadline, holding_lock=True)
        except BaseException:
            self._lock.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()


class StateWriter:
    def __init__(self, schema_log: SchemaLog) -> None:
        self.log = schema_log
        self.state = RegistryState()
        self.lock = WriteLock(self)
        self.timeout_s: float = getattr(schema_log, "timeout_s", DEFAULT_TIMEOUT_S)
        self._failed_at = 0.0  # monotonic time of the last write the log did not confirm in time
        # (offset, tie-breaker, future) of writes waiting for their records to be applied
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []

    def replay(self) -> int:
        """Rebuild the state from the log; returns the number of records read."""
        count = 0
        for record in self.log.replay():
            count += 1
            self.apply(record)
        return count

    def start_following(self, loop: asyncio.AbstractEventLoop) -> None:
        """Apply records that other writers append from now on (shared logs only)."""
        self.log.follow(lambda record: loop.call_soon_threadsafe(self._deliver, record))

    def _deliver(self, record: LogRecord) -> None:
        """On the event loop: apply a followed record and wake the writes it completes."""
        self.apply(record)
        while self._waiters and self._waiters[0][0] <= self.state.offset:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)

    async def _wait_applied(self, offset: int, deadline: float) -> None:
        """Wait until the state has applied ``offset``; TimeoutError at ``deadline`` (monotonic)."""
        if self.state.offset >= offset:
            return
        if deadline <= time.monotonic():
            raise TimeoutError
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (offset, id(future), future)
        heapq.heappush(self._waiters, entry)
        try:
            await asyncio.wait_for(future, deadline - time.monotonic())
        except BaseException:
            if entry in self._waiters:  # not woken: drop it, or waiters pile up while the log is stuck
                self._waiters.remove(entry)
                heapq.heapify(self._waiters)
            raise

    async def catch_up(self, deadline: float, *, holding_lock: bool) -> None:
        """Before computing a write on a shared log: apply everything up to the log's write barrier.

        Holding the writer lock, the write claims the log's current term (its records are appended
        only in that term) and waits only until ``deadline``; before the lock, a barrier that an
        election just produced gets a fresh ``timeout_s`` to be read.
        """
        barrier_of = getattr(self.log, "write_barrier", None)
        if not self.log.follows or barrier_of is None:
            return
        started = time.monotonic()
        try:
            barrier = await barrier_of(deadline, claim=holding_lock)
            if not holding_lock:
                deadline = max(deadline, time.monotonic() + self.timeout_s)
            await self._wait_applied(barrier, deadline)
        except NotPrimaryError as exc:
            raise errors.unknown_leader(str(exc)) from None
        except LogTimeoutError as exc:
            raise errors.operation_timed_out(str(exc)) from None
        except LogError as exc:
            raise errors.store_error(str(exc)) from None
        except TimeoutError:
            raise errors.operation_timed_out(
                f"the log was not read up to the write barrier at offset {barrier} in "
                f"{time.monotonic() - started:.1f} s (applied up to {self.state.offset}); a transaction "
                "left open by a stopped primary holds readers back until it is aborted"
            ) from None

    def check_not_failed_since(self, arrived: float) -> None:
        """50002 at once for a write that waited for its turn past its own timeout while an
        earlier write timed out: the log is not confirming writes, so queued writes fail together
        instead of each trying for the whole timeout in turn."""
        if self._failed_at > arrived and time.monotonic() > arrived + self.timeout_s:
            raise errors.operation_timed_out(
                "an earlier write timed out while this one waited for its turn; the log is not confirming "
                "writes (GET /status says why)")

    def apply(self, record: LogRecord) -> None:
        """Apply one record unless its offset was applied already; skip unusable ones."""
        if record.offset <= self.state.offset:
            return
        try:
            self.state.apply(decode_key(record.key), decode_value(record.value), record.offset, record.timestamp_ms)
        except RecordFormatError as exc:
            self.state.offset = record.offset
            self.state.skipped += 1
            log.warning("skipping record at offset %d: %s", record.offset, exc)

    async def write(self, records: Sequence[tuple[RecordKey, dict[str, Any] | None]]) -> None:
        """Append records durably, then make sure they are applied. Call with ``self.lock`` held.

        Shielded from cancellation: a cancelled request still waits for its append (bounded by the
        log's timeouts) before the lock is released, so the next write is computed from a state
        that includes it and never reuses its ids.
        """
        inner = asyncio.ensure_future(self._write(records))
        try:
            await asyncio.shield(inner)
        except asyncio.CancelledError:
            await asyncio.wait([inner])
            raise

    async def _write(self, records: Sequence[tuple[RecordKey, dict[str, Any] | None]]) -> None:
        raw = [(k.encode(), encode_value(v)) for k, v in records]
        try:
            written = await self.log.append(raw)
        except NotPrimaryError as exc:
            log.warning("write refused: %s", exc)
            raise errors.unknown_leader(str(exc)) from None
        except LogTimeoutError as exc:
            log.error("write timed out: %s", exc)
            self._failed_at = time.monotonic()
            raise errors.operation_timed_out(str(exc)) from None
        except LogError as exc:
            log.error("write failed: %s", exc)
            raise errors.store_error(str(exc)) from None
        if not self.log.follows:
            for rec in written:
                self.apply(rec)
            return
        try:
            await self._wait_applied(written[-1].offset, time.monotonic() + self.timeout_s)
        except TimeoutError:
            self._failed_at = time.monotonic()
            raise errors.operation_timed_out(
                f"the write was committed at offset {written[-1].offset} but not read back within "
                f"{self.timeout_s:.1f} s; it will be applied, retry to get its result"
            ) from None
