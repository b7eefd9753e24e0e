"""Option values rewritten when normalising, as ProtobufSchemaUtils does: the values of a
non-repeated custom option set more than once (``(w).tags.name = "a", (w).tags.name = "b"``, each
turned into a message value) become one message value (FormatContext.filterOptions, mergeOption,
mergeOptionMaps and mergeOptionValues); extension keys of message values (``[type]``) resolved
to their full names (formatOptionMap)."""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf.descriptor import FieldDescriptor

from charter.compat.protobuf.optiontext import Value


def merge_maps(field: FieldDescriptor | None, existing: dict, replacement: dict) -> dict:
    """mergeOptionMaps: ``replacement``'s keys merged into a copy of ``existing``."""
    message = field.message_type if field is not None else None
    merged = dict(existing)
    for key, value in replacement.items():
        nested = message.fields_by_name.get(key) if message is not None else None
        merged[key] = _merge_values(nested, merged[key], value) if key in merged else value
    return merged


def _merge_values(field: FieldDescriptor | None, first: Value, second: Value) -> Value:
    """mergeOptionValues: a singular message deep-merged, a singular scalar the last one, else
    (repeated, or a field not found) the values collected in a list without repeats."""
    singular = field is not None and not field.is_repeated
    if singular and isinstance(first, dict) and isinstance(second, dict) and field.message_type is not None:
        return merge_maps(field, first, second)
    if singular:
        return second
    items: list = []
    for value in (first, second):
        for item in value if isinstance(value, list) else [value]:
            if item not in items:
                items.append(item)
    return items


def resolve_keys(value: Value, resolve: Callable[[str], str | None]) -> Value:
    """``value`` with each ``[name]`` key of its message values written ``[full.name]`` where
    ``resolve`` finds the extension (the first of two keys meaning the same one kept)."""
    if isinstance(value, list):
        return [resolve_keys(item, resolve) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict = {}
    for key, item in value.items():
        resolved = resolve(key[1:-1]) if key.startswith("[") and key.endswith("]") else None
        out.setdefault(f"[{resolved}]" if resolved else key, resolve_keys(item, resolve))
    return out
