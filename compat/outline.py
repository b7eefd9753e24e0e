"""Structural outlines of schemas and the one differ that compares them.

A format outlines a parsed schema (``SchemaFormat.outline``) as a tree of named :class:`Part`
objects: records, fields and JSON keys for the JSON-based formats, messages, fields (by name and
number), enums and their values for Protobuf. :func:`diff_outlines` compares two outlines and
returns the :class:`Change` list that ``charter diff`` and the console's compare page show; a part
added or removed as a whole is one change carrying its subtree. Pure: no I/O, no format names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Part:
    """A named part of a schema.

    ``kind`` says how a path shows it: ``root`` (a schema named by its root type, e.g. an Avro
    record), ``key`` (an object key), ``item`` (an element of a list of named objects, such as an
    Avro field), ``index`` (a list position) or ``decl`` (a Protobuf declaration). ``value`` is the
    part's own text (a field's type, ``"message"``); ``parts`` its children.
    """

    name: str
    value: str | None = None
    parts: tuple[Part, ...] = ()
    kind: str = "key"

    def leaves(self, path: tuple[Part, ...] = ()) -> Iterator[tuple[tuple[Part, ...], str]]:
        """(path, value) of this part and every part below it that has a value, depth first."""
        here = (*path, self)
        if self.value is not None:
            yield here, self.value
        for child in self.parts:
            yield from child.leaves(here)


Outline = tuple[Part, ...]


@dataclass(frozen=True)
class Change:
    """One structural difference: ``op`` is ``+`` (added), ``-`` (removed) or ``~`` (changed).

    ``path`` leads from the outline's top to the part; an added or removed part carries its
    subtree (``part``), a changed one its old and new ``value``.
    """

    op: str
    path: tuple[Part, ...]
    old: str | None = None
    new: str | None = None

    @property
    def part(self) -> Part:
        return self.path[-1]


def diff_outlines(old: Outline, new: Outline) -> list[Change]:
    """The changes from ``old`` to ``new``, parts matched by name at each level, sorted by path."""
    changes: list[Change] = []
    _diff_level(old, new, (), changes)
    return sorted(changes, key=lambda c: dotted(c.path))


def _diff_level(old: Sequence[Part], new: Sequence[Part], path: tuple[Part, ...], out: list[Change]) -> None:
    before = {p.name: p for p in old}
    after = {p.name: p for p in new}
    for name, part in after.items():
        was = before.get(name)
        if was is None:
            out.append(Change("+", (*path, part), None, part.value))
            continue
        if was.value != part.value:
            out.append(Change("~", (*path, part), was.value, part.value))
        _diff_level(was.parts, part.parts, (*path, part), out)
    out += [Change("-", (*path, part), part.value, None) for name, part in before.items() if name not in after]


def leaf_changes(changes: Sequence[Change]) -> list[tuple[str, tuple[Part, ...], str | None, str | None]]:
    """``(op, path, old, new)`` per value: an added or removed part becomes one entry for itself
    (when it has a value) and one for each part below it, in outline order."""
    out: list[tuple[str, tuple[Part, ...], str | None, str | None]] = []
    for change in changes:
        if change.op == "~":
            out.append(("~", change.path, change.old, change.new))
            continue
        for path, value in change.part.leaves(change.path[:-1]):
            out.append((change.op, path, value, None) if change.op == "-" else (change.op, path, None, value))
    return out


def dotted(path: Sequence[Part]) -> str:
    """``User.fields.age``, ``Order.id (field 1)``: the path as ``charter diff`` prints it."""
    return ".".join(p.name for p in path) or "(root)"


def pointer(path: Sequence[Part]) -> str:
    """``/fields[age]/type``: the path with JSON keys as pointer steps and named list elements in
    brackets (the root type's name left out); Protobuf declarations are joined with dots."""
    out = ""
    for part in path:
        if part.kind == "root":
            continue
        if part.kind == "item":
            out += f"[{part.name}]"
        elif part.kind == "index":
            out += part.name
        elif part.kind == "decl":
            out += f".{part.name}" if out else part.name
        else:
            out += f"/{part.name}"
    return out or "/"


def json_outline(document: Any, root: str | None = None) -> Outline:
    """The outline of a JSON document: objects by key, lists of objects that have a ``name`` by
    name (the name itself left out), other lists holding objects or lists by position, any other
    value a leaf with its JSON text. ``root`` names the whole document (Avro's record name)."""
    parts = _json_parts(document)
    return (Part(root, None, parts, "root"),) if root else parts


def _json_parts(node: Any) -> tuple[Part, ...]:
    if isinstance(node, dict):
        if not node:
            return (Part("(root)", "{}"),)
        return tuple(_json_part(str(k), v, "key") for k, v in node.items())
    if isinstance(node, list) and node and all(isinstance(x, dict) and "name" in x for x in node):
        return tuple(_json_part(str(x["name"]), {k: v for k, v in x.items() if k != "name"}, "item") for x in node)
    if isinstance(node, list) and any(isinstance(x, dict | list) for x in node):
        return tuple(_json_part(f"[{i}]", x, "index") for i, x in enumerate(node))
    return (Part("(root)", json.dumps(node)),)


def _json_part(name: str, value: Any, kind: str) -> Part:
    if isinstance(value, dict) and not value:
        return Part(name, "{}", (), kind)
    if isinstance(value, dict | list):
        parts = _json_parts(value)  # once: calling it again here doubled the work at every level
        if parts[0].name != "(root)":
            return Part(name, None, parts, kind)
    return Part(name, json.dumps(value), (), kind)
