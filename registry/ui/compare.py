"""Comparing two versions of a subject: textual diff, structural diff and compatibility verdicts.

The verdict is what the registry would answer when registering the newer version after the older
one under the subject's level (:func:`charter.compat.levels.check_compatibility`, the function the
service's own check uses, with the subject's level and policy). Each direction (backward: the new
schema reads old data; forward: the old schema reads new data) is also shown on its own.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from charter.compat import CompatibilityLevel
from charter.compat.levels import check_compatibility
from charter.registry.store.state import SubjectVersion
from charter.registry.ui.render import pretty
from charter.registry.usecases.config import Config
from charter.registry.usecases.reads import Reads


@dataclass
class Change:
    kind: str  # "added", "removed" or "changed"
    path: str
    old: str = ""
    new: str = ""


@dataclass
class Comparison:
    old: SubjectVersion
    new: SubjectVersion
    level: str
    unified: list[tuple[str, str]]  # (css class, line)
    changes: list[Change]
    compatible: bool
    messages: list[str]
    directions: list[tuple[str, bool, list[str]]] = field(default_factory=list)


def unified_diff(old_text: str, new_text: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """``diff -u`` of two texts, each line tagged add / del / hunk / ctx for colouring."""
    out = []
    for line in difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), old_name, new_name, lineterm=""):
        if line.startswith(("+++", "---")):
            tag = "file"
        elif line.startswith("@@"):
            tag = "hunk"
        elif line.startswith("+"):
            tag = "add"
        elif line.startswith("-"):
            tag = "del"
        else:
            tag = "ctx"
        out.append((tag, line))
    return out


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    """Leaf paths of a JSON value; lists of named objects (Avro fields, symbols) keyed by name."""
    if isinstance(value, dict):
        if not value:
            out[path or "/"] = "{}"
        for key, item in value.items():
            _flatten(item, f"{path}/{key}", out)
    elif isinstance(value, list):
        named = all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in value) and value
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{item['name']}]" if named else f"{path}[{index}]", out)
        if not value:
            out[path] = "[]"
    else:
        out[path or "/"] = json.dumps(value)


_PROTO_OPEN = re.compile(r"^\s*(message|enum|oneof|service)\s+(\w+)\s*\{")
_PROTO_FIELD = re.compile(r"^\s*((?:repeated|optional|required)\s+)?([\w.<>, ]+?)\s+(\w+)\s*=\s*(-?\d+)")


def _proto_outline(text: str) -> dict[str, str]:
    """Declarations of a .proto text by path: ``Message.field`` -> ``label type = number``."""
    out: dict[str, str] = {}
    stack: list[str] = []
    for raw in text.splitlines():
        line = raw.split("//", 1)[0]
        opened = _PROTO_OPEN.match(line)
        if opened:
            stack.append(opened.group(2))
            out[".".join(stack)] = opened.group(1)
        else:
            decl = _PROTO_FIELD.match(line)
            if decl and stack:
                label, typ, name, number = decl.groups()
                out[".".join([*stack, name])] = f"{(label or '').strip()} {typ.strip()} = {number}".strip()
        for _ in range(line.count("}")):
            if stack:
                stack.pop()
    return out


def structural_changes(schema_type: str, old_text: str, new_text: str) -> list[Change]:
    """What was added, removed or changed between two schemas, by path."""
    if schema_type == "PROTOBUF":
        old, new = _proto_outline(old_text), _proto_outline(new_text)
    else:
        old, new = {}, {}
        try:
            _flatten(json.loads(old_text), "", old)
            _flatten(json.loads(new_text), "", new)
        except ValueError:
            return []
    # A named element (an Avro field, say) added or removed as a whole is one change, not one per leaf.
    whole = {p.split("]", 1)[0] + "]" for p in (old.keys() ^ new.keys()) if "[" in p}
    whole = {w for w in whole if not any(k.startswith(w) for k in old) or not any(k.startswith(w) for k in new)}
    for w in whole:
        for side in (old, new):
            leaves = {k: side.pop(k) for k in list(side) if k.startswith(w + "/") or k == w}
            if leaves:
                side[w] = ", ".join(f"{k[len(w) + 1:] or '.'}: {v}" for k, v in leaves.items())
    changes = [Change("removed", p, old=old[p]) for p in old if p not in new]
    changes += [Change("added", p, new=new[p]) for p in new if p not in old]
    changes += [Change("changed", p, old[p], new[p]) for p in old if p in new and old[p] != new[p]]
    return sorted(changes, key=lambda c: c.path)


async def compare(config: Config, reads: Reads, a: SubjectVersion, b: SubjectVersion) -> Comparison:
    """Compare two versions of one subject (the lower version number is the older one)."""
    old, new = (a, b) if a.version <= b.version else (b, a)
    level = config.compatibility_level(old.subject)
    policy = config.compatibility_policy(old.subject)
    old_p, new_p = await reads.parsed(old.schema, new.schema)  # parsed in a thread; checks in one too

    def work() -> tuple[bool, list[str], list[tuple[str, bool, list[str]]]]:
        verdict = check_compatibility(level, new_p, [(old.version, old_p)], policy=policy)
        directions = []
        for name, lvl in (("Backward (new reads old data)", CompatibilityLevel.BACKWARD),
                          ("Forward (old reads new data)", CompatibilityLevel.FORWARD)):
            result = check_compatibility(lvl, new_p, [(old.version, old_p)], policy=policy)
            directions.append((name, result.is_compatible, result.messages))
        return verdict.is_compatible, verdict.messages, directions

    compatible, messages, directions = await asyncio.to_thread(work)
    schema_type = new.schema.schema_type
    old_text = pretty(old.schema.schema_type, old.schema.text)
    new_text = pretty(schema_type, new.schema.text)
    return Comparison(
        old, new, level.value,
        unified_diff(old_text, new_text, f"version {old.version}", f"version {new.version}"),
        structural_changes(schema_type, old_text, new_text) if old.schema.schema_type == schema_type else [],
        compatible, messages, directions,
    )
