"""What the caller may see and change, asked by the handlers below the auth middleware.

The middleware (:mod:`.auth`) checks the role a route declares on the subject its path names, and
the alias target of that subject. A handler reaches further subjects: the ones a listing shows, the
subjects using a schema read by id or GUID, the subjects a schema references, an alias a config
update sets, the subject in the console's form. It asks the caller's :class:`Access`, which the
middleware leaves in the scope under :data:`ACCESS`:

- listings keep only the subjects the caller may read (:func:`readable`);
- a schema by id or GUID is readable when some subject using it is (:func:`require_schema`),
  else 403 40301, which says nothing more about it;
- a schema shown in another ``format`` (Avro ``resolved`` inlines its references), and a schema
  request (register, lookup, compatibility, the console's check), need read on every subject
  its references reach (:func:`require_references`); a request checked against the subject's
  versions needs it for their references too (:func:`require_schema_request`);
- :func:`require` asks a role on a subject and on its alias target.

Without a users file there is no :class:`Access` in the scope: every check here is a no-op, and
:func:`readable` answers None (nothing to filter), so the open registry does no extra work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request

from charter.registry import errors
from charter.registry.auth.acl import Access
from charter.registry.contexts import context_of
from charter.registry.store.state import Reference, SchemaContent
from charter.registry.usecases.reads import Reads

ACCESS = "charter.access"  # scope key: the caller's Access, set by the auth middleware
MEMO_SIZE = 4096  # schema answers kept per user


def access_of(request: Request) -> Access | None:
    """The caller's grants, or None when the registry is open (no users file)."""
    return request.scope.get(ACCESS)


def readable(request: Request) -> Callable[[str], bool] | None:
    """The predicate "may the caller read this subject", or None when the caller may read all."""
    access: Access | None = request.scope.get(ACCESS)
    return None if access is None or access.reads_all else access.can_read


def only_readable(request: Request, items: Iterable[Any], subject_of: Callable[[Any], str]) -> list[Any]:
    """The items whose subject the caller may read (all of them when the caller may read all)."""
    predicate = readable(request)
    return list(items) if predicate is None else [item for item in items if predicate(subject_of(item))]


def refusal(access: Access, role: str, subject: str, resolve: Callable[[str], str]) -> errors.RegistryError | None:
    """The 403 when ``access`` lacks ``role`` on ``subject`` or on the subject it is an alias of."""
    if not access.can(role, subject):
        return errors.forbidden(access.user, role, f"subject '{subject}'")
    target = resolve(subject)
    if target != subject and not access.can(role, target):
        return errors.forbidden(access.user, role, f"subject '{target}'", f"'{subject}' is an alias of it")
    return None


def require(request: Request, role: str, subject: str, reads: Reads) -> None:
    """403 unless the caller has ``role`` on ``subject`` and on its alias target."""
    access = access_of(request)
    if access is not None:
        refused = refusal(access, role, subject, reads.resolve_subject)
        if refused is not None:
            raise refused


def require_alias_target(request: Request, subject: str, alias: str) -> None:
    """Making ``subject`` an alias of ``alias`` needs admin on ``alias`` too (it would open it)."""
    access = access_of(request)
    if access is not None and not access.can("admin", alias):
        raise errors.forbidden(access.user, "admin", f"subject '{alias}'",
                               f"'{subject}' would become an alias of it")


def require_schema(request: Request, reads: Reads, content: SchemaContent, what: str) -> None:
    """403 unless some subject using the schema is readable by the caller."""
    access = access_of(request)
    if access is None or access.reads_all:
        return
    # The answer scans every subject; it holds until the next record changes the state.
    offset, known = access.memo.get(content.key, (None, False))
    if offset != reads.state.offset:
        known = reads.schema_readable(content, access.can_read)
        if len(access.memo) >= MEMO_SIZE:
            access.memo.clear()
        access.memo[content.key] = (reads.state.offset, known)
    if not known:
        raise errors.schema_forbidden(access.user, what)


def require_references(request: Request, reads: Reads, refs: tuple[Reference, ...], context: str) -> None:
    """403 unless the caller may read every subject the references reach (transitively)."""
    access = access_of(request)
    if access is None or access.reads_all or not refs:
        return
    hidden = reads.unreadable_reference(refs, context, access.can_read)
    if hidden is not None:
        raise errors.forbidden(access.user, "read", f"subject '{hidden}'", "the schema references it")


def require_schema_request(request: Request, reads: Reads, subject: str, refs: tuple[Reference, ...]) -> None:
    """A schema request checked against a subject's versions (register, compatibility, the
    console's check): its own references, and those of the versions it is compared with (their
    compatibility messages may name the referenced schemas' fields), need read."""
    access = access_of(request)
    if access is None or access.reads_all:
        return
    require_references(request, reads, refs, context_of(subject))
    for sv in reads.state.versions(reads.resolve_subject(subject)):
        require_references(request, reads, sv.schema.references, sv.schema.context)


def formatted_text(request: Request, reads: Reads, content: SchemaContent, fmt: str | None) -> Awaitable[str]:
    """The schema in the requested ``format`` (to await); a format other than the stored text (Avro
    ``resolved`` inlines the referenced schemas) needs read on every referenced subject. Not a
    coroutine itself: the hot read path awaits one coroutine, as before."""
    if fmt and fmt.lower() != "default":
        require_references(request, reads, content.references, content.context)
    return reads.formatted_text(content, fmt)
