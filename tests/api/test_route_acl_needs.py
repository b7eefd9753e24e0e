"""What each request needs under the ACLs is what it needed when the rules were a regex table.

The oracle below is that table (the rules of auth/acl.py before the routes declared their roles),
kept here only to compare; the requests are every route the app serves (with a plain and a
``%2F``-escaped subject, and with a trailing slash), HEAD, and a few unknown routes.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi import FastAPI

from charter.registry.api.app import create_app
from charter.registry.api.auth import need
from charter.registry.api.routing import RouteTable
from charter.registry.auth.acl import GLOBAL, Grant, Need, allowed
from charter.registry.log.file import FileLog
from charter.registry.service import RegistryService
from charter.registry.settings import Settings

_READ_POSTS = ("/ui/check", "/ui/check/", "/associations:batchGet")
_SUBJECT_ROUTES = [
    ("POST", re.compile(r"^/subjects/([^/]+)/versions(?:/[^/]+/tags)?/?$"), "write"),
    ("POST", re.compile(r"^/subjects/([^/]+)/?$"), "read"),
    ("DELETE", re.compile(r"^/subjects/([^/]+)(/versions/[^/]+)?/?$"), "admin"),
    ("GET", re.compile(r"^/subjects/([^/]+)(/.*)?$"), "read"),
    ("POST", re.compile(r"^/compatibility/subjects/([^/]+)/.*$"), "read"),
    ("GET", re.compile(r"^/(?:config|mode)/([^/]+)/?$"), "read"),
    ("PUT", re.compile(r"^/(?:config|mode)/([^/]+)/?$"), "admin"),
    ("DELETE", re.compile(r"^/(?:config|mode)/([^/]+)/?$"), "admin"),
    ("GET", re.compile(r"^/ui/subjects/([^/]+)(/.*)?$"), "read"),
]


def yesterday(method: str, path: str) -> Need:
    method = "GET" if method == "HEAD" else method
    for route_method, pattern, role in _SUBJECT_ROUTES:
        if method == route_method and (match := pattern.match(path)):
            return Need(role, unquote(match.group(1)))
    if method == "GET" or (method == "POST" and path in _READ_POSTS):
        return Need("read", None)
    return Need("admin", GLOBAL, global_write=True)


SAMPLES = {"version": "1", "schema_id": "7", "guid": "00000000-0000-0000-0000-000000000000", "context": ".team",
           "resource_id": "r1", "namespace": "ns", "name": "n", "rest": "no/such", "path": "x.css"}


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> RouteTable:
    path: Path = tmp_path_factory.mktemp("acl")
    app: FastAPI = create_app(RegistryService(FileLog(path), Settings(data_dir=str(path))))
    return app.state.routes


def _requests(table: RouteTable) -> list[tuple[str, str]]:
    out = []
    for facts in table.facts:
        for subject in ("orders-value", "a%2Fb", ":.team:orders"):
            values = {**SAMPLES, "subject": subject}
            path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m, v=values: v[m.group(1)], facts.path)
            out.append((facts.method, path))
            if path != "/":
                out.append((facts.method, path + "/"))
            if facts.method == "GET":
                out.append(("HEAD", path))
    out += [("GET", "/nothing"), ("PUT", "/nothing"), ("POST", "/subjects"), ("DELETE", "/schemas/ids/1"),
            ("PATCH", "/subjects/s"), ("POST", "/"), ("DELETE", "/contexts/.team")]
    return out


def changed(method: str, path: str) -> bool:
    """Requests whose needs changed on purpose, all with a trailing slash that no route serves:
    each now needs what the route that answers it needs. Under /ui that is the console's catch-all
    404 page (any grant for GET, admin on '*' for POST; it was read on the subject for
    ``/ui/subjects/{s}/``, any grant for ``POST /ui/check/``); ``POST /associations:batchGet/`` is
    redirected to the batch lookup, a read (it needed admin on '*')."""
    return path.endswith("/") and (path.startswith("/ui/") or path == "/associations:batchGet/")


def test_every_request_needs_what_it_needed(table: RouteTable) -> None:
    differences = []
    for method, path in _requests(table):
        if changed(method, path):
            continue
        old, new = yesterday(method, path), need(table, method, path)
        if old != new:
            differences.append((method, path, old, new))
    assert differences == []


def test_representative_needs(table: RouteTable) -> None:
    assert need(table, "POST", "/subjects/a%2Fb/versions") == Need("write", "a/b")
    assert need(table, "POST", "/subjects/s/versions/3/tags") == Need("write", "s")
    assert need(table, "POST", "/subjects/s") == Need("read", "s")
    assert need(table, "DELETE", "/subjects/s/versions/1") == Need("admin", "s")
    assert need(table, "PUT", "/config/s") == Need("admin", "s")
    assert need(table, "GET", "/mode/s") == Need("read", "s")
    assert need(table, "GET", "/schemas/ids/1") == Need("read", None)
    assert need(table, "POST", "/associations:batchGet") == Need("read", None)
    assert need(table, "POST", "/ui/check") == Need("read", None)
    assert need(table, "GET", "/ui/subjects/s/diff") == Need("read", "s")
    for method, path in (("PUT", "/config"), ("DELETE", "/mode"), ("POST", "/associations"),
                         ("DELETE", "/associations/subjects/s"), ("DELETE", "/contexts/.team"), ("PUT", "/nothing")):
        assert need(table, method, path) == Need("admin", GLOBAL, global_write=True), (method, path)
    assert not allowed((Grant("*", "write"),), need(table, "PUT", "/mode"))
    assert allowed((Grant("a/*", "write"),), need(table, "POST", "/subjects/a%2Fb/versions"))
