"""``/associations``: link subjects to resources (Kafka topics), as Confluent's API does.

Lookups answer ``200 []`` when nothing matches, as Confluent's ``AssociationsResource`` does
(confluent-kafka-python's ASSOCIATED subject-name strategy then falls back, as on a 404); only the
``DELETE`` routes answer 40410 when nothing matches. The three ``DELETE``
routes take ``cascadeLifecycle=true|false`` (any case): with true, the subjects of the STRONG
associations deleted are deleted permanently too (see ``registry.usecases.associations``). The
bodies, batch calls (``POST /associations:batchGet`` and ``:batchMutate``) included, are read by
``registry.api.association_bodies``.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api import views
from charter.registry.api.access import only_readable
from charter.registry.api.association_bodies import (
    check_filters,
    parse_flag,
    parse_upsert,
    read_batch_get,
    read_batch_mutate,
)
from charter.registry.api.deps import service
from charter.registry.api.http import ASSOCIATION_REQUEST_TEXTS, json_body, page, path_text, respond, subject_param
from charter.registry.api.routing import Router
from charter.registry.usecases.associations import Upsert

router = Router()


def _filters(request: Request) -> dict[str, Any]:
    """``resourceType``, ``associationType`` (repeated or comma-separated) and ``lifecycle``; 42212
    for a value that is none of Confluent's."""
    q = request.query_params
    types = [t for value in q.getlist("associationType") for t in value.split(",") if t]
    return check_filters(q.get("resourceType") or None, types or None, q.get("lifecycle") or None)


def _cascade(request: Request) -> bool:
    raw = request.query_params.get("cascadeLifecycle")
    return False if raw is None else parse_flag(raw, "cascadeLifecycle")


def _views(request: Request, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The associations as Confluent shows them; only those of subjects the caller may read."""
    associations = service(request).associations
    shown = only_readable(request, found, lambda value: value["subject"])
    return [views.association(value, associations.guid_of(value["subject"])) for value in shown]


def _answer(request: Request, found: list[dict[str, Any]]) -> Response:
    """A lookup's answer: the matching associations, ``[]`` when none (AssociationsResource)."""
    return respond(request, page(_views(request, found), request))


async def _upsert(request: Request, *, replace: bool) -> Response:
    svc = service(request)
    body = await json_body(request, ASSOCIATION_REQUEST_TEXTS)
    upsert = parse_upsert(body, svc.settings.max_schema_bytes)
    await svc.associations.create_or_update(upsert, replace=replace)
    return respond(request, views.association_response(upsert))


async def _delete(request: Request, **selector: str) -> Response:
    filters, cascade = _filters(request), _cascade(request)
    await service(request).associations.delete(cascade=cascade, **selector, **filters)
    return Response(status_code=204)


@router.post("/associations", writes=True)
async def create_associations(request: Request) -> Response:
    return await _upsert(request, replace=False)


@router.put("/associations", writes=True)
async def create_or_update_associations(request: Request) -> Response:
    return await _upsert(request, replace=True)


@router.post("/associations:batchGet", role="read")
async def batch_get_associations(request: Request) -> Response:
    selectors = read_batch_get(await json_body(request))
    found = service(request).associations.batch_get(selectors)
    return respond(request, {"responses": [{"associations": _views(request, values)} for values in found]})


@router.post("/associations:batchMutate", writes=True)
async def batch_mutate_associations(request: Request) -> Response:
    svc = service(request)
    mutations = read_batch_mutate(await json_body(request), svc.settings.max_schema_bytes)
    deleted = await svc.associations.batch_mutate(mutations)
    responses = [views.association_response(entry) if isinstance(entry, Upsert) else {"deleted": count}
                 for (_op, entry), count in zip(mutations, deleted, strict=True)]
    return respond(request, {"responses": responses})


@router.get("/associations/subjects/{subject}")
async def associations_by_subject(request: Request) -> Response:
    subject = subject_param(request)
    found = service(request).associations.find(subject=subject, **_filters(request))
    return _answer(request, found)


@router.delete("/associations/subjects/{subject}", writes=True)
async def delete_associations_of_subject(request: Request) -> Response:
    return await _delete(request, subject=subject_param(request))


@router.get("/associations/resources/{resource_id}")
async def associations_by_resource_id(request: Request) -> Response:
    rid = path_text(request, "resource_id")
    found = service(request).associations.find(resource_id=rid, **_filters(request))
    return _answer(request, found)


@router.delete("/associations/resources/{resource_id}", writes=True)
async def delete_associations_by_resource_id(request: Request) -> Response:
    return await _delete(request, resource_id=path_text(request, "resource_id"))


@router.get("/associations/resources/{namespace}/{name}")
async def associations_by_resource(request: Request) -> Response:
    namespace, name = path_text(request, "namespace"), path_text(request, "name")
    found = service(request).associations.find(namespace=namespace, name=name, **_filters(request))
    return _answer(request, found)


@router.delete("/associations/resources/{namespace}/{name}", writes=True)
async def delete_associations_of_resource(request: Request) -> Response:
    namespace, name = path_text(request, "namespace"), path_text(request, "name")
    return await _delete(request, namespace=namespace, name=name)
