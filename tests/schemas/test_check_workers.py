"""The check pools (registry/usecases/workers.py): jobs wait for a thread on the event loop, the
pool is never oversubscribed, and past its waiting bound a read-only job is refused at once (429)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from charter.registry.errors import RegistryError
from charter.registry.usecases.workers import Pool


@pytest.mark.timeout(30)
def test_jobs_wait_their_turn_and_excess_is_refused() -> None:
    pool = Pool("test", threads=2, max_waiting=3)
    running = 0
    most = 0
    lock = threading.Lock()

    def job() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return 1

    async def main() -> list[object]:
        return await asyncio.gather(*(pool.run(job) for _ in range(7)), return_exceptions=True)

    results = asyncio.run(main())
    refused = [r for r in results if isinstance(r, RegistryError)]
    assert results.count(1) == 5 and len(refused) == 2, results
    assert all(r.error_code == 429 and "retry later" in r.message for r in refused)
    assert most == 2


@pytest.mark.timeout(30)
def test_a_cancelled_job_holds_its_thread_until_it_ends() -> None:
    pool = Pool("test", threads=1, max_waiting=None)
    started = threading.Event()
    order: list[str] = []

    def slow() -> None:
        started.set()
        time.sleep(0.3)
        order.append("slow")

    def quick() -> None:
        order.append("quick")

    async def main() -> None:
        first = asyncio.ensure_future(pool.run(slow))
        await asyncio.to_thread(started.wait)
        first.cancel()
        await pool.run(quick)

    asyncio.run(main())
    assert order == ["slow", "quick"]
