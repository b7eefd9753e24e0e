"""ASGI middleware: HTTP Basic (or mTLS client certificate) authentication and subject ACLs.

Active only when a users file is given (``--users-file``); without one Charter is open, as
Confluent's open-source registry. ``GET /``, ``GET /status``, ``GET /status/live`` and
``GET /metrics`` stay open. Every other route, the web console under ``/ui`` included, needs a
user: no or bad credentials → 401 ``{"error_code": 40101, ...}`` with ``WWW-Authenticate: Basic``;
a user whose grants do not cover the route (:mod:`charter.registry.auth.acl`) → 403
``{"error_code": 40301, ...}``. The check runs before forwarding, and a follower forwards the
``Authorization`` header, so the primary checks a forwarded write again. Passwords and the
``Authorization`` header are never logged.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from typing import Any

import orjson

from charter.registry.api.http import V1_JSON
from charter.registry.auth.acl import allowed, required
from charter.registry.auth.users import User, Users

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/", "/status", "/status/live", "/status/ready", "/metrics"})
UNAUTHENTICATED = 40101
FORBIDDEN = 40301
CLIENT_CN = "charter.tls_client_cn"  # scope key set by the TLS protocol (registry/api/tls.py)


async def _deny(scope: dict[str, Any], send: Any, status: int, code: int, message: str) -> None:
    body = orjson.dumps({"error_code": code, "message": message})
    headers = [
        (b"content-type", (scope.get("charter.media_type") or V1_JSON).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Basic realm="charter", charset="UTF-8"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
    def __init__(self, app: Any, users: Users) -> None:
        self.app = app
        self.users = users

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
        if scope["type"] != "http" or (scope["path"] in OPEN_PATHS and scope["method"] in ("GET", "HEAD")):
            await self.app(scope, receive, send)
            return
        user = await self._user(scope)
        if user is None:
            log.info("401 %s %s: no valid credentials", scope["method"], scope["path"])
            await _deny(scope, send, 401, UNAUTHENTICATED,
                        "Unauthorized: send valid HTTP Basic credentials (or a client certificate)")
            return
        need = required(scope["method"], scope["path"])
        if not allowed(user.grants, need):
            target = "any subject" if need.subject is None else f"subject '{need.subject}'"
            log.info("403 %s %s: user %s lacks %s on %s", scope["method"], scope["path"], user.name,
                     need.role, target)
            await _deny(scope, send, 403, FORBIDDEN,
                        f"Forbidden: user '{user.name}' needs the {need.role} role on {target}")
            return
        scope["charter.user"] = user.name
        await self.app(scope, receive, send)
