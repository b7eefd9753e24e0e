"""The FastAPI application: routers, the route table, middleware and Confluent-shaped error handling."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from charter.registry import errors
from charter.registry.api import (
    associations,
    compatibility,
    config,
    contexts,
    metadata,
    root,
    schemas,
    status,
    subjects,
    tags,
)
from charter.registry.api.auth import AuthMiddleware
from charter.registry.api.errors import render
from charter.registry.api.http import http_status
from charter.registry.api.middleware import ConfluentHttpMiddleware
from charter.registry.api.observe import Metrics, ObservabilityMiddleware
from charter.registry.api.routing import DeclaredRoute, RouteTable, hot_first, served
from charter.registry.cluster import ClusterView, Standalone
from charter.registry.errors import RegistryError
from charter.registry.service import RegistryService
from charter.registry.ui import routes as ui_routes

log = logging.getLogger(__name__)

DOCS_PATHS = ("/openapi.json", "/docs", "/docs/oauth2-redirect")
ROUTERS = (schemas, subjects, tags, compatibility, config, contexts, metadata, associations, root, status)


def api_routes() -> list[DeclaredRoute]:
    """The API routers' routes as served (plain Starlette routes with their facts), hottest first."""
    return hot_first([route for module in ROUTERS for route in served(module.router)])


def api_table() -> RouteTable:
    """The facts of the API's routes (the app's table adds the docs, /metrics and the console)."""
    return RouteTable.of(api_routes())


def create_app(service: RegistryService, cluster: ClusterView | None = None) -> FastAPI:
    """The app; ``cluster`` (Kafka: readiness, election, forwarding) defaults to a standalone instance."""
    settings = service.settings
    cluster = cluster or Standalone(settings.public_url, service.log.describe(), service.writer.start_following)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Standalone follows the replayed log; a shared log's cluster replays and follows in the background.
        await cluster.start(asyncio.get_running_loop())
        yield
        await cluster.stop()
        try:
            service.writer.checkpoint()  # the embedded log's next start loads it instead of replaying
        finally:
            service.log.close()
            app.state.metrics.close()

    app = FastAPI(
        title="Charter schema registry",
        description="A Confluent Schema Registry v1 compatible API.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's built-in OpenTelemetry hooks look at the environment on every request; Charter
        # does not use them (its metrics are its own), so they are off.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.service = service
    app.state.cluster = cluster
    # The routers declare the API and each route's facts (charter.registry.api.routing); the
    # endpoints are served as plain Starlette routes, hottest first, and the same declarations feed
    # the OpenAPI document at /docs.
    declared = [route for module in ROUTERS for route in module.router.routes]
    # FastAPI put its /openapi.json and /docs routes first; every request would be matched against
    # them. They go last, with their facts: served before the instance is ready.
    fastapi_routes = [r for r in app.router.routes if getattr(r, "path", "") not in DOCS_PATHS]
    docs = [DeclaredRoute(r.path, r.endpoint, ["GET"], name=r.name, before_ready=True)  # type: ignore[attr-defined]
            for r in app.router.routes if getattr(r, "path", "") in DOCS_PATHS]
    # Prometheus metrics (open, not part of the OpenAPI document).
    metrics = Metrics(app)
    app.state.metrics = metrics
    metrics_route = DeclaredRoute("/metrics", metrics.endpoint, ["GET"], open=True)
    # The web console (HTML pages under /ui) comes last: it ends with a catch-all.
    app.router.routes[:] = [*fastapi_routes, *api_routes(), *docs, metrics_route, *ui_routes()]
    table = RouteTable.of(app.router.routes)  # every route has its facts, or the app does not start
    app.state.routes = table

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=declared
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RegistryError)
    async def registry_error(request: Request, exc: RegistryError) -> Response:
        return render(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Routing refusals (no route, wrong method) in Jersey's words: ``HTTP 404 Not Found``."""
        return render(request, http_status(exc.status_code))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return render(request, errors.bad_request(f"Invalid request: {exc.errors()}"))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return render(request, RegistryError(50001, f"Internal error: {type(exc).__name__}; see the server log"))

    # Forwarding (httpx) and the users file (argon2) are imported only by the instances that use them.
    if cluster.shared:
        from charter.registry.api.forward import ClusterMiddleware

        app.add_middleware(ClusterMiddleware, cluster=cluster, routes=table,  # inside the Confluent HTTP checks
                           applied=lambda: service.state.offset)
    if settings.users_file:  # inside the HTTP checks, before forwarding: every instance checks
        from charter.registry.auth.users import Users

        app.add_middleware(AuthMiddleware, users=Users.load(settings.users_file), routes=table,
                           resolve=service.reads.resolve_subject)
    app.add_middleware(ConfluentHttpMiddleware, max_request_bytes=service.settings.max_request_bytes)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)  # outermost: sees every response
    return app
