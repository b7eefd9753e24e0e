"""``/subjects/{s}/versions/{v}/tags``: edit a version's inline schema tags into a new version.

The use case is :mod:`charter.registry.usecases.tags`; ``findTags`` on the schema reads is served
by the subjects and schemas routers with the same use case.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api.bodies import read_tag_request
from charter.registry.api.deps import service
from charter.registry.api.http import json_body, respond, subject_param, version_param
from charter.registry.api.routing import Router

router = Router()


@router.post("/subjects/{subject}/versions/{version}/tags", writes=True, role="write", subject="subject")
async def tag_version(request: Request) -> Response:
    """Add or remove inline tags of a version's schema; the result is registered as a new
    version. Answers ``{"id", "version", "guid"}`` of the version registered (or found)."""
    subject, version = subject_param(request), version_param(request)
    body = read_tag_request(await json_body(request))
    sv = await service(request).tags.tag_schema(subject, version, body)
    return respond(request, {"id": sv.schema.id, "version": sv.version, "guid": sv.schema.guid})
