"""ASGI middleware that gives every request Confluent's HTTP behaviour before routing.

- ``%2F`` in a path segment stays inside that segment (subjects may contain ``/``);
- ``Accept`` is negotiated among Confluent's media types (406 when none fits);
- request bodies must be JSON-ish media types (415 otherwise) and within the size limit (413);
- a write (POST, PUT, DELETE) a browser sends for another site is refused (403, :mod:`.origin`).
The web console under ``/ui`` serves HTML and takes HTML form posts: it skips the Accept and
Content-Type checks (the size limit still applies).
Refusals get Confluent-shaped bodies: ``{"error_code": <status>, "message": ...}`` with Jersey's
texts (``HTTP 406 Not Acceptable``, ``HTTP 415 Unsupported Media Type``).

Bodies are read here, whole, before the app runs, so that a body over the limit gets its 413:
the client is still sending when the limit is crossed, and a client (httpx, requests, curl)
only reads the answer once it has sent everything, so the rest of the body is read and thrown
away first (up to :data:`DRAIN_BYTES` more; past that the connection is closed). A client that
sent ``Expect: 100-continue`` with a declared length over the limit is answered at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from charter.registry.api import errors
from charter.registry.api.http import (
    MEDIA_TYPE,
    V1_JSON,
    negotiate,
    not_acceptable,
    request_body_allowed,
    request_too_large,
    unsupported_media_type,
)
from charter.registry.api.origin import cross_site
from charter.registry.errors import RegistryError, cross_site_request

Scope = dict[str, Any]
Message = dict[str, Any]
UI_PREFIX = "/ui"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# How much of an oversized body is read and discarded so that the client gets its 413.
DRAIN_BYTES = 64 * 1024 * 1024


def escaped_path(raw_path: bytes) -> str:
    """The decoded path, with ``/`` and ``%`` inside a segment kept escaped."""
    segments = raw_path.decode("latin-1").split("/")
    return "/".join(unquote(s).replace("%", "%25").replace("/", "%2F") for s in segments)


async def _send_error(scope: Scope, send: Any, error: RegistryError, close: bool = False) -> None:
    await errors.send(scope, send, error, headers=[(b"connection", b"close")] if close else ())


async def _read_body(receive: Any, limit: int) -> tuple[bytes | None, bool]:
    """``(body, complete)``: the body, or None when it is over ``limit`` (its rest then read and
    discarded); ``complete`` is False when the client left or sent more than DRAIN_BYTES too many."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, False  # http.disconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > limit + DRAIN_BYTES:
            return None, False
        if not message.get("more_body", False):
            return (b"".join(chunks) if size <= limit else None), True


def _replay(body: bytes, receive: Any) -> Any:
    """A ``receive`` that hands the app the body already read, then waits as the server's does."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class ConfluentHttpMiddleware:
    def __init__(self, app: Any, max_request_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path")
        if raw_path and b"%" in raw_path:
            scope["path"] = escaped_path(raw_path)
        accept = content_type = content_length = None
        expects_continue = False
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value
            elif name == b"expect":
                expects_continue = value.lower() == b"100-continue"
        ui = scope["path"] == UI_PREFIX or scope["path"].startswith(UI_PREFIX + "/")
        media = V1_JSON if ui else negotiate(accept)
        if media is None:
            await _send_error(scope, send, not_acceptable())  # in Confluent's v1 type: none was negotiated
            return
        scope[MEDIA_TYPE] = media
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if not ui:  # the console refuses a cross-site form itself, with an HTML page
            reason = cross_site(scope["headers"])
            if reason is not None:
                await _send_error(scope, send, cross_site_request(reason))
                return
        if not ui and scope["method"] in ("POST", "PUT") and not request_body_allowed(content_type):
            # rest-utils' WebApplicationExceptionMapper negotiates the 415's type itself.
            await _send_error(scope, send, unsupported_media_type())
            return
        limit = self.max_request_bytes
        too_large = request_too_large(limit)
        try:
            declared = int(content_length) if content_length is not None else 0
        except ValueError:
            declared = 0
        if declared > limit and (expects_continue or declared > limit + DRAIN_BYTES):
            await _send_error(scope, send, too_large, close=True)
            return
        body, complete = await _read_body(receive, limit)
        if body is None:
            await _send_error(scope, send, too_large, close=not complete)
            return
        await self.app(scope, _replay(body, receive), send)
