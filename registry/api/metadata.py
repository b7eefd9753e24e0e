"""Data-contract reads: ``GET /subjects/{s}/metadata`` and the ``/v1/metadata`` cluster identity."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry import errors
from charter.registry.api import views
from charter.registry.api.access import formatted_text
from charter.registry.api.deps import service
from charter.registry.api.http import flag, respond, subject_param
from charter.registry.api.routing import Router

router = Router()

VERSION = "0.1.0"


@router.get("/subjects/{subject}/metadata", subject="subject")
async def latest_with_metadata(request: Request) -> Response:
    """The latest version whose metadata properties hold every ``key``/``value`` pair given."""
    reads = service(request).reads
    keys, values = request.query_params.getlist("key"), request.query_params.getlist("value")
    if len(keys) != len(values):
        raise errors.bad_request("Give as many 'value' parameters as 'key' parameters (key=k1&value=v1&...)")
    wanted = dict(zip(keys, values, strict=True))
    sv = reads.latest_with_metadata(subject_param(request), wanted, deleted=flag(request, "deleted"))
    text = await formatted_text(request, reads, sv.schema, request.query_params.get("format"))
    return respond(request, views.subject_version(sv, text))


@router.get("/v1/metadata/id")
async def cluster_id(request: Request) -> Response:
    settings = service(request).settings
    clusters = {"kafka-cluster": getattr(settings, "kafka_cluster_id", None) or "",
                "schema-registry-cluster": settings.group_id}
    return respond(request, {"scope": {"path": [], "clusters": clusters}})


@router.get("/v1/metadata/version")
async def server_version(request: Request) -> Response:
    return respond(request, {"version": VERSION, "commitId": ""})
