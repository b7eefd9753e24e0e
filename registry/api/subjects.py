"""``/subjects``: register, look up, list and delete subjects and their versions."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api import views
from charter.registry.api.access import (
    formatted_text,
    only_readable,
    readable,
    require_references,
    require_schema_request,
)
from charter.registry.api.bodies import read_register_tags, read_schema_request
from charter.registry.api.deps import service
from charter.registry.api.http import (
    SCHEMA_REQUEST_TEXTS,
    flag,
    json_body,
    page,
    respond,
    respond_text,
    subject_param,
    version_param,
)
from charter.registry.api.routing import Router
from charter.registry.contexts import WILDCARD, check_prefix, context_of

router = Router()


@router.get("/subjects")
async def list_subjects(request: Request) -> Response:
    prefix = check_prefix(request.query_params.get("subjectPrefix") or WILDCARD)
    deleted_only = flag(request, "deletedOnly")
    subjects = service(request).reads.subjects(prefix, deleted=flag(request, "deleted"), deleted_only=deleted_only)
    return respond(request, page(only_readable(request, subjects, str), request))


@router.post("/subjects/{subject}", role="read", subject="subject", hot=1)
async def lookup(request: Request) -> Response:
    svc = service(request)
    subject = subject_param(request)
    body = read_schema_request(await json_body(request, SCHEMA_REQUEST_TEXTS), svc.settings.max_schema_bytes)
    require_references(request, svc.reads, body.references, context_of(subject))
    sv = await svc.schemas.lookup(
        subject, body, normalize=flag(request, "normalize"), deleted=flag(request, "deleted")
    )
    return respond(request, views.subject_version(sv))


@router.delete("/subjects/{subject}", writes=True, subject="subject", alias=False)
async def delete_subject(request: Request) -> Response:
    svc = service(request)
    versions = await svc.deletes.delete_subject(subject_param(request), flag(request, "permanent"))
    return respond(request, versions)


@router.get("/subjects/{subject}/versions", subject="subject")
async def list_versions(request: Request) -> Response:
    subject = subject_param(request)
    deleted_only = flag(request, "deletedOnly")
    versions = service(request).reads.versions(subject, deleted=flag(request, "deleted"), deleted_only=deleted_only)
    as_negative = flag(request, "deletedAsNegative")
    numbers = [-v.version if (as_negative and v.deleted) else v.version for v in versions]
    return respond(request, page(numbers, request))


@router.post("/subjects/{subject}/versions", writes=True, role="write", subject="subject")
async def register(request: Request) -> Response:
    svc = service(request)
    subject = subject_param(request)
    raw = await json_body(request, SCHEMA_REQUEST_TEXTS)
    body = read_schema_request(raw, svc.settings.max_schema_bytes)
    require_schema_request(request, svc.reads, subject, body.references)
    body = await svc.tags.with_register_tags(subject, body, read_register_tags(raw))  # schemaTagsToAdd/Remove
    sv, _created = await svc.schemas.register(subject, body, normalize=flag(request, "normalize"))
    return respond(request, views.register_response(sv))  # SubjectVersionsResource.register


@router.get("/subjects/{subject}/versions/{version}", subject="subject", hot=2)
async def get_version(request: Request) -> Response:
    svc = service(request)
    subject, version = svc.reads.resolve_subject(subject_param(request)), version_param(request)
    sv = svc.reads.resolve_version(subject, version, include_deleted=flag(request, "deleted"))
    text = await formatted_text(request, svc.reads, sv.schema, request.query_params.get("format"))
    body = views.subject_version(sv, text)
    views.add_schema_tags(body, await svc.tags.find_tags(sv.schema, request.query_params.getlist("findTags")))
    return respond(request, body)


@router.get("/subjects/{subject}/versions/{version}/schema", subject="subject")
async def get_version_schema(request: Request) -> Response:
    reads = service(request).reads
    subject, version = reads.resolve_subject(subject_param(request)), version_param(request)
    sv = reads.resolve_version(subject, version, include_deleted=flag(request, "deleted"))
    return respond_text(request, await formatted_text(request, reads, sv.schema, request.query_params.get("format")))


@router.get("/subjects/{subject}/versions/{version}/referencedby", subject="subject")
@router.get("/subjects/{subject}/versions/{version}/referencedBy", subject="subject", include_in_schema=False)
async def referenced_by(request: Request) -> Response:
    subject, version = subject_param(request), version_param(request)
    ids = service(request).reads.referenced_by(subject, version, deleted=flag(request, "deleted"),
                                               readable=readable(request))
    return respond(request, page(ids, request))


@router.delete("/subjects/{subject}/versions/{version}", writes=True, subject="subject", alias=False)
async def delete_version(request: Request) -> Response:
    svc = service(request)
    subject, version = subject_param(request), version_param(request)
    deleted = await svc.deletes.delete_version(subject, version, flag(request, "permanent"))
    return respond(request, deleted)
