"""``/`` (liveness no-op, as in Confluent) and ``/associations`` lookups.

The associations resource is not implemented yet; a lookup answers Confluent's 404 (40410), which
is what makes confluent-kafka-python's default ASSOCIATED subject-name strategy fall back to the
topic strategy.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from charter.registry import errors
from charter.registry.api.http import path_text, respond

router = APIRouter()


@router.get("/")
async def root_get(request: Request) -> Response:
    return respond(request, {})


@router.post("/")
async def root_post(request: Request) -> Response:
    return respond(request, {})


@router.get("/associations/resources/{namespace}/{name}")
async def associations_by_resource(request: Request) -> Response:
    name = path_text(request, "name")
    raise errors.association_not_found(f"No associations found for resource '{name}'")


@router.get("/associations/subjects/{subject}")
async def associations_by_subject(request: Request) -> Response:
    subject = path_text(request, "subject")
    raise errors.association_not_found(f"No associations found for subject '{subject}'")
