"""The API edge's errors: HTTP statuses and the one writer of Confluent's error bodies.

Every refusal Charter answers over HTTP goes out through :func:`render` (for the app's exception
handlers) or :func:`send` (for the ASGI middlewares): ``{"error_code": ..., "message": ...}`` in
the media type negotiated for the request (``scope["charter.media_type"]``, set by
:mod:`charter.registry.api.middleware`; Confluent's v1 type when none was).

The HTTP status is derived here, and only here, from Confluent's error code (:func:`status_of`):
a code of four digits or more carries the status in its first three (40401 -> 404, 42201 -> 422,
50001 -> 500); a three-digit code is the status itself (400, 409, 413). A caller names a status
only where Confluent's rule does not hold (503 while not ready).

The refusals Jersey and rest-utils make before a resource runs (``HTTP 406 Not Acceptable``...)
are in :mod:`charter.registry.api.http`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from charter.registry.api.http import media_of
from charter.registry.errors import RegistryError


def status_of(error: RegistryError) -> int:
    """The HTTP status of an error, from its Confluent code (see the module docstring)."""
    code = error.error_code
    return code if code < 1000 else code // 100


def body(error: RegistryError) -> bytes:
    return orjson.dumps({"error_code": error.error_code, "message": error.message})


def read_body(status: int, content: bytes) -> RegistryError:
    """The registry error an error answer carries (what :func:`body` writes), e.g. a writer's answer
    to a forwarded request; a body that is not one names the HTTP status instead."""
    try:
        found = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        found = None
    if isinstance(found, dict) and isinstance(found.get("error_code"), int) and isinstance(found.get("message"), str):
        return RegistryError(found["error_code"], found["message"])
    return RegistryError(status if status >= 400 else 50001,
                         f"the writer answered HTTP {status} without a registry error body")


def render(request: Request, error: RegistryError, status: int | None = None) -> Response:
    """The error as a response, for the app's exception handlers."""
    return Response(body(error), status or status_of(error), media_type=media_of(request.scope))


async def send(
    scope: dict[str, Any], send_message: Any, error: RegistryError, status: int | None = None,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """The error as an ASGI response, for the middlewares."""
    content = body(error)
    await send_message({
        "type": "http.response.start",
        "status": status or status_of(error),
        "headers": [
            (b"content-type", media_of(scope).encode()),
            (b"content-length", str(len(content)).encode()),
            *headers,
        ],
    })
    await send_message({"type": "http.response.body", "body": content})
