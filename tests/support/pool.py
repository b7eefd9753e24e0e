"""Test support for ``charter serve --workers N`` pools: the pool as its board describes it."""

from __future__ import annotations

import time
from typing import Any

import httpx


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
