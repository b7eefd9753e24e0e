"""Observability: request ids, Prometheus metrics and JSON logs.

:class:`ObservabilityMiddleware` (outermost) gives every request an id (the caller's
``X-Request-ID`` if it sent a sane one, else a new one), echoes it in the response, counts the
request and its latency per *route template* (``/subjects/{subject}/versions``, from the endpoint
the router matched; ``other`` for requests refused before routing or forwarded) and status, and, when
the ``charter.access`` logger is enabled, writes one access-log line per request.

``GET /metrics`` (open, Prometheus text format) adds gauges read from the registry state at scrape
time: schemas by type, registered (live) and soft-deleted subject versions, subjects, the last log
offset applied, the log position and their difference (lag: records read but not yet applied; on
Kafka the reader follows the topic's end), and whether this instance is the primary. On a worker
of a ``--workers`` pool the request counters and histograms of every worker are there, each with
its ``worker`` label (:mod:`.pool_metrics`).
"""

from __future__ import annotations

import bisect
import contextvars
import itertools
import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from charter.compat.formats import supported_types
from charter.registry.api.pool_metrics import SERIES_HEADER, PoolPeers, Series, encode, on_private_port

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("charter_request_id", default="-")
access_log = logging.getLogger("charter.access")
_ID_HEADER = b"x-request-id"
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StateCollector:
    """Gauges computed from the registry state and the cluster view when /metrics is scraped."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = self.app.state.service.state
        cluster = self.app.state.cluster
        by_type: dict[str, int] = dict.fromkeys(supported_types(), 0)
        for content in state.all_schemas():
            by_type[content.schema_type] = by_type.get(content.schema_type, 0) + 1
        schemas = GaugeMetricFamily("charter_schemas", "distinct schemas (ids) by type", labels=["type"])
        for schema_type, count in sorted(by_type.items()):
            schemas.add_metric([schema_type.lower()], count)
        yield schemas
        live = deleted = 0
        for versions in list(state.subjects.values()):
            for version in list(versions.values()):
                if version.deleted:
                    deleted += 1
                else:
                    live += 1
        yield GaugeMetricFamily("charter_registered_count", "subject versions registered and not deleted", live)
        yield GaugeMetricFamily("charter_deleted_count", "subject versions soft-deleted", deleted)
        yield GaugeMetricFamily("charter_subjects", "subjects", len(state.subjects))
        yield GaugeMetricFamily("charter_max_schema_id", "largest schema id", state.max_id)
        yield GaugeMetricFamily("charter_replay_offset", "last log offset applied to the state", state.offset)
        position = cluster.status().get("topic_position")
        position = state.offset if position is None else position
        yield GaugeMetricFamily("charter_log_position", "last log offset read from the log", position)
        yield GaugeMetricFamily("charter_replay_lag", "records read but not yet applied",
                                max(0, position - state.offset))
        yield GaugeMetricFamily("charter_ready", "1 when the log is replayed and requests are served",
                                1 if cluster.ready else 0)
        yield GaugeMetricFamily("charter_primary", "1 when this instance is the primary (master-slave-role)",
                                1 if cluster.role == "primary" else 0)
        pool = cluster.status().get("pool")
        if pool:
            yield from _pool_gauges(pool)


def _pool_gauges(pool: dict[str, Any]) -> Iterator[GaugeMetricFamily]:
    """The whole ``--workers`` pool, from the board (the same on whichever worker is scraped)."""
    yield GaugeMetricFamily("charter_pool_workers", "worker processes in the pool", pool["workers"])
    yield GaugeMetricFamily("charter_pool_restarts", "workers the supervisor restarted", pool["restarts"])
    yield GaugeMetricFamily("charter_pool_acked_offset", "highest log offset a worker acknowledged",
                            pool["acked_offset"])
    rss = GaugeMetricFamily("charter_pool_worker_rss_bytes", "resident memory of each worker", labels=["worker"])
    applied = GaugeMetricFamily("charter_pool_worker_applied_offset", "log offset each worker applied",
                                labels=["worker"])
    writer = GaugeMetricFamily("charter_pool_worker_writer", "1 for the worker that writes the log", labels=["worker"])
    for member in pool["members"]:
        label = [str(member["worker"])]
        rss.add_metric(label, member["rss_mb"] * 1024 * 1024)
        applied.add_metric(label, member["applied_offset"])
        writer.add_metric(label, 1 if member["role"] == "writer" else 0)
    yield from (rss, applied, writer)


class RequestStats:
    """Request counts and latency histograms per (method, route, status), kept as plain lists.

    Updated on the event loop for every request, so it is a dict lookup, two additions and a
    bisect (prometheus_client's Counter and Histogram take locks and cost several times that);
    turned into Prometheus counter and histogram families only when /metrics is scraped.
    """

    def __init__(self) -> None:
        # key -> [count, sum of seconds, per-bucket counts (non-cumulative), +Inf overflow]
        self.series: Series = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        row = self.series.get(key)
        if row is None:
            row = self.series[key] = [0.0] * (3 + len(_BUCKETS))
        row[0] += 1
        row[1] += seconds
        row[2 + bisect.bisect_left(_BUCKETS, seconds)] += 1

    def collect(self) -> Iterator[CounterMetricFamily | HistogramMetricFamily]:
        return request_families({None: self.series})


def request_families(by_worker: dict[int | None, Series]) -> Iterator[CounterMetricFamily | HistogramMetricFamily]:
    """The request counter and latency histogram families of ``by_worker``'s series: one process's
    under the key None; a pool's workers' each with its ``worker`` label (every worker's counters
    only grow, a restart resets its own, which one sum over the workers would not promise)."""
    pooled = None not in by_worker
    extra = ["worker"] if pooled else []
    requests = CounterMetricFamily(
        "charter_http_requests", "HTTP requests by method, route template and status",
        labels=["method", "route", "status", *extra],
    )
    latency = HistogramMetricFamily(
        "charter_http_request_duration_seconds", "HTTP request latency by route template",
        labels=["method", "route", *extra],
    )
    for worker, series in sorted(by_worker.items(), key=lambda item: item[0] or 0):
        label = [str(worker)] if pooled else []
        merged: dict[tuple[str, str], list[float]] = {}
        for (method, route, status), row in sorted(series.items()):
            requests.add_metric([method, route, str(status), *label], row[0])
            total = merged.setdefault((method, route), [0.0] * len(row))
            for i, value in enumerate(row):
                total[i] += value
        for (method, route), row in sorted(merged.items()):
            cumulative, buckets = 0.0, []
            for bound, count in zip((*(str(b) for b in _BUCKETS), "+Inf"), row[2:], strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric([method, route, *label], buckets, row[1])
    yield requests
    yield latency


class _Scrape:
    """One pool scrape's families, as ``generate_latest`` takes a registry: the state gauges, every
    worker's request series and how many workers did not answer."""

    def __init__(self, state: StateCollector, by_worker: dict[int | None, Series], missing: int) -> None:
        self._state, self._by_worker, self._missing = state, by_worker, missing

    def collect(self) -> Iterator[Any]:
        yield from self._state.collect()
        yield from request_families(self._by_worker)
        yield GaugeMetricFamily("charter_pool_metrics_missing_workers",
                                "workers whose requests this scrape could not include (not answering)",
                                self._missing)


class Metrics:
    """The Prometheus registry of one app: request statistics and the state gauges."""

    def __init__(self, app: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.stats = RequestStats()
        self.state = StateCollector(app)
        self.registry.register(self.stats)  # type: ignore[arg-type]
        self.registry.register(self.state)  # type: ignore[arg-type]
        self._templates: dict[Any, str] | None = None  # endpoint -> route path, built on first use
        self.app = app
        self._peers: PoolPeers | None = None  # a pool's worker asks the others at each scrape

    def template(self, scope: dict[str, Any]) -> str:
        """The matched route's path template, from the endpoint the router put in the scope."""
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return "other"
        if self._templates is None:
            self._templates = {}
            for route in self.app.router.routes:
                self._templates.setdefault(getattr(route, "endpoint", None), getattr(route, "path", "other"))
        return self._templates.get(endpoint, "other")

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.stats.observe(method, route, status, seconds)

    def close(self) -> None:
        if self._peers is not None:
            self._peers.close()

    async def endpoint(self, request: Request) -> Response:
        """The Prometheus text; on a pool's worker with every worker's request series (see :mod:`.pool_metrics`)."""
        cluster = self.app.state.cluster
        if not cluster.pooled:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        if request.headers.get(SERIES_HEADER) == "1" and on_private_port(request.scope, cluster.advertised_url):
            # another worker of the pool is being scraped (asked on this worker's private port only)
            return Response(encode(self.stats.series), media_type="application/json")
        if self._peers is None:
            self._peers = PoolPeers()
        status = cluster.status()
        peers, missing = await self._peers.series(status, cluster.advertised_url)
        by_worker: dict[int | None, Series] = {int(status.get("worker") or 0): self.stats.series, **peers}
        scrape = _Scrape(self.state, by_worker, missing)
        return Response(generate_latest(scrape), media_type=CONTENT_TYPE_LATEST)  # type: ignore[arg-type]


_ID_PREFIX = os.urandom(4).hex()
_ID_COUNTER = itertools.count(1)


def _request_id(scope: dict[str, Any]) -> str:
    """The caller's sane X-Request-ID, else a new one: a per-process random prefix and a counter."""
    for name, value in scope["headers"]:
        if name == _ID_HEADER:
            if 0 < len(value) <= 128 and value.isascii() and value.decode().isprintable():
                return value.decode()
            break
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFF:08x}"


class ObservabilityMiddleware:
    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        status = 500
        header = (_ID_HEADER, request_id.encode())

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = self.metrics.template(scope)
            self.metrics.observe(scope["method"], template, status, elapsed)
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client") or ("-", 0)
                access_log.info("%s %s %s %d %.1fms", client[0], scope["method"], scope["path"], status,
                                elapsed * 1000, extra={"status": status, "route": template})
            REQUEST_ID.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per log line: time, level, logger, message, request_id (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        for extra in ("status", "route"):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)
