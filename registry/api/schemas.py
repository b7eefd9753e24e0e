"""``/schemas``: schemas by global id, the list of all schemas, and the supported types."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.compat.formats import supported_types
from charter.registry.api import views
from charter.registry.api.access import formatted_text, only_readable, readable, require_schema
from charter.registry.api.deps import service
from charter.registry.api.http import flag, java_int_param, page, path_text, respond, respond_text
from charter.registry.api.routing import Router
from charter.registry.contexts import canonical_subject, check_prefix
from charter.registry.store.state import SchemaContent, SubjectVersion
from charter.registry.usecases import schema_list
from charter.registry.usecases.schema_list import SchemaFilter

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
    svc = service(request)
    visible = readable(request)
    for sv, aliases in schema_list.list_schemas(svc.state, svc.associations, wanted):
        if visible is not None:
            if not visible(sv.subject):
                continue
            aliases = [name for name in aliases if visible(name)]
        entry = views.subject_version(sv)
        if aliases:
            entry["aliases"] = aliases
        out.append(entry)
    return respond(request, page(out, request))


@router.get("/schemas/ids/{schema_id}", hot=0)
async def schema_by_id(request: Request) -> Response:
    svc = service(request)
    subject = _subject(request)
    schema_id = _schema_id(request)
    content = svc.reads.schema_by_id(schema_id, subject)
    require_schema(request, svc.reads, content, f"schema {schema_id}")
    found = svc.reads.version_under(content, subject, readable(request)) if subject else None
    text = await formatted_text(request, svc.reads, content, request.query_params.get("format"))
    body = views.schema_string(content, text, found)
    if flag(request, "fetchMaxId"):
        body["maxId"] = svc.state.space(content.context).max_id
    views.add_schema_tags(body, await svc.tags.find_tags(content, request.query_params.getlist("findTags")))
    return respond(request, body)


@router.get("/schemas/ids/{schema_id}/schema")
async def raw_schema_by_id(request: Request) -> Response:
    reads = service(request).reads
    schema_id = _schema_id(request)
    content = reads.schema_by_id(schema_id, _subject(request))
    require_schema(request, reads, content, f"schema {schema_id}")
    return respond_text(request, await formatted_text(request, reads, content, request.query_params.get("format")))


def _versions_of_id(request: Request) -> list[SubjectVersion]:
    """The versions using the schema that the caller may read (403 when there is none)."""
    reads = service(request).reads
    schema_id = _schema_id(request)
    content = reads.schema_by_id(schema_id, _subject(request))
    require_schema(request, reads, content, f"schema {schema_id}")
    deleted = flag(request, "deleted")
    versions = [sv for sv in reads.users_of(content) if deleted or not sv.deleted]
    return only_readable(request, versions, lambda sv: sv.subject)


@router.get("/schemas/ids/{schema_id}/subjects")
async def subjects_of_id(request: Request) -> Response:
    subjects = sorted({sv.subject for sv in _versions_of_id(request)})
    return respond(request, page(subjects, request))


@router.get("/schemas/ids/{schema_id}/versions")
async def versions_of_id(request: Request) -> Response:
    out = [{"subject": sv.subject, "version": sv.version} for sv in _versions_of_id(request)]
    return respond(request, page(out, request))


def _by_guid(request: Request) -> SchemaContent:
    """The schema with the GUID (40403 when unknown; 403 when the caller may read none of its subjects)."""
    reads = service(request).reads
    guid = path_text(request, "guid")
    content = reads.schema_by_guid(guid)
    require_schema(request, reads, content, f"schema {guid}")
    return content


@router.get("/schemas/guids/{guid}")
async def schema_by_guid(request: Request) -> Response:
    content = _by_guid(request)
    text = await formatted_text(request, service(request).reads, content, request.query_params.get("format"))
    return respond(request, views.schema_string(content, text))


@router.get("/schemas/guids/{guid}/ids")
async def ids_of_guid(request: Request) -> Response:
    reads = service(request).reads
    guid = path_text(request, "guid")
    first = reads.schema_by_guid(guid)  # 40403 when unknown
    found = reads.state.schemas_by_guid(guid)
    visible = readable(request)
    if visible is not None:
        shown = [c for c in found if reads.schema_readable(c, visible)]
        if not shown:
            require_schema(request, reads, first, f"schema {guid}")  # the 403: none is readable
        found = shown
    return respond(request, [{"context": c.context, "id": c.id} for c in found])
