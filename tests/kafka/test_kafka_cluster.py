"""Several Charter instances on one Kafka topic (a real Apache Kafka broker): election, forwarding,
failover. A member killed or frozen without leaving is expired by the broker after the session
timeout (:data:`support.kafka.SESSION_TIMEOUT_MS`); the tests wait for that.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.kafka import (
    SESSION_TIMEOUT_MS,
    kafka_registry,
    record_schema,
    register,
    status,
    unique,
    wait_status,
)
from support.process import V1, RegistryProcess


@pytest.fixture
def pair(tmp_path: Path, kafka_broker) -> Iterator[tuple[RegistryProcess, RegistryProcess, str]]:
    """Two instances on a fresh topic; the first one started is the primary (smaller URL wins, so
    the ports are chosen in order)."""
    topic, group = unique("sch"), unique("grp")
    a = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group)
    b = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group)
    if f"{b.url}" < f"{a.url}":
        a, b = b, a
    a.start()
    wait_status(a, ready=True, role="primary")
    b.start()
    wait_status(b, ready=True, role="follower", primary_url=a.url)
    wait_status(a, role="primary")
    yield a, b, group
    for server in (a, b):
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


def test_writes_through_the_follower_land_via_the_primary_and_reads_agree(pair) -> None:
    primary, follower, _ = pair
    s1 = unique("fwd")
    r = register(follower.url, s1, record_schema("A"), params={"normalize": "true"},
                 headers={"Content-Type": V1, "Confluent-Accept-Unknown-Properties": "true",
                          "Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 200, r.text
    assert r.json().get("version") == 1, r.text  # the Confluent-Accept-Unknown-Properties header was passed on
    r2 = register(primary.url, s1, record_schema("A", "b"), headers={"Content-Type": V1})
    assert r2.status_code == 200
    # config and mode writes are forwarded too
    put = httpx.put(f"{follower.url}/config/{s1}", json={"compatibility": "NONE"}, timeout=10)
    assert put.status_code == 200 and put.json() == {"compatibility": "NONE"}
    bad = httpx.put(f"{follower.url}/mode/{s1}", json={"mode": "SIDEWAYS"}, timeout=10)
    assert bad.status_code == 422, bad.text  # the primary's refusal comes back unchanged
    deleted = httpx.delete(f"{follower.url}/subjects/{s1}/versions/2", timeout=10)
    assert deleted.status_code == 200 and deleted.json() == 2
    time.sleep(0.3)
    for path in (f"/subjects/{s1}/versions", f"/config/{s1}", "/schemas/ids/1", f"/subjects/{s1}/versions/1"):
        answers = {httpx.get(s.url + path, timeout=5).text for s in (primary, follower)}
        assert len(answers) == 1, (path, answers)
    # association writes (single and batch) are forwarded as well
    topic = unique("topic")
    assoc = {"resourceName": topic, "resourceNamespace": "lkc-fwd", "resourceType": "topic",
             "associations": [{"subject": s1, "associationType": "value"}]}
    created = httpx.post(f"{follower.url}/associations", json=assoc, timeout=10)
    assert created.status_code == 200, created.text
    batch = httpx.post(f"{follower.url}/associations:batchMutate", timeout=10, json={"requests": [
        {"op": "DELETE", "resourceName": topic, "resourceNamespace": "lkc-fwd"}]})
    assert batch.status_code == 200 and batch.json()["responses"] == [{"deleted": 1}], batch.text
    again = httpx.post(f"{follower.url}/associations", json=assoc, timeout=10)
    assert again.status_code == 200, again.text
    time.sleep(0.3)
    found = httpx.get(f"{primary.url}/associations/resources/lkc-fwd/{topic}", timeout=5)
    assert found.status_code == 200 and [a["subject"] for a in found.json()] == [s1]
    # lookups and compatibility checks are answered by the follower itself
    lookup = httpx.post(f"{follower.url}/subjects/{s1}", json={"schema": record_schema("A")}, timeout=5)
    assert lookup.status_code == 200 and lookup.json()["id"] == r.json()["id"]
    assert status(follower)["offset"] == status(primary)["offset"]


def _ids(url: str) -> list[int]:
    return sorted({v["id"] for v in httpx.get(url + "/schemas", params={"deleted": "true"}, timeout=5).json()})


def test_sigkill_primary_the_broker_expires_it_and_the_follower_takes_over_with_fresh_ids(pair) -> None:
    """No LeaveGroup from a SIGKILLed primary: the broker expires its session (SESSION_TIMEOUT_MS),
    rebalances, and the follower is elected, fences the old writer and writes. Bound: the session
    timeout, plus one heartbeat interval and the rebalance, init_transactions and barrier (5 s slack)."""
    primary, follower, _ = pair
    s1 = unique("kill")
    ids = [register(follower.url, s1, record_schema("K", f"f{i}")).json()["id"] for i in range(3)]
    primary.kill()
    killed = time.monotonic()
    wait_status(follower, role="primary", primary_url=follower.url, timeout=SESSION_TIMEOUT_MS / 1000 + 20)
    r = register(follower.url, s1, record_schema("K", "z"))
    took = time.monotonic() - killed
    assert r.status_code == 200, r.text
    new_id = r.json()["id"]
    assert new_id not in ids and new_id == max(ids) + 1
    print(f"takeover after real session expiry: {took:.1f} s")
    assert took < SESSION_TIMEOUT_MS / 1000 + 5, f"takeover took {took:.1f} s"
    assert _ids(follower.url) == [*ids, new_id]


def test_sigterm_primary_leaves_the_group_and_the_follower_takes_over_at_once(pair) -> None:
    primary, follower, _ = pair
    s1 = unique("term")
    first = register(primary.url, s1, record_schema("T1")).json()["id"]
    assert primary.stop(signal.SIGTERM) == 0
    assert "left group" in primary.read_log()
    started = time.monotonic()
    wait_status(follower, role="primary", timeout=10)
    took = time.monotonic() - started
    assert took < SESSION_TIMEOUT_MS / 1000, f"takeover took {took:.1f} s: the primary did not leave the group"
    r = register(follower.url, s1, record_schema("T1", "b"))
    assert r.status_code == 200 and r.json()["id"] == first + 1


def test_a_deposed_primary_cannot_write(pair) -> None:
    """Freeze the primary (SIGSTOP) until the broker expires its session and the follower takes over
    and writes, then wake the old primary and hand it a write directly: it must be refused (fenced or
    no longer primary)."""
    primary, follower, _ = pair
    s1 = unique("zombie")
    register(primary.url, s1, record_schema("Z1"))
    assert primary.proc is not None
    primary.proc.send_signal(signal.SIGSTOP)
    try:
        wait_status(follower, role="primary", primary_url=follower.url, timeout=SESSION_TIMEOUT_MS / 1000 + 20)
        taken = register(follower.url, s1, record_schema("Z1", "b")).json()["id"]
    finally:
        primary.proc.send_signal(signal.SIGCONT)
    # Sent as if already forwarded, so the old primary handles it itself rather than forwarding.
    r = register(primary.url, s1, record_schema("Z1", "c"), headers={"Content-Type": V1, "X-Charter-Forwarded": "1"})
    assert r.status_code >= 500, r.text
    # 50004 (not the primary: its write was fenced, or it already heard of the rebalance), or
    # 50001/50003 (its log or the forwarding refused it)
    assert r.json()["error_code"] in (50001, 50003, 50004), r.text
    time.sleep(0.5)
    assert _ids(follower.url) == [taken - 1, taken]  # nothing from the deposed primary
    # It rejoins the group (and, having the smaller URL, may well be elected again, as in
    # Confluent): either way, once the group settles the next ID is fresh.
    deadline = time.monotonic() + 20
    while status(primary)["primary_url"] != status(follower)["primary_url"] and time.monotonic() < deadline:
        time.sleep(0.1)
    r = register(follower.url, s1, record_schema("Z1", "d"))
    assert r.status_code == 200 and r.json()["id"] == taken + 1, r.text
