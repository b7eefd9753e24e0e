"""``/schemas``: schemas by global id, the list of all schemas, and the supported types."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.compat.formats import supported_types
from charter.registry import errors, schema_list
from charter.registry.api import views
from charter.registry.api.deps import service
from charter.registry.api.http import flag, java_int_param, page, path_text, respond, respond_text
from charter.registry.api.routing import Router
from charter.registry.contexts import canonical_subject, check_prefix
from charter.registry.schema_list import SchemaFilter
from charter.registry.service import RegistryService
from charter.registry.store.state import SchemaContent, SubjectVersion
from charter.registry.tags import add_schema_tags

router = Router()


def _subject(request: Request) -> str | None:
    """The ``subject`` query parameter: its context is the one the id is looked up in."""
    subject = request.query_params.get("subject")
    return canonical_subject(subject) if subject else None


def _schema_id(request: Request) -> int:
    """Confluent declares the id an ``Integer``: a non-number is Jersey's 404 Not Found."""
    return java_int_param(request, "schema_id")


@router.get("/schemas/types")
async def schema_types(request: Request) -> Response:
    return respond(request, supported_types())


@router.get("/schemas")
async def list_schemas(request: Request) -> Response:
    q = request.query_params
    wanted = SchemaFilter(
        prefix=check_prefix(q.get("subjectPrefix") or ""),
        deleted=flag(request, "deleted"),
        latest_only=flag(request, "latestOnly"),
        rule_type=q.get("ruleType") or None,
        resource_type=q.get("resourceType") or None,
        association_type=q.get("associationType") or None,
        lifecycle=q.get("lifecycle") or None,
        aliases=flag(request, "aliases"),
    )
    out = []
    for sv, aliases in schema_list.list_schemas(service(request), wanted):
        entry = views.subject_version(sv)
        if aliases:
            entry["aliases"] = aliases
        out.append(entry)
    return respond(request, page(out, request))


@router.get("/schemas/ids/{schema_id}", hot=0)
async def schema_by_id(request: Request) -> Response:
    svc = service(request)
    subject = _subject(request)
    content = svc.schema_by_id(_schema_id(request), subject)
    found = _version_under(svc, content, subject) if subject else None
    body = views.schema_string(content, await svc.formatted_text(content, request.query_params.get("format")), found)
    if flag(request, "fetchMaxId"):
        body["maxId"] = svc.state.space(content.context).max_id
    await add_schema_tags(svc, content, request.query_params.getlist("findTags"), body)
    return respond(request, body)


def _version_under(svc: RegistryService, content: SchemaContent, subject: str) -> SubjectVersion | None:
    """The subject version ``GET /schemas/ids/{id}?subject=`` reports (Confluent's
    ``getSchemaKeyUsingContexts``): the subject's latest version with this schema, else the first
    subject version that has it (live ones before soft-deleted ones)."""
    subject = svc.resolve_subject(subject)
    holders = sorted(
        (sv for sv in svc.state.iter_versions() if sv.schema is content),
        key=lambda sv: (sv.deleted, sv.subject != subject, sv.subject, -sv.version),
    )
    return holders[0] if holders else None


@router.get("/schemas/ids/{schema_id}/schema")
async def raw_schema_by_id(request: Request) -> Response:
    svc = service(request)
    content = svc.schema_by_id(_schema_id(request), _subject(request))
    return respond_text(request, await svc.formatted_text(content, request.query_params.get("format")))


@router.get("/schemas/ids/{schema_id}/subjects")
async def subjects_of_id(request: Request) -> Response:
    svc = service(request)
    versions = svc.versions_of_id(_schema_id(request), flag(request, "deleted"), _subject(request))
    subjects = sorted({sv.subject for sv in versions})
    return respond(request, page(subjects, request))


@router.get("/schemas/ids/{schema_id}/versions")
async def versions_of_id(request: Request) -> Response:
    svc = service(request)
    versions = svc.versions_of_id(_schema_id(request), flag(request, "deleted"), _subject(request))
    out = [{"subject": sv.subject, "version": sv.version} for sv in versions]
    return respond(request, page(out, request))


def _by_guid(request: Request) -> SchemaContent:
    guid = path_text(request, "guid")
    content = service(request).state.schema_by_guid(guid)
    if content is None:
        raise errors.guid_not_found(guid)
    return content


@router.get("/schemas/guids/{guid}")
async def schema_by_guid(request: Request) -> Response:
    content = _by_guid(request)
    text = await service(request).formatted_text(content, request.query_params.get("format"))
    return respond(request, views.schema_string(content, text))


@router.get("/schemas/guids/{guid}/ids")
async def ids_of_guid(request: Request) -> Response:
    _by_guid(request)  # 40403 when unknown
    found = service(request).state.schemas_by_guid(path_text(request, "guid"))
    return respond(request, [{"context": c.context, "id": c.id} for c in found])
