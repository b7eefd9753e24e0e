"""ACL rules: what a route's declared role asks of a user's grants, and whether they allow it.

Roles are ordered ``read < write < admin``. A grant gives a role on the subjects matching a glob
pattern (``fnmatch``, case-sensitive, on the whole subject string, so a qualified subject such as
``:.ctx:orders`` is matched as that whole string; ``*`` matches every subject and context).

Each route declares the role it needs and the path parameter naming its subject, if any
(:mod:`charter.registry.api.routing`); :func:`required` turns that into a :class:`Need`. Today's
declarations:

- reads of one subject (``GET /subjects/{s}…``, lookup ``POST /subjects/{s}``, compatibility
  checks, ``GET /config/{s}``, ``GET /mode/{s}``, the console's ``/ui/subjects/{s}…`` pages):
  ``read`` on the subject;
- registering (``POST /subjects/{s}/versions``, and ``/versions/{v}/tags``, which registers a
  new version): ``write`` on the subject;
- deletes, ``PUT``/``DELETE /config/{s}`` and ``/mode/{s}``: ``admin`` on the subject;
- global reads (``GET /schemas…``, ``GET /subjects``, ``GET /config``, ``/ui`` pages, association
  lookups including ``POST /associations:batchGet``, the console's check form ``POST /ui/check``,
  whose handler asks read, or write to register, on the form's subject): any grant;
- any other write (``PUT /config``, ``PUT /mode``, association writes, which may delete subjects
  through a STRONG lifecycle, ``DELETE /contexts/{ctx}``): ``admin`` on ``*``.

Unknown routes need any grant for GET and ``admin`` on ``*`` otherwise.

A route's role is only the first check. Below it, the handlers ask the caller's :class:`Access`
(set by the auth middleware) about the subjects a request reaches besides its path's: global
listings show only the subjects the user may read; a schema (by id or GUID) is readable when some
subject using it is; an alias's target and a schema's referenced subjects need the grant too; the
console's check form needs ``write`` on its subject to register.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

ROLES = ("read", "write", "admin")
LEVEL = {role: i for i, role in enumerate(ROLES)}
ANY_SUBJECT = None  # "needs the role on any subject": global reads
GLOBAL = "*"  # global writes need the role on the pattern "*" itself


@dataclass(frozen=True)
class Grant:
    pattern: str
    role: str


class Need(NamedTuple):  # a tuple: made for every request, and cheaper to make than a dataclass
    role: str
    subject: str | None  # None: any grant of the role is enough
    global_write: bool = False


def required(role: str, subject: str | None) -> Need:
    """What a route needing ``role`` asks: the role on ``subject`` when the route names one; else
    any grant for ``read`` (global reads) and the role on ``*`` itself for the rest (global writes)."""
    if subject is not None:
        return Need(role, subject)
    return _GLOBAL_NEEDS[role]


_GLOBAL_NEEDS = {role: Need(role, ANY_SUBJECT) if role == "read" else Need(role, GLOBAL, global_write=True)
                 for role in ROLES}


class Access:
    """One authenticated user's grants, asked per subject by the handlers below the middleware."""

    __slots__ = ("grants", "memo", "reads_all", "user")

    def __init__(self, user: str, grants: tuple[Grant, ...]) -> None:
        self.user = user
        self.grants = grants
        self.reads_all = any(grant.pattern == GLOBAL for grant in grants)  # any role on "*" reads all
        # answers the handlers worked out for this user (e.g. "may read schema (ctx, id)"), each kept
        # with the state offset it was computed at, so that a later record makes it stale
        self.memo: dict[Any, tuple[int, bool]] = {}

    def can(self, role: str, subject: str) -> bool:
        """Whether the user has ``role`` (or a higher one) on ``subject``."""
        return allowed(self.grants, Need(role, subject))

    def can_read(self, subject: str) -> bool:
        return self.reads_all or allowed(self.grants, Need("read", subject))


def allowed(grants: tuple[Grant, ...], need: Need) -> bool:
    level = LEVEL[need.role]
    for grant in grants:
        if LEVEL[grant.role] < level:
            continue
        if need.subject is None:
            return True
        if need.global_write:
            if grant.pattern == GLOBAL:
                return True
        elif fnmatchcase(need.subject, grant.pattern):
            return True
    return False
