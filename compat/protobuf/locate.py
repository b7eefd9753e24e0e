"""Locating Protobuf findings: ``#/User/1`` read as ``User.id (field 1)``, and its line in the new
schema text (the old text names a field the new one no longer has)."""

from __future__ import annotations

import re

from charter.compat.locate import Location, find, line_of


def locate(path: str, new_text: str | None, old_text: str | None, direction: str) -> Location:
    """The location of a SchemaDiff path (messages, then a field number)."""
    parts = [p for p in path.removeprefix("#/").split("/") if p]
    num = parts[-1] if parts and parts[-1].isdigit() else None
    messages = parts[:-1] if num else parts
    where = ".".join(messages) or "(file)"
    line = None
    for text, is_new in ((new_text, True), (old_text, False)):
        if not text:
            continue
        offset: int | None = 0
        for name in messages:
            offset = find(text, r"\b(message|enum)\s+" + re.escape(name) + r"\b", offset or 0)
            if offset is None:
                break
        if offset is None:
            continue
        if num is not None:
            field = re.compile(r"(?<!\w)(\w+)\s*=\s*" + num + r"\s*[;\[]").search(text, offset)
            if field is None:
                continue
            where = f"{'.'.join(messages)}.{field.group(1)} (field {num})"
            offset = field.start()
        if is_new:
            line = line_of(text, offset)
        break
    return Location(where, line, num)
