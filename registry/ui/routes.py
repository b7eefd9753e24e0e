"""The console's pages, as Starlette routes under ``/ui`` (added to the app by ``create_app``).

Reads use the use cases the JSON API uses (``reads.resolve_version``, ``reads.schema_by_id``,
``schemas.check``, and the state), so the console shows what the API answers. The one write,
"Register" on the check page, is an HTML form POST to ``/ui/check`` that calls
``schemas.register`` exactly as
``POST /subjects/{subject}/versions`` does: modes (READONLY refuses with the server's message),
compatibility and IMPORT rules apply. On a Kafka follower (``cluster.writes_here()`` false) the
console does not forward: it refuses and links the primary's console, where the write can be made;
a worker of a ``--workers`` pool, which a browser cannot choose, hands it to the writer
(:mod:`.forwarded`).
A form POST coming from another site is refused (403) before anything is read: the browser says so
in ``Sec-Fetch-Site`` or ``Origin``, and with authentication on it would otherwise carry the user's
credentials (cross-site request forgery). Clients that send neither header (curl) are not browsers.
Registry errors become HTML pages with the registry's status and message, never a stack trace.

With authentication on, the pages show what the JSON API would show the same user
(:mod:`charter.registry.api.access`): the subject list and a version's "referenced by" list only the
subjects the user may read; a schema page needs some readable subject using the schema; the check
form needs read on its subject (and on every subject its references reach), and "Register" needs
write on it, as ``POST /subjects/{subject}/versions`` does.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute
from starlette.staticfiles import StaticFiles

from charter.compat.formats import supported_types
from charter.compat.model import DEFAULT_SCHEMA_TYPE
from charter.registry import errors
from charter.registry.api.access import only_readable, readable, require, require_schema, require_schema_request
from charter.registry.api.bodies import read_schema_request
from charter.registry.api.errors import status_of
from charter.registry.api.http import path_text
from charter.registry.api.origin import cross_site
from charter.registry.api.routing import DeclaredMount, DeclaredRoute
from charter.registry.contexts import reference_subject
from charter.registry.service import RegistryService
from charter.registry.store.state import LATEST, MAX_VERSION
from charter.registry.ui.compare import compare
from charter.registry.ui.render import HERE, PREFIX, error_page, page, subject_url

log = logging.getLogger(__name__)

PAGE_SIZE = 100
FOLLOWER_REFUSAL = 50003  # "register" on a follower: Confluent's forwarding error code
MAX_PAGE_SIZE = 1000
Endpoint = Callable[[Request], Awaitable[Response]]


def handled(endpoint: Endpoint) -> Endpoint:
    """Registry errors as HTML pages with the registry's status; anything else a plain 500 page."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except errors.RegistryError as exc:
            status = status_of(exc)
            title = "Not found" if status == 404 else "Request refused"
            return error_page(status, title, exc.message, exc.error_code)
        except Exception:
            log.exception("console error on %s %s", request.method, request.url.path)
            return error_page(500, "Internal error", "The console hit an internal error; see the server log.")

    return wrapper


def _svc(request: Request) -> RegistryService:
    return request.app.state.service


def _version(raw: str) -> int:
    """``latest`` or a version number; a malformed one is simply not found."""
    if raw.lower() in ("latest", "-1"):
        return LATEST
    try:
        value = int(raw)
    except ValueError:
        raise errors.version_not_found(raw) from None
    if not 1 <= value <= MAX_VERSION:
        raise errors.version_not_found(raw)
    return value


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(raw), low), high) if raw else default
    except ValueError:
        return default


# ---- subjects ---------------------------------------------------------------------------------


@handled
async def subjects_page(request: Request) -> Response:
    started = time.perf_counter()
    svc = _svc(request)
    params = request.query_params
    search = (params.get("q") or "").strip()
    wanted_type = (params.get("type") or "").upper()
    deleted = params.get("deleted") in ("1", "true", "on")
    size = _int(params.get("size"), PAGE_SIZE, 1, MAX_PAGE_SIZE)
    needle = search.lower()
    visible = readable(request)
    matches = []
    for name, versions in svc.state.subjects.items():
        if not versions or (needle and needle not in name.lower()) or (visible is not None and not visible(name)):
            continue
        latest = None
        for sv in reversed(versions.values()):
            if not sv.deleted:
                latest = sv
                break
        if latest is None:
            if not deleted:
                continue
            latest = next(reversed(versions.values()))
        if wanted_type and latest.schema.schema_type != wanted_type:
            continue
        matches.append((name, latest))
    matches.sort(key=lambda item: item[0])
    pages = max(1, -(-len(matches) // size))
    number = _int(params.get("page"), 1, 1, pages)
    rows = [
        {
            "subject": name,
            "sv": sv,
            "level": svc.config.compatibility_level(name).value,
            "mode": svc.modes.effective(name).value,
        }
        for name, sv in matches[(number - 1) * size: number * size]
    ]
    elapsed = (time.perf_counter() - started) * 1000
    return page(
        "subjects.html", headers={"Server-Timing": f"app;dur={elapsed:.1f}"},
        rows=rows, total=len(matches), page_no=number, pages=pages, size=size, search=search,
        wanted_type=wanted_type, deleted=deleted, types=supported_types(),
        global_level=svc.config.compatibility_level(None).value, global_mode=svc.modes.effective(None).value,
    )


@handled
async def subject_page(request: Request) -> Response:
    svc = _svc(request)
    subject = path_text(request, "subject")
    show_deleted = request.query_params.get("deleted") in ("1", "true", "on")
    raw = request.path_params.get("version") or request.query_params.get("version") or "latest"
    version = _version(raw)
    all_versions = svc.state.versions(subject, include_deleted=True)
    if not all_versions:
        raise errors.subject_not_found(subject)
    # A version asked for by number is shown even when soft-deleted (marked as such).
    sv = svc.reads.resolve_version(subject, version, include_deleted=show_deleted or version != LATEST)
    listed = all_versions if show_deleted else [v for v in all_versions if not v.deleted]
    targets = [(r, reference_subject(sv.schema.context, r.subject)) for r in sv.schema.references]
    refs = [(r, target, svc.state.version(target, r.version) is not None) for r, target in targets]
    referencing = svc.state.referencing(subject, sv.version, include_deleted=show_deleted)
    referenced_by = sorted(only_readable(request, referencing, lambda v: v.subject),
                           key=lambda v: (v.subject, v.version))
    config = svc.config.get_config(subject, True)
    own_config = subject in svc.state.configs
    return page(
        "subject.html", subject=subject, sv=sv, versions=listed, show_deleted=show_deleted,
        refs=refs, referenced_by=referenced_by, config=config, own_config=own_config,
        level=svc.config.compatibility_level(subject).value, mode=svc.modes.effective(subject).value,
        own_mode=subject in svc.state.modes,
    )


@handled
async def diff_page(request: Request) -> Response:
    svc = _svc(request)
    subject = path_text(request, "subject")
    versions = svc.state.versions(subject, include_deleted=True)
    if not versions:
        raise errors.subject_not_found(subject)
    params = request.query_params
    default_from = versions[-2].version if len(versions) > 1 else versions[-1].version
    a = svc.reads.resolve_version(subject, _version(params.get("from") or str(default_from)), include_deleted=True)
    b = svc.reads.resolve_version(subject, _version(params.get("to") or "latest"), include_deleted=True)
    result = await compare(svc.config, svc.reads, a, b)
    return page("diff.html", subject=subject, versions=versions, a=a, b=b, cmp=result)


# ---- check a change -------------------------------------------------------------------------------

_LINE = re.compile(r"line (\d+)|:(\d+):\d+:")


def _error_line(message: str) -> int | None:
    """The line a parser message points at (``line 4, column 16`` or ``schema:4:1:``)."""
    match = _LINE.search(message)
    return int(match.group(1) or match.group(2)) if match else None


@handled
async def check_page(request: Request) -> Response:
    form = {"subject": request.query_params.get("subject", ""), "schemaType": DEFAULT_SCHEMA_TYPE, "schema": "",
            "references": ""}
    subject = form["subject"]
    svc = _svc(request)
    visible = readable(request)
    latest = svc.state.versions(subject)[-1:] if subject and (visible is None or visible(subject)) else []
    if latest:
        form["schemaType"] = latest[0].schema.schema_type
    return page("check.html", form=form, types=supported_types(), outcome=None)


def _refuse_cross_site(request: Request) -> None:
    """403 when a browser says this POST comes from another site (see :mod:`..api.origin`)."""
    if cross_site(request.scope["headers"]) is not None:
        raise errors.RegistryError(
            errors.FORBIDDEN, "This form was sent from another site, so it was refused: open the console "
            f"here ({PREFIX}/check) and submit it from there",
        )


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}


@handled
async def check_submit(request: Request) -> Response:
    _refuse_cross_site(request)
    svc = _svc(request)
    form = await _form(request)
    subject = form.get("subject", "").strip()
    action = form.get("action", "check")
    form["subject"] = subject
    outcome: dict[str, Any] = {"action": action}
    status = 200
    try:
        if not subject:
            raise errors.bad_request("Pick a subject: the schema is checked against its versions")
        refs_text = form.get("references", "").strip()
        try:
            refs = json.loads(refs_text) if refs_text else None
        except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deeply to decode
            reason = exc if isinstance(exc, ValueError) else "the JSON is nested too deeply"
            raise errors.bad_request(
                f"References must be a JSON list of {{name, subject, version}}: {reason}") from None
        schema_type = form.get("schemaType") or DEFAULT_SCHEMA_TYPE
        body = {"schema": form.get("schema", ""), "schemaType": schema_type, "references": refs}
        schema_request = read_schema_request(body, svc.settings.max_schema_bytes)
        require(request, "write" if action == "register" else "read", subject, svc.reads)
        require_schema_request(request, svc.reads, subject, schema_request.references)
        outcome["level"] = svc.config.compatibility_level(subject).value
        outcome["existing"] = len(svc.state.versions(subject))
        if action == "register":
            cluster = request.app.state.cluster
            if not cluster.writes_here() and cluster.pooled:  # a worker of a pool: the writer registers it
                from charter.registry.ui.forwarded import register_on_primary  # httpx: pooled workers only

                sv, created = await register_on_primary(request, cluster, svc.state, subject, body,
                                                        svc.reads.resolve_subject(subject))
                outcome.update(registered=sv, created=created)
                return page("check.html", status, form=form, types=supported_types(), outcome=outcome)
            if not cluster.writes_here():
                primary = cluster.primary_url
                where = f"the primary's console at {primary}/ui/check" if primary else "the primary (none is elected)"
                raise errors.RegistryError(
                    FOLLOWER_REFUSAL, f"This instance is a follower: register on {where}, or use the JSON API here, "
                    "which forwards writes to the primary",
                )
            sv, created = await svc.schemas.register(subject, schema_request)
            outcome.update(registered=sv, created=created)
        else:
            result = await svc.schemas.check(subject, None, schema_request, normalize=False)
            outcome.update(compatible=result.is_compatible, messages=result.messages)
    except errors.RegistryError as exc:
        # A follower's refusal is 503 (unavailable here, not Confluent's 500 for 50003).
        status = 503 if exc.error_code == FOLLOWER_REFUSAL else status_of(exc)
        outcome.update(error=exc.message, code=exc.error_code, line=_error_line(exc.message))
        if status == 409:
            outcome.update(compatible=False, messages=[exc.message])
    return page("check.html", status, form=form, types=supported_types(), outcome=outcome)


# ---- schemas by id and guid ---------------------------------------------------------------------


@handled
async def lookup_page(request: Request) -> Response:
    wanted = (request.query_params.get("id") or request.query_params.get("q") or "").strip()
    if not wanted:
        return page("lookup.html")
    if wanted.isdigit():
        return RedirectResponse(f"{PREFIX}/schemas/ids/{wanted}", 303)
    return RedirectResponse(f"{PREFIX}/schemas/guids/{wanted}", 303)


async def _schema_view(request: Request, content: Any, what: str) -> Response:
    reads = _svc(request).reads
    require_schema(request, reads, content, what)
    users = only_readable(request, reads.users_of(content), lambda sv: sv.subject)
    return page("schema.html", content=content, users=users)


@handled
async def schema_by_id(request: Request) -> Response:
    raw = path_text(request, "schema_id")
    try:
        schema_id = int(raw)
    except ValueError:
        raise errors.schema_not_found(raw) from None
    subject = request.query_params.get("subject") or None  # its context holds the id
    return await _schema_view(request, _svc(request).reads.schema_by_id(schema_id, subject), f"schema {schema_id}")


@handled
async def schema_by_guid(request: Request) -> Response:
    guid = path_text(request, "guid")
    return await _schema_view(request, _svc(request).reads.schema_by_guid(guid), f"schema {guid}")


async def not_found(request: Request) -> Response:
    return error_page(404, "Not found", f"There is no console page at {request.url.path}.")


async def to_list(request: Request) -> Response:
    return RedirectResponse(f"{PREFIX}/subjects", 307)


def routes() -> list[BaseRoute]:
    """The console's routes, mounted by ``create_app``; the catch-all 404 page comes last."""
    return [
        DeclaredRoute(PREFIX, to_list, ["GET"]),
        DeclaredRoute(PREFIX + "/", to_list, ["GET"]),
        DeclaredRoute(PREFIX + "/subjects", subjects_page, ["GET"]),
        DeclaredRoute(PREFIX + "/subjects/{subject}", subject_page, ["GET"], subject="subject"),
        DeclaredRoute(PREFIX + "/subjects/{subject}/versions/{version}", subject_page, ["GET"], subject="subject"),
        DeclaredRoute(PREFIX + "/subjects/{subject}/diff", diff_page, ["GET"], subject="subject"),
        DeclaredRoute(PREFIX + "/check", check_page, ["GET"]),
        # Any grant at the route: the handler asks read (check) or write (register) on the form's subject.
        DeclaredRoute(PREFIX + "/check", check_submit, ["POST"], role="read"),
        DeclaredRoute(PREFIX + "/schemas", lookup_page, ["GET"]),
        DeclaredRoute(PREFIX + "/schemas/ids/{schema_id}", schema_by_id, ["GET"]),
        DeclaredRoute(PREFIX + "/schemas/guids/{guid}", schema_by_guid, ["GET"]),
        DeclaredMount(PREFIX + "/static", StaticFiles(directory=str(HERE / "static")), name="ui-static"),
        DeclaredRoute(PREFIX + "/{rest:path}", not_found, ["GET", "POST"]),
    ]


__all__ = ["routes", "subject_url"]
