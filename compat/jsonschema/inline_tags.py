"""JSON Schema inline schema tags: the keyword ``"confluent:tags": [...]`` on schema objects.

Entity paths are Confluent's (``JsonSchema.inlineTaggedEntities`` and
``JsonSchemaUtils.findMatchingEntity``): dot-separated steps naming the kind of each schema on
the way, ``object`` for an object schema (SR_RECORD, ``object`` alone is the root), then a
property name for a field (SR_FIELD, ``object.email``), ``array`` for an array's ``items``,
``allof``/``anyof``/``oneof`` and an index for a member of a combination (the index after
sorting the members, see :mod:`charter.compat.jsonschema.ordering`), ``not``, and
``object.definitions.Name`` for a definition: ``object.address.object.street``,
``object.items.array.object``, ``object.pet.oneof.1.object.name``,
``object.definitions.Address.object.street``. A property name containing dots is matched
by joining steps until a property of that name exists.

The tagged entities are listed as Confluent walks the typed schema: a combination's sorted
members, an array's items, an object (its tags as a record unless it is a property's schema, then
each property's tags as a field and the property's schema, then its ``definitions``, each read
as a schema on its own with ``$ref`` made ``#``; in drafts 2019-09 and 2020-12 also its ``$defs``,
which ``SchemaTranslator`` keeps as a ``HashMap`` of schemas, so in Java's hash order), a
conditional's ``if``/``then``/``else`` (``conditional.if.``), a ``not``. References are not
followed. In drafts 4 to 7 ``$defs`` are not listed (everit keeps them as plain data), though an
edit may name them (``object.$defs.Name``).

An edit follows the path in the schema's JSON as Confluent does: ``anyof``/``allof`` with an index
on a schema without ``anyOf``/``allOf`` (a list of types) skip the index and stay on the schema,
``allof.<i>.conditional.if`` reaches an ``if``/``then``/``else``. An SR_RECORD path may end at a
property and an SR_FIELD path must end at one. A path naming nothing (or no JSON object) is 42201.
"""

from __future__ import annotations

import copy
from collections import deque
from functools import cmp_to_key
from typing import Any

from charter.compat.inline_tags import apply_edits, read_json_tags, write_json_tags
from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.diff_results import java_hash_order
from charter.compat.jsonschema.drafts import Draft
from charter.compat.jsonschema.jsontext import dump_json
from charter.compat.jsonschema.ordering import SchemaOrder
from charter.compat.model import EntityType, InvalidSchemaError, SchemaEntity, SchemaTags, TagEdits


def load_fragment(raw: Any) -> n.Node | None:
    """A piece of a document read as a schema on its own (references left unresolved)."""
    if not isinstance(raw, dict | bool):
        return None
    from charter.compat.jsonschema.schema import JSON_FORMAT  # schema.py imports this module

    try:
        return JSON_FORMAT.parse(dump_json(raw), {}, validate=False).root
    except (InvalidSchemaError, RecursionError):
        return None


def _refs_to_root(value: Any) -> Any:
    """``value`` with every ``$ref`` made ``#`` (Confluent's ``JsonSchema.replaceRefs``)."""
    if isinstance(value, dict):
        return {k: "#" if k == "$ref" else _refs_to_root(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_refs_to_root(v) for v in value]
    return value


def tagged_entities(root: n.Node, draft: Draft) -> list[SchemaTags]:
    """Every tagged record and field of the schema, in Confluent's walk order."""
    found: dict[SchemaEntity, tuple[str, ...]] = {}
    order = SchemaOrder()
    visited: set[str] = set()

    def put(path: str, kind: EntityType, tags: list[str]) -> None:
        if tags:
            found[SchemaEntity(path, kind)] = tuple(dict.fromkeys(tags))

    def walk(node: n.Node | None, scope: str, in_field: bool) -> None:
        if isinstance(node, n.Combined):
            name = scope + node.criterion.lower()
            for i, member in enumerate(order.sorted(node.subschemas)):
                walk(member, f"{name}.{i}.", False)
        elif isinstance(node, n.Array):
            walk(node.all_items, scope + "array.", False)
        elif isinstance(node, n.Object):
            name = scope + "object"
            if name in visited:
                return
            visited.add(name)
            if not in_field:
                put(name, EntityType.SR_RECORD, read_json_tags(node.raw))
            raw_properties = node.raw.get("properties") if isinstance(node.raw, dict) else None
            for prop, schema in node.properties.items():
                raw = raw_properties.get(prop) if isinstance(raw_properties, dict) else schema.raw
                put(f"{name}.{prop}", EntityType.SR_FIELD, read_json_tags(raw))
                walk(schema, f"{name}.{prop}.", True)
            definitions = node.raw.get("definitions") if isinstance(node.raw, dict) else None
            if isinstance(definitions, dict):
                for key, value in definitions.items():
                    walk(load_fragment(_refs_to_root(value)), f"{name}.definitions.{key}.", False)
            defs = node.raw.get("$defs") if isinstance(node.raw, dict) and draft >= Draft.DRAFT_2019_09 else None
            if isinstance(defs, dict):  # SchemaTranslator: a HashMap of the defined subschemas
                for key in java_hash_order(defs):
                    walk(load_fragment(defs[key]), f"{name}.$defs.{key}.", False)
        elif isinstance(node, n.Conditional):
            raw = node.raw if isinstance(node.raw, dict) else {}
            for branch in ("if", "then", "else"):
                if branch in raw:
                    walk(load_fragment(raw[branch]), f"{scope}conditional.{branch}.", False)
        elif isinstance(node, n.Not):
            walk(node.must_not_match, scope + "not.", False)

    walk(root, "", False)
    return [SchemaTags(entity, tags) for entity, tags in found.items()]


# ---- finding an entity in the JSON (JsonSchemaUtils.findMatchingEntity) -----------------------


def _by_name(node: Any, steps: deque[str]) -> Any:
    """The member of ``node`` named by the next step, or by the next steps joined with dots."""
    if not steps or not isinstance(node, dict):
        return None
    name = steps.popleft()
    while name not in node and steps:
        name += "." + steps.popleft()
    return node.get(name)


def _member(node: Any, keyword: str, kind: EntityType, steps: deque[str], order: SchemaOrder) -> Any:
    """The member of a combination at the next step's index, after sorting the members."""
    if not steps or not isinstance(node, dict) or not isinstance(node.get(keyword), list):
        return None
    index = steps.popleft()
    members = node[keyword]
    loaded = [load_fragment(m) for m in members]
    if not index.isdigit() or int(index) >= len(members) or any(m is None for m in loaded):
        return None
    ranked = sorted(range(len(members)), key=cmp_to_key(lambda i, j: order.compare(loaded[i], loaded[j])))
    return _follow(members[ranked[int(index)]], kind, steps, order)


def _follow(node: Any, kind: EntityType, steps: deque[str], order: SchemaOrder) -> Any:
    if not steps:
        return None
    step = steps.popleft()
    if step == "object":
        if kind is EntityType.SR_RECORD and not steps:
            return node
        if not steps or not isinstance(node, dict):
            return None
        if steps[0] in ("definitions", "$defs"):
            result = _by_name(node.get(steps.popleft()), steps)
        else:
            result = _by_name(node.get("properties"), steps)
        return result if result is None or not steps else _follow(result, kind, steps, order)
    if step == "array":
        return _follow(node.get("items") if isinstance(node, dict) else None, kind, steps, order)
    if step in ("anyof", "allof"):
        keyword = "anyOf" if step == "anyof" else "allOf"
        if isinstance(node, dict) and keyword in node:
            return _member(node, keyword, kind, steps, order)
        if steps:
            steps.popleft()  # a list of types: the index names a type of this same schema
        if step == "allof" and steps and steps[0] == "conditional":
            steps.popleft()
            branch = steps.popleft() if steps else None
            return _follow(node.get(branch) if isinstance(node, dict) and branch else None, kind, steps, order)
        return _follow(node, kind, steps, order)
    if step == "oneof":
        return _member(node, "oneOf", kind, steps, order)
    if step == "not":
        return _follow(node.get("not") if isinstance(node, dict) else None, kind, steps, order)
    return None


def find_node(document: Any, entity: SchemaEntity) -> dict[str, Any] | None:
    """The JSON object an entity path names (None when it names nothing or no object)."""
    steps = entity.path.split(".")
    while steps and not steps[-1]:  # Java's String.split drops trailing empty strings
        steps.pop()
    found = _follow(document, entity.entity_type, deque(steps), SchemaOrder())
    return found if isinstance(found, dict) else None


def with_tags(document: Any, to_add: TagEdits, to_remove: TagEdits) -> str:
    """The document (not changed) with the tags edited, printed; UnknownEntityError for an
    entity path that names nothing."""
    document = copy.deepcopy(document)

    def describe(entity: SchemaEntity) -> str:
        return (
            f"Invalid schema: No matching path '{entity.path}' found in the schema. JSON Schema entity "
            "paths name each schema on the way: 'object' for the root object, 'object.email' for a field, "
            "'object.address.object' for a nested record, 'object.tags.array.object' for an array's items, "
            "'object.pet.oneof.0.object' for a member of a combination"
        )

    apply_edits(to_add, to_remove, lambda entity: find_node(document, entity), read_json_tags, write_json_tags,
                describe)
    return dump_json(document)
