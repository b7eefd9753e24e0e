"""Apply a compatibility level to a candidate schema and its earlier versions.

This is Confluent's ``CompatibilityChecker`` logic, format-independent:
- BACKWARD: the candidate reads data written with an earlier version (R=new, W=old);
- FORWARD: an earlier version reads data written with the candidate (R=old, W=new);
- FULL: the forward check, then the backward check, messages concatenated in that order;
- ``*_TRANSITIVE``: every earlier version, newest first, stopping at the first that fails;
  otherwise the latest version only.
The messages are the strings Confluent returns with ``verbose=true``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from charter.compat.model import CompatibilityLevel, CompatibilityResult, ParsedSchema

T = TypeVar("T")

OLD_SCHEMA_LIMIT = 10240
DIFFERENT_TYPE_MESSAGE = "Incompatible because of different schema type"


def _old_schema_entry(old: ParsedSchema) -> str:
    text = old.canonical()
    if len(text) > OLD_SCHEMA_LIMIT:
        return f"{{oldSchema: <truncated> '{text[:OLD_SCHEMA_LIMIT]}...'}}"
    return f"{{oldSchema: '{text}'}}"


def _one_direction(reader: ParsedSchema, writer: ParsedSchema, words: tuple[str, str], policy: str) -> list[str]:
    return [i.render(*words) for i in reader.incompatibilities(writer, policy=policy)]


def check_against_version(
    level: CompatibilityLevel, candidate: ParsedSchema, version: int, old: ParsedSchema, policy: str = "STRICT"
) -> list[str]:
    """Messages for one earlier version (empty when compatible), before the level suffix."""
    if candidate.schema_type != old.schema_type:
        return [DIFFERENT_TYPE_MESSAGE]
    messages: list[str] = []
    if level.checks_forward:
        messages.extend(_one_direction(old, candidate, ("old", "new"), policy))
        if not level.checks_backward and messages:
            messages += [f"{{oldSchemaVersion: {version}}}", _old_schema_entry(old)]
    if level.checks_backward:
        backward = _one_direction(candidate, old, ("new", "old"), policy)
        if backward:
            backward += [f"{{oldSchemaVersion: {version}}}", _old_schema_entry(old)]
        messages.extend(backward)
    return messages


def versions_to_check(level: CompatibilityLevel, newest_first: Sequence[T]) -> list[T]:
    """The earlier versions a level checks a candidate against, from a history given newest
    first: every one for a ``*_TRANSITIVE`` level, the newest only for the others, none for NONE.
    The one place this is decided: the registry calls it to know which versions to parse, and
    :func:`check_compatibility` applies it to what it is given."""
    if level is CompatibilityLevel.NONE:
        return []
    return list(newest_first) if level.transitive else list(newest_first[:1])


def check_compatibility(
    level: CompatibilityLevel,
    candidate: ParsedSchema,
    previous: Sequence[tuple[int, ParsedSchema]],
    *,
    validate_fields: bool = False,
    policy: str = "STRICT",
    leading: Sequence[str] = (),
) -> CompatibilityResult:
    """Check ``candidate`` against ``previous`` (``(version, schema)`` pairs, newest first).

    The level checks the entries :func:`versions_to_check` picks (non-transitive levels: the
    first entry only); pass exactly one entry to check
    against one chosen version, whatever the level. ``policy`` is Confluent's
    ``compatibilityPolicy`` (STRICT by default; LENIENT relaxes JSON Schema's content-model rules).
    ``leading`` are messages found before the level's checks (Confluent's reserved-field
    messages with ``validateFields``): they come first and make the result incompatible.
    """
    messages = list(leading)
    if level is not CompatibilityLevel.NONE and previous:
        for version, old in versions_to_check(level, previous):
            found = check_against_version(level, candidate, version, old, policy)
            if found:
                messages.extend(found)
                break
    if not messages:
        return CompatibilityResult(True, [])
    messages.append(f"{{validateFields: '{str(validate_fields).lower()}', compatibility: '{level.value}'}}")
    return CompatibilityResult(False, messages)
