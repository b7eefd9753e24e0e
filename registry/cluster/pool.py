"""A worker of a ``charter serve --workers N`` pool, as the HTTP layer sees it.

:class:`PoolSeat` is what every pooled worker shares, on both backends: its slot on the
:class:`~charter.registry.cluster.board.Board`, the acknowledgement of its writes there, the
read barrier (a read waits until this worker's state has applied every write any worker
acknowledged: read-your-writes across the pool) and the refresh of its applied offset and memory.

:class:`FilePool` is the :class:`~charter.registry.cluster.ClusterView` of a worker on the embedded
log (:class:`~charter.registry.log.shared_file.SharedFileLog`): the writer is the worker holding
the log file's lock, and the others forward writes to its private listener, whose port is on
the board. On Kafka every worker is a member of the topic's group, with its own private URL
(:class:`~charter.registry.cluster.node.KafkaCluster` with a seat).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from charter.registry.cluster import FOLLOWER, PRIMARY
from charter.registry.cluster.board import FOLLOWER as FOLLOWER_ROLE
from charter.registry.cluster.board import Board, rss_kib
from charter.registry.log.shared_file import SharedFileLog
from charter.registry.store.state_writer import StateWriter

log = logging.getLogger("charter.cluster")

REFRESH_S = 1.0  # how often a worker writes its applied offset and memory on the board


class PoolSeat:
    """This worker's place on the pool's board; see the module docstring."""

    def __init__(self, board: Board, index: int, writer: StateWriter) -> None:
        self.board = board
        self.index = index
        self.writer = writer
        writer.on_written = self._acked
        self._stopping = threading.Event()
        self._given_up = -1  # a target a read already waited for in vain (the log went backwards, or lags)

    def _acked(self, offset: int) -> None:
        self.board.ack(self.index, offset)
        self.board.set_applied(self.index, offset)

    async def read_barrier(self, acked: int = -1, catch_up: Callable[[], object] | None = None) -> None:
        """Wait (at most the log's timeout) until the state has applied every acknowledged write
        (``acked``: one this worker acknowledges now); ``catch_up`` reads what is new first."""
        if acked >= 0:
            self.board.ack(self.index, acked)
        target = self.board.acked()
        if self.writer.state.offset >= target or target <= self._given_up:
            return
        if catch_up is not None:
            catch_up()
        if not await self.writer.wait_applied(target, self.writer.timeout_s):
            # Bounded like every wait (kafkastore.timeout.ms): answer from what is applied, and do not
            # make every later read wait for this offset again (on Kafka it may be gone for good).
            self._given_up = max(self._given_up, target)
            log.warning("worker %d: a read waited %.1f s for offset %d (applied up to %d); answering from what is "
                        "applied", self.index, self.writer.timeout_s, target, self.writer.state.offset)

    def set_writing(self, writing: bool) -> None:
        """This worker took (or left) the writer's role."""
        if writing:
            self.board.claim_writer(self.index)
        else:
            self.board.set_role(self.index, FOLLOWER_ROLE)

    def start(self) -> None:
        self.board.set_role(self.index, FOLLOWER_ROLE)
        threading.Thread(target=self._refresh, name="charter-board", daemon=True).start()

    def _refresh(self) -> None:
        while True:
            self.board.set_applied(self.index, self.writer.state.offset)
            self.board.set_rss(self.index, rss_kib())
            if self._stopping.wait(REFRESH_S):
                return

    def stop(self) -> None:
        self._stopping.set()

    def status(self) -> dict[str, Any]:
        return {"worker": self.index, "pool": self.board.describe()}


class FilePool:
    """The ClusterView of a pooled worker on the embedded log."""

    shared = True  # writes may go to another worker
    pooled = True

    def __init__(self, writer: StateWriter, shared_log: SharedFileLog, seat: PoolSeat, advertised_url: str,
                 on_stop: Callable[[str], None] | None = None) -> None:
        self.writer = writer
        self.log = shared_log
        self.seat = seat
        self.advertised_url = advertised_url
        self.ready = False
        self.fatal: str | None = None  # the log is corrupt: the pool stops (exit code 2)
        self._on_stop = on_stop  # stops this worker's server
        self._scheme_host = advertised_url.rsplit(":", 1)[0]
        shared_log.on_role = self._on_role

    def _on_role(self, writing: bool) -> None:
        self.seat.set_writing(writing)

    @property
    def role(self) -> str:
        return PRIMARY if self.log.writer else FOLLOWER

    @property
    def primary_url(self) -> str | None:
        if self.log.writer:
            return self.advertised_url
        seat = self.seat.board.writer()
        return f"{self._scheme_host}:{seat.port}" if seat is not None and seat.port else None

    @property
    def member_id(self) -> str:
        return f"worker-{self.seat.index}"

    def writes_here(self) -> bool:
        return self.log.writer

    def write_status(self) -> tuple[bool, str | None]:
        if not self.ready:
            return False, "replaying the log"
        if self.primary_url is None:
            return False, "no worker of the pool holds the log right now (one takes over within a second)"
        return True, None

    async def wait_for_primary(self, timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        while (url := self.primary_url) is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return url

    async def read_barrier(self, acked: int = -1) -> None:
        await self.seat.read_barrier(acked, lambda: self.log.read_new(wait=False))

    def status(self) -> dict[str, Any]:
        return {"store": self.log.describe(), **self.seat.status()}

    def _broken(self, message: str, corrupt: bool) -> None:
        """This worker cannot go on: it stops, and the supervisor restarts it (or, for a corrupt log,
        stops the pool: restarting cannot help)."""
        log.critical("worker %d: %s; %s", self.seat.index, message,
                     "the pool stops (see charter repair)" if corrupt else "this worker stops and is restarted")
        if corrupt:
            self.fatal = message
        if self._on_stop is not None:
            self._on_stop(message)

    async def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.writer.start_following(loop)
        self.seat.start()
        self.log.start(self._broken)
        self.ready = True

    async def stop(self) -> None:
        self.log.stop_contending()
        self.seat.stop()
