"""The Avro type model: one object per type occurrence, named types shared by reference.

A parsed schema is a graph of these objects. Every occurrence of an unnamed type (primitive,
array, map, union) is a distinct object, while a named type (record, enum, fixed) is one
object referenced wherever its name is used, so recursive schemas are cyclic graphs. The
compatibility check memoises on object identity, as Avro Java does.

Property values, defaults and other JSON are plain Python values as read by
:func:`charter.compat.avro.jsontext.load_json`.
"""

from __future__ import annotations

from typing import Any

PRIMITIVES = frozenset(("null", "boolean", "int", "long", "float", "double", "bytes", "string"))

#: Marks a field without a default (``None`` is the JSON ``null`` default).
NO_DEFAULT: Any = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()


class AvroType:
    """Base of all types. ``kind`` is the upper-case Java ``Schema.Type`` name used in messages."""

    __slots__ = ("props",)
    kind: str = ""

    def __init__(self, props: dict[str, Any] | None = None) -> None:
        self.props: dict[str, Any] = props if props is not None else {}

    @property
    def type_name(self) -> str:
        """The lower-case type name (``getFullName`` for unnamed types)."""
        return self.kind.lower()


class Primitive(AvroType):
    __slots__ = ("kind", "name")

    def __init__(self, name: str, props: dict[str, Any] | None = None) -> None:
        super().__init__(props)
        self.name = name
        self.kind = name.upper()  # type: ignore[misc]

    @property
    def type_name(self) -> str:
        return self.name


class Array(AvroType):
    __slots__ = ("items",)
    kind = "ARRAY"

    def __init__(self, items: AvroType, props: dict[str, Any] | None = None) -> None:
        super().__init__(props)
        self.items = items


class Map(AvroType):
    __slots__ = ("values",)
    kind = "MAP"

    def __init__(self, values: AvroType, props: dict[str, Any] | None = None) -> None:
        super().__init__(props)
        self.values = values


class Union(AvroType):
    __slots__ = ("branches",)
    kind = "UNION"

    def __init__(self, branches: list[AvroType]) -> None:
        super().__init__()
        self.branches = branches


class Named(AvroType):
    """Record, enum or fixed. ``aliases`` are full names, in declaration order, de-duplicated."""

    __slots__ = ("aliases", "doc", "full_name", "name", "namespace")

    def __init__(self, name: str, namespace: str | None, doc: str | None) -> None:
        super().__init__()
        self.name = name
        self.namespace = namespace
        self.full_name = f"{namespace}.{name}" if namespace else name
        self.doc = doc
        self.aliases: list[str] = []

    @property
    def type_name(self) -> str:
        return self.full_name


class Field:
    """A record field. ``default`` is :data:`NO_DEFAULT` when absent; ``aliases`` are plain names."""

    __slots__ = ("aliases", "default", "doc", "name", "order", "pos", "props", "type")

    def __init__(
        self,
        name: str,
        type_: AvroType,
        doc: str | None,
        default: Any,
        order: str,
        aliases: list[str],
        props: dict[str, Any],
        pos: int,
    ) -> None:
        self.name = name
        self.type = type_
        self.doc = doc
        self.default = default
        self.order = order
        self.aliases = aliases
        self.props = props
        self.pos = pos

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT


class Record(Named):
    __slots__ = ("by_name", "fields", "is_error")
    kind = "RECORD"

    def __init__(self, name: str, namespace: str | None, doc: str | None, is_error: bool = False) -> None:
        super().__init__(name, namespace, doc)
        self.fields: list[Field] = []
        self.is_error = is_error
        self.by_name: dict[str, Field] = {}


class Enum(Named):
    __slots__ = ("default", "symbols")
    kind = "ENUM"

    def __init__(
        self, name: str, namespace: str | None, doc: str | None, symbols: list[str], default: str | None
    ) -> None:
        super().__init__(name, namespace, doc)
        self.symbols = symbols
        self.default = default


class Fixed(Named):
    __slots__ = ("size",)
    kind = "FIXED"

    def __init__(self, name: str, namespace: str | None, doc: str | None, size: int) -> None:
        super().__init__(name, namespace, doc)
        self.size = size
