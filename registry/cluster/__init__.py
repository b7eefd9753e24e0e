"""How this instance sits among others: readiness, role (primary or follower) and the primary's URL.

The HTTP layer only sees a :class:`ClusterView`. :class:`Standalone` is the embedded-log case (one
process, always the primary, ready once the replay is done); :class:`charter.registry.cluster.node.KafkaCluster`
runs a :class:`SharedLog` (the Kafka topic), the primary election and the readiness of several
instances. Whether this instance may write is its :class:`~charter.registry.cluster.term.Term`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from charter.registry.log.base import LogRecord, SchemaLog

if TYPE_CHECKING:
    from charter.registry.cluster.term import Term
    from charter.registry.log.kafka_connection import KafkaConnection

PRIMARY = "primary"
FOLLOWER = "follower"


class SharedLog(SchemaLog, Protocol):
    """What the cluster needs from a log several instances share (implemented by the Kafka topic)."""

    term: Term  # set by the election; the log's writer asks it before writing
    connection: KafkaConnection  # the election joins its group through the same servers and security
    group_id: str
    topic: str
    position: int  # the last offset read
    # rebuilds the state from every record of the log (in order) and swaps it in; returns its offset
    on_rewind: Callable[[str, Iterator[LogRecord]], int] | None

    def rewind(self, reason: str) -> None:
        """The log went backwards (a write landed at or below the applied offset): rebuild the state."""
        ...

    def prepare(self) -> None:
        """Reach the log's storage and check it: ``LogError`` to retry, ``LogConfigError`` when retrying cannot help."""
        ...

    def progress(self) -> str:
        """Where the start-up replay is, for ``GET /status`` while not ready."""
        ...

    @property
    def promoting(self) -> bool:
        """A promotion (fencing older writers, committing the barrier) is running."""
        ...

    def start_promotion(self) -> None:
        """As the elected primary: start this term's writer in the background."""
        ...


class ClusterView(Protocol):
    shared: bool  # several instances share the log: writes may need forwarding to the primary
    pooled: bool  # a worker of a --workers pool: reads wait for :meth:`read_barrier`
    ready: bool
    advertised_url: str
    fatal: str | None  # an error retrying cannot fix (the server stops): set by the background start-up

    @property
    def role(self) -> str: ...

    @property
    def primary_url(self) -> str | None: ...

    @property
    def member_id(self) -> str | None: ...

    def writes_here(self) -> bool:
        """True when write requests are handled by this instance (it is, or is becoming, the primary)."""
        ...

    async def wait_for_primary(self, timeout_s: float) -> str | None:
        """The primary's URL once one is known (None after ``timeout_s``)."""
        ...

    def write_status(self) -> tuple[bool, str | None]:
        """Whether a write sent here now can be carried out (here or forwarded), and why not."""
        ...

    def status(self) -> dict[str, Any]:
        """Extra fields for ``GET /status`` (store, group, generation ...)."""
        ...

    async def read_barrier(self, acked: int = -1) -> None:
        """In a pool: return once the state has applied every write a worker acknowledged (``acked``:
        one more, acknowledged by this worker now)."""
        ...

    async def start(self, loop: asyncio.AbstractEventLoop) -> None: ...

    async def stop(self) -> None: ...


class Standalone:
    """The embedded file log: a single instance, the primary, ready as soon as it serves."""

    shared = False
    pooled = False
    ready = True
    role = PRIMARY
    member_id = None
    fatal = None

    def __init__(self, advertised_url: str, store: str,
                 follow: Callable[[asyncio.AbstractEventLoop], None] | None = None) -> None:
        self.advertised_url = advertised_url
        self.store = store
        self._follow = follow  # starts applying the log's records to the state, on this loop

    @property
    def primary_url(self) -> str:
        return self.advertised_url

    def writes_here(self) -> bool:
        return True

    def write_status(self) -> tuple[bool, str | None]:
        return True, None

    async def wait_for_primary(self, timeout_s: float) -> str | None:
        return self.advertised_url

    def status(self) -> dict[str, Any]:
        return {"store": self.store}

    async def read_barrier(self, acked: int = -1) -> None:
        return None

    async def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._follow is not None:
            self._follow(loop)

    async def stop(self) -> None:
        return None
