"""The order Confluent gives the subschemas of an ``allOf``/``anyOf``/``oneOf``.

Confluent names a subschema of a combination by its index *after sorting* the subschemas with
``JsonSchemaComparator`` (its schema-tag entity paths such as ``object.f.oneof.1.object``, see
:mod:`charter.compat.jsonschema.inline_tags`). This module is that ordering over the typed model of
:mod:`charter.compat.jsonschema.nodes`: first the kind of schema (everit's class names in
alphabetical order), then ``title``, ``description`` and ``default`` (absent first), then per kind:
a const's value, an enum's values, a combination's criterion, size and sorted members, a ``not``'s
schema, an object's property names and required names, an array's item schema, a reference's
target. Strings compare as Java's ``String.compareTo``.

A conditional (``if``/``then``/``else``) compares equal to any other; Charter's model does not
keep its branches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cmp_to_key
from typing import Any

from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.jsontext import utf16_key

# everit's schema classes in JsonSchemaComparator.SchemaType order (alphabetical).
_KIND_ORDER = {
    kind: i
    for i, kind in enumerate((
        "array", "boolean", "combined", "conditional", "const", "empty", "enum", "false", "not", "null",
        "number", "object", "reference", "string", "true",
    ))
}


def java_string(value: Any) -> str | None:
    """``Object.toString()`` of a JSON value, roughly as everit's values print (None stays None)."""
    if value is None or value is n.MISSING:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return str(value)


def _strings(a: str | None, b: str | None) -> int:
    """Java's nulls-first natural order of strings."""
    if a is None or b is None:
        return (a is not None) - (b is not None)
    ka, kb = utf16_key(a), utf16_key(b)
    return (ka > kb) - (ka < kb)


def _collections(a: Iterable[Any], b: Iterable[Any]) -> int:
    la = sorted((java_string(v) or "null" for v in a), key=utf16_key)
    lb = sorted((java_string(v) or "null" for v in b), key=utf16_key)
    if len(la) != len(lb):
        return len(la) - len(lb)
    for x, y in zip(la, lb, strict=True):
        cmp = _strings(x, y)
        if cmp:
            return cmp
    return 0


class SchemaOrder:
    """``compare`` is Confluent's ``JsonSchemaComparator.compare``; references met again while
    comparing (a cycle) compare equal."""

    def __init__(self) -> None:
        self._active: set[tuple[int, int]] = set()

    def sorted(self, schemas: Iterable[n.Node]) -> list[n.Node]:
        return sorted(schemas, key=cmp_to_key(self.compare))

    def compare(self, a: n.Node | None, b: n.Node | None) -> int:
        if a is b:
            return 0
        if a is None or b is None:
            return -1 if a is None else 1
        cmp = _KIND_ORDER.get(a.kind, -1) - _KIND_ORDER.get(b.kind, -1)
        if cmp:
            return cmp
        for x, y in ((a.title, b.title), (a.description, b.description), (a.default, b.default)):
            cmp = _strings(java_string(x), java_string(y))
            if cmp:
                return cmp
        return self._same_kind(a, b)

    def _same_kind(self, a: n.Node, b: n.Node) -> int:
        if isinstance(a, n.Const) and isinstance(b, n.Const):
            return _strings(java_string(a.value) or "null", java_string(b.value) or "null")
        if isinstance(a, n.Enum) and isinstance(b, n.Enum):
            return _collections(a.values, b.values)
        if isinstance(a, n.Combined) and isinstance(b, n.Combined):
            cmp = _strings(a.criterion.lower(), b.criterion.lower()) or len(a.subschemas) - len(b.subschemas)
            if cmp:
                return cmp
            for x, y in zip(self.sorted(a.subschemas), self.sorted(b.subschemas), strict=True):
                cmp = self.compare(x, y)
                if cmp:
                    return cmp
            return 0
        if isinstance(a, n.Not) and isinstance(b, n.Not):
            return self.compare(a.must_not_match, b.must_not_match)
        if isinstance(a, n.Object) and isinstance(b, n.Object):
            return _collections(a.properties, b.properties) or _collections(a.required, b.required)
        if isinstance(a, n.Array) and isinstance(b, n.Array):
            return self.compare(a.all_items, b.all_items)
        if isinstance(a, n.Reference) and isinstance(b, n.Reference):
            pair = (id(a), id(b))
            if pair in self._active:
                return 0
            self._active.add(pair)
            try:
                return self.compare(a.target, b.target)
            finally:
                self._active.discard(pair)
        return 0
