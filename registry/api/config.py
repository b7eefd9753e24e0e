"""``/config`` and ``/mode``: compatibility settings and modes, global and per subject."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api import views
from charter.registry.api.access import require_alias_target
from charter.registry.api.bodies import read_config_update, read_mode
from charter.registry.api.deps import service
from charter.registry.api.http import (
    CONFIG_REQUEST_TEXTS,
    MODE_REQUEST_TEXTS,
    flag,
    json_body,
    respond,
    subject_param,
)
from charter.registry.api.routing import Router

router = Router()


async def _set_config(request: Request, subject: str | None) -> Response:
    """A ConfigUpdateRequest body (an unknown level is refused with Confluent's
    RestInvalidCompatibilityException text, 42203); answers the update as given."""
    update = read_config_update(await json_body(request, CONFIG_REQUEST_TEXTS))
    alias = update.fields.get("alias")
    if subject is not None and alias:
        require_alias_target(request, subject, alias)
    await service(request).config.set_config(subject, update)
    return respond(request, views.config_update(update))


async def _set_mode(request: Request, subject: str | None) -> Response:
    """A ModeUpdateRequest body; answers the mode set."""
    mode = read_mode(await json_body(request, MODE_REQUEST_TEXTS))
    await service(request).config.set_mode(subject, mode, flag(request, "force"))
    return respond(request, {"mode": mode.value})


@router.get("/config")
async def get_global_config(request: Request) -> Response:
    return respond(request, service(request).config.get_config(None, True))


@router.put("/config", writes=True)
async def put_global_config(request: Request) -> Response:
    return await _set_config(request, None)


@router.delete("/config", writes=True)
async def delete_global_config(request: Request) -> Response:
    return respond(request, await service(request).config.delete_config(None))


@router.get("/config/{subject}", subject="subject", alias=False)
async def get_subject_config(request: Request) -> Response:
    svc = service(request)
    return respond(request, svc.config.get_config(subject_param(request), flag(request, "defaultToGlobal")))


@router.put("/config/{subject}", writes=True, subject="subject", alias=False)
async def put_subject_config(request: Request) -> Response:
    return await _set_config(request, subject_param(request))


@router.delete("/config/{subject}", writes=True, subject="subject", alias=False)
async def delete_subject_config(request: Request) -> Response:
    return respond(request, await service(request).config.delete_config(subject_param(request)))


@router.get("/mode")
async def get_global_mode(request: Request) -> Response:
    return respond(request, {"mode": service(request).config.get_mode(None, True)})


@router.put("/mode", writes=True)
async def put_global_mode(request: Request) -> Response:
    return await _set_mode(request, None)


@router.delete("/mode", writes=True)
async def delete_global_mode(request: Request) -> Response:
    return respond(request, {"mode": await service(request).config.delete_mode(None)})


@router.get("/mode/{subject}", subject="subject", alias=False)
async def get_subject_mode(request: Request) -> Response:
    mode = service(request).config.get_mode(subject_param(request), flag(request, "defaultToGlobal"))
    return respond(request, {"mode": mode})


@router.put("/mode/{subject}", writes=True, subject="subject", alias=False)
async def put_subject_mode(request: Request) -> Response:
    return await _set_mode(request, subject_param(request))


@router.delete("/mode/{subject}", writes=True, subject="subject", alias=False)
async def delete_subject_mode(request: Request) -> Response:
    return respond(request, {"mode": await service(request).config.delete_mode(subject_param(request))})
