"""How this instance sits among others: readiness, role (primary or follower) and the primary's URL.

The HTTP layer only sees a :class:`ClusterView`. :class:`Standalone` is the embedded-log case (one
process, always the primary, ready once the replay is done); :class:`charter.registry.cluster.node.KafkaCluster`
runs the Kafka topic, the primary election and the readiness of several instances.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

PRIMARY = "primary"
FOLLOWER = "follower"


class ClusterView(Protocol):
    ready: bool
    advertised_url: str

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

    async def start(self, loop: asyncio.AbstractEventLoop) -> None: ...

    async def stop(self) -> None: ...


class Standalone:
    """The embedded file log: a single instance, the primary, ready as soon as it serves."""

    ready = True
    role = PRIMARY
    member_id = None

    def __init__(self, advertised_url: str, store: str) -> None:
        self.advertised_url = advertised_url
        self.store = store

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

    async def start(self, loop: asyncio.AbstractEventLoop) -> None:
        return None

    async def stop(self) -> None:
        return None
