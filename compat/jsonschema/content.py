"""Object and array rules of the diff (compat-rules §3.3/§3.4): bounds, additional and
unevaluated properties/items, dependencies, required, and properties or tuple items added or
removed under open, partially open and closed content models.

Removals are judged by the update's (reader's) content model, additions by the original's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.diff_results import Acc, bound, java_hash_order

if TYPE_CHECKING:
    from charter.compat.jsonschema.diff import Comparer

_PARTIAL = "COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"


# A schema's pattern is the user's code: matched by ``regex`` (not ``re``) so that the match releases
# the GIL (``concurrent``) and stops after PATTERN_TIMEOUT_S. ``regex`` also answers the classic
# catastrophic cases (``^(a+)+$``) without backtracking exponentially.
PATTERN_TIMEOUT_S = 0.05


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> regex.Pattern[str] | None:
    try:
        return regex.compile(pattern, regex.VERSION0)
    except (regex.error, RecursionError, ValueError, OverflowError):
        return None


@lru_cache(maxsize=1024)
def _too_slow(pattern: str) -> list[bool]:
    """A one-item flag per pattern: set once a match of it ran out of time (then skipped)."""
    return [False]


def _finds(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text``. A pattern that cannot be compiled, or whose
    match runs out of time, matches nothing: the property is then judged by the rest of the content
    model (usually closed), which errs towards reporting a difference, never towards hiding one."""
    compiled = _regex(pattern)
    slow = _too_slow(pattern)
    if compiled is None or slow[0]:
        return False
    try:
        return compiled.search(text, concurrent=True, timeout=PATTERN_TIMEOUT_S) is not None
    except TimeoutError:
        slow[0] = True
        return False


def _non_trivial(node: n.Node | None) -> bool:
    return node is not None and not n.is_trivial(node) and not isinstance(node, n.FalseSchema)


def object_is_open(node: n.Object) -> bool:
    return (
        not node.pattern_properties
        and node.additional is None
        and node.permits_additional
        and (node.unevaluated is None or n.is_trivial(node.unevaluated))
    )


def object_partial_schema(node: n.Object, key: str) -> n.Node | None:
    """The schema a partially open object model gives property ``key``; None when closed for it."""
    for pattern, schema in node.pattern_properties:
        if _finds(pattern, key):
            return schema
    if node.additional is not None:
        return node.additional
    if node.permits_additional and _non_trivial(node.unevaluated):  # additionalProperties absent
        return node.unevaluated
    return None


def array_is_open(node: n.Array) -> bool:
    return (
        node.permits_additional_items
        and node.additional_items is None
        and (node.unevaluated is None or n.is_trivial(node.unevaluated))
    )


def array_partial_schema(node: n.Array) -> n.Node | None:
    if node.additional_items is not None:
        return node.additional_items
    if node.permits_additional_items and _non_trivial(node.unevaluated):  # additionalItems absent
        return node.unevaluated
    return None


def _unevaluated(
    cmp: Comparer, acc: Acc, keyword: str, name: str, original: n.Node | None, update: n.Node | None
) -> None:
    """``unevaluatedProperties``/``unevaluatedItems`` (ObjectSchemaDiff/ArraySchemaDiff.compareUnevaluated*)."""
    if original is None and update is None:
        return
    if original is None:
        acc.add(f"{name}_REMOVED" if isinstance(update, n.FalseSchema) else f"{name}_NARROWED", keyword)
    elif update is None:
        acc.add(f"{name}_ADDED" if isinstance(original, n.FalseSchema) else f"{name}_EXTENDED", keyword)
    elif isinstance(original, n.FalseSchema) and not isinstance(update, n.FalseSchema):
        acc.add(f"{name}_ADDED", keyword)
    elif not isinstance(original, n.FalseSchema) and isinstance(update, n.FalseSchema):
        acc.add(f"{name}_REMOVED", keyword)
    elif n.is_trivial(original) and not n.is_trivial(update):
        acc.add(f"{name}_NARROWED", keyword)
    elif not n.is_trivial(original) and n.is_trivial(update):
        acc.add(f"{name}_EXTENDED", keyword)
    else:
        acc.merge(cmp.compare(original, update), keyword)


def _additional(
    cmp: Comparer,
    acc: Acc,
    keyword: str,
    name: str,
    permits: tuple[bool, bool],
    schemas: tuple[n.Node | None, n.Node | None],
) -> None:
    """``additionalProperties``/``additionalItems`` (ObjectSchemaDiff.compareAdditionalProperties,
    ArraySchemaDiff.compareAdditionalItems): a change of ``false`` to allowed is only
    ``*_ADDED`` (compatible), whatever schema now admits them; ``*_NARROWED``/``*_EXTENDED``
    are reported only when both sides allow additional members."""
    (o_permits, u_permits), (o_schema, u_schema) = permits, schemas
    if o_permits != u_permits:
        acc.add(f"{name}_{'REMOVED' if o_permits else 'ADDED'}", keyword)
    elif o_schema is None and u_schema is not None:
        acc.add(f"{name}_NARROWED", keyword)
    elif o_schema is not None and u_schema is None:
        acc.add(f"{name}_EXTENDED", keyword)
    else:
        acc.merge(cmp.compare(o_schema, u_schema), keyword)


def compare_object(cmp: Comparer, acc: Acc, original: n.Object, update: n.Object) -> None:
    """ObjectSchemaDiff.compare: required, properties, dependencies, additionalProperties,
    unevaluatedProperties, then max/minProperties (the order differences are listed in)."""
    for key in java_hash_order(original.properties):
        if key not in update.properties:
            continue
        was, now = key in original.required, key in update.required
        if was and not now:
            acc.add("REQUIRED_ATTRIBUTE_REMOVED", f"required/{key}")
        elif now and not was:
            with_default = update.properties[key].has_default
            acc.add(
                "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED" if with_default else "REQUIRED_ATTRIBUTE_ADDED",
                f"required/{key}",
            )
    for key in java_hash_order(original.properties, update.properties):
        before, after = original.properties.get(key), update.properties.get(key)
        segment = f"properties/{key}"
        if before is None and after is not None:
            _property_added(cmp, acc, original, update, key, after, segment)
        elif after is None and before is not None:
            _property_removed(cmp, acc, update, key, before, segment)
        else:
            acc.merge(cmp.compare(before, after), segment)
    _compare_dependencies(cmp, acc, original, update)
    _additional(
        cmp,
        acc,
        "additionalProperties",
        "ADDITIONAL_PROPERTIES",
        (original.permits_additional, update.permits_additional),
        (original.additional, update.additional),
    )
    _unevaluated(cmp, acc, "unevaluatedProperties", "UNEVALUATED_PROPERTIES", original.unevaluated, update.unevaluated)
    bound(acc, "maxProperties", "MAX_PROPERTIES", original.max_properties, update.max_properties)
    bound(acc, "minProperties", "MIN_PROPERTIES", original.min_properties, update.min_properties)


def _property_added(
    cmp: Comparer, acc: Acc, original: n.Object, update: n.Object, key: str, added: n.Node, segment: str
) -> None:
    required = key in update.required
    if object_is_open(original):
        if isinstance(added, n.Empty):
            acc.add("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", segment)
        elif required:
            with_default = "_WITH_DEFAULT" if added.has_default else ""
            acc.add(f"REQUIRED_PROPERTY{with_default}_ADDED_TO_OPEN_CONTENT_MODEL", segment)
        else:
            acc.add("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", segment)
        return
    partial = object_partial_schema(original, key)
    if partial is not None:
        result = cmp.compare(partial, added)
        acc.merge(result, segment)
        acc.add(f"PROPERTY_ADDED_{'NOT' if result.bad else 'IS'}_{_PARTIAL}", segment)
    if required:
        with_default = "_WITH_DEFAULT" if added.has_default else ""
        acc.add(f"REQUIRED_PROPERTY{with_default}_ADDED_TO_UNOPEN_CONTENT_MODEL", segment)
    else:
        acc.add("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", segment)


def _property_removed(cmp: Comparer, acc: Acc, update: n.Object, key: str, removed: n.Node, segment: str) -> None:
    if object_is_open(update):
        acc.add("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", segment)
        return
    partial = object_partial_schema(update, key)
    if partial is not None:
        result = cmp.compare(removed, partial)
        acc.merge(result, segment)
        acc.add(f"PROPERTY_REMOVED_{'NOT' if result.bad else 'IS'}_{_PARTIAL}", segment)
    elif isinstance(removed, n.FalseSchema):
        acc.add("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", segment)
    else:
        acc.add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", segment)


def _compare_dependencies(cmp: Comparer, acc: Acc, original: n.Object, update: n.Object) -> None:
    o_arrays, u_arrays = original.property_dependencies, update.property_dependencies
    for key in java_hash_order(o_arrays, u_arrays):
        segment = f"dependencies/{key}"
        if key not in o_arrays:
            acc.add("DEPENDENCY_ARRAY_ADDED", segment)
        elif key not in u_arrays:
            acc.add("DEPENDENCY_ARRAY_REMOVED", segment)
        else:
            before, after = set(o_arrays[key]), set(u_arrays[key])
            if before == after:
                continue
            if after > before:
                acc.add("DEPENDENCY_ARRAY_EXTENDED", segment)
            elif after < before:
                acc.add("DEPENDENCY_ARRAY_NARROWED", segment)
            else:
                acc.add("DEPENDENCY_ARRAY_CHANGED", segment)
    o_schemas, u_schemas = original.schema_dependencies, update.schema_dependencies
    for key in java_hash_order(o_schemas, u_schemas):
        segment = f"dependencies/{key}"
        if key not in o_schemas:
            acc.add("DEPENDENCY_SCHEMA_ADDED", segment)
        elif key not in u_schemas:
            acc.add("DEPENDENCY_SCHEMA_REMOVED", segment)
        else:
            acc.merge(cmp.compare(o_schemas[key], u_schemas[key]), segment)


def compare_array(cmp: Comparer, acc: Acc, original: n.Array, update: n.Array) -> None:
    """ArraySchemaDiff.compare: items, tuple items, additionalItems, unevaluatedItems, then
    max/minItems, uniqueItems, max/minContains (the order differences are listed in)."""
    acc.merge(cmp.compare(original.all_items, update.all_items), "items")
    before, after = original.item_schemas or [], update.item_schemas or []
    for i in range(max(len(before), len(after))):
        segment = f"items/{i}"
        if i >= len(before):
            _item_added(cmp, acc, original, after[i], segment)
        elif i >= len(after):
            _item_removed(cmp, acc, update, before[i], segment)
        else:
            acc.merge(cmp.compare(before[i], after[i]), segment)
    _additional(
        cmp,
        acc,
        "additionalItems",
        "ADDITIONAL_ITEMS",
        (original.permits_additional_items, update.permits_additional_items),
        (original.additional_items, update.additional_items),
    )
    _unevaluated(cmp, acc, "unevaluatedItems", "UNEVALUATED_ITEMS", original.unevaluated, update.unevaluated)
    bound(acc, "maxItems", "MAX_ITEMS", original.max_items, update.max_items)
    bound(acc, "minItems", "MIN_ITEMS", original.min_items, update.min_items)
    if original.unique_items != update.unique_items:
        acc.add("UNIQUE_ITEMS_ADDED" if update.unique_items else "UNIQUE_ITEMS_REMOVED", "uniqueItems")
    bound(acc, "maxContains", "MAX_CONTAINS", original.max_contains, update.max_contains)
    bound(acc, "minContains", "MIN_CONTAINS", original.min_contains, update.min_contains)


def _item_added(cmp: Comparer, acc: Acc, original: n.Array, added: n.Node, segment: str) -> None:
    if array_is_open(original):
        empty = isinstance(added, n.Empty)
        acc.add(
            "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL" if empty else "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
            segment,
        )
        return
    partial = array_partial_schema(original)
    if partial is None:
        acc.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", segment)
        return
    result = cmp.compare(partial, added)
    acc.merge(result, segment)
    acc.add(f"ITEM_ADDED_{'NOT' if result.bad else 'IS'}_{_PARTIAL}", segment)


def _item_removed(cmp: Comparer, acc: Acc, update: n.Array, removed: n.Node, segment: str) -> None:
    if array_is_open(update):
        acc.add("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", segment)
        return
    partial = array_partial_schema(update)
    if partial is not None:
        result = cmp.compare(removed, partial)
        acc.merge(result, segment)
        acc.add(f"ITEM_REMOVED_{'NOT' if result.bad else 'IS'}_{_PARTIAL}", segment)
    elif isinstance(removed, n.FalseSchema):
        acc.add("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", segment)
    else:
        acc.add("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", segment)
