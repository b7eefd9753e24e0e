"""``/``: the liveness no-op, as in Confluent (``/associations`` lives in api/associations.py)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api.http import respond
from charter.registry.api.routing import Router

router = Router()


@router.get("/", open=True)
async def root_get(request: Request) -> Response:
    return respond(request, {})


@router.post("/")
async def root_post(request: Request) -> Response:
    return respond(request, {})
