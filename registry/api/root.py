"""``/``: the liveness no-op, as in Confluent (``/associations`` lives in api/associations.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from charter.registry.api.http import respond

router = APIRouter()


@router.get("/")
async def root_get(request: Request) -> Response:
    return respond(request, {})


@router.post("/")
async def root_post(request: Request) -> Response:
    return respond(request, {})
