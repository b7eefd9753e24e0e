"""Turn compatibility findings into something a person can act on.

For every break: a readable path (``User.fields.age`` from Avro's JSON pointer ``/fields/1``,
``User.id (field 1)`` from Protobuf's ``#/User/1``, ``properties.id`` from JSON Schema's
``#/properties/id``: each format's ``locate``), the line of the current file it points at (for
GitHub annotations), a short summary and a one-line hint how to fix it (the rule's, from
:mod:`charter.compat.rules`). Works on the library's ``Incompatibility``
objects (offline checks) and on the registry's verbose message strings (``--registry``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from charter.compat import Incompatibility
from charter.compat.formats import get_format
from charter.compat.levels import DIFFERENT_TYPE_MESSAGE, WORDS
from charter.compat.locate import Location
from charter.compat.rules import hint_for, rule_for


@dataclass
class Break:
    """One reason the change breaks an earlier version."""

    error_type: str
    path: str
    where: str
    summary: str
    hint: str
    description: str
    direction: str  # "backward" (new reads old data) or "forward" (old reads new data)
    line: int | None = None
    category: str | None = None  # the rule's category (charter.compat.rules), None for an unknown errorType

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def explain(error_type: str, path: str, description: str, direction: str, schema_type: str,
            new_text: str | None, old_text: str | None, additional_info: str | None = None) -> Break:
    """A :class:`Break` for one finding; ``description`` is already rendered with new/old."""
    try:
        location = get_format(schema_type).locate(path, new_text, old_text, direction)
    except KeyError:
        location = Location(path or "(schema)")
    rule = rule_for(error_type)
    summary = rule.summary_for(direction, additional_info) if rule else description
    if error_type == "UNEXPECTED":
        summary = description  # the checker's own error says more than the rule
    return Break(error_type or "UNEXPECTED", path, location.where, summary,
                 hint_for(error_type, direction, location.field_number), description, direction, location.line,
                 rule.category.value if rule else None)


def from_incompatibility(item: Incompatibility, direction: str, schema_type: str,
                         new_text: str | None, old_text: str | None) -> Break:
    return explain(item.rule_id or item.error_type, item.path, item.describe(*WORDS[direction]), direction, schema_type,
                   new_text, old_text, item.additional_info)


_ENTRY = re.compile(r"^\{errorType:['\"](?P<type>[A-Z_]*)['\"], description:['\"](?P<desc>.*?)['\"]"
                    r"(?:, additionalInfo:'(?P<info>.*)')?\}$", re.S)
_PATH = re.compile(r"path:? '([^']*)'")


def from_message(message: str, schema_type: str, new_text: str | None, old_text: str | None) -> Break | None:
    """A :class:`Break` from one of the registry's verbose messages; None for the trailing
    ``{oldSchemaVersion: ...}`` / ``{oldSchema: ...}`` / ``{validateFields: ...}`` entries."""
    if message.startswith(("{oldSchemaVersion", "{oldSchema:", "{validateFields")):
        return None
    found = _ENTRY.match(message)
    if not found:
        error_type = "DIFFERENT_SCHEMA_TYPE" if message == DIFFERENT_TYPE_MESSAGE else "UNEXPECTED"
        return explain(error_type, "", message, "backward", schema_type, new_text, old_text)
    desc = found.group("desc")
    path_match = _PATH.search(desc)
    new_at, old_at = desc.find("new schema"), desc.find("old schema")
    direction = "forward" if old_at != -1 and (new_at == -1 or old_at < new_at) else "backward"
    return explain(found.group("type"), path_match.group(1) if path_match else "", desc, direction,
                   schema_type, new_text, old_text, found.group("info") or None)
