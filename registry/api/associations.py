"""``/associations``: link subjects to resources (Kafka topics), as Confluent's API does.

Lookups answer 404 (40410) when nothing matches, which is what makes confluent-kafka-python's
default ASSOCIATED subject-name strategy fall back to the topic strategy.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from charter.registry import errors
from charter.registry.api.deps import service
from charter.registry.api.http import json_body, page, path_text, respond, subject_param

router = APIRouter()


def _filters(request: Request) -> dict[str, object]:
    q = request.query_params
    types = [t for value in q.getlist("associationType") for t in value.split(",") if t]
    return {
        "resource_type": q.get("resourceType") or None,
        "association_types": types or None,
        "lifecycle": q.get("lifecycle") or None,
    }


def _answer(request: Request, found: list[dict[str, object]], what: str) -> Response:
    if not found:
        raise errors.association_not_found(f"No associations found for {what}")
    return respond(request, page(service(request).associations.views(found), request))


@router.post("/associations")
async def create_associations(request: Request) -> Response:
    svc = service(request)
    return respond(request, await svc.associations.create_or_update(await json_body(request), replace=False))


@router.put("/associations")
async def create_or_update_associations(request: Request) -> Response:
    svc = service(request)
    return respond(request, await svc.associations.create_or_update(await json_body(request), replace=True))


@router.get("/associations/subjects/{subject}")
async def associations_by_subject(request: Request) -> Response:
    subject = subject_param(request)
    found = service(request).associations.find(subject=subject, **_filters(request))  # type: ignore[arg-type]
    return _answer(request, found, f"subject '{subject}'")


@router.delete("/associations/subjects/{subject}")
async def delete_associations_of_subject(request: Request) -> Response:
    await service(request).associations.delete(subject=subject_param(request), **_filters(request))
    return Response(status_code=204)


@router.get("/associations/resources/{resource_id}")
async def associations_by_resource_id(request: Request) -> Response:
    rid = path_text(request, "resource_id")
    found = service(request).associations.find(resource_id=rid, **_filters(request))  # type: ignore[arg-type]
    return _answer(request, found, f"resource id '{rid}'")


@router.delete("/associations/resources/{resource_id}")
async def delete_associations_by_resource_id(request: Request) -> Response:
    rid = path_text(request, "resource_id")
    await service(request).associations.delete(resource_id=rid, **_filters(request))
    return Response(status_code=204)


@router.get("/associations/resources/{namespace}/{name}")
async def associations_by_resource(request: Request) -> Response:
    namespace, name = path_text(request, "namespace"), path_text(request, "name")
    found = service(request).associations.find(namespace=namespace, name=name, **_filters(request))  # type: ignore[arg-type]
    return _answer(request, found, f"resource '{name}' in namespace '{namespace}'")


@router.delete("/associations/resources/{namespace}/{name}")
async def delete_associations_of_resource(request: Request) -> Response:
    namespace, name = path_text(request, "namespace"), path_text(request, "name")
    await service(request).associations.delete(namespace=namespace, name=name, **_filters(request))
    return Response(status_code=204)
