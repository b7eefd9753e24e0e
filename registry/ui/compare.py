"""Comparing two versions of a subject: textual diff, structural diff and compatibility verdicts.

The structural diff is the one ``charter diff`` prints (:mod:`charter.compat.outline`), shown with
pointer paths (``/fields[age]``) and a part added or removed as a whole on one row.

The verdict is what the registry would answer when registering the newer version after the older
one under the subject's level (:func:`charter.compat.levels.check_compatibility`, the function the
service's own check uses, with the subject's level and policy). Each direction (backward: the new
schema reads old data; forward: the old schema reads new data) is also shown on its own.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from charter.compat import CompatibilityLevel, ParsedSchema, SchemaFormat
from charter.compat.formats import get_format
from charter.compat.levels import check_compatibility
from charter.compat.outline import Part, diff_outlines, pointer
from charter.registry.store.state import SubjectVersion
from charter.registry.ui.render import pretty
from charter.registry.usecases.config import Config
from charter.registry.usecases.reads import Reads
from charter.registry.usecases.workers import CHECKS


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


def _summary(part: Part) -> str | None:
    """A part added or removed as a whole: its value, or its values below it on one line."""
    if not part.parts:
        return part.value
    return ", ".join(f"{pointer(path[1:]).lstrip('/') or '.'}: {value}" for path, value in part.leaves())


def structural_changes(fmt: SchemaFormat, old: ParsedSchema, new: ParsedSchema) -> list[Change]:
    """What was added, removed or changed between two schemas of one format, by path
    (:func:`charter.compat.outline.diff_outlines` of the format's outlines)."""
    kinds = {"+": "added", "-": "removed", "~": "changed"}
    out = []
    for change in diff_outlines(fmt.outline(old), fmt.outline(new)):
        if change.op == "~":
            out.append(Change("changed", pointer(change.path), change.old or "", change.new or ""))
        else:
            text = _summary(change.part) or ""
            old_text, new_text = (text, "") if change.op == "-" else ("", text)
            out.append(Change(kinds[change.op], pointer(change.path), old_text, new_text))
    return out


async def compare(config: Config, reads: Reads, a: SubjectVersion, b: SubjectVersion) -> Comparison:
    """Compare two versions of one subject (the lower version number is the older one)."""
    old, new = (a, b) if a.version <= b.version else (b, a)
    level = config.compatibility_level(old.subject)
    policy = config.compatibility_policy(old.subject)
    parse = reads.parse_job(old.schema, new.schema)

    def work() -> tuple[bool, list[str], list[tuple[str, bool, list[str]]], list[Change]]:
        old_p, new_p = parse()  # parsing is most of the cost: it runs in the checks' pool too
        same_type = old_p.schema_type == new_p.schema_type
        changes = structural_changes(get_format(new_p.schema_type), old_p, new_p) if same_type else []
        verdict = check_compatibility(level, new_p, [(old.version, old_p)], policy=policy)
        directions = []
        for name, lvl in (("Backward (new reads old data)", CompatibilityLevel.BACKWARD),
                          ("Forward (old reads new data)", CompatibilityLevel.FORWARD)):
            result = check_compatibility(lvl, new_p, [(old.version, old_p)], policy=policy)
            directions.append((name, result.is_compatible, result.messages))
        return verdict.is_compatible, verdict.messages, directions, changes

    compatible, messages, directions, changes = await CHECKS.run(work)  # the pool of read-only checks
    old_text = pretty(old.schema.schema_type, old.schema.text)
    new_text = pretty(new.schema.schema_type, new.schema.text)
    return Comparison(
        old, new, level.value,
        unified_diff(old_text, new_text, f"version {old.version}", f"version {new.version}"),
        changes, compatible, messages, directions,
    )
