"""HTTP plumbing shared by the routers: content types, JSON bodies, query and path values.

Confluent answers ``application/vnd.schemaregistry.v1+json`` by default and negotiates with
``Accept`` among its three JSON media types; it takes request bodies in those types or
``application/octet-stream``. Subjects may contain ``/`` sent as ``%2F``: the path middleware
keeps those escaped for routing, and :func:`path_text` unescapes a path value.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import orjson
from fastapi import Request
from fastapi.responses import Response

from charter.registry import errors
from charter.registry.contexts import canonical_subject
from charter.registry.store.state import LATEST, MAX_VERSION

V1_JSON = "application/vnd.schemaregistry.v1+json"
SR_JSON = "application/vnd.schemaregistry+json"
PLAIN_JSON = "application/json"
# Server preference (Jersey "qs") for each type we can produce.
PRODUCES: dict[str, float] = {V1_JSON: 1.0, SR_JSON: 0.9, PLAIN_JSON: 0.5}
CONSUMES = frozenset({V1_JSON, SR_JSON, PLAIN_JSON, "application/octet-stream"})

_accept_cache: dict[str, str | None] = {}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when nothing acceptable can be produced."""
    if not accept:
        return V1_JSON
    cached = _accept_cache.get(accept)
    if cached is not None or accept in _accept_cache:
        return cached
    best, best_score = None, 0.0
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            name, _, val = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        for produced, qs in PRODUCES.items():
            if media in (produced, "*/*", "application/*"):
                score = q * qs
                if score > best_score:
                    best, best_score = produced, score
    if len(_accept_cache) < 256:
        _accept_cache[accept] = best
    return best


def request_body_allowed(content_type: str | None) -> bool:
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in CONSUMES


def respond(request: Request, data: Any, status: int = 200) -> Response:
    media = request.scope.get("charter.media_type") or V1_JSON
    return Response(orjson.dumps(data), status_code=status, media_type=media)


def respond_text(request: Request, text: str) -> Response:
    media = request.scope.get("charter.media_type") or V1_JSON
    return Response(text.encode(), media_type=media)


async def json_body(request: Request) -> Any:
    """The request body as JSON; 400 (Confluent/rest-utils style) when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        raise errors.bad_request("The request body is empty; send a JSON object")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"Unrecognized token in the request body: not valid JSON ({exc})") from None


def flag(request: Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter, read as Jersey does (``true`` in any case, else false)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return raw.strip().lower() == "true"


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise errors.bad_request(f"Query parameter '{name}' must be an integer, got {raw!r}") from None


def page(items: list[Any], request: Request) -> list[Any]:
    """Apply Confluent's ``offset`` and ``limit`` (-1 or absent: no limit)."""
    offset = max(int_param(request, "offset", 0), 0)
    limit = int_param(request, "limit", -1)
    items = items[offset:]
    return items if limit < 0 else items[:limit]


def path_text(request: Request, name: str) -> str:
    """A path parameter with the %2F / %25 escapes of the path middleware undone."""
    value = request.path_params[name]
    return unquote(value) if "%" in value else value


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def subject_param(request: Request) -> str:
    """The subject path value; 42208 when empty, holding control characters or naming a malformed
    context (``:.ctx:name``, see :mod:`charter.registry.contexts`). ``:.:name`` is ``name``."""
    subject = path_text(request, "subject")
    if not subject or _CONTROL_CHARS.search(subject):
        raise errors.invalid_subject(subject)
    return canonical_subject(subject)


def version_param(request: Request) -> int:
    """``latest``, -1 or 1..2^31-1; 42202 otherwise."""
    raw = path_text(request, "version")
    if raw.lower() == "latest":
        return LATEST
    try:
        value = int(raw)
    except ValueError:
        raise errors.invalid_version(raw) from None
    if value == -1:
        return LATEST
    if value < 1 or value > MAX_VERSION:
        raise errors.invalid_version(raw)
    return value
