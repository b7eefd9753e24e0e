"""Confluent's schema contexts: qualified subject names, parsed without touching any state.

A context is a separate namespace of schema ids. A subject names its context with a prefix:
``:.ctx:name`` is the subject ``name`` of context ``.ctx``; an unqualified subject (and the
explicit ``:.:name``) is in the default context ``.``. The subject string stays the key
everywhere; only id allocation and lookups by id depend on the context. The subject ``:.ctx:``
(an empty name) stands for the context itself, e.g. ``PUT /config/:.ctx:`` holds the settings
that apply to that context's subjects before the global ones. ``:*:`` as a subject prefix
means every context.
"""

from __future__ import annotations

import re

from charter.registry import errors

DEFAULT_CONTEXT = "."
WILDCARD = ":*:"
DELIMITER = ":"
_CONTEXT_NAME = re.compile(r"\.[A-Za-z0-9_.\-]*")


def valid_context(context: str) -> bool:
    """Whether a context name is well formed: ``.`` then letters, digits, ``_``, ``.`` or ``-``."""
    return _CONTEXT_NAME.fullmatch(context) is not None


def check_context(context: str) -> str:
    """The context name, or 42208 with a message saying what a context name looks like."""
    if not valid_context(context):
        raise errors.RegistryError(
            42208,
            f"Invalid context '{context}': a context name starts with '.' followed by letters, digits, "
            "'_', '.' or '-' (e.g. '.staging'); qualified subjects look like ':.staging:my-subject'",
        )
    return context


def split(subject: str) -> tuple[str, str]:
    """``(context, name)`` of a subject; 42208 when it names a malformed context.

    A subject that starts with ``:`` but has no closing ``:`` is an ordinary subject name.
    """
    if not subject.startswith(DELIMITER):
        return DEFAULT_CONTEXT, subject
    end = subject.find(DELIMITER, 1)
    if end < 0:
        return DEFAULT_CONTEXT, subject
    return check_context(subject[1:end]), subject[end + 1 :]


def context_of(subject: str | None) -> str:
    """The context a subject (or ``None``, the global scope) belongs to."""
    if subject is None:
        return DEFAULT_CONTEXT
    return split(subject)[0]


def qualify(context: str, name: str) -> str:
    """The subject string of ``name`` in ``context`` (unqualified in the default context)."""
    return name if context == DEFAULT_CONTEXT else f"{DELIMITER}{context}{DELIMITER}{name}"


def reference_subject(context: str, subject: str) -> str:
    """The subject a reference names, read from a schema of ``context``: a qualified subject as
    written (``:.:x`` for the default context), an unqualified one in the referrer's own context,
    as Confluent qualifies references with their parent's context."""
    if subject.startswith(DELIMITER) and subject.find(DELIMITER, 1) > 0:
        try:
            return canonical_subject(subject)
        except errors.RegistryError:  # a malformed context: the name as written, which names nothing
            return subject
    return qualify(context, subject)


def canonical_subject(subject: str) -> str:
    """The subject as stored: validated, with an explicit default context (``:.:x``) dropped."""
    context, name = split(subject)
    return name if context == DEFAULT_CONTEXT else subject


def context_scope(subject: str | None) -> str | None:
    """The subject holding the settings of the subject's context, or None in the default context.

    For ``:.ctx:name`` that is ``:.ctx:``; for the context's own subject ``:.ctx:`` and for
    default-context subjects there is no further level before the global settings.
    """
    if subject is None:
        return None
    context, name = split(subject)
    if context == DEFAULT_CONTEXT or not name:
        return None
    return qualify(context, "")


def is_context_scope(subject: str | None) -> bool:
    """Whether the subject names a context itself (``:.ctx:``) rather than a subject in it."""
    if subject is None:
        return False
    context, name = split(subject)
    return context != DEFAULT_CONTEXT and not name


def check_prefix(prefix: str) -> str:
    """A ``subjectPrefix``, with a malformed context in it refused (42208)."""
    if prefix != WILDCARD and prefix.startswith(DELIMITER):
        split(prefix)
    return prefix


def matches_prefix(subject: str, prefix: str) -> bool:
    """Confluent's ``subjectPrefix``: ``:*:`` (or empty) every context, ``:.:`` the default one,
    ``:.ctx:`` (optionally followed by a name prefix) that context, anything else a plain prefix."""
    if not prefix or prefix == WILDCARD:
        return True
    if prefix.startswith(DELIMITER) and prefix.find(DELIMITER, 1) > 0:
        context, rest = split(prefix)
        if context == DEFAULT_CONTEXT:
            return context_of(subject) == DEFAULT_CONTEXT and subject.startswith(rest)
    return subject.startswith(prefix)
