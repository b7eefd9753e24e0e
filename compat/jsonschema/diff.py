"""Confluent's ``SchemaDiff.compare(original, update)`` for JSON Schema (compat-rules §3.2).

``original`` is the writer schema and ``update`` the reader. :func:`compare` lists every
difference; the caller keeps the incompatible ones. Pairs of nodes are memoised by identity;
a pair met again while it is still being compared counts as compatible, and the whole walk is
repeated, with such pairs now known to be incompatible, until no assumption turns out wrong
(so a cycle cannot hide an incompatibility).
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.content import compare_array, compare_object
from charter.compat.jsonschema.diff_results import Acc, Result, bound, path_text
from charter.compat.jsonschema.differences import Difference, compatible_changes
from charter.compat.jsonschema.jsontext import value_key

_EMPTY = Result([], False)
_SUM = ("anyOf", "oneOf")


class Comparer:
    """One comparison run under a compatible set (a policy)."""

    def __init__(self, compatible: frozenset[str]) -> None:
        self.compatible = compatible
        self.known_bad: set[tuple[int, int]] = set()
        self.memo: dict[tuple[int, int], Result] = {}
        self.in_progress: set[tuple[int, int]] = set()
        self.assumed: set[tuple[int, int]] = set()

    def run(self, original: n.Node, update: n.Node) -> list[Difference]:
        while True:
            self.memo, self.in_progress, self.assumed = {}, set(), set()
            result = self.compare(original, update)
            wrong = {p for p in self.assumed if p in self.memo and self.memo[p].bad} - self.known_bad
            if not wrong:
                return [Difference(t, path_text(p)) for t, p in result.diffs]
            self.known_bad |= wrong

    def acc(self) -> Acc:
        return Acc(self.compatible)

    def single(self, type_: str, *path: str) -> Result:
        acc = self.acc()
        acc.add(type_, *path)
        return acc.result()

    def compare(self, original: n.Node | None, update: n.Node | None) -> Result:
        if original is None and update is None:
            return _EMPTY
        if original is None:
            return self.single("SCHEMA_ADDED")
        if update is None:
            return self.single("SCHEMA_REMOVED")
        original, update = n.dereference(original), n.dereference(update)
        key = (id(original), id(update))
        known = self.memo.get(key)
        if known is not None:
            return known
        if key in self.in_progress:
            if key in self.known_bad:
                return Result([], True)
            self.assumed.add(key)
            return _EMPTY
        self.in_progress.add(key)
        try:
            result = self._compare(original, update)
        finally:
            self.in_progress.discard(key)
        self.memo[key] = result
        return result

    def _compare(self, original: n.Node, update: n.Node) -> Result:
        if not isinstance(original, n.Combined) and isinstance(update, n.Combined):
            if len(update.subschemas) == 1:
                result = self.compare(original, update.subschemas[0])
                if not result.bad:
                    return result
            elif update.criterion in _SUM:
                for subschema in update.subschemas:
                    result = self.compare(original, subschema)
                    if not result.bad:
                        acc = self.acc()
                        acc.merge(result)
                        acc.add("SUM_TYPE_EXTENDED")
                        return acc.result()
        elif isinstance(original, n.Combined) and not isinstance(update, n.Combined):
            if len(original.subschemas) == 1:
                result = self.compare(original.subschemas[0], update)
                if not result.bad:
                    return result
            elif original.criterion == "allOf":
                for subschema in original.subschemas:
                    result = self.compare(subschema, update)
                    if not result.bad:
                        acc = self.acc()
                        acc.merge(result)
                        acc.add("PRODUCT_TYPE_NARROWED")
                        return acc.result()
        if type(original) is not type(update):
            if isinstance(original, n.FalseSchema) or isinstance(update, n.Empty):
                return _EMPTY
            if original.is_bytes() and update.is_bytes():
                return _EMPTY
            return self.single("TYPE_CHANGED")
        acc = self.acc()
        if original.id != update.id:
            acc.add("ID_CHANGED")
        if original.title != update.title:
            acc.add("TITLE_CHANGED")
        if original.description != update.description:
            acc.add("DESCRIPTION_CHANGED")
        if _default_key(original) != _default_key(update):
            acc.add("DEFAULT_CHANGED")
        if isinstance(original, n.String):
            _compare_string(acc, original, update)  # type: ignore[arg-type]
        elif isinstance(original, n.Number):
            _compare_number(acc, original, update)  # type: ignore[arg-type]
        elif isinstance(original, n.Enum):
            _compare_enum(acc, original, update)  # type: ignore[arg-type]
        elif isinstance(original, n.Combined):
            self._compare_combined(acc, original, update)  # type: ignore[arg-type]
        elif isinstance(original, n.Not):
            inner = self.compare(update.must_not_match, original.must_not_match)  # type: ignore[attr-defined]
            acc.add("NOT_TYPE_EXTENDED" if inner.bad else "NOT_TYPE_NARROWED", "not")
        elif isinstance(original, n.Const):
            if value_key(original.value) != value_key(update.value):  # type: ignore[attr-defined]
                acc.add("ENUM_ARRAY_CHANGED", "const")
        elif isinstance(original, n.Object):
            compare_object(self, acc, original, update)  # type: ignore[arg-type]
        elif isinstance(original, n.Array):
            compare_array(self, acc, original, update)  # type: ignore[arg-type]
        return acc.result()

    def _compare_combined(self, acc: Acc, original: n.Combined, update: n.Combined) -> None:
        o_count, u_count = len(original.subschemas), len(update.subschemas)
        if original.criterion != update.criterion:
            if (
                update.criterion == "anyOf"
                or (o_count == 1 and u_count == 1)
                or (o_count == 1 and update.criterion == "oneOf")
                or (u_count == 1 and original.criterion == "allOf")
            ):
                acc.add("COMBINED_TYPE_EXTENDED")
            else:
                acc.add("COMBINED_TYPE_CHANGED")
                return
        originals, updates = _distinct(original.subschemas), _distinct(update.subschemas)
        if len(originals) < len(updates):
            acc.add("PRODUCT_TYPE_EXTENDED" if update.criterion == "allOf" else "SUM_TYPE_EXTENDED")
        elif len(originals) > len(updates):
            acc.add("SUM_TYPE_NARROWED" if original.criterion in _SUM else "PRODUCT_TYPE_NARROWED")
        edges: list[dict[int, Result]] = []
        for o_sub in originals:
            row: dict[int, Result] = {}
            for j, u_sub in enumerate(updates):
                result = self.compare(o_sub, u_sub)
                if not result.bad:
                    row[j] = result
            edges.append(row)
        matching = _max_matching(edges)
        for i, j in sorted(matching.items()):
            acc.merge(edges[i][j], f"{original.criterion}/{i}")
        if len(matching) < min(len(originals), len(updates)):
            acc.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED")


def compare(original: n.Node, update: n.Node, policy: str = "STRICT") -> list[Difference]:
    """Every difference from ``original`` (writer) to ``update`` (reader), in Confluent's order."""
    return Comparer(compatible_changes(policy)).run(original, update)


def _default_key(node: n.Node) -> object:
    return value_key(node.default) if node.has_default else n.MISSING


def _distinct(subschemas: list[n.Node]) -> list[n.Node]:
    seen: dict[tuple[str, str], n.Node] = {}
    for subschema in subschemas:
        seen.setdefault(subschema.identity_key(), subschema)
    return list(seen.values())


def _max_matching(edges: list[dict[int, Result]]) -> dict[int, int]:
    """Maximum bipartite matching (augmenting paths); returns original index -> update index."""
    owner: dict[int, int] = {}  # update index -> original index

    def augment(i: int, visited: set[int]) -> bool:
        for j in edges[i]:
            if j in visited:
                continue
            visited.add(j)
            if j not in owner or augment(owner[j], visited):
                owner[j] = i
                return True
        return False

    for i in range(len(edges)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _compare_string(acc: Acc, original: n.String, update: n.String) -> None:
    bound(acc, "maxLength", "MAX_LENGTH", original.max_length, update.max_length)
    bound(acc, "minLength", "MIN_LENGTH", original.min_length, update.min_length)
    if original.pattern != update.pattern:
        if original.pattern is None:
            acc.add("PATTERN_ADDED", "pattern")
        elif update.pattern is None:
            acc.add("PATTERN_REMOVED", "pattern")
        else:
            acc.add("PATTERN_CHANGED", "pattern")


_EXACT = decimal.Context(prec=1000, traps=[decimal.InvalidOperation, decimal.DivisionByZero])


def _is_multiple(value: Decimal, of: Decimal) -> bool:
    try:
        return _EXACT.remainder(value, of).is_zero()
    except (decimal.InvalidOperation, decimal.DivisionByZero):
        return False


def _compare_number(acc: Acc, original: n.Number, update: n.Number) -> None:
    bound(acc, "maximum", "MAXIMUM", original.maximum, update.maximum)
    bound(acc, "minimum", "MINIMUM", original.minimum, update.minimum)
    bound(acc, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM", original.exclusive_maximum, update.exclusive_maximum)
    bound(acc, "exclusiveMinimum", "EXCLUSIVE_MINIMUM", original.exclusive_minimum, update.exclusive_minimum)
    o_multiple, u_multiple = original.multiple_of, update.multiple_of
    if o_multiple != u_multiple:
        if o_multiple is None:
            acc.add("MULTIPLE_OF_ADDED", "multipleOf")
        elif u_multiple is None:
            acc.add("MULTIPLE_OF_REMOVED", "multipleOf")
        elif _is_multiple(u_multiple, o_multiple):
            acc.add("MULTIPLE_OF_EXPANDED", "multipleOf")
        elif _is_multiple(o_multiple, u_multiple):
            acc.add("MULTIPLE_OF_REDUCED", "multipleOf")
        else:
            acc.add("MULTIPLE_OF_CHANGED", "multipleOf")
    if original.requires_integer != update.requires_integer:
        acc.add("TYPE_EXTENDED" if original.requires_integer else "TYPE_NARROWED")


def _compare_enum(acc: Acc, original: n.Enum, update: n.Enum) -> None:
    o_values = {value_key(v) for v in original.values}
    u_values = {value_key(v) for v in update.values}
    if o_values == u_values:
        return
    if u_values > o_values:
        acc.add("ENUM_ARRAY_EXTENDED", "enum")
    elif u_values < o_values:
        acc.add("ENUM_ARRAY_NARROWED", "enum")
    else:
        acc.add("ENUM_ARRAY_CHANGED", "enum")
