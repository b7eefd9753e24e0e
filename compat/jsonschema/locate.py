"""Locating JSON Schema findings: ``#/properties/id`` read as ``properties.id``, and the line of
that property in the new schema text."""

from __future__ import annotations

import re

from charter.compat.locate import Location, find, line_of


def locate(path: str, new_text: str | None, old_text: str | None, direction: str) -> Location:
    """The location of a SchemaDiff path in the new schema."""
    parts = [p for p in path.removeprefix("#").split("/") if p]
    where = ".".join(parts) or "(root)"
    if not new_text:
        return Location(where)
    offset = 0
    found_any = False
    for prev, seg in zip(["", *parts], parts, strict=False):
        if prev in ("properties", "definitions", "$defs", "patternProperties") or seg in ("items",):
            found = find(new_text, '"' + re.escape(seg) + r'"\s*:', offset)
            if found is None:
                return Location(where)
            offset, found_any = found, True
    return Location(where, line_of(new_text, offset) if found_any else None)
