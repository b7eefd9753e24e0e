"""Shared load-and-fault proof: CLIENTS concurrent clients register DISTINCT schemas, each twice, while
a ``crash`` callback kills (and restarts, or fails over) the server mid-load; then the invariants.

Used by tests/proof/test_load_fault.py (embedded log) and tests/proof/test_proof_kafka.py (Kafka, one and two
instances). Every loop is bounded: each registration is retried until acknowledged or until its
``retry_s`` budget is spent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import httpx

from support.process import V1

CLIENTS = 50
DISTINCT = 1000


def schema(i: int) -> str:
    return json.dumps({"type": "record", "name": f"L{i}", "fields": [{"name": "a", "type": "int"}]})


def subject_of(i: int) -> str:
    return f"load-{i % 100}"


class Acks:
    """Acknowledged registrations (subject, schema index, id, acknowledged after the crash)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[str, int, int, bool]] = []
        self.crashed = False
        self.tried = 0
        self.failed = 0

    def __len__(self) -> int:
        return len(self.items)

    def attempt(self, client: httpx.Client, url: str, subject: str, i: int) -> bool:
        """Register schema ``i`` under ``subject`` at ``url`` once; recorded as acknowledged or failed."""
        with self.lock:
            self.tried += 1
            after = self.crashed
        try:
            r = client.post(f"{url}/subjects/{subject}/versions", json={"schema": schema(i)})
        except httpx.HTTPError:
            r = None
        with self.lock:
            if r is not None and r.status_code == 200:
                self.items.append((subject, i, r.json()["id"], after))
                return True
            self.failed += 1
        return False


def _worker(w: int, todo: list[int], urls: Callable[[], list[str]], acks: Acks, retry_s: float) -> None:
    with httpx.Client(headers={"Content-Type": V1}, timeout=10) as client:
        for n in range(w, len(todo), CLIENTS):
            i = todo[n]
            deadline = time.monotonic() + retry_s
            attempt = 0
            while time.monotonic() < deadline:  # retry until acknowledged (the server may be down)
                targets = urls()
                if acks.attempt(client, targets[(n + attempt) % len(targets)], subject_of(i), i):
                    break
                attempt += 1
                time.sleep(0.1)


def check_invariants(acks: Acks, read_url: str) -> int:
    """Assert one id per schema and no id shared; return how many acknowledged registrations are
    missing or changed when read back from ``read_url`` (data lost)."""
    by_schema: dict[int, set[int]] = {}
    for _, i, schema_id, _ in acks.items:
        by_schema.setdefault(i, set()).add(schema_id)
    assert all(len(ids) == 1 for ids in by_schema.values()), "a schema got two ids"
    owners: dict[int, int] = {}
    for i, ids in by_schema.items():
        (schema_id,) = ids
        assert owners.setdefault(schema_id, i) == i, f"id {schema_id} shared by schemas {owners[schema_id]} and {i}"
    lost = 0
    with httpx.Client(base_url=read_url, timeout=10, headers={"Content-Type": V1}) as c:
        for subject, i, schema_id, _ in acks.items:
            r = c.post(f"/subjects/{subject}", json={"schema": schema(i)})
            if r.status_code != 200 or r.json()["id"] != schema_id:
                lost += 1
            r = c.get(f"/schemas/ids/{schema_id}")
            if r.status_code != 200 or json.loads(r.json()["schema"]) != json.loads(schema(i)):
                lost += 1
    return lost


def run_load(urls: Callable[[], list[str]], crash: Callable[[], None], retry_s: float = 30.0,
             read_url: Callable[[], str] | None = None) -> dict[str, int]:
    """Register DISTINCT schemas twice each (subject load-{i % 100}, compatibility NONE expected)
    from CLIENTS threads round-robin over ``urls()``, calling ``crash`` once when a third are
    acknowledged; check the invariants, print and return the figures (data lost must be 0)."""
    acks = Acks()
    todo = [i % DISTINCT for i in range(2 * DISTINCT)]
    started = time.monotonic()
    threads = [threading.Thread(target=_worker, args=(w, todo, urls, acks, retry_s)) for w in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acks) < DISTINCT // 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    with acks.lock:
        acks.crashed = True
    crash()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert len(acks) == 2 * DISTINCT, f"only {len(acks)} of {2 * DISTINCT} acknowledged"
    lost = check_invariants(acks, (read_url or (lambda: urls()[0]))())
    before = {schema_id for _, _, schema_id, after in acks.items if not after}
    known = {i for _, i, _, after in acks.items if not after}
    fresh = {schema_id for _, i, schema_id, after in acks.items if after and i not in known}
    figures = {"tried": acks.tried, "failed": acks.failed, "acknowledged": len(acks),
               "acked_after_crash": sum(1 for item in acks.items if item[3]), "lost": lost,
               "new_ids_after_crash": len(fresh), "collisions_after_crash": len(fresh & before),
               "seconds": round(elapsed)}
    print(f"\nload: {figures}")
    assert lost == 0, figures
    assert not fresh & before, f"ids issued after the crash reuse earlier ones: {sorted(fresh & before)[:10]}"
    return figures

