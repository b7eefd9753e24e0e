"""One bootstrap: from resolved :class:`~charter.registry.settings.Settings`, the log, the service,
the cluster view and the app, built the same way for ``charter serve``, the tools and the tests.

The log is the embedded file log in ``--data-dir``, or with ``--kafka-bootstrap`` the Kafka topic
(one :class:`~charter.registry.log.kafka_connection.KafkaConnection` for servers and security). On the
file log the instance is :class:`~charter.registry.cluster.Standalone`; on Kafka a
:class:`~charter.registry.cluster.node.KafkaCluster` replays, elects and follows in the background.
A worker of a ``--workers`` pool (:mod:`charter.registry.cluster.pool`) shares the file log with the
other workers, or is one more member of the topic's group; either way it has a seat on the pool's board.
Construction opens the log (the file log takes its data directory's lock) but replays nothing:
the caller replays the file log before serving (:meth:`Registry.replay`); the cluster does it on Kafka.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from charter.registry.cluster import ClusterView, Standalone
from charter.registry.cluster.pool import PoolSeat
from charter.registry.log.base import SchemaLog
from charter.registry.service import RegistryService
from charter.registry.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from charter.registry.cluster.board import Board
    from charter.registry.log.kafka import KafkaLog

RESTORE_GROUP = "charter-restore"  # its own transactional.id: a restore never fences a running primary


def open_kafka_log(settings: Settings, *, group_id: str | None = None, timeout_s: float | None = None,
                   init_timeout_s: float | None = None) -> KafkaLog:
    """The ``--kafka-topic`` log; ``KafkaSecurityError`` for settings that cannot work (nothing is contacted yet)."""
    from charter.registry.log.kafka import KafkaLog
    from charter.registry.log.kafka_connection import KafkaConnection

    connection = KafkaConnection.from_settings(settings)
    connection.check()
    return KafkaLog(
        connection, settings.kafka_topic, group_id or settings.group_id,
        timeout_s=settings.kafkastore_timeout_ms / 1000 if timeout_s is None else timeout_s,
        init_timeout_s=settings.kafkastore_init_timeout_ms / 1000 if init_timeout_s is None else init_timeout_s,
    )


def open_log(settings: Settings) -> SchemaLog:
    """The log ``settings`` name: the Kafka topic with ``kafka_bootstrap``, else the file log
    (``DataDirInUseError`` when another process owns the data directory)."""
    if settings.kafka_bootstrap:
        return open_kafka_log(settings)
    from charter.registry.log.file import FileLog

    return FileLog(settings.data_path)


def restore_log(settings: Settings) -> SchemaLog:
    """The log ``charter restore`` appends to, with this process as its only writer: the file log
    (its lock: no server may own the directory), or the topic (created if missing), written by
    this process's own transactional writer."""
    if not settings.kafka_bootstrap:
        return open_log(settings)
    schema_log = open_kafka_log(settings, group_id=RESTORE_GROUP, timeout_s=10, init_timeout_s=30)
    schema_log.ensure_topic()
    schema_log.term.set_elected(True)
    return schema_log


@dataclass
class Registry:
    """What a running instance is made of; :meth:`app` serves it."""

    settings: Settings
    log: SchemaLog
    service: RegistryService
    cluster: ClusterView

    def replay(self) -> int:
        """Rebuild the state from the log (the file log; the cluster replays the topic itself)."""
        return self.service.replay()

    def app(self) -> FastAPI:
        from charter.registry.api.app import create_app

        return create_app(self.service, self.cluster)


def build(settings: Settings, *, on_fatal: Callable[[str], None] | None = None,
          pool: tuple[Board, int] | None = None) -> Registry:
    """The log, the service and the cluster view for ``settings`` (``on_fatal``: the cluster met an
    error retrying cannot fix, e.g. a wrong topic; the server should stop). ``pool``: this process
    is worker ``index`` of a ``--workers`` pool with that board (its private listener is
    ``settings.public_url``)."""
    shared = open_kafka_log(settings) if settings.kafka_bootstrap else None
    if pool is not None and shared is None:
        return _file_pool_worker(settings, *pool, on_fatal=on_fatal)
    schema_log: SchemaLog = shared if shared is not None else open_log(settings)
    service = RegistryService(schema_log, settings)
    if shared is None:
        standalone = Standalone(settings.public_url, schema_log.describe(), service.writer.start_following)
        return Registry(settings, schema_log, service, standalone)
    from charter.registry.cluster.node import KafkaCluster

    cluster = KafkaCluster(
        service.writer, shared, advertised_url=settings.public_url, eligible=settings.leader_eligibility,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms, on_fatal=on_fatal,
        seat=PoolSeat(pool[0], pool[1], service.writer) if pool is not None else None,
    )
    return Registry(settings, schema_log, service, cluster)


def _file_pool_worker(settings: Settings, board: Board, index: int,
                      on_fatal: Callable[[str], None] | None) -> Registry:
    """A worker of a pool on the embedded log: it follows the shared file and writes when it holds it."""
    from charter.registry.cluster.pool import FilePool
    from charter.registry.log.shared_file import SharedFileLog

    schema_log = SharedFileLog(settings.data_path, board)
    service = RegistryService(schema_log, settings)
    seat = PoolSeat(board, index, service.writer)
    view = FilePool(service.writer, schema_log, seat, settings.public_url, on_stop=on_fatal)
    return Registry(settings, schema_log, service, view)
