"""ASGI middleware that gives every request Confluent's HTTP behaviour before routing.

- ``%2F`` in a path segment stays inside that segment (subjects may contain ``/``);
- ``Accept`` is negotiated among Confluent's media types (406 when none fits);
- request bodies must be JSON-ish media types (415 otherwise) and within the size limit (413).
The web console under ``/ui`` serves HTML and takes HTML form posts: it skips the Accept and
Content-Type checks (the size limit still applies).
Refusals get Confluent-shaped bodies: ``{"error_code": <status>, "message": ...}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import orjson

from charter.registry import errors
from charter.registry.api.http import V1_JSON, negotiate, request_body_allowed

Scope = dict[str, Any]
UI_PREFIX = "/ui"


def escaped_path(raw_path: bytes) -> str:
    """The decoded path, with ``/`` and ``%`` inside a segment kept escaped."""
    segments = raw_path.decode("latin-1").split("/")
    return "/".join(unquote(s).replace("%", "%25").replace("/", "%2F") for s in segments)


async def _send_error(send: Any, status: int, code: int, message: str) -> None:
    body = orjson.dumps({"error_code": code, "message": message})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", V1_JSON.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value
        ui = scope["path"] == UI_PREFIX or scope["path"].startswith(UI_PREFIX + "/")
        media = V1_JSON if ui else negotiate(accept)
        if media is None:
            await _send_error(send, 406, 406, "HTTP 406 Not Acceptable: send Accept: application/json "
                              "or application/vnd.schemaregistry.v1+json")
            return
        scope["charter.media_type"] = media
        if not ui and scope["method"] in ("POST", "PUT") and not request_body_allowed(content_type):
            await _send_error(send, 415, 415, f"HTTP 415 Unsupported Media Type: {content_type}; send "
                              "Content-Type: application/vnd.schemaregistry.v1+json")
            return
        limit = self.max_request_bytes
        if content_length is not None:
            try:
                declared = int(content_length)
            except ValueError:
                declared = 0
            if declared > limit:
                await _send_error(send, 413, 413, _too_large(limit))
                return
        received = 0

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise errors.RegistryError(413, 413, _too_large(limit))
            return message

        await self.app(scope, limited_receive, send)


def _too_large(limit: int) -> str:
    return f"HTTP 413 Request Entity Too Large: the body exceeds {limit} bytes"
