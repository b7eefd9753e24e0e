"""A primary SIGKILLed with a transaction open on the broker (real Apache Kafka), and how soon writes
resume: on the surviving instance of two, and on a single instance restarted in its place.

The kill is made mid-transaction on purpose (:func:`support.kafka.kill_mid_transaction`: SIGSTOP
while writers keep it busy, checked by read_committed end < read_uncommitted end, then SIGKILL): the
open transaction holds the partition's last stable offset, so no read_committed reader gets past it
until the broker aborts it, either because a new producer with the same ``transactional.id`` fences
it (``init_transactions``, which Charter calls only once elected) or because it outlives
``transaction.timeout.ms`` (Charter's producer: :data:`TRANSACTION_TIMEOUT_MS`; the test broker checks
for timed-out transactions every second).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.kafka import (
    SESSION_TIMEOUT_MS,
    kafka_registry,
    kill_mid_transaction,
    record_schema,
    register,
    transaction_open,
    unique,
    wait_status,
)
from support.process import V1, RegistryProcess

from charter.registry.log.kafka import TRANSACTION_TIMEOUT_MS

SESSION_S = SESSION_TIMEOUT_MS / 1000
TRANSACTION_S = TRANSACTION_TIMEOUT_MS / 1000
SLACK_S = 10.0  # process start, replay, rebalance, init_transactions and the barrier on a busy 2-core machine
WRITERS = 4


class Writers:
    """WRITERS threads registering new schemas on ``url`` without pause, so that the primary almost
    always has a transaction open; stopped by :meth:`stop`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(w,), daemon=True) for w in range(WRITERS)]
        for t in self.threads:
            t.start()

    def _run(self, w: int) -> None:
        with httpx.Client(headers={"Content-Type": V1}, timeout=5) as client:
            i = 0
            while not self.done.is_set():
                i += 1
                try:
                    client.post(f"{self.url}/subjects/busy-{w}/versions", json={"schema": record_schema(f"W{w}x{i}")})
                except httpx.HTTPError:
                    time.sleep(0.05)

    def stop(self) -> None:
        self.done.set()
        for t in self.threads:
            t.join(10)


def _write_again(url: str, started: float, limit_s: float) -> float:
    """Seconds from ``started`` until a registration on ``url`` succeeds (AssertionError past ``limit_s``)."""
    subject = unique("after")
    while True:
        try:
            if register(url, subject, record_schema("After")).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        elapsed = time.monotonic() - started
        assert elapsed < limit_s, f"no successful write {elapsed:.1f} s after the kill"
        time.sleep(0.05)


@pytest.fixture
def stop_all() -> Iterator[list[RegistryProcess]]:
    servers: list[RegistryProcess] = []
    yield servers
    for server in servers:
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


def test_survivor_writes_within_the_session_timeout_after_a_kill_mid_transaction(
    tmp_path: Path, kafka_broker, stop_all: list[RegistryProcess]
) -> None:
    """Bound: SESSION_TIMEOUT_MS + SLACK_S. The broker expires the dead member after the session
    timeout and rebalances at once (the survivor heartbeats every session/3); the elected survivor's
    ``init_transactions`` fences the dead writer and aborts its open transaction there and then, so
    the transaction timeout plays no part (the worst case would be session + transaction timeout)."""
    topic, group, bootstrap = unique("fo2"), unique("grp"), kafka_broker.bootstrap
    a = kafka_registry(tmp_path, bootstrap, topic, group, "--compatibility", "NONE")
    b = kafka_registry(tmp_path, bootstrap, topic, group, "--compatibility", "NONE")
    if b.url < a.url:
        a, b = b, a
    stop_all += [a, b]
    a.start()
    wait_status(a, ready=True, role="primary")
    b.start()
    wait_status(b, ready=True, role="follower", primary_url=a.url)
    writers = Writers(a.url)
    try:
        time.sleep(0.5)
        kill_mid_transaction(a, bootstrap, topic)
        killed = time.monotonic()
        assert transaction_open(bootstrap, topic), "the killed primary left no transaction open"
    finally:
        writers.stop()
    took = _write_again(b.url, killed, SESSION_S + SLACK_S)
    print(f"\nsurvivor wrote {took:.1f} s after the kill (session {SESSION_S:.0f} s, "
          f"transaction timeout {TRANSACTION_S:.0f} s)")
    assert not transaction_open(bootstrap, topic)
    assert took < SESSION_S + SLACK_S


@pytest.mark.timeout(300)
def test_restarted_single_instance_writes_within_session_plus_transaction_timeout(
    tmp_path: Path, kafka_broker, stop_all: list[RegistryProcess]
) -> None:
    """Bound: SESSION_TIMEOUT_MS + TRANSACTION_TIMEOUT_MS + SLACK_S. The restarted instance replays
    read_committed up to a NOOP marker written behind the dead primary's open transaction, so its
    replay (and its readiness, and so its joining the group and its ``init_transactions``) waits
    until the broker aborts that transaction: TRANSACTION_TIMEOUT_MS after it began (plus the broker's
    1 s check). The dead member's session (SESSION_TIMEOUT_MS) expires meanwhile, or is waited for
    after the replay when it is the longer of the two; then election, fencing and the barrier."""
    topic, group, bootstrap = unique("fo1"), unique("grp"), kafka_broker.bootstrap
    server = kafka_registry(tmp_path, bootstrap, topic, group, "--compatibility", "NONE").start()
    stop_all.append(server)
    wait_status(server, ready=True, role="primary")
    writers = Writers(server.url)
    try:
        time.sleep(0.5)
        kill_mid_transaction(server, bootstrap, topic)
        killed = time.monotonic()
        assert transaction_open(bootstrap, topic), "the killed primary left no transaction open"
    finally:
        writers.stop()
    again = RegistryProcess(server.data_dir, server.port, server.extra).start()
    stop_all.append(again)
    limit = SESSION_S + TRANSACTION_S + SLACK_S
    took = _write_again(again.url, killed, limit)
    print(f"\nrestarted instance wrote {took:.1f} s after the kill (session {SESSION_S:.0f} s, "
          f"transaction timeout {TRANSACTION_S:.0f} s, bound {limit:.0f} s)")
    assert not transaction_open(bootstrap, topic)
    assert took < limit
