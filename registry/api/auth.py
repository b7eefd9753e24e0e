"""ASGI middleware: HTTP Basic (or mTLS client certificate) authentication and subject ACLs.

Active only when a users file is given (``--users-file``); without one Charter is open, as
Confluent's open-source registry. The routes declared ``open`` (``GET /``, ``GET /status``, the
probes ``/status/live`` and ``/status/ready``, ``GET /metrics``; see
:mod:`charter.registry.api.routing`) stay open. Every other route, the web console under ``/ui``
included, needs a user: no or bad credentials → 401 ``{"error_code": 40101, ...}`` with
``WWW-Authenticate: Basic``; a user whose grants do not cover the role the route declares
(:mod:`charter.registry.auth.acl`) → 403 ``{"error_code": 40301, ...}``. The check runs before
forwarding, and a follower forwards the ``Authorization`` header, so the primary checks a
forwarded write again. Passwords and the ``Authorization`` header are never logged.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from typing import Any

from charter.registry.api import errors
from charter.registry.api.routing import Match, RouteTable, default_role, subject_of
from charter.registry.auth.acl import Need, allowed, required
from charter.registry.auth.users import User, Users
from charter.registry.errors import RegistryError

log = logging.getLogger(__name__)

UNAUTHENTICATED = 40101
FORBIDDEN = 40301
CLIENT_CN = "charter.tls_client_cn"  # scope key set by the TLS protocol (registry/api/tls.py)
CHALLENGE = (b"www-authenticate", b'Basic realm="charter", charset="UTF-8"')


def need_of(found: Match | None, method: str) -> Need:
    """What a request needs: its route's declared role (on its subject, if it names one); an
    unknown route needs the default role for its method (any grant for GET, admin on ``*``)."""
    if found is None:
        return required(default_role(method), None)
    return required(found[0].role, subject_of(found))


def need(routes: RouteTable, method: str, path: str) -> Need:
    """:func:`need_of` for a method and (escaped) path."""
    return need_of(routes.match(method, path), method)


def _basic(scope: dict[str, Any]) -> tuple[str, str] | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() != b"basic":
                return None
            try:
                user, sep, password = base64.b64decode(token.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return (user, password) if sep else None
    return None


class AuthMiddleware:
    def __init__(self, app: Any, users: Users, routes: RouteTable) -> None:
        self.app = app
        self.users = users
        self.routes = routes

    async def _user(self, scope: dict[str, Any]) -> User | None:
        credentials = _basic(scope)
        if credentials is not None:
            name, password = credentials
            user = self.users.cached(name, password)
            if user is True:
                return await asyncio.to_thread(self.users.authenticate, name, password)
            return user or None
        cn = scope.get(CLIENT_CN)
        return self.users.by_certificate(cn) if cn else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = self.routes.of_scope(scope)
        if found is not None and found[0].open:
            await self.app(scope, receive, send)
            return
        user = await self._user(scope)
        if user is None:
            log.info("401 %s %s: no valid credentials", scope["method"], scope["path"])
            await errors.send(scope, send, RegistryError(
                UNAUTHENTICATED, "Unauthorized: send valid HTTP Basic credentials (or a client certificate)"),
                headers=[CHALLENGE])
            return
        needed = need_of(found, scope["method"])
        if not allowed(user.grants, needed):
            target = "any subject" if needed.subject is None else f"subject '{needed.subject}'"
            log.info("403 %s %s: user %s lacks %s on %s", scope["method"], scope["path"], user.name,
                     needed.role, target)
            await errors.send(scope, send, RegistryError(
                FORBIDDEN, f"Forbidden: user '{user.name}' needs the {needed.role} role on {target}"))
            return
        scope["charter.user"] = user.name
        await self.app(scope, receive, send)
