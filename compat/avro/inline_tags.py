"""Avro inline schema tags: the property ``"confluent:tags": [...]`` on records and fields.

Entity paths are Confluent's (``AvroSchema.inlineTaggedEntities`` and
``AvroSchemaUtils.findMatchingEntity``): a record is named by its full name (``com.acme.User``,
SR_RECORD); a field by its record's full name, a dot and the field name
(``com.acme.User.email``, SR_FIELD).

The tagged entities are listed as Confluent walks the schema: depth first from the root, each
record once (its tags, then for each field its tags and then the field's type), unions, arrays
and maps followed; referenced records reached through the schema are included.

An edit finds its entity as Confluent does, breadth first in the canonical text: the path is
split at dots into a namespace, a record name (and a field name); a record matches when its
``name`` is the record name and the namespace is empty or equals the namespace in force there (the
nearest ``namespace`` written on the way down, ``JsonNodeWithNS``). The first match wins, so a
path without a namespace names the first record of that name; a path matching nothing is 42201. Error records and the
records of references (written by name) cannot be edited. The edited tree is printed back with
Jackson's printer; registering the result canonicalises it again.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from charter.compat.avro.jsontext import dump_json, load_json
from charter.compat.avro.types import Array, AvroType, Map, Record, Union
from charter.compat.inline_tags import TAGS_KEY, apply_edits, read_json_tags, string_tags, write_json_tags
from charter.compat.model import EntityType, SchemaEntity, SchemaTags, TagEdits


def tagged_entities(root: AvroType) -> list[SchemaTags]:
    """The tagged records and fields reachable from ``root``, in Confluent's walk order."""
    out: list[SchemaTags] = []
    seen: set[str] = set()

    def walk(t: AvroType) -> None:
        if isinstance(t, Union):
            for branch in t.branches:
                walk(branch)
        elif isinstance(t, Array):
            walk(t.items)
        elif isinstance(t, Map):
            walk(t.values)
        elif isinstance(t, Record) and t.full_name not in seen:
            seen.add(t.full_name)
            tags = string_tags(t.props.get(TAGS_KEY))
            if tags:
                out.append(SchemaTags(SchemaEntity(t.full_name, EntityType.SR_RECORD), tuple(tags)))
            for field in t.fields:
                tags = string_tags(field.props.get(TAGS_KEY))
                if tags:
                    path = f"{t.full_name}.{field.name}"
                    out.append(SchemaTags(SchemaEntity(path, EntityType.SR_FIELD), tuple(tags)))
                walk(field.type)

    walk(root)
    return out


def _text(node: Any) -> str:
    """Jackson's ``asText`` of a value: a container is ``""``."""
    if isinstance(node, (dict, list)) or node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def find_node(document: Any, entity: SchemaEntity) -> dict[str, Any] | None:
    """The JSON object (record or field) an entity path names, found as Confluent's
    ``AvroSchemaUtils.findMatchingEntity`` finds it; None when nothing matches."""
    parts = entity.path.split(".")
    is_field = entity.entity_type is EntityType.SR_FIELD
    if len(parts) < (2 if is_field else 1):
        return None
    names = parts[:-2] if is_field else parts[:-1]
    namespace, record_name = ".".join(names), parts[-2] if is_field else parts[-1]
    pending: deque[tuple[Any, str | None]] = deque([(document, None)])
    while pending:
        node, namespace_in = pending.popleft()
        # JsonNodeWithNS: a node's own "namespace" replaces the one it is reached with.
        own = node.get("namespace") if isinstance(node, dict) else None
        space = namespace_in if own is None else _text(own)
        if not isinstance(node, dict) or "type" not in node:  # a union (or anything else)
            if isinstance(node, list):
                pending.extend((item, space) for item in node)
            elif isinstance(node, dict):
                pending.extend((item, space) for item in node.values())
            continue
        kind = _text(node["type"])
        fields = node.get("fields") if isinstance(node.get("fields"), list) else []
        if kind == "record":
            if (not namespace or namespace == space) and record_name == _text(node.get("name")):
                if not is_field:
                    return node
                match = next((f for f in fields if isinstance(f, dict) and _text(f.get("name")) == parts[-1]), None)
                if match is not None:
                    return match
            else:
                pending.extend((item, space) for item in fields)
        elif kind == "array":
            pending.append((node.get("items"), space))
        elif kind == "map":
            pending.append((node.get("values"), space))
        else:
            pending.append((node["type"], space))
    return None


def with_tags(text: str, to_add: TagEdits, to_remove: TagEdits) -> str:
    """``text`` (an Avro schema) with the tags edited; UnknownEntityError for an unknown entity."""
    document = load_json(text)

    def describe(entity: SchemaEntity) -> str:
        return (
            f"Invalid schema: No matching path '{entity.path}' found in the schema. An Avro record is "
            "named by its full name (e.g. 'com.acme.User'), a field by its record's full name, a dot "
            "and its name (e.g. 'com.acme.User.email')"
        )

    apply_edits(to_add, to_remove, lambda entity: find_node(document, entity),
                read_json_tags, write_json_tags, describe)
    return dump_json(document)
