"""A pool's request metrics: ``/metrics`` on any worker has every worker's request series.

Each worker of a ``charter serve --workers N`` pool keeps its own request counters and latency
histograms (:class:`~charter.registry.api.observe.RequestStats`), and a scrape reaches whichever
worker the kernel hands the connection to. So that every scrape shows the whole pool, the scraped
worker asks every other worker for its raw series over the worker's private port (``GET /metrics``
with the ``X-Charter-Pool-Series: 1`` header, answered there as JSON, never fanned out again) and renders
each worker's series with a ``worker`` label (sum them with ``sum without (worker)``). Each series
then only grows until its own worker restarts, which Prometheus' ``rate`` reads as that series'
reset; a sum over the workers would instead drop whenever one of them missed a scrape. A worker
that does not answer within :data:`PEER_TIMEOUT_S` (restarting, stuck) is absent from that scrape,
and ``charter_pool_metrics_missing_workers`` says how many were.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import orjson

from charter.registry.api.forward_client import ForwardFailed, NotSent, PlainHttpClient

SERIES_HEADER = "x-charter-pool-series"
PEER_TIMEOUT_S = 2.0

Series = dict[tuple[str, str, int], list[float]]  # (method, route, status) -> RequestStats row


def encode(series: Series) -> bytes:
    """One worker's series as JSON (what a peer asked for with :data:`SERIES_HEADER`)."""
    return orjson.dumps([[method, route, status, row] for (method, route, status), row in series.items()])


def decode(body: bytes) -> Series:
    """A peer's series; ValueError for anything else."""
    rows = orjson.loads(body)
    if not isinstance(rows, list):
        raise ValueError("not a list of series")
    out: Series = {}
    for method, route, status, row in rows:
        if not (isinstance(method, str) and isinstance(route, str) and isinstance(status, int)
                and isinstance(row, list) and all(isinstance(v, int | float) for v in row)):
            raise ValueError("a malformed series")
        out[(method, route, status)] = [float(v) for v in row]
    return out


def on_private_port(scope: dict[str, Any], own_url: str) -> bool:
    """Whether a request reached this worker on its private listener (``own_url``'s port), where
    the other workers ask for its series; on the shared port a scrape gets the whole pool."""
    server = scope.get("server")
    return bool(server) and server[1] == urlsplit(own_url).port


class PoolPeers:
    """Fetches the other workers' series for a scrape of this one."""

    def __init__(self) -> None:
        self._client = PlainHttpClient(timeout_s=PEER_TIMEOUT_S, connect_timeout_s=PEER_TIMEOUT_S)

    async def series(self, status: dict[str, Any], own_url: str) -> tuple[dict[int, Series], int]:
        """The series of every other member of the pool in ``status`` (this worker's /status), and
        how many members could not be asked or did not answer. The others listen where this worker's
        private URL ``own_url`` points, on their own ports (an HTTPS one is not asked: counted missing)."""
        pool, me = status.get("pool") or {}, status.get("worker")
        members = [m for m in pool.get("members", []) if m.get("worker") != me]
        own = urlsplit(own_url)
        asked = [m for m in members if m.get("port")] if own.scheme == "http" else []
        answers = await asyncio.gather(*(self._one(own.hostname or "127.0.0.1", m["port"]) for m in asked))
        found = {m["worker"]: series for m, series in zip(asked, answers, strict=True) if series is not None}
        return found, len(members) - len(found)

    def close(self) -> None:
        """Close the idle connections to the other workers (at the app's stop)."""
        self._client.close()

    async def _one(self, host: str, port: int) -> Series | None:
        """One worker's series, or None when it cannot be asked or does not answer in time."""
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        try:
            async with asyncio.timeout(PEER_TIMEOUT_S):
                status, body, _ = await self._client.request(
                    "GET", f"http://{netloc}/metrics", b"", [(SERIES_HEADER.encode(), b"1")])
            return decode(body) if status == 200 else None
        except (ForwardFailed, NotSent, TimeoutError, ValueError, TypeError):
            return None
