"""``GET /status``: readiness, role and log position, for operators, load balancers and failover tests.

Answers 200 when the instance is ready (the log was replayed to its end) and 503 before, with the
same JSON body: ``ready`` (serves reads), ``writable`` (a write sent here now can be carried out:
by this primary, or forwarded by a follower to a known primary), ``reason`` (why not ready or not
writable, else null), ``role`` (``primary`` | ``follower``), ``primary_url``, ``group_member_id``
(this instance's member id in the current generation of the election group; null on the embedded
log), ``offset`` (last log offset applied), the store and counts.

Probes for orchestrators: ``GET /status/live`` (liveness: 200 whenever the process answers) and
``GET /status/ready`` (readiness: 200 when the instance serves reads and, on the primary, also
accepts writes; 503 otherwise). A follower stays ready while no primary is elected: its reads
still work, and taking it out of rotation would not bring a primary back.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from charter.registry.api.deps import service
from charter.registry.api.http import respond
from charter.registry.api.routing import Router
from charter.registry.cluster import ClusterView

router = Router()


@router.get("/status", open=True)
async def status(request: Request) -> Response:
    cluster: ClusterView = request.app.state.cluster
    state = service(request).state
    writable, reason = cluster.write_status()
    body = {
        "ready": cluster.ready,
        "writable": writable,
        "reason": reason,
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


@router.get("/status/live", open=True, include_in_schema=False)
async def live(request: Request) -> Response:
    """``GET /status/live``: liveness; 200 as long as the process serves HTTP (ready or not)."""
    return respond(request, {"alive": True}, 200)


@router.get("/status/ready", open=True, include_in_schema=False)
async def ready(request: Request) -> Response:
    """``GET /status/ready``: readiness; the primary is ready only while it accepts writes."""
    cluster: ClusterView = request.app.state.cluster
    writable, reason = cluster.write_status()
    serving = cluster.ready and (writable or not cluster.writes_here())
    body = {"ready": serving, "writable": writable, "role": cluster.role, "reason": reason}
    return respond(request, body, 200 if serving else 503)
