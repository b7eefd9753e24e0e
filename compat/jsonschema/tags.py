"""JSON Schema inline schema tags: the keyword ``"confluent:tags": [...]`` on schema objects.

Entity paths are JSON pointers (RFC 6901, ``~0``/``~1`` escapes, no percent-decoding) into the
schema document, written as URI fragments: ``#`` is the root schema. A field (SR_FIELD) is a
property schema, a pointer ending in ``/properties/<name>`` (``#/properties/email``,
``#/properties/address/properties/street``, ``#/$defs/Address/properties/street``); a record
(SR_RECORD) is any other schema object (``#``, ``#/$defs/Address``, ``#/items``). A pointer
without the leading ``#`` is read as if it had one. Confluent's own path syntax for JSON Schema
is not known to us; this is Charter's choice. The found tags report a property schema as a field,
so a nested object under ``properties`` is tagged (and listed) as SR_FIELD.

Only the schema's own document is searched, not the schemas it references; values of ``enum``,
``const``, ``default`` and ``examples`` are data, not schemas. A property given as the boolean
schema ``true`` becomes ``{}`` when tagged (the same schema).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from charter.compat.jsonschema.jsontext import dump_json
from charter.compat.model import EntityType, SchemaEntity, SchemaTags, TagEdits, UnknownEntityError
from charter.compat.tags import TAGS_KEY, apply_edits, kind_name, string_tags

_DATA = frozenset(("enum", "const", "default", "examples", TAGS_KEY))
# Keywords whose value maps names to schemas (the map itself is not a schema).
_SCHEMA_MAPS = frozenset(("properties", "patternProperties", "definitions", "$defs", "dependentSchemas",
                          "dependencies"))


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


class _Position:
    """A schema object's place in the document: its pointer, container and key, and whether it
    is a property schema (a field)."""

    __slots__ = ("container", "is_field", "key", "pointer")

    def __init__(self, pointer: str, container: Any, key: Any, is_field: bool) -> None:
        self.pointer = pointer
        self.container = container
        self.key = key
        self.is_field = is_field

    @property
    def node(self) -> Any:
        return self.container[self.key]


def _positions(document: Any) -> Iterator[_Position]:
    """Every schema object (and boolean property schema) of the document, root first."""
    holder = [document]

    def walk(pointer: str, container: Any, key: Any, is_field: bool) -> Iterator[_Position]:
        node = container[key]
        if isinstance(node, bool) and is_field:
            yield _Position(pointer, container, key, True)
            return
        if not isinstance(node, dict):
            return
        yield _Position(pointer, container, key, is_field)
        for name, value in node.items():
            if name in _DATA:
                continue
            child = f"{pointer}/{_escape(name)}"
            if name in _SCHEMA_MAPS and isinstance(value, dict):
                for inner in value:
                    yield from walk(f"{child}/{_escape(inner)}", value, inner, name == "properties")
            elif isinstance(value, dict):
                yield from walk(child, node, name, False)
            elif isinstance(value, list):
                for i in range(len(value)):
                    yield from walk(f"{child}/{i}", value, i, False)

    yield from walk("#", holder, 0, False)


def _entity(position: _Position) -> SchemaEntity:
    kind = EntityType.SR_FIELD if position.is_field else EntityType.SR_RECORD
    return SchemaEntity(position.pointer, kind)


def tagged_entities(document: Any) -> list[SchemaTags]:
    """Every schema object of the document with ``confluent:tags``, in document order."""
    out: list[SchemaTags] = []
    for position in _positions(document):
        node = position.node
        tags = string_tags(node.get(TAGS_KEY)) if isinstance(node, dict) else []
        if tags:
            out.append(SchemaTags(_entity(position), tuple(tags)))
    return out


def _normal_path(path: str) -> str:
    """``/properties/a`` is read as ``#/properties/a`` and an empty path as ``#``."""
    if not path or path.startswith("/"):
        return "#" + path
    return path


def with_tags(document: Any, to_add: TagEdits, to_remove: TagEdits) -> str:
    """The document (not changed) with the tags edited, printed; UnknownEntityError for an unknown
    entity or one of the other kind."""
    document = copy.deepcopy(document)
    positions = {p.pointer: p for p in _positions(document)}

    def find(entity: SchemaEntity) -> _Position | None:
        position = positions.get(_normal_path(entity.path))
        if position is None:
            return None
        if (entity.entity_type is EntityType.SR_FIELD) != position.is_field:
            actual = "a field (a property schema)" if position.is_field else "not a property schema"
            raise UnknownEntityError(
                f"Invalid schema: '{entity.path}' is {actual}; tag it as "
                f"{_entity(position).entity_type.value}, not {entity.entity_type.value}"
            )
        return position

    def read(position: _Position) -> list[str]:
        node = position.node
        return string_tags(node.get(TAGS_KEY)) if isinstance(node, dict) else []

    def write(position: _Position, tags: list[str]) -> None:
        node = position.node
        if not isinstance(node, dict):
            node = position.container[position.key] = {}
        if tags:
            node[TAGS_KEY] = tags
        else:
            node.pop(TAGS_KEY, None)

    def describe(entity: SchemaEntity) -> str:
        return (
            f"Invalid schema: the schema has no {kind_name(entity.entity_type)} '{entity.path}'. JSON Schema "
            "entity paths are JSON pointers into the schema: '#' for the root, '#/properties/email' for a "
            "field, '#/$defs/Address' for a record"
        )

    apply_edits(to_add, to_remove, find, read, write, describe)
    return dump_json(document)
