"""Test support for ``charter serve --workers N`` pools: the pool as its board describes it, and the
SIGKILL-under-load proof (tests/pool/test_pool_proofs.py on the embedded log,
tests/kafka/test_kafka_pool.py on Kafka)."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from typing import Any

import httpx

from support.process import V1
from support.proof import Acks, check_invariants

CLIENTS = 12  # concurrent registering clients in the SIGKILL proof


def pool_status(url: str) -> dict[str, Any]:
    return httpx.get(url + "/status", timeout=5).json()["pool"]


def wait_healthy(url: str, workers: int, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Every worker on the board, running (a worker just killed stays on the board until the
    supervisor notices, within 0.1 s), and exactly one of them the writer."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            members = pool_status(url)["members"]
            roles = [m["role"] for m in members]
            last = members
            if all(m["pid"] and alive(m["pid"]) for m in members) and roles.count("writer") == 1 \
                    and roles.count("follower") == workers - 1:
                return members
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"the pool did not recover in {timeout} s: {last}")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited but not reaped yet, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def _register_until(stop: threading.Event, first: int, url: str, acks: Acks, retry_s: float) -> None:
    """Register distinct schemas (first, first + CLIENTS, ...), each retried until acknowledged
    (for at most ``retry_s``: a pool that never comes back fails the proof, it does not hang it)."""
    with httpx.Client(headers={"Content-Type": V1}, timeout=10) as client:
        i = first
        while not stop.is_set():
            deadline = time.monotonic() + retry_s
            while not acks.attempt(client, url, f"pool-{i % 50}", i):
                if time.monotonic() > deadline:
                    return
                time.sleep(0.05)
            i += CLIENTS


def kill_under_load(url: str, workers: int, kills: int, rng: random.Random,
                    timeout: float = 60.0) -> tuple[list[str], dict[str, Any]]:
    """CLIENTS clients register distinct schemas through ``url`` while a random worker of the pool
    is SIGKILLed ``kills`` times (each once the pool is whole again and 20 more writes were
    acknowledged; the last one hits the writer or a follower if no kill did yet); then every
    acknowledged registration is read back. Returns the roles killed and the figures (``lost``
    must be 0; ids are checked unique by :func:`check_invariants`)."""
    wait_healthy(url, workers, timeout)
    acks, stop = Acks(), threading.Event()
    threads = [threading.Thread(target=_register_until, args=(stop, c, url, acks, 2 * timeout), daemon=True)
               for c in range(CLIENTS)]
    for t in threads:
        t.start()
    killed: list[str] = []
    try:
        for _ in range(kills):
            members = wait_healthy(url, workers, timeout)
            floor, deadline = len(acks) + 20, time.monotonic() + timeout
            while len(acks) < floor and time.monotonic() < deadline:  # kill under load, never idle
                time.sleep(0.01)
            victim = rng.choice(members)
            if len(killed) == kills - 1:  # the last kill covers a role no kill has hit yet
                missing = [m for m in members if m["role"] not in killed]
                victim = missing[0] if missing else victim
            with acks.lock:
                acks.crashed = True
            os.kill(victim["pid"], signal.SIGKILL)
            killed.append(victim["role"])
        wait_healthy(url, workers, timeout)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    figures = {"acknowledged": len(acks), "failed_attempts": acks.failed, "lost": check_invariants(acks, url),
               "restarts": pool_status(url)["restarts"]}
    print(f"\npool: kills {killed}, {figures}")
    return killed, figures
