"""ACL rules: which role a request needs on which subject, and whether a user's grants allow it.

Roles are ordered ``read < write < admin``. A grant gives a role on the subjects matching a glob
pattern (``fnmatch``, case-sensitive, on the whole subject string, so a qualified subject such as
``:.ctx:orders`` is matched as that whole string; ``*`` matches every subject and context).

What a request needs (:func:`required`):

- reads of one subject (``GET /subjects/{s}…``, lookup ``POST /subjects/{s}``, compatibility
  checks, ``GET /config/{s}``, ``GET /mode/{s}``): ``read`` on the subject;
- registering (``POST /subjects/{s}/versions``, and ``/versions/{v}/tags``, which registers a
  new version): ``write`` on the subject;
- deletes, ``PUT``/``DELETE /config/{s}`` and ``/mode/{s}``: ``admin`` on the subject;
- global reads (``GET /schemas…``, ``GET /subjects``, ``GET /config``, ``/ui`` pages, association
  lookups including ``POST /associations:batchGet``…): any grant;
- any other write (``PUT /config``, ``PUT /mode``, association writes, which may delete subjects
  through a STRONG lifecycle, unknown routes): ``admin`` on ``*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import unquote

ROLES = ("read", "write", "admin")
LEVEL = {role: i for i, role in enumerate(ROLES)}
ANY_SUBJECT = None  # "needs the role on any subject": global reads
GLOBAL = "*"  # global writes need the role on the pattern "*" itself


@dataclass(frozen=True)
class Grant:
    pattern: str
    role: str


@dataclass(frozen=True)
class Need:
    role: str
    subject: str | None  # None: any grant of the role is enough
    global_write: bool = False


# POSTs that only read: the console's check form (its "register" button re-checks the write
# itself through the service's modes) and the association batch lookup.
READ_POSTS = ("/ui/check", "/ui/check/", "/associations:batchGet")

_SUBJECT_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
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


def required(method: str, path: str) -> Need:
    """The role a request needs, from its method and (escaped) path."""
    method = "GET" if method == "HEAD" else method
    for route_method, pattern, role in _SUBJECT_ROUTES:
        if method == route_method:
            match = pattern.match(path)
            if match:
                return Need(role, unquote(match.group(1)))
    if method == "GET" or (method == "POST" and path.replace("%3A", ":").replace("%3a", ":") in READ_POSTS):
        return Need("read", ANY_SUBJECT)
    return Need("admin", GLOBAL, global_write=True)


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
