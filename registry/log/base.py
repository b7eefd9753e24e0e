"""The one interface every log backend implements: append records durably, replay them.

A record is a `_schemas` key/value pair (see :mod:`charter.registry.records`). Offsets are
dense, starting at 0, as in a single-partition Kafka topic. The embedded file log is the
default backend; the Kafka topic backend implements the same interface.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LogRecord:
    offset: int
    key: bytes
    value: bytes | None
    timestamp_ms: int


class LogError(RuntimeError):
    """The log could not take or return records (disk full, broker gone, ...)."""


class LogTimeoutError(LogError):
    """The log did not confirm a write in time (e.g. the Kafka broker is unreachable)."""


class NotPrimaryError(LogError):
    """This instance is not (or no longer) the primary of a shared log: it must not write."""


class SchemaLog(Protocol):
    """A durable, ordered log of `_schemas` records.

    ``follows`` tells the writer how its own appends reach the state: ``False`` (the file log:
    this process is the only writer, so the writer applies what ``append`` returns) or ``True``
    (a shared log such as Kafka: every record, this process's own included, is delivered by
    :meth:`follow`, and the writer waits until its records have been applied).
    """

    follows: bool

    def describe(self) -> str:
        """A short human description for start-up logs, e.g. ``file log /var/lib/charter``."""
        ...

    def replay(self) -> Iterator[LogRecord]:
        """Every record from the start up to the current end, in order. Called once, before serving."""
        ...

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """After replay, hand every later record to ``deliver``, in order, from a background thread.

        Only logs with ``follows = True`` deliver anything; ``deliver`` is thread-safe.
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
