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

V = TypeVar("V")

OLD_SCHEMA_LIMIT = 10240
DIFFERENT_TYPE_MESSAGE = "Incompatible because of different schema type"


def versions_to_check(level: CompatibilityLevel, previous: Sequence[V]) -> list[V]:
    """The earlier versions ``level`` compares a candidate with, given ``previous`` newest first:
    none for NONE, every one for a ``*_TRANSITIVE`` level, else the newest alone."""
    if level is CompatibilityLevel.NONE:
        return []
    return list(previous) if level.transitive else list(previous[:1])


def _old_schema_entry(old: ParsedSchema) -> str:
    text = old.canonical()
    if len(text) > OLD_SCHEMA_LIMIT:
        return f"{{oldSchema: <truncated> '{text[:OLD_SCHEMA_LIMIT]}...'}}"
    return f"{{oldSchema: '{text}'}}"


#: How Confluent's messages name the reader and the writer in each half of a check.
WORDS = {"forward": ("old", "new"), "backward": ("new", "old")}


def directions(
    level: CompatibilityLevel, candidate: ParsedSchema, old: ParsedSchema
) -> list[tuple[str, ParsedSchema, ParsedSchema]]:
    """The directional checks of ``level`` against one earlier version, in Confluent's order:
    ``(direction, reader, writer)``, the forward half (the old schema reads new data) first."""
    found: list[tuple[str, ParsedSchema, ParsedSchema]] = []
    if level.checks_forward:
        found.append(("forward", old, candidate))
    if level.checks_backward:
        found.append(("backward", candidate, old))
    return found


def check_against_version(
    level: CompatibilityLevel, candidate: ParsedSchema, version: int, old: ParsedSchema, policy: str = "STRICT"
) -> list[str]:
    """Messages for one earlier version (empty when compatible), before the level suffix."""
    if candidate.schema_type != old.schema_type:
        return [DIFFERENT_TYPE_MESSAGE]
    messages: list[str] = []
    for direction, reader, writer in directions(level, candidate, old):
        found = [i.render(*WORDS[direction]) for i in reader.incompatibilities(writer, policy=policy)]
        # The version entries follow the backward half's messages, or a forward-only level's.
        if found and (direction == "backward" or not level.checks_backward):
            found += [f"{{oldSchemaVersion: {version}}}", _old_schema_entry(old)]
        messages.extend(found)
    return messages


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

    Non-transitive levels look at the first entry only; pass exactly one entry to check
    against one chosen version, whatever the level. ``policy`` is Confluent's
    ``compatibilityPolicy`` (STRICT by default; LENIENT relaxes JSON Schema's content-model rules).
    ``leading`` are messages found before the level's checks (Confluent's reserved-field
    messages with ``validateFields``): they come first and make the result incompatible.
    """
    messages = list(leading)
    for version, old in versions_to_check(level, previous):
        found = check_against_version(level, candidate, version, old, policy)
        if found:
            messages.extend(found)
            break
    if not messages:
        return CompatibilityResult(True, [])
    messages.append(f"{{validateFields: '{str(validate_fields).lower()}', compatibility: '{level.value}'}}")
    return CompatibilityResult(False, messages)
