"""The FastAPI application: routers, middleware and Confluent-shaped error handling."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

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
from charter.registry.api.forward import ClusterMiddleware
from charter.registry.api.http import V1_JSON
from charter.registry.api.middleware import ConfluentHttpMiddleware
from charter.registry.api.observe import Metrics, ObservabilityMiddleware
from charter.registry.auth.users import Users
from charter.registry.cluster import ClusterView, Standalone
from charter.registry.errors import RegistryError
from charter.registry.service import RegistryService
from charter.registry.ui import routes as ui_routes

log = logging.getLogger(__name__)

DOCS_PATHS = ("/openapi.json", "/docs", "/docs/oauth2-redirect")
# Matched first: what serializers and deserializers call for every new producer or consumer.
HOT_PATHS = ["/schemas/ids/{schema_id}", "/subjects/{subject}", "/subjects/{subject}/versions/{version}"]

def _error(request: Request, status: int, code: int, message: str) -> Response:
    media = request.scope.get("charter.media_type") or V1_JSON
    return Response(orjson.dumps({"error_code": code, "message": message}), status, media_type=media)


def create_app(service: RegistryService, cluster: ClusterView | None = None) -> FastAPI:
    """The app; ``cluster`` (Kafka: readiness, election, forwarding) defaults to a standalone instance."""
    settings = service.settings
    cluster = cluster or Standalone(settings.public_url, service.log.describe())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if isinstance(cluster, Standalone):
            service.writer.start_following(asyncio.get_running_loop())
        else:  # the cluster replays and starts following in the background
            await cluster.start(asyncio.get_running_loop())
        yield
        await cluster.stop()
        service.log.close()

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
    # The routers declare the API with FastAPI decorators; the endpoints read everything from the
    # Request themselves, so they are served as plain Starlette routes (FastAPI's per-request
    # dependency solving roughly doubles the cost of a cached read) and the same declarations
    # feed the OpenAPI document at /docs. Hottest paths first: schemas by id, then subjects.
    modules = (schemas, subjects, tags, compatibility, config, contexts, metadata, associations, root, status)
    declared = [route for module in modules for route in module.router.routes]
    served = sorted(
        (r for r in declared if isinstance(r, APIRoute)),
        key=lambda r: HOT_PATHS.index(r.path) if r.path in HOT_PATHS else len(HOT_PATHS),
    )
    app.router.routes.extend(Route(r.path, r.endpoint, methods=list(r.methods), name=r.name) for r in served)
    # FastAPI put its /openapi.json and /docs routes first; every request would be matched against them.
    app.router.routes.sort(key=lambda r: getattr(r, "path", "") in DOCS_PATHS)
    # Prometheus metrics and liveness (open, not part of the OpenAPI document).
    metrics = Metrics(app)
    app.state.metrics = metrics
    app.router.routes.append(Route("/metrics", metrics.endpoint, methods=["GET"]))
    app.router.routes.append(Route("/status/live", status.live, methods=["GET"]))
    app.router.routes.append(Route("/status/ready", status.ready, methods=["GET"]))
    # The web console (HTML pages under /ui, not part of the OpenAPI document).
    app.router.routes.extend(ui_routes())

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=declared
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RegistryError)
    async def registry_error(request: Request, exc: RegistryError) -> Response:
        return _error(request, exc.http_status, exc.error_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Routing refusals (no route, wrong method) in Jersey's words: ``HTTP 404 Not Found``."""
        error = errors.http_status(exc.status_code)
        return _error(request, error.http_status, error.error_code, error.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 400, 400, f"Invalid request: {exc.errors()}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(request, 500, 50001, f"Internal error: {type(exc).__name__}; see the server log")

    if not isinstance(cluster, Standalone):
        app.add_middleware(ClusterMiddleware, cluster=cluster)  # inside the Confluent HTTP checks
    if settings.users_file:  # inside the HTTP checks, before forwarding: every instance checks
        app.add_middleware(AuthMiddleware, users=Users.load(settings.users_file))
    app.add_middleware(ConfluentHttpMiddleware, max_request_bytes=service.settings.max_request_bytes)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)  # outermost: sees every response
    return app
