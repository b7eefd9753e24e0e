"""``GET /status``: readiness, role and log position, for operators, load balancers and failover tests.

Answers 200 when the instance is ready (the log was replayed to its end) and 503 before, with the
same JSON body: ``ready``, ``role`` (``primary`` | ``follower``), ``primary_url``,
``group_member_id`` (this instance's member id in the current generation of the election group;
null on the embedded log), ``offset`` (last log offset applied), the store and counts.
``GET /status/live`` is the liveness probe: 200 whenever the process answers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from charter.registry.api.deps import service
from charter.registry.api.http import respond
from charter.registry.cluster import ClusterView

router = APIRouter()


@router.get("/status")
async def status(request: Request) -> Response:
    cluster: ClusterView = request.app.state.cluster
    state = service(request).state
    body = {
        "ready": cluster.ready,
        "role": cluster.role,
        "primary_url": cluster.primary_url,
        "group_member_id": cluster.member_id,
        "offset": state.offset,
        "advertised_url": cluster.advertised_url,
        "subjects": len(state.subjects),
        "schemas": state.schema_count(),
        "max_id": state.max_id,
        "records_skipped": state.skipped,
        **cluster.status(),
    }
    return respond(request, body, 200 if cluster.ready else 503)


async def live(request: Request) -> Response:
    """``GET /status/live``: liveness; 200 as long as the process serves HTTP (ready or not)."""
    return respond(request, {"alive": True}, 200)
