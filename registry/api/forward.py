"""ASGI middleware: readiness gate and forwarding of writes from a follower to the primary.

- Until the instance is ready (the topic replayed up to its end marker), every request except
  the GETs of routes declared ``before_ready`` (``/``, ``/status``, the probes, ``/metrics``, the
  API docs) gets 503 with error code 50001.
- Writes (routes declared ``writes``: register, tag a version, delete subject or version,
  PUT/DELETE config and mode, association writes and ``:batchMutate``; see
  :mod:`charter.registry.api.routing`) are handled only by the primary. A follower forwards
  them over HTTP to the primary's advertised URL with the caller's body, query string and
  ``Authorization`` header, and returns the primary's status and body unchanged. No primary
  known (after waiting a few seconds for an election): 50004 "Unknown leader"; the primary
  unreachable: 50003 (when it refuses the connection, nothing was sent: the follower asks again
  who the primary is and sends it there, for up to ``PRIMARY_WAIT_S``). A forwarded request carries
  ``X-Charter-Forwarded`` and is never forwarded again (50003 if it reaches an instance that is
  not the primary).
- Reads, lookups and compatibility checks are answered locally; on a worker of a ``--workers``
  pool, once its state has applied every write the pool acknowledged (``read_barrier``). The
  primary's answer to a forwarded write carries ``X-Charter-Offset`` (the offset it had applied);
  a pooled follower records it on its pool's board and waits for it before answering, so the
  write is visible on every worker of its pool too, wherever the primary runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from charter.registry import errors as domain
from charter.registry.api import errors
from charter.registry.api.forward_client import ForwardFailed, NotSent, PlainHttpClient
from charter.registry.api.http import V1_JSON
from charter.registry.api.routing import RouteTable
from charter.registry.cluster import ClusterView

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

FORWARDED_HEADER = b"x-charter-forwarded"
OFFSET_HEADER = b"x-charter-offset"  # on the primary's answer to a forwarded write
PASSED_HEADERS = {b"authorization", b"content-type", b"accept", b"confluent-accept-unknown-properties"}
PRIMARY_WAIT_S = 5.0
RETRY_S = 0.05  # between asking again who the primary is, after it refused a connection
NOT_READY = 503  # Confluent's 50001 says 500; an instance still replaying is unavailable


def forwarded_by_follower(routes: RouteTable, scope: dict[str, Any]) -> bool:
    """Whether a follower hands this request to the primary: the routes declared ``writes``."""
    found = routes.of_scope(scope)
    return found is not None and found[0].writes


def served_before_ready(routes: RouteTable, scope: dict[str, Any]) -> bool:
    """Whether the request is answered while the log is still replayed: GETs of ``before_ready`` routes."""
    found = routes.of_scope(scope)
    return scope["method"] == "GET" and found is not None and found[0].before_ready


async def _send(send: Any, status: int, body: bytes, content_type: str = V1_JSON) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


class ClusterMiddleware:
    def __init__(self, app: Any, cluster: ClusterView, routes: RouteTable, applied: Callable[[], int]) -> None:
        self.app = app
        self.cluster = cluster
        self.routes = routes
        self.applied = applied  # the offset the state applied
        self._client: httpx.AsyncClient | None = None  # HTTPS primaries
        self._plain = PlainHttpClient()  # plain-HTTP primaries (a pool's writer): far less CPU per request

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
                if self._client is not None:
                    await self._client.aclose()
                self._plain.close()
                return
            await self.app(scope, receive, send)
            return
        if served_before_ready(self.routes, scope):
            await self.app(scope, receive, send)
            return
        cluster = self.cluster
        if not cluster.ready:
            await errors.send(scope, send, domain.not_ready(), status=NOT_READY)
            return
        writes = forwarded_by_follower(self.routes, scope)
        if not writes or cluster.writes_here():
            if cluster.pooled:
                await cluster.read_barrier()
            await self.app(scope, receive, self._with_offset(scope, send) if writes else send)
            return
        forwarded = any(name == FORWARDED_HEADER for name, _ in scope["headers"])
        primary = await cluster.wait_for_primary(0.5 if forwarded else PRIMARY_WAIT_S)
        if primary == cluster.advertised_url or cluster.writes_here():
            await self.app(scope, receive, self._with_offset(scope, send))
            return
        if forwarded:
            await errors.send(scope, send, domain.forwarding_failed(
                f": it reached {cluster.advertised_url}, which is not the primary (primary: {primary or 'unknown'})"))
            return
        if primary is None:
            await errors.send(scope, send, domain.unknown_leader(
                "no primary is elected in the group right now; retry shortly (GET /status shows the role of "
                "each instance)"))
            return
        await self._forward(scope, receive, send, primary)

    async def _forward(self, scope: dict[str, Any], receive: Any, send: Any, primary: str) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path") or scope["path"].encode()
        url = primary.rstrip("/") + raw_path.decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(n, v) for n, v in scope["headers"] if n in PASSED_HEADERS]
        headers.append((FORWARDED_HEADER, b"1"))
        deadline = time.monotonic() + PRIMARY_WAIT_S
        while True:
            try:
                status, content, answer_headers = await self._request(scope["method"], url, bytes(body), headers)
                break
            except NotSent as exc:
                # Nothing reached the primary: it is gone (a worker or an instance that died). Ask
                # again who writes; this worker may have taken over itself.
                retry = await self._next_primary(primary, deadline)
                if retry is None:
                    await self._failed(scope, send, primary, exc)
                    return
                if retry == self.cluster.advertised_url or self.cluster.writes_here():
                    await self.app(scope, _replay(body), self._with_offset(scope, send))
                    return
                url, primary = retry.rstrip("/") + url[len(primary.rstrip("/")):], retry
            except ForwardFailed as exc:
                await self._failed(scope, send, primary, exc)
                return
        offset = answer_headers.get(OFFSET_HEADER)
        if offset is not None and self.cluster.pooled:  # every worker of this pool reads this write
            with contextlib.suppress(ValueError):
                await self.cluster.read_barrier(int(offset))
        content_type = answer_headers.get(b"content-type")
        await _send(send, status, content, content_type.decode("latin-1") if content_type else V1_JSON)

    async def _request(self, method: str, url: str, body: bytes,
                       headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes, dict[bytes, bytes]]:
        """One forwarded request: (status, body, headers by lower-case name); NotSent when nothing
        reached the primary."""
        if url.startswith("http://"):
            return await self._plain.request(method, url, body, headers)
        import httpx  # HTTPS primaries only: with rich and pygments installed it costs a worker 4 MB

        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0))
        try:
            response = await self._client.request(method, url, content=body, headers=headers)
        except httpx.ConnectError as exc:
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise ForwardFailed(f"{type(exc).__name__}: {exc}") from exc
        return response.status_code, response.content, {k.lower(): v for k, v in response.headers.raw}

    def _with_offset(self, scope: dict[str, Any], send: Any) -> Any:
        """For a write handled here: when it was forwarded, its answer says the offset applied when
        it was sent (at or above the write's own records), so the follower that forwarded it can wait
        for that offset; in a pool the offset is acknowledged on the board too (a write that appended
        nothing, such as a schema registered again, still orders the reads that follow it)."""
        forwarded = any(name == FORWARDED_HEADER for name, _ in scope["headers"])
        if not forwarded and not self.cluster.pooled:
            return send

        async def send_with_offset(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                offset = self.applied()
                if self.cluster.pooled:
                    await self.cluster.read_barrier(offset)
                if forwarded:
                    message = {**message, "headers": [*message.get("headers", []),
                                                      (OFFSET_HEADER, str(offset).encode())]}
            await send(message)

        return send_with_offset

    async def _next_primary(self, gone: str, deadline: float) -> str | None:
        """The primary after ``gone`` stopped answering, once one is known (None at ``deadline``)."""
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(RETRY_S, left))
            primary = await self.cluster.wait_for_primary(max(0.0, deadline - time.monotonic()))
            if primary is not None and (primary != gone or self.cluster.writes_here()):
                return primary
        return None

    async def _failed(self, scope: dict[str, Any], send: Any, primary: str, exc: Exception) -> None:
        log.warning("forwarding %s %s to the primary %s failed: %s", scope["method"], scope["path"], primary, exc)
        await errors.send(scope, send, domain.forwarding_failed(f" to the primary at {primary}: {exc}"))


def _replay(body: bytearray) -> Any:
    """An ASGI ``receive`` that hands the request body, already read, to the app once more."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    return receive
