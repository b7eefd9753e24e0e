"""The single path by which state changes: records appended to the log, then applied.

:class:`StateWriter` owns the in-memory state, the log and the write lock. Services build
records under ``async with writer.lock`` from the current state and call :meth:`write`; the
records are appended durably, then applied, and only then does ``write`` return. Replay at
start-up goes through the same :meth:`apply_raw`, so the state is always a pure function of
the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from charter.registry import errors
from charter.registry.log.base import LogError, SchemaLog
from charter.registry.records import RecordFormatError, RecordKey, decode_key, decode_value, encode_value
from charter.registry.store.state import RegistryState

log = logging.getLogger(__name__)


class StateWriter:
    def __init__(self, schema_log: SchemaLog) -> None:
        self.log = schema_log
        self.state = RegistryState()
        self.lock = asyncio.Lock()

    def replay(self) -> int:
        """Rebuild the state from the log; returns the number of records read."""
        count = 0
        for record in self.log.replay():
            count += 1
            self.apply_raw(record.key, record.value, record.offset, record.timestamp_ms)
        return count

    def apply_raw(self, key: bytes, value: bytes | None, offset: int, ts: int) -> None:
        try:
            self.state.apply(decode_key(key), decode_value(value), offset, ts)
        except RecordFormatError as exc:
            self.state.skipped += 1
            log.warning("skipping record at offset %d: %s", offset, exc)

    async def write(self, records: Sequence[tuple[RecordKey, dict[str, Any] | None]]) -> None:
        """Append records durably, then apply them. Call with ``self.lock`` held."""
        raw = [(k.encode(), encode_value(v)) for k, v in records]
        try:
            written = await self.log.append(raw)
        except LogError as exc:
            log.error("write failed: %s", exc)
            raise errors.store_error(str(exc)) from None
        for rec in written:
            self.apply_raw(rec.key, rec.value, rec.offset, rec.timestamp_ms)
