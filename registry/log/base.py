"""The one interface every log backend implements fully: append records durably, replay, follow.

A record is a `_schemas` key/value pair (see :mod:`charter.registry.store.records`). Offsets increase
in log order, starting at 0 (dense in the file log; a Kafka topic also spends offsets on
transaction markers). The embedded file log (:mod:`charter.registry.log.file`) is the default
backend; the Kafka topic (:mod:`charter.registry.log.kafka`) implements the same interface.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple, Protocol

DEFAULT_TIMEOUT_S = 0.5  # kafkastore.timeout.ms's default


class LogRecord(NamedTuple):
    """One record of the log (a NamedTuple: built for every record at start, it costs less than half
    a frozen dataclass)."""

    offset: int
    key: bytes
    value: bytes | None
    timestamp_ms: int


class LogError(RuntimeError):
    """The log could not take or return records (disk full, broker gone, ...)."""


class LogConfigError(LogError):
    """The log cannot be used as configured (a wrong topic, refused credentials): retrying cannot help."""


class LogTimeoutError(LogError):
    """The log did not confirm a write in time (e.g. the Kafka broker is unreachable)."""


class NotPrimaryError(LogError):
    """This instance is not (or no longer) the primary of a shared log: it must not write."""


class SchemaLog(Protocol):
    """A durable, ordered log of `_schemas` records.

    How records reach the state is the same on every backend: after :meth:`replay`, every later
    record, this process's own appends included, is handed to the callback given to
    :meth:`follow`, in log order. A writer therefore appends, then waits until the offsets
    :meth:`append` returned have been delivered (:meth:`write_barrier` says which offset the
    state must reach before a write is computed).
    """

    timeout_s: float
    """How long a write may wait to reach the write barrier or to read its own records back
    (``kafkastore.timeout.ms``)."""

    def describe(self) -> str:
        """A short human description for start-up logs, e.g. ``file log /var/lib/charter``."""
        ...

    def replay(self) -> Iterator[LogRecord]:
        """Every record from the start up to the current end, in order. Called once, before serving."""
        ...

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """After replay, hand every later record to ``deliver``, in order, this process's own
        appends included (the file log hands them over before :meth:`append` returns; a shared
        log once it reads them back). ``deliver`` may be called from any thread (a reader
        thread, or the thread that appended) and must be thread-safe."""
        ...

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        """The offset the state must reach before a write is computed from it.

        ``deadline`` (monotonic) bounds the wait for a writer that is not ready. With ``claim``
        the caller holds the writer lock and is about to compute records: :meth:`append` accepts
        them only if this process is still the same writer then. Raises :class:`NotPrimaryError`
        when this process may not write, :class:`LogTimeoutError` when its writer is not ready in time.
        """
        ...

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        """Append records atomically and durably; return them with offsets and timestamps.

        Returns only once the records survive a crash of this process (and, for the file
        log, of the machine: the data is fsynced). Raises :class:`LogError` on failure, in
        which case none of the records count as written.
        """
        ...

    def close(self) -> None:
        ...
