"""Where a compatibility finding points: the readable location of a rule's path, and its line.

Each format turns the path of an :class:`~charter.compat.model.Incompatibility` (Avro's JSON
pointer ``/fields/1``, Protobuf's ``#/User/1``, JSON Schema's ``#/properties/id``) into a
:class:`Location` (``SchemaFormat.locate``): ``User.fields.age``, ``User.id (field 1)``,
``properties.id``, with the line of the new schema text it is on when it can be found (for
GitHub annotations). The helpers here search schema text; they never parse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A readable location (``where``), the 1-based line in the new text, and the Protobuf field
    number the path ends with (``field_number``, for hints)."""

    where: str
    line: int | None = None
    field_number: str | None = None


def find(text: str, pattern: str, start: int) -> int | None:
    """The offset of the first match of ``pattern`` (multi-line) at or after ``start``."""
    found = re.compile(pattern, re.M).search(text, start)
    return found.start() if found else None


def line_of(text: str, offset: int | None) -> int | None:
    """The 1-based line of an offset (None stays None)."""
    return None if offset is None else text.count("\n", 0, offset) + 1
