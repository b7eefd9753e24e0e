"""Locating Avro findings: a JSON pointer into the reader schema (``/fields/1/type``) read as
``User.fields.age.type``, and the line of the field in the new schema text."""

from __future__ import annotations

import json
import re
from typing import Any

from charter.compat.locate import Location, find, line_of


def locate(pointer: str, new_text: str | None, old_text: str | None, direction: str) -> Location:
    """The location of ``pointer``, a path in the reader schema (the old one for a forward finding)."""
    reader_text = old_text if direction == "forward" else new_text
    try:
        node: Any = json.loads(reader_text or "")
    except ValueError:
        return Location(pointer)
    parts = [p for p in pointer.split("/") if p]
    label = [node.get("name", "").split(".")[-1]] if isinstance(node, dict) and node.get("name") else []
    names: list[str] = []
    i = 0
    while i < len(parts):
        seg = parts[i]
        try:
            if seg == "fields" and i + 1 < len(parts):
                node = node["fields"][int(parts[i + 1])]
                label.append(f"fields.{node['name']}")
                names.append(node["name"])
                i += 2
                continue
            node = node[int(seg)] if isinstance(node, list) else node[seg]
        except (KeyError, IndexError, ValueError, TypeError):
            return Location(".".join(label + parts[i:]) or pointer)
        label.append(seg)
        i += 1
    line = None
    if new_text and names:
        offset: int | None = 0
        for name in names:
            offset = find(new_text, r'"name"\s*:\s*"' + re.escape(name) + '"', offset or 0)
            if offset is None:
                break
        line = line_of(new_text, offset)
    return Location(".".join(label) or "(root)", line)
