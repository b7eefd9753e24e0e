"""HTTP plumbing shared by the routers: content types, JSON bodies, query and path values.

Confluent answers ``application/vnd.schemaregistry.v1+json`` by default and negotiates with
``Accept`` among its three JSON media types; it takes request bodies in those types or
``application/octet-stream``. Subjects may contain ``/`` sent as ``%2F``: the path middleware
keeps those escaped for routing, and :func:`path_text` unescapes a path value. The refusals
Confluent's REST stack (Jersey) makes before a resource runs are here too (:func:`http_status`).

Request bodies are read as Confluent's Jackson reads them: the encoding (UTF-8, -16 or -32) is
detected from the first bytes, and the String properties of Confluent's request classes take a
number or boolean as its text (:func:`json_body` with ``texts``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import orjson
from fastapi import Request
from fastapi.responses import Response

from charter.registry import errors
from charter.registry.contexts import canonical_subject
from charter.registry.errors import RegistryError
from charter.registry.store.state import LATEST, MAX_VERSION

V1_JSON = "application/vnd.schemaregistry.v1+json"
SR_JSON = "application/vnd.schemaregistry+json"
PLAIN_JSON = "application/json"
# Server preference (Jersey "qs") for each type we can produce.
PRODUCES: dict[str, float] = {V1_JSON: 1.0, SR_JSON: 0.9, PLAIN_JSON: 0.5}
CONSUMES = frozenset({V1_JSON, SR_JSON, PLAIN_JSON, "application/octet-stream"})
MEDIA_TYPE = "charter.media_type"  # scope key: the media type negotiated for the answer
# JAX-RS Response.Status reason phrases, for Jersey's refusals (:func:`http_status`).
_JAXRS_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
}

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
            if _media_matches(media, produced):
                score = q * qs
                if score > best_score:
                    best, best_score = produced, score
    if len(_accept_cache) < 256:
        _accept_cache[accept] = best
    return best


def _media_matches(accepted: str, produced: str) -> bool:
    """Whether an ``Accept`` entry covers a type, as JAX-RS ``MediaType.isCompatible`` decides:
    a wildcard type (``*``, ``*/*``, even ``*/x``) covers every type whatever its subtype, and
    ``application/*`` every application type. (Java's HttpURLConnection sends a bare ``*``.)"""
    kind, _, subtype = accepted.partition("/")
    if kind == "*":
        return True
    produced_kind, _, produced_subtype = produced.partition("/")
    return kind == produced_kind and subtype in ("*", produced_subtype)


def request_body_allowed(content_type: str | None) -> bool:
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in CONSUMES


def media_of(scope: dict[str, Any]) -> str:
    """The media type negotiated for the answer (Confluent's v1 type when none was)."""
    return scope.get(MEDIA_TYPE) or V1_JSON


def respond(request: Request, data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=media_of(request.scope))


def respond_text(request: Request, text: str) -> Response:
    return Response(text.encode(), media_type=media_of(request.scope))


# Refusals made by Confluent's REST stack (Jersey, rest-utils) before a resource runs: the code is
# the HTTP status and the message is Jersey's "HTTP <status> <reason>".

def http_status(status: int) -> RegistryError:
    """Jersey's refusal for a bare HTTP status, e.g. ``HTTP 405 Method Not Allowed``."""
    return RegistryError(status, f"HTTP {status} {_JAXRS_REASONS.get(status, 'Error')}")


def http_not_found() -> RegistryError:
    """No such resource, or a path value Jersey cannot convert (``/schemas/ids/abc``)."""
    return http_status(404)


def not_acceptable() -> RegistryError:
    return http_status(406)


def unsupported_media_type() -> RegistryError:
    return http_status(415)


def request_too_large(limit: int) -> RegistryError:
    """Charter's own limit (Confluent has none): Jersey's wording, then the limit."""
    return RegistryError(413, f"{http_status(413).message}: the body exceeds {limit} bytes")


def json_mapping(message: str) -> RegistryError:
    """A JSON value of the wrong kind for a request field: rest-utils' JsonMappingExceptionMapper
    answers 400 with Jackson's message."""
    return RegistryError(400, message)


# The String properties of Confluent's request classes (RegisterSchemaRequest with its
# SchemaReference list, ConfigUpdateRequest, ModeUpdateRequest); ``a[].b`` is ``b`` in each item of
# the list ``a``.
SCHEMA_REQUEST_TEXTS = ("schema", "schemaType", "references[].name", "references[].subject")
CONFIG_REQUEST_TEXTS = ("compatibility", "compatibilityPolicy", "compatibilityGroup", "alias", "aliasForDeks")
MODE_REQUEST_TEXTS = ("mode",)
# AssociationCreateOrUpdateRequest: its associations carry an AssociationCreateOrUpdateInfo each,
# whose ``schema`` is an object (a RegisterSchemaRequest).
ASSOCIATION_REQUEST_TEXTS = (
    "resourceName", "resourceNamespace", "resourceId", "resourceType",
    "associations[].subject", "associations[].associationType",
    *(f"associations[].schema.{path}" for path in SCHEMA_REQUEST_TEXTS),
)


async def json_body(request: Request, texts: tuple[str, ...] = ()) -> Any:
    """The request body as JSON; 400 (rest-utils' JsonParseExceptionMapper) when it is not JSON.

    ``texts`` names the String properties of the Confluent request class the body maps to: a
    number or boolean there becomes its text, an object or array is refused (see :func:`as_text`).
    """
    raw = await request.body()
    if not raw.strip():
        raise errors.bad_request("The request body is empty; send a JSON object")
    raw = _as_utf8(raw)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"Unrecognized token in the request body: not valid JSON ({exc})") from None
    for path in texts:
        _coerce_texts(body, path.split("."))
    return body


def _as_utf8(raw: bytes) -> bytes:
    """The body in UTF-8. Like Jackson (ByteSourceJsonBootstrapper), the encoding is detected from
    a byte-order mark or the zero bytes around the first ASCII character, whatever ``charset`` the
    Content-Type declares: a UTF-16 or UTF-32 body is read, a UTF-8 BOM is skipped."""
    encoding = json.detect_encoding(raw)
    if encoding == "utf-8":
        return raw
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise errors.bad_request(f"Invalid {encoding.upper()} in the request body: {exc.reason}") from None
    if not text.strip():
        raise errors.bad_request("No content to map due to end-of-input")
    return text.encode()


def _coerce_texts(node: Any, path: list[str]) -> None:
    if not isinstance(node, dict):
        return  # a body or item of the wrong shape is refused by whoever reads it
    name, rest = path[0], path[1:]
    if name.endswith("[]"):
        items = node.get(name[:-2])
        for item in items if isinstance(items, list) else ():
            _coerce_texts(item, rest)
    elif rest:
        _coerce_texts(node.get(name), rest)
    elif name in node:
        node[name] = as_text(node[name])


def as_text(value: Any) -> Any:
    """A JSON value read into a Java ``String`` property, as Jackson's StringDeserializer does:
    strings and null as they are, a number or boolean as its JSON text (``123`` -> ``"123"``),
    an object or array refused with Jackson's message (400, rest-utils' JsonMappingExceptionMapper)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return orjson.dumps(value).decode()
    kind, token = ("Object", "START_OBJECT") if isinstance(value, dict) else ("Array", "START_ARRAY")
    raise json_mapping(
        f"Cannot deserialize value of type `java.lang.String` from {kind} value (token `JsonToken.{token}`)"
    )


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


_JAVA_INT = re.compile(r"[+-]?[0-9]+")


def java_int_param(request: Request, name: str) -> int:
    """A path value declared ``Integer`` in Confluent's resource (``/schemas/ids/{id}``): a value
    ``Integer.valueOf`` refuses (not a number, out of range) makes Jersey answer 404 Not Found."""
    raw = path_text(request, name)
    if not _JAVA_INT.fullmatch(raw):
        raise http_not_found()
    value = int(raw)
    if not -(2**31) <= value < 2**31:
        raise http_not_found()
    return value


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
