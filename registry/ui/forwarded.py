"""The console's "Register" on a worker of a ``--workers`` pool that does not write: sent to the writer.

A browser cannot pick the worker that answers, so a pooled worker hands the registration to the
pool's writer (or, on Kafka, the primary) through the JSON API, as the API's own forwarding does:
``POST /subjects/{subject}/versions`` with the caller's ``Authorization`` header, after this worker
checked the form's origin and the user's grants itself. The answer's ``X-Charter-Offset`` is waited
for, so the page shows the registered version from this worker's own state.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request

from charter.registry import errors
from charter.registry.api.errors import read_body
from charter.registry.api.forward import FORWARDED_HEADER, OFFSET_HEADER, PRIMARY_WAIT_S
from charter.registry.api.http import V1_JSON
from charter.registry.store.state import RegistryState, SubjectVersion

_client: Any = None


async def register_on_primary(request: Request, cluster: Any, state: RegistryState, subject: str,
                              body: dict[str, Any], stored_under: str) -> tuple[SubjectVersion, bool]:
    """Register ``body`` under ``subject`` on the writer; the version (from this worker's state) and
    whether it is new (``cluster``: the app's ClusterView; ``stored_under``: the subject an alias
    stands for, where the version lands). The writer's refusal is raised as the same registry error."""
    import httpx  # only a pooled worker's console needs it

    global _client
    primary = await cluster.wait_for_primary(PRIMARY_WAIT_S)
    if primary is None:
        raise errors.unknown_leader("no worker or instance writes right now; retry shortly")
    known = {sv.version for sv in state.versions(stored_under, include_deleted=True)}
    headers = {"Content-Type": V1_JSON, FORWARDED_HEADER.decode(): "1"}
    if "authorization" in request.headers:
        headers["Authorization"] = request.headers["authorization"]
    if _client is None:
        _client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0))
    url = f"{primary.rstrip('/')}/subjects/{quote(subject, safe='')}/versions"
    try:
        response = await _client.post(url, json={k: v for k, v in body.items() if v is not None}, headers=headers)
    except httpx.HTTPError as exc:
        raise errors.forwarding_failed(f" to the writer at {primary}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise read_body(response.status_code, response.content)
    answer = response.json()
    offset = response.headers.get(OFFSET_HEADER.decode())
    await cluster.read_barrier(int(offset) if offset and offset.lstrip("-").isdigit() else -1)
    registered = state.version(stored_under, int(answer["version"]))
    if registered is None:
        raise errors.operation_timed_out(f"{subject} version {answer['version']} was registered (id {answer['id']}) "
                                         "but is not readable here yet; reload the page")
    return registered, registered.version not in known
