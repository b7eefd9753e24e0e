"""What every format's inline schema tags share: the tag property, tag-list edits, lookups.

Avro and JSON Schema keep a record's or field's tags in the property ``confluent:tags`` (a list
of strings); Protobuf in the ``tags`` of the ``confluent.message_meta``/``field_meta`` options.
Each format finds its entities itself (``charter.compat.<format>.inline_tags``) with Confluent's entity
path syntax; this module applies an edit to one entity's list the same way for all, as
Confluent's ``ParsedSchema.copy(tagsToAdd, tagsToRemove)`` does (``addBeforeRemove`` true): the
tags to add are appended in order, each once, then the tags to remove are taken out, so a tag
both added and removed ends up removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from charter.compat.model import SchemaEntity, TagEdits, UnknownEntityError

TAGS_KEY = "confluent:tags"

T = TypeVar("T")


def string_tags(value: Any) -> list[str]:
    """The tags of a ``confluent:tags`` value (non-strings and a non-list value are ignored)."""
    if not isinstance(value, list):
        return []
    return [t for t in value if isinstance(t, str)]


def read_json_tags(node: Any) -> list[str]:
    """A JSON node's tags under ``confluent:tags`` (Avro and JSON Schema); none for a non-object."""
    return string_tags(node.get(TAGS_KEY)) if isinstance(node, dict) else []


def write_json_tags(node: dict[str, Any], tags: list[str]) -> None:
    """Store a JSON node's tags under ``confluent:tags`` (Avro and JSON Schema), or drop the key when none are left."""
    if tags:
        node[TAGS_KEY] = tags
    else:
        node.pop(TAGS_KEY, None)


def edit_tags(current: Sequence[str], add: Iterable[str], remove: Iterable[str]) -> list[str]:
    """``current`` with ``add`` appended (no duplicates, order kept), then without ``remove``
    (Confluent's add-before-remove order, e.g. ``AvroSchema.modifySchemaTags``)."""
    gone = set(remove)
    out = list(dict.fromkeys([*current, *add]))
    return [t for t in out if t not in gone]


def edited_entities(to_add: TagEdits, to_remove: TagEdits) -> list[SchemaEntity]:
    """Every entity an edit touches, in request order (added first), each once."""
    return list(dict.fromkeys([*to_add, *to_remove]))


def apply_edits(
    to_add: TagEdits,
    to_remove: TagEdits,
    find: Callable[[SchemaEntity], T | None],
    read: Callable[[T], list[str]],
    write: Callable[[T, list[str]], None],
    describe: Callable[[SchemaEntity], str],
) -> None:
    """Edit every entity the request names: ``find`` locates it (None: unknown, which raises
    :class:`UnknownEntityError` with ``describe``'s explanation), ``read``/``write`` its tags."""
    for entity in edited_entities(to_add, to_remove):
        target = find(entity)
        if target is None:
            raise UnknownEntityError(describe(entity))
        current = read(target)
        new = edit_tags(current, to_add.get(entity, ()), to_remove.get(entity, ()))
        if new != current:
            write(target, new)
