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
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Sequence
from typing import Any

from charter.registry import errors
from charter.registry.log.base import LogError, LogRecord, LogTimeoutError, SchemaLog
from charter.registry.records import RecordFormatError, RecordKey, decode_key, decode_value, encode_value
from charter.registry.store.state import RegistryState

log = logging.getLogger(__name__)

APPLY_TIMEOUT_S = 30.0


class WriteLock:
    """``async with writer.lock``: the one-writer lock, plus catching up to the log's write barrier."""

    def __init__(self, writer: StateWriter) -> None:
        self._lock = asyncio.Lock()
        self._writer = writer

    def locked(self) -> bool:
        return self._lock.locked()

    async def __aenter__(self) -> None:
        await self._lock.acquire()
        try:
            await self._writer.catch_up()
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

    async def _wait_applied(self, offset: int) -> None:
        if self.state.offset >= offset:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (offset, id(future), future))
        await asyncio.wait_for(future, APPLY_TIMEOUT_S)

    async def catch_up(self) -> None:
        """Before computing a write on a shared log: apply everything up to the log's write barrier."""
        barrier_of = getattr(self.log, "write_barrier", None)
        if not self.log.follows or barrier_of is None:
            return
        try:
            barrier = await barrier_of()
            await self._wait_applied(barrier)
        except LogTimeoutError as exc:
            raise errors.RegistryError(500, 50002, f"Operation timed out: {exc}") from None
        except LogError as exc:
            raise errors.store_error(str(exc)) from None
        except TimeoutError:
            raise errors.RegistryError(
                500, 50002, f"Operation timed out: the log was not read up to the write barrier in "
                f"{APPLY_TIMEOUT_S:.0f} s"
            ) from None

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
        """Append records durably, then make sure they are applied. Call with ``self.lock`` held."""
        raw = [(k.encode(), encode_value(v)) for k, v in records]
        try:
            written = await self.log.append(raw)
        except LogTimeoutError as exc:
            log.error("write timed out: %s", exc)
            raise errors.RegistryError(500, 50002, f"Operation timed out: {exc}") from None
        except LogError as exc:
            log.error("write failed: %s", exc)
            raise errors.store_error(str(exc)) from None
        if not self.log.follows:
            for rec in written:
                self.apply(rec)
            return
        try:
            await self._wait_applied(written[-1].offset)
        except TimeoutError:
            raise errors.RegistryError(
                500, 50002, f"Write to the log succeeded but was not read back within {APPLY_TIMEOUT_S:.0f} s"
            ) from None
