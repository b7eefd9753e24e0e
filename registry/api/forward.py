"""ASGI middleware: readiness gate and forwarding of writes from a follower to the primary.

- Until the instance is ready (the topic replayed up to its end marker), every request except
  ``GET /``, ``GET /status`` and the API docs gets 503 with error code 50001.
- Writes (register, tag a version, delete subject or version, PUT/DELETE config and mode,
  association writes and ``:batchMutate``) are handled only by the primary. A follower forwards
  them over HTTP to the primary's advertised URL with the caller's body, query string and
  ``Authorization`` header, and returns the primary's status and body unchanged. No primary
  known (after waiting a few seconds for an election): 50004 "Unknown leader"; the primary
  unreachable: 50003. A forwarded request carries ``X-Charter-Forwarded`` and is never forwarded
  again (50003 if it reaches an instance that is not the primary).
- Reads, lookups and compatibility checks are answered locally.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import orjson

from charter.registry.api.http import V1_JSON
from charter.registry.cluster import ClusterView

log = logging.getLogger(__name__)

FORWARDED_HEADER = b"x-charter-forwarded"
PASSED_HEADERS = {b"authorization", b"content-type", b"accept", b"confluent-accept-unknown-properties"}
PRIMARY_WAIT_S = 5.0
ALWAYS_SERVED = {"/", "/status", "/status/live", "/status/ready", "/metrics", "/docs", "/openapi.json",
                 "/docs/oauth2-redirect"}

_WRITES = {
    "POST": re.compile(r"^/(subjects/[^/]+/versions(/[^/]+/tags)?|associations(:batchMutate)?)/?$"),
    "DELETE": re.compile(
        r"^/(subjects/[^/]+(/versions/[^/]+)?|config(/[^/]+)?|mode(/[^/]+)?|contexts/[^/]+|associations/.+)/?$"
    ),
    "PUT": re.compile(r"^/((config|mode)(/[^/]+)?|associations)/?$"),
}


def is_write(method: str, path: str) -> bool:
    pattern = _WRITES.get(method)
    return pattern is not None and pattern.match(path) is not None


async def _send(send: Any, status: int, body: bytes, content_type: str = V1_JSON) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


async def _error(send: Any, status: int, code: int, message: str) -> None:
    await _send(send, status, orjson.dumps({"error_code": code, "message": message}))


class ClusterMiddleware:
    def __init__(self, app: Any, cluster: ClusterView) -> None:
        self.app = app
        self.cluster = cluster
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
                if self._client is not None:
                    await self._client.aclose()
                return
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in ALWAYS_SERVED and scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        cluster = self.cluster
        if not cluster.ready:
            await _error(send, 503, 50001, "Charter is not ready: it is still reading the schemas topic "
                         "(or waiting for Kafka); see GET /status")
            return
        if not is_write(scope["method"], path) or cluster.writes_here():
            await self.app(scope, receive, send)
            return
        forwarded = any(name == FORWARDED_HEADER for name, _ in scope["headers"])
        primary = await cluster.wait_for_primary(0.5 if forwarded else PRIMARY_WAIT_S)
        if primary == cluster.advertised_url or cluster.writes_here():
            await self.app(scope, receive, send)
            return
        if forwarded:
            await _error(send, 500, 50003, f"Error while forwarding the request: it reached "
                         f"{cluster.advertised_url}, which is not the primary (primary: {primary or 'unknown'})")
            return
        if primary is None:
            await _error(send, 500, 50004, "Unknown leader: no primary is elected in the group right now; "
                         "retry shortly (GET /status shows the role of each instance)")
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
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0))
        try:
            response = await self._client.request(scope["method"], url, content=bytes(body), headers=headers)
        except httpx.HTTPError as exc:
            log.warning("forwarding %s %s to the primary %s failed: %s", scope["method"], scope["path"], primary, exc)
            await _error(send, 500, 50003, f"Error while forwarding the request to the primary at {primary}: "
                         f"{type(exc).__name__}: {exc}")
            return
        await _send(send, response.status_code, response.content,
                    response.headers.get("content-type", V1_JSON))
