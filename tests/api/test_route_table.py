"""The route table: every route the app serves declares its facts, and a follower forwards exactly
the routes declared ``writes`` (driven from the table, through the real middlewares, to a tiny
HTTP server standing in for the primary); before it is ready, only ``before_ready`` GETs are served.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

from charter.registry.api.app import create_app
from charter.registry.api.forward import ClusterMiddleware
from charter.registry.api.middleware import ConfluentHttpMiddleware
from charter.registry.api.routing import DeclaredRoute, RouteFacts, RouteTable
from charter.registry.log.file import FileLog
from charter.registry.service import RegistryService
from charter.registry.settings import Settings

SAMPLES = {"subject": "a%2Fb", "version": "1", "schema_id": "7", "guid": "00000000-0000-0000-0000-000000000000",
           "context": ".team", "resource_id": "r1", "namespace": "ns", "name": "n", "rest": "no/such", "path": "x.css"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    path: Path = tmp_path_factory.mktemp("routes")
    service = RegistryService(FileLog(path), Settings(data_dir=str(path)))
    return create_app(service)


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES[m.group(1)], template)


def test_every_served_route_declares_its_facts(app: FastAPI) -> None:
    table: RouteTable = app.state.routes
    declared = {(f.method, f.path) for f in table.facts}
    for route in app.router.routes:
        facts: tuple[RouteFacts, ...] = route.facts  # type: ignore[attr-defined]
        assert facts, route
        if isinstance(route, Route):
            assert {f.method for f in facts} == set(route.methods or ()) - {"HEAD"}, route.path
    for method, path in (("GET", "/metrics"), ("GET", "/status/live"), ("GET", "/status/ready"),
                         ("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/ui/subjects"), ("POST", "/ui/check")):
        assert (method, path) in declared, (method, path)
    # Every route of the OpenAPI document is served with its facts.
    documented = {(m.upper(), path) for path, operations in app.openapi()["paths"].items() for m in operations}
    assert documented <= declared


def test_a_route_without_facts_stops_the_app() -> None:
    async def endpoint(request: Any) -> Any:
        raise AssertionError

    with pytest.raises(ValueError, match="declares no facts"):
        RouteTable.of([DeclaredRoute("/a", endpoint, ["GET"]), Route("/b", endpoint, methods=["GET"])])


def test_the_matcher_follows_the_router(app: FastAPI) -> None:
    table: RouteTable = app.state.routes
    found = table.match("GET", "/schemas/ids/1")
    assert found and found[0].path == "/schemas/ids/{schema_id}" and found[1] == {"schema_id": "1"}
    found = table.match("HEAD", "/subjects/a%2Fb/versions/latest/")  # HEAD as GET, one trailing slash
    assert found and found[0].path == "/subjects/{subject}/versions/{version}" and found[1]["subject"] == "a%2Fb"
    assert table.match("PATCH", "/subjects") is None and table.match("GET", "/nothing/here") is None
    hot = [f.path for f in table.facts if f.hot is not None]
    assert sorted(hot, key=lambda p: next(f.hot for f in table.facts if f.path == p)) == [
        "/schemas/ids/{schema_id}", "/subjects/{subject}", "/subjects/{subject}/versions/{version}"]
    served = [r.path for r in app.router.routes if isinstance(r, DeclaredRoute)]
    assert served[:3] == hot  # hottest first in the router too
    assert not any(isinstance(r, APIRoute) for r in app.router.routes)


class _Primary:
    """A tiny HTTP server standing in for the primary: records what it is sent."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                received.append((self.command, self.path, self.headers.get("x-charter-forwarded")))
                body = b'{"primary":true}'
                self.send_response(200)
                self.send_header("content-type", "application/vnd.schemaregistry.v1+json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class _Follower:
    pooled = False

    def __init__(self, primary: str, ready: bool = True) -> None:
        self.ready, self.primary, self.advertised_url = ready, primary, "http://127.0.0.1:1"

    def writes_here(self) -> bool:
        return False

    async def wait_for_primary(self, timeout_s: float) -> str | None:
        return self.primary


@pytest.fixture(scope="module")
def primary() -> Iterator[_Primary]:
    server = _Primary()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _through_follower(table: RouteTable, view: _Follower, requests: list[tuple[str, str]]) -> list[int]:
    """Each request through the follower's real middlewares; the local app answers 299."""

    async def local(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    stack = ConfluentHttpMiddleware(ClusterMiddleware(local, view, table, lambda: -1), max_request_bytes=1 << 20)  # type: ignore[arg-type]

    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack), base_url="http://t") as client:
            return [(await client.request(m, p, content=b"{}" if m in ("POST", "PUT") else None)).status_code
                    for m, p in requests]

    return asyncio.run(run())


def test_a_follower_forwards_exactly_the_declared_writes(app: FastAPI, primary: _Primary) -> None:
    table: RouteTable = app.state.routes
    requests = [(f.method, concrete(f.path)) for f in table.facts]
    primary.received.clear()
    statuses = _through_follower(table, _Follower(primary.url), requests)
    writes = [(m, p) for (m, p), f in zip(requests, table.facts, strict=True) if f.writes]
    assert {(m, p, "1") for m, p in writes} == set(primary.received)
    for (method, path), facts, status in zip(requests, table.facts, statuses, strict=True):
        assert status == (200 if facts.writes else 299), (method, path)
    assert ("POST", "/subjects/a%2Fb/versions") in writes  # the escaped subject is forwarded as sent
    assert len(writes) >= 15 and ("POST", "/subjects/a%2Fb") not in writes


def test_before_ready_only_the_declared_gets_are_served(app: FastAPI) -> None:
    table: RouteTable = app.state.routes
    requests = [(f.method, concrete(f.path)) for f in table.facts]
    statuses = _through_follower(table, _Follower("http://127.0.0.1:1", ready=False), requests)
    served = {(m, p) for (m, p), status in zip(requests, statuses, strict=True) if status == 299}
    assert served == {(f.method, concrete(f.path)) for f in table.facts if f.before_ready}
    assert served == {("GET", p) for p in ("/", "/status", "/status/live", "/status/ready", "/metrics",
                                           "/docs", "/openapi.json", "/docs/oauth2-redirect")}
