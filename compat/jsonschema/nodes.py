"""The typed model of a JSON Schema (compat-rules §3.1), the shape Confluent's diff works on.

Every node keeps the JSON object it was read from (``raw``) and the annotations the diff
compares (``$id``, ``title``, ``description``, ``default``). Nodes compare by identity: the diff
memoises pairs of nodes, and a recursive schema is a graph of nodes through
:class:`Reference` targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from charter.compat.jsonschema.jsontext import dump_sorted


class _Missing:
    """The absence of a ``default`` (``"default": null`` is a default)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(eq=False)
class Node:
    """A schema node; subclasses are the kinds. Two nodes are the same kind iff same class."""

    kind: ClassVar[str] = "node"
    raw: Any = field(default=None, repr=False)
    id: Any = None
    title: Any = None
    description: Any = None
    default: Any = MISSING

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING

    def identity_key(self) -> tuple[str, str]:
        """Structural identity, used to collapse identical subschemas of a combined schema."""
        key = self.__dict__.get("_identity")
        if key is None:
            key = self.__dict__["_identity"] = self._make_identity_key()
        return key

    def _make_identity_key(self) -> tuple[str, str]:
        return (type(self).__name__, dump_sorted(self.raw) if self.raw is not None else "")

    def is_bytes(self) -> bool:
        return isinstance(self.raw, dict) and self.raw.get("connect.type") == "bytes"


@dataclass(eq=False)
class Empty(Node):
    kind: ClassVar[str] = "empty"


@dataclass(eq=False)
class TrueSchema(Empty):
    kind: ClassVar[str] = "true"


@dataclass(eq=False)
class FalseSchema(Node):
    kind: ClassVar[str] = "false"


@dataclass(eq=False)
class Null(Node):
    kind: ClassVar[str] = "null"


@dataclass(eq=False)
class Boolean(Node):
    kind: ClassVar[str] = "boolean"


@dataclass(eq=False)
class String(Node):
    kind: ClassVar[str] = "string"
    max_length: float | None = None
    min_length: float | None = None
    pattern: str | None = None


@dataclass(eq=False)
class Number(Node):
    kind: ClassVar[str] = "number"
    requires_integer: bool = False
    maximum: float | None = None
    minimum: float | None = None
    exclusive_maximum: float | None = None
    exclusive_minimum: float | None = None
    multiple_of: Decimal | None = None


@dataclass(eq=False)
class Object(Node):
    kind: ClassVar[str] = "object"
    properties: dict[str, Node] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    max_properties: float | None = None
    min_properties: float | None = None
    permits_additional: bool = True
    additional: Node | None = None
    pattern_properties: list[tuple[str, Node]] = field(default_factory=list)
    unevaluated: Node | None = None
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    schema_dependencies: dict[str, Node] = field(default_factory=dict)


@dataclass(eq=False)
class Array(Node):
    kind: ClassVar[str] = "array"
    all_items: Node | None = None
    item_schemas: list[Node] | None = None
    permits_additional_items: bool = True
    additional_items: Node | None = None
    unevaluated: Node | None = None
    max_items: float | None = None
    min_items: float | None = None
    max_contains: float | None = None
    min_contains: float | None = None
    unique_items: bool = False


@dataclass(eq=False)
class Enum(Node):
    kind: ClassVar[str] = "enum"
    values: list[Any] = field(default_factory=list)


@dataclass(eq=False)
class Const(Node):
    kind: ClassVar[str] = "const"
    value: Any = None


@dataclass(eq=False)
class Not(Node):
    kind: ClassVar[str] = "not"
    must_not_match: Node | None = None


@dataclass(eq=False)
class Combined(Node):
    kind: ClassVar[str] = "combined"
    criterion: str = "allOf"  # allOf, anyOf or oneOf
    subschemas: list[Node] = field(default_factory=list)
    synthetic: bool = False

    def _make_identity_key(self) -> tuple[str, str]:
        members = ",".join(repr(s.identity_key()) for s in self.subschemas)
        return ("Combined", f"{self.criterion}[{members}]")


@dataclass(eq=False)
class Conditional(Node):
    kind: ClassVar[str] = "conditional"


@dataclass(eq=False)
class Reference(Node):
    """A ``$ref``; ``target`` is set once the whole document is read (None if unresolvable)."""

    kind: ClassVar[str] = "reference"
    ref: str = ""
    target: Node | None = None


def is_trivial(node: Node | None) -> bool:
    """``true`` or ``{}`` (a schema that accepts anything and asserts nothing)."""
    return isinstance(node, Empty)


def dereference(node: Node) -> Node:
    """Follow :class:`Reference` targets to a concrete node (a ref cycle ends at an Empty)."""
    seen: set[int] = set()
    while isinstance(node, Reference):
        if node.target is None or id(node) in seen:
            return node if node.target is None else Empty(raw={})
        seen.add(id(node))
        node = node.target
    return node


def subschemas(node: Node) -> list[Node]:
    """The nodes directly below ``node``: its subschemas, and a reference's target."""
    if isinstance(node, Reference):
        return [node.target] if node.target is not None else []
    if isinstance(node, Combined):
        return list(node.subschemas)
    if isinstance(node, Not):
        return [node.must_not_match] if node.must_not_match is not None else []
    if isinstance(node, Object):
        below = [*node.properties.values(), *(s for _, s in node.pattern_properties),
                 *node.schema_dependencies.values()]
        return below + [s for s in (node.additional, node.unevaluated) if s is not None]
    if isinstance(node, Array):
        below = list(node.item_schemas or [])
        return below + [s for s in (node.all_items, node.additional_items, node.unevaluated) if s is not None]
    return []
