"""Avro inline schema tags: the property ``"confluent:tags": [...]`` on records and fields.

Entity paths: a record is named by its full name (``com.acme.User``, SR_RECORD); a field by its
record's full name, a dot and the field name (``com.acme.User.email``, SR_FIELD). A nested
record is named by its own full name. Only the records the schema itself defines can be tagged,
not those of its references (they are written by name only).

Tags are edited in the schema's JSON tree, read from the canonical text, and the tree is printed
back with Jackson's printer; registering the result canonicalises it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from charter.compat.avro.jsontext import dump_json, load_json
from charter.compat.avro.names import full_name, split_name
from charter.compat.avro.types import Named, Record
from charter.compat.model import EntityType, SchemaEntity, SchemaTags, TagEdits
from charter.compat.tags import TAGS_KEY, apply_edits, find_entity, kind_name, some_names, string_tags

_NAMED = ("record", "error", "enum", "fixed")


def tagged_entities(defined: Mapping[str, Named]) -> list[SchemaTags]:
    """The tagged records and fields among the schema's own named types, in definition order."""
    out: list[SchemaTags] = []
    for name, t in defined.items():
        if not isinstance(t, Record):
            continue
        tags = string_tags(t.props.get(TAGS_KEY))
        if tags:
            out.append(SchemaTags(SchemaEntity(name, EntityType.SR_RECORD), tuple(tags)))
        for field in t.fields:
            tags = string_tags(field.props.get(TAGS_KEY))
            if tags:
                out.append(SchemaTags(SchemaEntity(f"{name}.{field.name}", EntityType.SR_FIELD), tuple(tags)))
    return out


def _records(document: Any) -> dict[str, dict[str, Any]]:
    """Full name -> the JSON object defining each record of the document."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any, space: str | None) -> None:
        if isinstance(node, list):
            for branch in node:
                walk(branch, space)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind in _NAMED and isinstance(node.get("name"), str):
            given = node.get("namespace")
            name, namespace = split_name(node["name"], given if isinstance(given, str) else space)
            if kind in ("record", "error"):
                found.setdefault(full_name(name, namespace), node)
                for field in node.get("fields") or []:
                    if isinstance(field, dict):
                        walk(field.get("type"), namespace)
        elif kind == "array":
            walk(node.get("items"), space)
        elif kind == "map":
            walk(node.get("values"), space)

    walk(document, None)
    return found


def with_tags(text: str, to_add: TagEdits, to_remove: TagEdits) -> str:
    """``text`` (an Avro schema) with the tags edited; UnknownEntityError for an unknown entity."""
    document = load_json(text)
    records = _records(document)

    def find(entity: SchemaEntity) -> dict[str, Any] | None:
        return find_entity(entity, records, lambda record, name: next(
            (f for f in record.get("fields") or [] if isinstance(f, dict) and f.get("name") == name), None))

    def write(node: dict[str, Any], tags: list[str]) -> None:
        if tags:
            node[TAGS_KEY] = tags
        else:
            node.pop(TAGS_KEY, None)

    def describe(entity: SchemaEntity) -> str:
        known = some_names(records)
        return (
            f"Invalid schema: the schema has no {kind_name(entity.entity_type)} '{entity.path}'. An Avro "
            "record is named by its full name (e.g. 'com.acme.User'), a field by its record's full name, "
            f"a dot and its name (e.g. 'com.acme.User.email'); the schema's records: {known}"
        )

    apply_edits(to_add, to_remove, find, lambda node: string_tags(node.get(TAGS_KEY)), write, describe)
    return dump_json(document)
