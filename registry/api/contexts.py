"""``/contexts``: the schema contexts (Confluent's ``GET /contexts`` and ``DELETE /contexts/{ctx}``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api.deps import service
from charter.registry.api.http import page, path_text, respond
from charter.registry.api.routing import Router

router = Router()


@router.get("/contexts")
async def list_contexts(request: Request) -> Response:
    prefix = request.query_params.get("contextPrefix") or ""
    return respond(request, page(service(request).contexts.list(prefix), request))


@router.delete("/contexts/{context}", writes=True)
async def delete_context(request: Request) -> Response:
    context = path_text(request, "context")
    if len(context) > 1 and context.startswith(":") and context.endswith(":"):  # ":.ctx:" as well
        context = context[1:-1]
    await service(request).contexts.delete(context)
    return Response(status_code=204)
