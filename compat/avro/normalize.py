"""Confluent's Avro ``normalize``: the same schema with a canonical choice where order is free.

Custom properties are sorted by key (logical-type attributes first), aliases are sorted, an
empty ``doc`` of a record, enum or fixed is dropped. JSON objects inside property values and
field defaults have their keys sorted too, at every depth: Confluent's
``AvroSchemaUtils.toNormalizedString`` writes them through ``toJsonNode``, whose
``SortingNodeFactory`` keeps every object node in a ``TreeMap`` (so ``{"b":1,"a":2}`` and
``{"a":2,"b":1}`` normalise alike). Names are kept full internally, so the
printed form is again written relative to the enclosing namespace. Docs, defaults and the
order of fields, symbols and union branches are kept: they are part of the schema's meaning.
Types that come from referenced schemas are shared, not copied.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from charter.compat.avro.types import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    Named,
    Primitive,
    Record,
    Union,
)

_LOGICAL_FIRST = {"decimal": ("logicalType", "precision", "scale")}


def _java_key(text: str) -> bytes:
    return text.encode("utf-16-be")


def sort_value(value: Any) -> Any:
    """A JSON value with the keys of every object in it sorted as Java's ``TreeMap`` orders strings."""
    if isinstance(value, dict):
        return {key: sort_value(value[key]) for key in sorted(value, key=_java_key)}
    if isinstance(value, list):
        return [sort_value(item) for item in value]
    return value


def sort_props(props: dict[str, Any]) -> dict[str, Any]:
    if not props:
        return {}
    first: tuple[str, ...] = ()
    if "logicalType" in props:
        first = _LOGICAL_FIRST.get(props["logicalType"], ("logicalType",))
    result = {key: sort_value(props[key]) for key in first if key in props}
    for key in sorted(props, key=_java_key):
        if key not in result:
            result[key] = sort_value(props[key])
    return result


class _Normalizer:
    def __init__(self, own: Container[str]) -> None:
        self.own = own
        self.copies: dict[int, Named] = {}

    def copy(self, t: AvroType) -> AvroType:
        if isinstance(t, Primitive):
            return Primitive(t.name, sort_props(t.props))
        if isinstance(t, Array):
            return Array(self.copy(t.items), sort_props(t.props))
        if isinstance(t, Map):
            return Map(self.copy(t.values), sort_props(t.props))
        if isinstance(t, Union):
            return Union([self.copy(b) for b in t.branches])
        assert isinstance(t, Named)
        if t.full_name not in self.own:
            return t
        done = self.copies.get(id(t))
        if done is not None:
            return done
        doc = t.doc or None
        result: Named
        if isinstance(t, Record):
            result = Record(t.name, t.namespace, doc, t.is_error)
        elif isinstance(t, Enum):
            result = Enum(t.name, t.namespace, doc, list(t.symbols), t.default)
        else:
            assert isinstance(t, Fixed)
            result = Fixed(t.name, t.namespace, doc, t.size)
        self.copies[id(t)] = result
        result.aliases = sorted(t.aliases, key=_java_key)
        result.props = sort_props(t.props)
        if isinstance(t, Record):
            assert isinstance(result, Record)
            for f in t.fields:
                copy = Field(
                    f.name,
                    self.copy(f.type),
                    f.doc,
                    sort_value(f.default),
                    f.order,
                    sorted(f.aliases, key=_java_key),
                    sort_props(f.props),
                    f.pos,
                )
                result.fields.append(copy)
                result.by_name[f.name] = copy
        return result


def normalize(root: AvroType, own: Container[str]) -> tuple[AvroType, dict[int, Named]]:
    """The normalised copy of ``root``; ``own`` = full names defined by this schema (others are shared).

    Also returns the map from each original named type's id to its copy.
    """
    normalizer = _Normalizer(own)
    return normalizer.copy(root), normalizer.copies
