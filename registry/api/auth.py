"""ASGI middleware: HTTP Basic (or mTLS client certificate) authentication and subject ACLs.

Active only when a users file is given (``--users-file``); without one Charter is open, as
Confluent's open-source registry. The routes declared ``open`` (``GET /``, ``GET /status``, the
probes ``/status/live`` and ``/status/ready``, ``GET /metrics``; see
:mod:`charter.registry.api.routing`) stay open. Every other route, the web console under ``/ui``
included, needs a user: no or bad credentials → 401 ``{"error_code": 40101, ...}`` with
``WWW-Authenticate: Basic``; a user whose grants do not cover the role the route declares
(:mod:`charter.registry.auth.acl`) → 403 ``{"error_code": 40301, ...}``. A route that acts on its
subject's alias target (its ``alias`` fact: every subject route but config, mode and deletes) needs
the role on the target too, so an alias never opens a subject its caller may not reach. The check
runs before forwarding, and a follower forwards the ``Authorization`` header, so the primary
checks a forwarded write again. Passwords and the ``Authorization`` header are never logged.

The user's :class:`~charter.registry.auth.acl.Access` is left in the scope for the handlers, which
filter listings and check the other subjects a request reaches (:mod:`.access`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from charter.registry.api import errors
from charter.registry.api.access import ACCESS, refusal
from charter.registry.api.routing import Match, RouteTable, default_role, subject_of
from charter.registry.auth.acl import Access, Need, allowed, required
from charter.registry.contexts import canonical_subject
from charter.registry.errors import RegistryError, forbidden

if TYPE_CHECKING:  # the users module hashes a dummy password when imported: not for an open server
    from charter.registry.auth.users import User, Users

log = logging.getLogger(__name__)

UNAUTHENTICATED = 40101
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


def _unchanged(subject: str) -> str:
    return subject


class AuthMiddleware:
    def __init__(self, app: Any, users: Users, routes: RouteTable,
                 resolve: Callable[[str], str] = _unchanged) -> None:
        """``resolve`` gives the subject a subject name stands for (its alias target)."""
        self.app = app
        self.users = users
        self.routes = routes
        self.resolve = resolve
        self._access: dict[str, Access] = {}

    def _access_of(self, user: User) -> Access:
        access = self._access.get(user.name)
        if access is None or access.grants is not user.grants:
            access = self._access[user.name] = Access(user.name, user.grants)
        return access

    def _refusal(self, access: Access, found: Match | None, needed: Need) -> RegistryError | None:
        """The 403 for a caller whose grants do not cover the route's need (and, on a route that
        follows aliases, the same role on the subject's alias target)."""
        if not allowed(access.grants, needed):
            target = "any subject" if needed.subject is None else f"subject '{needed.subject}'"
            return forbidden(access.user, needed.role, target)
        if found is None or needed.subject is None or not found[0].alias:
            return None
        try:
            subject = canonical_subject(needed.subject)
        except RegistryError:  # a malformed context: its handler refuses it (42208)
            return None
        return refusal(access, needed.role, subject, self.resolve)

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
        access = self._access_of(user)
        refused = self._refusal(access, found, need_of(found, scope["method"]))
        if refused is not None:
            log.info("403 %s %s: %s", scope["method"], scope["path"], refused.message)
            await errors.send(scope, send, refused)
            return
        scope["charter.user"] = user.name
        scope[ACCESS] = access
        await self.app(scope, receive, send)
