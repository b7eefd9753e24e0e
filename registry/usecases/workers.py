"""Where CPU-heavy schema work runs, so that writes and cheap reads never queue behind it.

Parsing large schemas and checking compatibility run in threads, off the event loop. They used to
share the default executor with the log's appends, so a handful of expensive read-only checks
(``POST /compatibility/...`` against many large versions) held every thread and an unrelated
registration waited for them (issue 17, item 9). Now:

- :data:`CHECKS` runs read-only compatibility checks (``POST /compatibility/...``, the console's
  compare), the expensive work nothing else waits for: at most ``threads`` at once; the rest wait
  on the event loop (a coroutine, no thread), and past :data:`MAX_WAITING` waiting a request is
  refused at once (429: retry later);
- :data:`SERVING` runs what producers and writers wait for: a registration's parse and its check
  under the write lock, lookups, tag edits;
- the file log appends on its own thread (``log/file.py``); everything else keeps the default executor.

Threads share the GIL: a pool's size bounds how many CPU-heavy jobs compete with the event loop
for it (the loop still gets its turn every switch interval), so the pools are small (the cores).
How much one check may compare is bounded apart (``--max-check-chars``, see :func:`check_budget`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from charter.registry import errors

T = TypeVar("T")
THREADS = max(2, os.cpu_count() or 2)
MAX_WAITING = 64  # read-only checks waiting for a thread before the next is refused


class Pool:
    """A small thread pool whose jobs wait for a free thread on the event loop, not in its queue."""

    def __init__(self, name: str, threads: int, max_waiting: int | None) -> None:
        self.name = name
        self.threads = threads
        self.max_waiting = max_waiting
        self._executor: ThreadPoolExecutor | None = None
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._waiting = 0

    def _semaphore(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.threads)
        return slots

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in one of the pool's threads; the thread is held until ``fn``
        returns, even if the request is cancelled meanwhile (so the pool is never oversubscribed)."""
        loop = asyncio.get_running_loop()
        slots = self._semaphore(loop)
        if slots.locked() and self.max_waiting is not None and self._waiting >= self.max_waiting:
            raise errors.too_many_requests(
                f"{self.threads} {self.name} jobs are running and {self._waiting} are waiting for a thread"
            )
        self._waiting += 1
        try:
            await slots.acquire()
        finally:
            self._waiting -= 1
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix=f"charter-{self.name}")
        try:
            job = self._executor.submit(fn, *args, **kwargs)
        except BaseException:
            slots.release()
            raise

        def release(_: object) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
                loop.call_soon_threadsafe(slots.release)

        job.add_done_callback(release)
        return await asyncio.wrap_future(job)


CHECKS = Pool("compatibility check", THREADS, MAX_WAITING)
SERVING = Pool("registration and lookup", THREADS, None)


def check_budget(subject: str, candidate_chars: int, version_chars: list[int], limit: int) -> None:
    """Refuse (42205) a check that would compare more than ``limit`` characters of schema text:
    the candidate's and each version's, summed over the versions the level checks."""
    cost = sum(candidate_chars + chars for chars in version_chars)
    if cost > limit:
        raise errors.check_too_large(subject, len(version_chars), cost, limit)
