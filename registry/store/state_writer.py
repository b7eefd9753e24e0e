"""The single path by which state changes: records appended to the log, then applied.

:class:`StateWriter` owns the in-memory state, the log and the write lock. Services build
records under ``async with writer.lock`` from the current state and call :meth:`write`; the
records are appended durably, then applied, and only then does ``write`` return. Every record
reaches the state the same way on every backend: replayed at start-up, then delivered by the log's
``follow`` (this process's own appends included; from any thread, into an inbox the event loop
drains) and applied by :meth:`StateWriter.apply`, which applies each offset once and in order, so
the state is always a pure function of the log.

Other processes may have written before this one became the writer, so taking ``writer.lock``
first asks the log for a *write barrier* (``write_barrier()``: the offset of a marker it wrote after
fencing older writers, or of its own last write) and waits until the state has applied it.
Whatever is computed under the lock (e.g. the next schema ID from ``state.next_id``) therefore sees
every record any earlier writer committed.

When the log goes backwards (a broker lost records this instance applied), the log's reader
rebuilds the state from the log's start with :meth:`StateWriter.rebuild`, which swaps the fresh
state in on the event loop in one step (readers see the old state or the new one, never a mix) and
logs as an ERROR the versions and ids the log lost; those ids are never issued again by this
process (:meth:`RegistryState.next_id <charter.registry.store.state.RegistryState.next_id>`). A
write whose own committed records land at or below what the state applied shows the same thing: it
asks the log to rebuild (:attr:`StateWriter.on_regression`) and answers once the rebuild applied
its records, or 50002 (retry to get its result) if that takes longer than the log's timeout.

Every wait is bounded, so a write is always answered (Confluent's ``KafkaSchemaRegistry`` bounds the
same steps by ``kafkastore.timeout.ms``): reaching the barrier and reading a committed write back
each take at most the log's ``timeout_s``, and a write waits at most :data:`LOCK_WAIT_S` for its
turn. The barrier is awaited before the lock too, so when the log is stuck every waiting write
times out together instead of one after another. Failures are turned into Confluent's errors in
one place (:func:`registry_errors`): a timeout is 50002; an instance that is not (or no longer)
the primary answers 50004; any other log failure 50001.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import heapq
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from charter.registry import errors
from charter.registry.log.base import LogError, LogRecord, LogTimeoutError, NotPrimaryError, SchemaLog
from charter.registry.log.framing import Prefix
from charter.registry.store import snapshot
from charter.registry.store.records import RecordFormatError, RecordKey, decode_key, decode_value, encode_value
from charter.registry.store.state import RegistryState

log = logging.getLogger(__name__)

LOCK_WAIT_S = 30.0  # the longest a write waits for the writes queued before it
SWAP_WAIT_S = 30.0  # the longest a rebuild waits for the event loop to swap the fresh state in


def apply_record(state: RegistryState, record: LogRecord) -> None:
    """Apply one record to ``state`` unless its offset was applied already; skip unusable ones."""
    if record.offset <= state.offset:
        return
    try:
        state.apply(decode_key(record.key), decode_value(record.value), record.offset, record.timestamp_ms)
    except RecordFormatError as exc:
        state.offset = record.offset
        state.skipped += 1
        log.warning("skipping record at offset %d: %s", record.offset, exc)


def read_state(data_dir: str | os.PathLike[str]) -> StateWriter:
    """The state of the embedded log in ``data_dir``, built in this process as a server builds it
    (its snapshot, then the records after it); the log is closed again (for tools, tests, benches)."""
    from charter.registry.log.file import FileLog

    schema_log = FileLog(data_dir)
    try:
        writer = StateWriter(schema_log)
        writer.replay()
        return writer
    finally:
        schema_log.close()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a replay builds the state: the state only
    grows then, and each collection would walk every object built so far (about 15% of a
    100,000-record replay). Reference counting still frees what replay drops."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def registry_errors(on_timeout: Callable[[], None] | None = None, verb: str | None = None) -> Iterator[None]:
    """The one translation of log failures into Confluent's errors: :class:`NotPrimaryError` is
    50004, :class:`LogTimeoutError` 50002 (after calling ``on_timeout``), any other
    :class:`LogError` 50001. With ``verb`` (e.g. "write") each failure is also logged."""
    try:
        yield
    except NotPrimaryError as exc:
        if verb:
            log.warning("%s refused: %s", verb, exc)
        raise errors.unknown_leader(str(exc)) from None
    except LogTimeoutError as exc:
        if verb:
            log.error("%s timed out: %s", verb, exc)
        if on_timeout is not None:
            on_timeout()
        raise errors.operation_timed_out(str(exc)) from None
    except LogError as exc:
        if verb:
            log.error("%s failed: %s", verb, exc)
        raise errors.store_error(str(exc)) from None


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
        with registry_errors():
            try:
                await asyncio.wait_for(self._lock.acquire(), LOCK_WAIT_S)
            except TimeoutError:
                raise LogTimeoutError(f"the write waited {LOCK_WAIT_S:.0f} s for earlier writes to finish") from None
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
        self.timeout_s = schema_log.timeout_s
        self._failed_at = 0.0  # monotonic time of the last write the log did not confirm in time
        # (offset, tie-breaker, future) of writes waiting for their records to be applied
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._inbox: deque[LogRecord] = deque()  # delivered by the log, not applied yet
        self._loop: asyncio.AbstractEventLoop | None = None
        self.rebuilds = 0  # how many times the state was rebuilt because the log went backwards
        # Asks the log to rebuild the state (a shared log that went backwards); set by the cluster.
        self.on_regression: Callable[[str], None] | None = None
        # Told the last offset of each acknowledged write (a pool's board: read-your-writes across workers).
        self.on_written: Callable[[int], None] | None = None
        self.restored: Prefix | None = None  # the log prefix the state's snapshot held at start, if one was used

    def replay(self) -> int:
        """Rebuild the state from the log (from its snapshot, :mod:`.snapshot`, and the records after
        it), then follow it; returns the number of records the state holds."""
        state = self.state
        with collector_paused():
            self.restored = snapshot.restore(self.log, state)
            count = self.from_snapshot
            for record in self.log.replay():
                count += 1
                apply_record(state, record)
        self.log.follow(self._receive)
        return count

    @property
    def from_snapshot(self) -> int:
        """How many of the records the state was built from at start came from its snapshot."""
        return self.restored.records if self.restored else 0

    def checkpoint(self) -> None:
        """At a clean stop: apply what the log delivered, then save the state's snapshot."""
        self._drain()
        snapshot.save(self.log, self.state, self.restored)

    def start_following(self, loop: asyncio.AbstractEventLoop) -> None:
        """Apply the records the log delivers on ``loop`` as they come (thread-safe). Without it,
        they are applied when a write waits for them (a service used without a server)."""
        self._loop = loop
        loop.call_soon_threadsafe(self._drain)

    def _receive(self, record: LogRecord) -> None:
        """From the log, in any thread: queue the record for the event loop."""
        self._inbox.append(record)
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the next waiter drains
                loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        """On the event loop: apply the delivered records and wake the writes they complete."""
        inbox = self._inbox
        while inbox:
            self.apply(inbox.popleft())
        while self._waiters and self._waiters[0][0] <= self.state.offset:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)

    async def _wait_applied(self, offset: int, deadline: float) -> None:
        """Wait until the state has applied ``offset``; TimeoutError at ``deadline`` (monotonic)."""
        self._drain()
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

    async def wait_applied(self, offset: int, timeout_s: float) -> bool:
        """Wait at most ``timeout_s`` until the state has applied ``offset``; whether it has."""
        try:
            await self._wait_applied(offset, time.monotonic() + timeout_s)
        except TimeoutError:
            return False
        return True

    async def catch_up(self, deadline: float, *, holding_lock: bool) -> None:
        """Before computing a write on a shared log: apply everything up to the log's write barrier.

        Holding the writer lock, the write claims the log's current term (its records are appended
        only in that term) and waits only until ``deadline``; before the lock, a barrier that an
        election just produced gets a fresh ``timeout_s`` to be read.
        """
        started, barrier = time.monotonic(), -1
        with registry_errors():
            try:
                barrier = await self.log.write_barrier(deadline, claim=holding_lock)
                if not holding_lock:
                    deadline = max(deadline, time.monotonic() + self.timeout_s)
                await self._wait_applied(barrier, deadline)
            except TimeoutError:
                raise LogTimeoutError(
                    f"the log was not read up to the write barrier at offset {barrier} in "
                    f"{time.monotonic() - started:.1f} s (applied up to {self.state.offset}); a transaction "
                    "left open by a stopped primary holds readers back until it is aborted"
                ) from None

    def check_not_failed_since(self, arrived: float) -> None:
        """50002 at once for a write that waited for its turn past its own timeout while an
        earlier write timed out: the log is not confirming writes, so queued writes fail together
        instead of each trying for the whole timeout in turn."""
        if self._failed_at > arrived and time.monotonic() > arrived + self.timeout_s:
            with registry_errors():
                raise LogTimeoutError(
                    "an earlier write timed out while this one waited for its turn; the log is not confirming "
                    "writes (GET /status says why)")

    def apply(self, record: LogRecord) -> None:
        """Apply one record unless its offset was applied already; skip unusable ones."""
        apply_record(self.state, record)

    def rebuild(self, reason: str, records: Iterable[LogRecord]) -> int:
        """The log went backwards: build a fresh state from ``records`` (the whole log, in order),
        then swap it in on the event loop; returns the offset it reached. Called from the log's
        reader thread; a failure of ``records`` propagates and leaves the state as it was."""
        fresh = RegistryState()
        with collector_paused():
            for record in records:
                apply_record(fresh, record)
        loop = self._loop
        if loop is None:
            self._swap(fresh, reason)
            return fresh.offset
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def swap() -> None:
            try:
                self._swap(fresh, reason)
                done.set_result(None)
            except BaseException as exc:  # handed to the reader thread
                done.set_exception(exc)

        loop.call_soon_threadsafe(swap)
        try:
            done.result(SWAP_WAIT_S)
        except concurrent.futures.TimeoutError:
            raise LogError(f"the event loop did not take the rebuilt state in {SWAP_WAIT_S:.0f} s") from None
        return fresh.offset

    def _swap(self, fresh: RegistryState, reason: str) -> None:
        """On the event loop: replace the state by ``fresh`` and wake the writes it completes."""
        applied = self.state.offset
        self._inbox.clear()  # delivered before the log went backwards: the fresh state replaces them
        lost = self.state.replace_with(fresh)
        self.rebuilds += 1
        if lost:
            names = ", ".join(lost[:100]) + (" ..." if len(lost) > 100 else "")
            floors = ", ".join(f"context {c!r}: {self.state.next_id(c)}" for c in sorted(self.state.id_floors))
            log.error("the log lost records this instance had applied (it had applied up to offset %d; read again "
                      "from the start, the log ends at offset %d; %s): %d versions are gone: %s. Clients may hold "
                      "their ids: they are never issued again by this instance (next id per context: %s)",
                      applied, fresh.offset, reason, len(lost), names, floors)
        log.warning("state rebuilt from the log up to offset %d (%d subjects, %d schemas; had applied up to %d)",
                    fresh.offset, len(fresh.subjects), fresh.schema_count(), applied)
        self._drain()

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
        rebuilds, applied = self.rebuilds, self.state.offset
        with registry_errors(on_timeout=self._failed, verb="write"):
            written = await self.log.append(raw)
        if self.rebuilds == rebuilds and written[0].offset <= applied:
            await self._rebuilt_with(written, applied)
            return
        with registry_errors(on_timeout=self._failed):
            try:
                await self._wait_applied(written[-1].offset, time.monotonic() + self.timeout_s)
            except TimeoutError:
                raise LogTimeoutError(
                    f"the write was committed at offset {written[-1].offset} but not read back within "
                    f"{self.timeout_s:.1f} s; it will be applied, retry to get its result"
                ) from None
        if self.on_written is not None:
            self.on_written(written[-1].offset)

    async def _rebuilt_with(self, written: list[LogRecord], applied: int) -> None:
        """This write's records were committed at or below the offset the state had applied: the log
        went backwards. Ask for a rebuild and wait (within the log's timeout) until it has applied
        them; else 50002: the write is committed and a retry gets its result."""
        first, last = written[0].offset, written[-1].offset
        reason = f"this instance's write was committed at offset {first}, at or below the applied offset {applied}"
        log.error("the log went backwards: %s; rebuilding the state from the log", reason)
        rebuilds, deadline = self.rebuilds, time.monotonic() + self.timeout_s
        if self.on_regression is not None:
            self.on_regression(reason)
        with registry_errors(on_timeout=self._failed):
            try:
                while self.rebuilds == rebuilds:
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    await asyncio.sleep(0.01)
                await self._wait_applied(last, deadline)
            except TimeoutError:
                raise LogTimeoutError(
                    f"the write was committed at offset {first}, but the log went backwards ({reason}) and this "
                    "instance is rebuilding its state from the log; retry to get the write's result") from None
        if self.on_written is not None:
            self.on_written(last)

    def _failed(self) -> None:
        self._failed_at = time.monotonic()
