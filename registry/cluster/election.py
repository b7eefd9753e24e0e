"""Primary election through the Kafka group protocol, as Confluent Schema Registry does it.

Every instance joins the group ``--group-id`` (protocol type ``sr``, one protocol ``v0``) with
Confluent's member metadata ``{"version":1,"host","port","master_eligibility","scheme"}``. The
member the broker makes group leader runs :func:`elect`: the eligible member with the
lexicographically smallest URL becomes the primary, and everyone receives Confluent's assignment
``{"version":1,"error":0,"master":memberId,"master_identity":{...}}`` (``error`` 1 and no master
when two members advertise the same URL).

confluent-kafka's consumer cannot join a group with a custom protocol, so this uses kafka-python's
low-level group coordinator (:class:`kafka.coordinator.base.BaseCoordinator`), driven by one
background thread; heartbeats are sent by kafka-python's own network thread. Its servers, SASL and
TLS settings come from the same :class:`~charter.registry.log.kafka_connection.KafkaConnection` as the
topic's clients. A broker that cannot be reached is retried; one that refuses the credentials or
the certificates is reported through ``on_fatal`` (kafka-python only logs why a bootstrap failed,
so the reason is read from its log records).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kafka.coordinator.base import BaseCoordinator
from kafka.net.compat import KafkaNetClient

from charter.registry.log.kafka_connection import KafkaConnection

log = logging.getLogger(__name__)

PROTOCOL_TYPE = "sr"
PROTOCOL = "v0"


def member_identity(advertised_url: str, eligible: bool = True) -> dict[str, Any]:
    """Confluent's member metadata for an instance reachable at ``advertised_url``."""
    parts = urlsplit(advertised_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"version": 1, "host": parts.hostname or "", "port": port,
            "master_eligibility": eligible, "scheme": parts.scheme or "http"}


def identity_url(identity: dict[str, Any]) -> str:
    return f"{identity.get('scheme', 'http')}://{identity.get('host')}:{identity.get('port')}"


def elect(members: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The assignment JSON for ``members`` [(member id, metadata bytes)]: smallest eligible URL wins."""
    urls: dict[str, tuple[str, dict[str, Any]]] = {}
    duplicate = False
    for member_id, raw in members:
        try:
            identity = json.loads(raw)
        except ValueError:
            log.warning("group member %s sent metadata that is not JSON; ignored", member_id)
            continue
        url = identity_url(identity)
        if any(u == url for u, _ in urls.values()):
            duplicate = True
        urls[member_id] = (url, identity)
    if duplicate:
        log.error("two group members advertise the same URL; no primary until that is fixed (--advertised-url)")
        return {"version": 1, "error": 1, "master": None, "master_identity": None}
    eligible = [(url, mid, ident) for mid, (url, ident) in urls.items() if ident.get("master_eligibility")]
    if not eligible:
        return {"version": 1, "error": 0, "master": None, "master_identity": None}
    url, master, identity = min(eligible)
    return {"version": 1, "error": 0, "master": master, "master_identity": identity}


@dataclass(frozen=True)
class Assignment:
    generation: int
    member_id: str
    master: str | None
    master_url: str | None

    @property
    def is_primary(self) -> bool:
        return self.master is not None and self.master == self.member_id


class SrCoordinator(BaseCoordinator):
    """kafka-python group member speaking Confluent's ``sr``/``v0`` election protocol."""

    def __init__(self, client: KafkaNetClient, identity: dict[str, Any],
                 on_prepare: Callable[[], None], on_assignment: Callable[[Assignment], None],
                 **configs: Any) -> None:
        super().__init__(client, **configs)
        self.identity = identity
        self._on_prepare = on_prepare
        self._on_assignment = on_assignment

    def protocol_type(self) -> str:
        return PROTOCOL_TYPE

    def group_protocols(self) -> list[tuple[str, bytes]]:
        return [(PROTOCOL, json.dumps(self.identity).encode())]

    def _perform_assignment(self, leader_id: str, protocol: str, members: list[Any]) -> dict[str, bytes]:
        assignment = elect([(m.member_id, m.metadata) for m in members])
        log.info("group leader: %d members, primary %s", len(members), assignment["master"])
        raw = json.dumps(assignment).encode()
        return {m.member_id: raw for m in members}

    async def _on_join_prepare_async(self, generation: int, member_id: str, timeout_ms: Any = None) -> None:
        self._on_prepare()  # a rebalance starts: stop writing at once

    async def _on_join_complete_async(self, generation: int, member_id: str, protocol: str,
                                      member_assignment_bytes: bytes) -> None:
        try:
            data = json.loads(member_assignment_bytes)
        except ValueError:
            data = {}
        identity = data.get("master_identity")
        url = identity_url(identity) if isinstance(identity, dict) else None
        self._on_assignment(Assignment(generation, member_id, data.get("master"), url))


class Elector:
    """Keeps this instance in the group (background thread) and reports assignments."""

    def __init__(self, connection: KafkaConnection | str, group_id: str, identity: dict[str, Any], *,
                 session_timeout_ms: int, on_prepare: Callable[[], None],
                 on_assignment: Callable[[Assignment], None], heartbeat_interval_ms: int = 3000,
                 on_fatal: Callable[[str], None] | None = None) -> None:
        self.connection = connection if isinstance(connection, KafkaConnection) else KafkaConnection(connection)
        self.bootstrap = self.connection.servers
        self.group_id = group_id
        self.identity = identity
        self.session_timeout_ms = session_timeout_ms
        # Confluent's kafkagroup.heartbeat.interval.ms, never above a third of the session timeout.
        self.heartbeat_interval_ms = max(100, min(heartbeat_interval_ms, session_timeout_ms // 3))
        self._on_prepare = on_prepare
        self._on_assignment = on_assignment
        self._on_fatal = on_fatal
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: KafkaNetClient | None = None
        self.coordinator: SrCoordinator | None = None

    @property
    def member_id(self) -> str | None:
        coordinator = self.coordinator
        if coordinator is None:
            return None
        generation = coordinator.generation_if_stable()
        return generation.member_id if generation is not None and generation.member_id else None

    @property
    def generation(self) -> int | None:
        generation = self.coordinator.generation_if_stable() if self.coordinator else None
        return generation.generation_id if generation is not None else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="charter-election", daemon=True)
        self._thread.start()

    def _connect(self) -> SrCoordinator:
        client = KafkaNetClient(**self.connection.kafka_python(), client_id=f"charter-{self.group_id}")
        self._client = client
        client._net.start()
        with _BootstrapFailures() as failures:
            try:
                client._manager.bootstrap(10000)
            except Exception:
                for failure in failures.seen:
                    refusal = self.connection.python_refusal(failure)
                    if refusal is not None:
                        raise _Refused(refusal) from None
                raise
        return SrCoordinator(
            client, self.identity, self._on_prepare, self._on_assignment,
            group_id=self.group_id,
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=self.heartbeat_interval_ms,
            max_poll_interval_ms=max(self.session_timeout_ms, 10000),
            retry_backoff_ms=100,
            api_version=client._manager.broker_version,
        )

    def _run(self) -> None:
        while not self._stop.is_set() and self.coordinator is None:
            try:
                self.coordinator = self._connect()
            except _Refused as refused:
                self._close_client()
                log.error("election: %s", refused)
                if self._on_fatal is not None:
                    self._on_fatal(str(refused))
                return
            except Exception as exc:  # any other failure to reach the broker: retry
                self._close_client()
                log.warning("election: cannot reach Kafka at %s (%s); retrying", self.bootstrap, exc)
                self._stop.wait(2)
        while not self._stop.is_set():
            try:
                self.coordinator.ensure_active_group(timeout_ms=500)
                self.coordinator.poll_heartbeat()
            except Exception as exc:  # the group client raises broker errors; keep trying
                if self._stop.is_set():
                    break
                log.warning("election: %s: %s; rejoining", type(exc).__name__, exc)
                self._on_prepare()
                self._stop.wait(0.5)
            self._stop.wait(0.05)

    def request_rejoin(self) -> None:
        """Ask for a new election (a rejoin, so a rebalance) at the next turn of the group loop."""
        coordinator = self.coordinator
        if coordinator is not None:
            log.info("election: asking group %s to elect again", self.group_id)
            coordinator.request_rejoin()

    def stop(self, leave: bool = True) -> None:
        """Stop; with ``leave`` send LeaveGroup so another member takes over at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.coordinator is not None and leave:
            started = time.monotonic()
            try:
                self.coordinator.close(timeout_ms=3000)
                log.info("left group %s in %.2f s", self.group_id, time.monotonic() - started)
            except Exception as exc:  # best effort on the way out
                log.warning("could not leave group %s: %s", self.group_id, exc)
        self._close_client()

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception as exc:  # best effort on the way out
                log.debug("closing the group client: %s", exc)


class _Refused(Exception):
    """The broker refused this client's credentials or certificate: retrying cannot help."""


class _BootstrapFailures(logging.Handler):
    """Collects the exceptions kafka-python logs (and swallows) while it bootstraps."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[BaseException] = []
        self._logger = logging.getLogger("kafka.net")

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.seen.extend(a for a in args if isinstance(a, BaseException))

    def __enter__(self) -> _BootstrapFailures:
        self._previous = self._logger.level
        if self._logger.getEffectiveLevel() > logging.WARNING:
            self._logger.setLevel(logging.WARNING)
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._previous)
