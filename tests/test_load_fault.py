"""Proof under load and faults (embedded log): 50 concurrent clients register 1,000 distinct schemas
(each also re-registered, as duplicates) while the server is SIGKILLed and restarted.

Afterwards: every acknowledged registration is present with the id it was given, no id is shared
by two different schemas, and the same schema has one id. Kafka: tests/test_kafka_load_fault.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from conftest import V1, RegistryProcess

CLIENTS = 50
DISTINCT = 1000


def schema(i: int) -> str:
    return json.dumps({"type": "record", "name": f"L{i}", "fields": [{"name": "a", "type": "int"}]})


def run_load(urls: Callable[[], list[str]], crash: Callable[[], None]) -> dict[str, int]:
    """Register DISTINCT schemas twice each (subject load-{i % 100}, a shared subject per 100 schemas,
    compatibility NONE) from CLIENTS threads, calling ``crash`` once mid-load; check invariants."""
    acked: list[tuple[str, int, int]] = []  # (subject, schema index, id)
    lock = threading.Lock()
    todo = [i % DISTINCT for i in range(2 * DISTINCT)]
    figures = {"tried": 0, "failed": 0}

    def worker(w: int) -> None:
        for n in range(w, len(todo), CLIENTS):
            i = todo[n]
            subject = f"load-{i % 100}"
            for _ in range(60):  # retry until acknowledged (the server may be down)
                with lock:
                    figures["tried"] += 1
                url = urls()[n % len(urls())]
                try:
                    r = httpx.post(f"{url}/subjects/{subject}/versions", json={"schema": schema(i)},
                                   headers={"Content-Type": V1}, timeout=10)
                except httpx.HTTPError:
                    r = None
                if r is not None and r.status_code == 200:
                    with lock:
                        acked.append((subject, i, r.json()["id"]))
                    break
                with lock:
                    figures["failed"] += 1
                time.sleep(0.1)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(CLIENTS)]
    for t in threads:
        t.start()
    while len(acked) < DISTINCT // 3:
        time.sleep(0.02)
    crash()
    for t in threads:
        t.join()
    assert len(acked) == 2 * DISTINCT, f"only {len(acked)} of {2 * DISTINCT} acknowledged"
    by_schema: dict[int, set[int]] = {}
    for _, i, schema_id in acked:
        by_schema.setdefault(i, set()).add(schema_id)
    assert all(len(ids) == 1 for ids in by_schema.values()), "a schema got two ids"
    owners: dict[int, int] = {}
    for i, ids in by_schema.items():
        (schema_id,) = ids
        assert owners.setdefault(schema_id, i) == i, f"id {schema_id} shared by schemas {owners[schema_id]} and {i}"
    lost = 0
    with httpx.Client(base_url=urls()[0], timeout=10, headers={"Content-Type": V1}) as c:
        for subject, i, schema_id in acked:
            r = c.post(f"/subjects/{subject}", json={"schema": schema(i)})
            if r.status_code != 200 or r.json()["id"] != schema_id:
                lost += 1
            r = c.get(f"/schemas/ids/{schema_id}")
            if r.status_code != 200 or json.loads(r.json()["schema"]) != json.loads(schema(i)):
                lost += 1
    figures.update(acknowledged=len(acked), lost=lost)
    print(f"\nload: {figures}")
    assert lost == 0, figures
    return figures


def test_load_with_sigkill_on_the_embedded_log(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data", extra=["--compatibility", "NONE"]).start()
    current = [server]

    def crash() -> None:
        current[0].kill()
        current[0] = RegistryProcess(tmp_path / "data", port=server.port,
                                     extra=["--compatibility", "NONE"]).start()

    try:
        run_load(lambda: [current[0].url], crash)
    finally:
        current[0].stop()
