"""Parse JSON (already decoded) into the Avro type model, as Avro Java 1.12's ``Schema.Parser``.

Named types inherit the enclosing namespace unless they give one (or a dotted name); a bare
name is looked up in the current namespace first, then as written. Names may be used before
their definition in the same document (Avro 1.12 resolves them at the end). Named types of
referenced schemas (``known``) resolve like names defined earlier. With ``validate`` (new
schemas) names, namespaces, enum symbols and aliases must be strict Avro names and field
defaults must match their types; without it (stored versions) those checks are skipped.
"""

from __future__ import annotations

from typing import Any

from charter.compat.avro.defaults import is_valid_default
from charter.compat.avro.jsontext import dump_json, parse_java_double
from charter.compat.avro.names import check_name, check_namespace, split_name
from charter.compat.avro.printer import schema_to_json
from charter.compat.avro.types import (
    NO_DEFAULT,
    PRIMITIVES,
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
from charter.compat.depth import MAX_DEPTH, too_deep
from charter.compat.model import InvalidSchemaError

_SCHEMA_RESERVED = frozenset(
    ("doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases")
)
_ENUM_RESERVED = _SCHEMA_RESERVED | {"default"}
_FIELD_RESERVED = frozenset(("default", "doc", "name", "order", "type", "aliases"))
_ORDERS = frozenset(("ascending", "descending", "ignore"))
_INT_MAX = 2**31 - 1
_FLOATING = frozenset(("FLOAT", "DOUBLE"))


class _Unresolved(AvroType):
    """A name used before its definition; replaced once the whole document is parsed."""

    __slots__ = ("full_name", "written")
    kind = "UNRESOLVED"

    def __init__(self, full_name: str, written: str) -> None:
        super().__init__()
        self.full_name = full_name
        self.written = written

    @property
    def type_name(self) -> str:
        return self.full_name


def _error(message: str) -> InvalidSchemaError:
    return InvalidSchemaError(f"Invalid schema: {message}")


def _optional_text(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def _props(node: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in reserved}


def _aliases(node: dict[str, Any], owner: str) -> list[str]:
    raw = node.get("aliases")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _error(f'"aliases" of {owner} must be an array of strings, got {dump_json(raw)}')
    aliases: dict[str, None] = {}
    for alias in raw:
        if not isinstance(alias, str):
            raise _error(f"alias of {owner} must be a string, got {dump_json(alias)}")
        aliases[alias] = None
    return list(aliases)


class Parser:
    """One parse of one document. ``names`` ends up with every named type visible to it."""

    def __init__(self, known: dict[str, Named], validate: bool) -> None:
        self.names: dict[str, Named] = dict(known)
        self.defined: dict[str, Named] = {}
        self.validate = validate
        self.unresolved = False
        self.with_defaults: list[Field] = []
        self.redefined: list[tuple[Named, Named]] = []
        self.depth = 0  # type objects being parsed, one inside the other (unions not counted)

    def parse_document(self, node: Any) -> AvroType:
        root = self.parse(node, None)
        if self.unresolved:
            root = self._resolve(root, set())
        for mine, theirs in self.redefined:
            if schema_to_json(mine) != schema_to_json(theirs):
                raise _error(
                    f'"{mine.full_name}" is defined differently here and in a referenced schema '
                    f"(Can't redefine: {mine.full_name})"
                )
        if self.validate:
            for field in self.with_defaults:
                if not is_valid_default(field.type, field.default):
                    raise _error(
                        f"Invalid default for field {field.name}: {dump_json(field.default)} "
                        f"not a {schema_to_json(field.type)}"
                    )
        return root

    def parse(self, node: Any, space: str | None) -> AvroType:
        if isinstance(node, str):
            return self.lookup(node, space)
        if isinstance(node, dict):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise too_deep("the schema's types are")
            try:
                return self.parse_object(node, space)
            finally:
                self.depth -= 1
        if isinstance(node, list):
            return self.parse_union(node, space)
        raise _error(f"expected a type name, a type object or a union array, got {dump_json(node)}")

    def lookup(self, name: str, space: str | None, *, allow_forward: bool = True) -> AvroType:
        if name in PRIMITIVES:
            return Primitive(name)
        full = f"{space}.{name}" if space and "." not in name else name
        found = self.names.get(full) or self.names.get(name)
        if found is not None:
            return found
        if not allow_forward:
            raise _error(f'unknown type "{name}" (not a primitive, complex or defined type name)')
        self.unresolved = True
        return _Unresolved(full, name)

    def parse_object(self, node: dict[str, Any], space: str | None) -> AvroType:
        kind = node.get("type")
        if not isinstance(kind, str):
            if kind is None:
                raise _error(f'a type object needs a "type": {dump_json(node)}')
            raise _error(f'"type" must be a string inside a type object, got {dump_json(node)}')
        if kind in PRIMITIVES:
            return Primitive(kind, _props(node, _SCHEMA_RESERVED))
        if kind in ("record", "error", "enum", "fixed"):
            return self.parse_named(kind, node, space)
        if kind == "array":
            if "items" not in node:
                raise _error(f'array type has no "items": {dump_json(node)}')
            return Array(self.parse(node["items"], space), _props(node, _SCHEMA_RESERVED))
        if kind == "map":
            if "values" not in node:
                raise _error(f'map type has no "values": {dump_json(node)}')
            return Map(self.parse(node["values"], space), _props(node, _SCHEMA_RESERVED))
        return self.lookup(kind, space, allow_forward=False)

    def parse_union(self, node: list[Any], space: str | None) -> Union:
        branches = [self.parse(branch, space) for branch in node]
        seen: set[str] = set()
        for branch in branches:
            if isinstance(branch, Union):
                raise _error(f"a union may not directly contain another union: {dump_json(node)}")
            key = branch.type_name
            if key in seen:
                raise _error(f'duplicate type "{key}" in union {dump_json(node)}')
            seen.add(key)
        return Union(branches)

    def parse_named(self, kind: str, node: dict[str, Any], space: str | None) -> Named:
        written = node.get("name")
        if not isinstance(written, str):
            raise _error(f'{kind} has no "name" (a string): {dump_json(node)}')
        given = _optional_text(node, "namespace")
        name, namespace = split_name(written, given if given is not None else space)
        if self.validate:
            check_name(name, f"{kind} name")
            check_namespace(namespace, f"{kind} {written!r}")
        doc = _optional_text(node, "doc")
        result: Named
        if kind in ("record", "error"):
            result = Record(name, namespace, doc, kind == "error")
        elif kind == "enum":
            result = self._enum(name, namespace, doc, node)
        else:
            size = node.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= _INT_MAX:
                raise _error(f'fixed "{written}" needs a "size" (a non-negative int): {dump_json(node)}')
            result = Fixed(name, namespace, doc, size)
        if result.full_name in self.defined:
            raise _error(f'the name "{result.full_name}" is defined twice')
        if result.full_name in self.names:  # also defined by a reference: must be the same type
            self.redefined.append((result, self.names[result.full_name]))
        self.names[result.full_name] = result
        self.defined[result.full_name] = result
        for alias in _aliases(node, f'"{result.full_name}"'):
            alias_name, alias_space = split_name(alias, namespace)
            if self.validate:
                check_name(alias_name, f"alias of {result.full_name}")
                check_namespace(alias_space, f"alias {alias!r}")
            full = f"{alias_space}.{alias_name}" if alias_space else alias_name
            if full not in result.aliases:
                result.aliases.append(full)
        result.props = _props(node, _ENUM_RESERVED if kind == "enum" else _SCHEMA_RESERVED)
        if isinstance(result, Record):
            self._fields(result, node)
        return result

    def _enum(self, name: str, namespace: str | None, doc: str | None, node: dict[str, Any]) -> Enum:
        full = f"{namespace}.{name}" if namespace else name
        raw = node.get("symbols")
        if not isinstance(raw, list):
            raise _error(f'enum "{full}" has no "symbols" array: {dump_json(node)}')
        symbols: list[str] = []
        seen: set[str] = set()
        for symbol in raw:
            if not isinstance(symbol, str):
                raise _error(f'enum "{full}" has a symbol that is not a string: {dump_json(symbol)}')
            if self.validate:
                check_name(symbol, f'symbol of enum "{full}"')
            if symbol in seen:
                raise _error(f'duplicate enum symbol "{symbol}" in enum "{full}"')
            seen.add(symbol)
            symbols.append(symbol)
        default = _optional_text(node, "default")
        if default is not None and default not in seen:
            raise _error(f'the default "{default}" of enum "{full}" is not one of its symbols {symbols}')
        return Enum(name, namespace, doc, symbols, default)

    def _fields(self, record: Record, node: dict[str, Any]) -> None:
        raw = node.get("fields")
        if not isinstance(raw, list):
            raise _error(f'record "{record.full_name}" has no "fields" array: {dump_json(node)}')
        for pos, fnode in enumerate(raw):
            if not isinstance(fnode, dict):
                raise _error(f'field {pos} of record "{record.full_name}" must be an object, got {fnode!r}')
            name = fnode.get("name")
            if not isinstance(name, str):
                raise _error(f'field {pos} of record "{record.full_name}" has no "name": {dump_json(fnode)}')
            where = f'field "{name}" of record "{record.full_name}"'
            if self.validate:
                check_name(name, f"name of {where}")
            if "type" not in fnode:
                raise _error(f'{where} has no "type"')
            ftype = self.parse(fnode["type"], record.namespace)
            order = "ascending"
            if "order" in fnode:
                raw_order = fnode["order"]
                if not isinstance(raw_order, str) or raw_order.lower() not in _ORDERS:
                    raise _error(f'{where}: "order" must be "ascending", "descending" or "ignore"')
                order = raw_order.lower()
            default = fnode.get("default", NO_DEFAULT)
            if isinstance(default, str) and isinstance(ftype, Primitive) and ftype.kind in _FLOATING:
                number = parse_java_double(default)
                if number is None:
                    raise _error(f"{where}: the default {dump_json(default)} is not a number")
                default = number
            field = Field(
                name,
                ftype,
                _optional_text(fnode, "doc"),
                default,
                order,
                _aliases(fnode, where),
                _props(fnode, _FIELD_RESERVED),
                pos,
            )
            if name in record.by_name:
                raise _error(f'duplicate field "{name}" in record "{record.full_name}"')
            record.by_name[name] = field
            record.fields.append(field)
            if default is not NO_DEFAULT:
                self.with_defaults.append(field)

    def _fix(self, t: AvroType) -> AvroType:
        if isinstance(t, _Unresolved):
            found = self.names.get(t.full_name)
            if found is None:
                raise _error(
                    f'unknown type name "{t.written}" (looked up as "{t.full_name}"): it is not a primitive, '
                    "not defined in the schema and not provided by a schema reference"
                )
            return found
        return t

    def _resolve(self, t: AvroType, done: set[int]) -> AvroType:
        """Replace forward references in the graph under ``t`` by the types they name."""
        t = self._fix(t)
        if isinstance(t, Named):
            if id(t) in done or t.full_name not in self.defined:
                return t
            done.add(id(t))
            if isinstance(t, Record):
                for field in t.fields:
                    field.type = self._resolve(field.type, done)
        elif isinstance(t, Array):
            t.items = self._resolve(t.items, done)
        elif isinstance(t, Map):
            t.values = self._resolve(t.values, done)
        elif isinstance(t, Union):
            t.branches = [self._resolve(b, done) for b in t.branches]
            if any(isinstance(b, Union) for b in t.branches):
                raise _error("a union may not directly contain another union")
        return t
