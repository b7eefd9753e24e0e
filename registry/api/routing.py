"""The route table: each route's facts, declared once next to the route, and the one matcher.

A route's :class:`RouteFacts` say everything the layers around the endpoints need to know:

- ``writes``: only the primary handles it; a follower forwards it (:mod:`.forward`);
- ``role`` and ``subject``: what the caller needs (:mod:`charter.registry.auth.acl`): the role
  on the subject named by the path parameter ``subject``; without one, ``read`` means "any
  grant" (global reads) and ``admin`` means admin on ``*`` (global writes). The role defaults
  to the rule for unknown routes: ``read`` for GET, ``admin`` otherwise;
- ``alias``: the route acts on its subject's alias target, as Confluent resolves aliases there, so
  the role is needed on the target too (:mod:`.auth`); true unless declared false (config, mode
  and deletes act on the alias subject itself);
- ``open``: served without authentication (:mod:`.auth`);
- ``before_ready``: a GET served before the log is replayed (``open`` routes and the API docs);
- ``hot``: matched first, hottest (0) first: what serializers call for every new client.

The API routers declare routes with :class:`Router` (FastAPI's decorators with the facts as
keywords, so the OpenAPI document keeps every route); other routes are :class:`DeclaredRoute`
and :class:`DeclaredMount`. :class:`RouteTable` is built once from the app's routes (a route
without facts is refused at startup) and matches ``(method, escaped path)`` to the facts and the
path parameters, as Starlette's router will (HEAD as GET, one trailing ``/`` dropped as
Starlette's redirect does). The middlewares match a request once (:meth:`RouteTable.of_scope`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route, compile_path

from charter.registry.auth.acl import ROLES

MATCHED = "charter.route"  # scope key: the request's (facts, path parameters), or None


def default_role(method: str) -> str:
    """The role a route needs unless it says otherwise, and the one an unknown route needs."""
    return "read" if method in ("GET", "HEAD") else "admin"


@dataclass(frozen=True)
class RouteFacts:
    method: str
    path: str
    writes: bool = False
    role: str = "read"
    subject: str | None = None  # the path parameter naming the subject the role applies to
    open: bool = False
    alias: bool = True  # the role is needed on the subject's alias target too
    before_ready: bool = False
    hot: int | None = None


Match = tuple[RouteFacts, dict[str, str]]


def facts(
    method: str, path: str, *, writes: bool = False, role: str | None = None, subject: str | None = None,
    open: bool = False, before_ready: bool | None = None, hot: int | None = None, alias: bool = True,
) -> RouteFacts:
    """A route's facts, checked; ``before_ready`` defaults to ``open``."""
    role = role or default_role(method)
    if role not in ROLES:
        raise ValueError(f"{method} {path}: unknown role {role!r}")
    if subject is not None and "{" + subject + "}" not in path and "{" + subject + ":" not in path:
        raise ValueError(f"{method} {path}: no path parameter {subject!r}")
    if subject is None and role == "write":
        raise ValueError(f"{method} {path}: a global write needs admin (on '*')")
    return RouteFacts(method, path, writes=writes, role=role, subject=subject, open=open, alias=alias,
                      before_ready=open if before_ready is None else before_ready, hot=hot)


class Router(APIRouter):
    """FastAPI's router whose ``get``/``post``/``put``/``delete`` also take the route's facts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.facts: dict[tuple[str, str], RouteFacts] = {}

    def _declare(self, method: str, path: str, facts_kw: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        self.facts[(method, path)] = facts(method, path, **facts_kw)
        return self.api_route(path, methods=[method], **kwargs)

    def get(self, path: str, *, writes: bool = False, role: str | None = None, subject: str | None = None,
            open: bool = False, before_ready: bool | None = None, hot: int | None = None, alias: bool = True,
            **kwargs: Any) -> Callable[[Any], Any]:
        return self._declare("GET", path, dict(writes=writes, role=role, subject=subject, open=open,
                                               before_ready=before_ready, hot=hot, alias=alias), kwargs)

    def post(self, path: str, *, writes: bool = False, role: str | None = None, subject: str | None = None,
             hot: int | None = None, **kwargs: Any) -> Callable[[Any], Any]:
        return self._declare("POST", path, dict(writes=writes, role=role, subject=subject, hot=hot), kwargs)

    def put(self, path: str, *, writes: bool = False, role: str | None = None, subject: str | None = None,
            alias: bool = True, **kwargs: Any) -> Callable[[Any], Any]:
        return self._declare("PUT", path, dict(writes=writes, role=role, subject=subject, alias=alias), kwargs)

    def delete(self, path: str, *, writes: bool = False, role: str | None = None, subject: str | None = None,
               alias: bool = True, **kwargs: Any) -> Callable[[Any], Any]:
        return self._declare("DELETE", path, dict(writes=writes, role=role, subject=subject, alias=alias), kwargs)


class DeclaredRoute(Route):
    """A Starlette route with its facts (one per method)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], methods: Iterable[str],
                 name: str | None = None, declared: tuple[RouteFacts, ...] = (), **facts_kw: Any) -> None:
        methods = list(methods)
        super().__init__(path, endpoint, methods=methods, name=name)
        self.facts = declared or tuple(facts(m, path, **facts_kw) for m in methods)


class DeclaredMount(Mount):
    """A Starlette mount (static files) with the facts of the GETs under it."""

    def __init__(self, path: str, app: Any, name: str | None = None, **facts_kw: Any) -> None:
        super().__init__(path, app=app, name=name)
        self.facts = (facts("GET", path + "/{path:path}", **facts_kw),)


def served(router: Router) -> list[DeclaredRoute]:
    """A router's routes as plain Starlette routes with their facts: the endpoints read everything
    from the Request themselves, and FastAPI's per-request dependency solving roughly doubles the
    cost of a cached read. The router's declarations still feed the OpenAPI document."""
    out = []
    for route in router.routes:
        if isinstance(route, APIRoute):
            missing = [m for m in route.methods if (m, route.path) not in router.facts]
            if missing:
                raise ValueError(f"{missing} {route.path} is declared without its facts (use Router.get/post/...)")
            declared = tuple(router.facts[(method, route.path)] for method in sorted(route.methods))
            out.append(DeclaredRoute(route.path, route.endpoint, route.methods, route.name, declared))
    return out


def hot_first(routes: list[DeclaredRoute]) -> list[DeclaredRoute]:
    """The routes in serving order: hot ones first (hottest first), the rest as declared."""
    def rank(route: DeclaredRoute) -> int:
        ranks = [f.hot for f in route.facts if f.hot is not None]
        return min(ranks) if ranks else len(routes)
    return sorted(routes, key=rank)


class RouteTable:
    """Every route's facts, and the matcher from ``(method, escaped path)`` to them."""

    def __init__(self, declared: Iterable[RouteFacts]) -> None:
        self.facts = tuple(declared)
        by_method: dict[str, list[tuple[re.Pattern[str], RouteFacts]]] = {}
        ranked = sorted(self.facts, key=lambda f: len(self.facts) if f.hot is None else f.hot)
        for route in ranked:
            regex, _, _ = compile_path(route.path)
            by_method.setdefault(route.method, []).append((regex, route))
        self._by_method = by_method

    @classmethod
    def of(cls, routes: Iterable[BaseRoute]) -> RouteTable:
        """The table of an app's routes; every route must carry its facts."""
        declared: list[RouteFacts] = []
        for route in routes:
            route_facts = getattr(route, "facts", None)
            if route_facts is None:
                raise ValueError(f"route {getattr(route, 'path', route)!r} declares no facts "
                                 "(see charter.registry.api.routing)")
            declared.extend(route_facts)
        return cls(declared)

    def match(self, method: str, path: str) -> Match | None:
        """The facts and (still escaped) path parameters of the route serving the request, or None."""
        candidates = self._by_method.get("GET" if method == "HEAD" else method)
        if candidates is None:
            return None
        for regex, route in candidates:
            found = regex.match(path)
            if found is not None:
                return route, found.groupdict()
        if len(path) > 1 and path.endswith("/"):
            return self.match(method, path[:-1])
        return None

    def of_scope(self, scope: dict[str, Any]) -> Match | None:
        """:meth:`match` for an ASGI request, matched once and kept in the scope."""
        if MATCHED in scope:
            return scope[MATCHED]
        found = scope[MATCHED] = self.match(scope["method"], scope["path"])
        return found

    def writes(self, method: str, path: str) -> bool:
        """Whether the request is a write (handled by the primary only)."""
        found = self.match(method, path)
        return found is not None and found[0].writes


def subject_of(found: Match) -> str | None:
    """The subject a matched request names (unescaped), for its route's role."""
    route, params = found
    if route.subject is None:
        return None
    value = params[route.subject]
    return unquote(value) if "%" in value else value
