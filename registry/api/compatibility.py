"""``/compatibility``: test a schema against one version or all the versions a level requires."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.compat import CompatibilityResult
from charter.registry import errors
from charter.registry.api.access import require_schema_request
from charter.registry.api.bodies import read_schema_request
from charter.registry.api.deps import service
from charter.registry.api.http import (
    SCHEMA_REQUEST_TEXTS,
    flag,
    json_body,
    respond,
    subject_param,
    version_param,
)
from charter.registry.api.routing import Router

router = Router()


async def _check(request: Request, version: int | None) -> Response:
    svc = service(request)
    subject = subject_param(request)
    verbose = flag(request, "verbose")
    body = read_schema_request(await json_body(request, SCHEMA_REQUEST_TEXTS), svc.settings.max_schema_bytes)
    require_schema_request(request, svc.reads, subject, body.references)
    try:
        result = await svc.schemas.check(subject, version, body, normalize=flag(request, "normalize"))
    except errors.RegistryError as exc:
        if exc.error_code != 42201 or not verbose:
            raise
        result = CompatibilityResult(False, [exc.message])
    out: dict[str, object] = {"is_compatible": result.is_compatible}
    if verbose:
        out["messages"] = result.messages
    return respond(request, out)


@router.post("/compatibility/subjects/{subject}/versions/{version}", role="read", subject="subject")
async def check_version(request: Request) -> Response:
    return await _check(request, version_param(request))


@router.post("/compatibility/subjects/{subject}/versions", role="read", subject="subject")
async def check_all(request: Request) -> Response:
    return await _check(request, None)
