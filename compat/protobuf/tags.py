"""Protobuf inline schema tags: the ``tags`` of Confluent's ``confluent/meta.proto`` options.

A message is tagged with ``option (confluent.message_meta).tags = "PII";`` (SR_RECORD, entity
path = the message's full name, ``pkg.Outer.Inner`` for a nested one), a field with
``[(confluent.field_meta).tags = "PII"]`` (SR_FIELD, entity path = the message's full name, a
dot and the field name). Map entries are not records. Adding a tag adds
``import "confluent/meta.proto";`` when the file lacks it (the import stays when the last tag
goes). The options are edited on a copy of the descriptor, which the canonical printer prints;
other ``Meta`` values (``doc``, ``params``) are kept.
"""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from charter.compat.model import EntityType, SchemaEntity, SchemaTags, TagEdits
from charter.compat.protobuf.confluent import meta_options
from charter.compat.protobuf.types import FieldProto, FileProto, MessageProto, is_map_entry, walk_types
from charter.compat.tags import apply_edits, find_entity, kind_name, some_names

META_IMPORT = "confluent/meta.proto"


def _messages(file: FileProto) -> Iterator[tuple[str, MessageProto]]:
    for name, kind, proto in walk_types(file):
        if kind == "message" and not is_map_entry(proto):  # type: ignore[arg-type]
            yield name, proto  # type: ignore[misc]


def _options(target: MessageProto | FieldProto) -> tuple[Message, FieldDescriptor]:
    """The target's options re-read by a class that decodes the Meta extension, and that extension."""
    meta = meta_options()
    if isinstance(target, FieldProto):
        cls, extension = meta.field_options, meta.field_meta
    else:
        cls, extension = meta.message_options, meta.message_meta
    return cls.FromString(target.options.SerializeToString()), extension


def read_tags(target: MessageProto | FieldProto) -> list[str]:
    """The Meta tags of a message or field."""
    options, extension = _options(target)
    if not options.HasExtension(extension):
        return []
    return list(options.Extensions[extension].tags)


def write_tags(target: MessageProto | FieldProto, tags: list[str]) -> None:
    """Replace the Meta tags of a message or field (other Meta values and options are kept)."""
    options, extension = _options(target)
    meta = options.Extensions[extension]
    del meta.tags[:]
    meta.tags.extend(tags)
    if meta.ByteSize() == 0:
        options.ClearExtension(extension)
    target.options.ParseFromString(options.SerializeToString())


def tagged_entities(file: FileProto) -> list[SchemaTags]:
    """The tagged messages and fields the file declares, in declaration order."""
    out: list[SchemaTags] = []
    for name, message in _messages(file):
        tags = read_tags(message)
        if tags:
            out.append(SchemaTags(SchemaEntity(name, EntityType.SR_RECORD), tuple(tags)))
        for field in message.field:
            tags = read_tags(field)
            if tags:
                out.append(SchemaTags(SchemaEntity(f"{name}.{field.name}", EntityType.SR_FIELD), tuple(tags)))
    return out


def tag_file(file: FileProto, to_add: TagEdits, to_remove: TagEdits) -> FileProto:
    """A copy of ``file`` (source info kept) with the tags edited and, when a tag was added,
    ``confluent/meta.proto`` imported; UnknownEntityError for an unknown entity."""
    copy = FileProto()
    copy.CopyFrom(file)
    messages = dict(_messages(copy))

    def find(entity: SchemaEntity) -> MessageProto | FieldProto | None:
        return find_entity(entity, messages, lambda message, name: next(
            (f for f in message.field if f.name == name), None))

    def describe(entity: SchemaEntity) -> str:
        known = some_names(messages)
        return (
            f"Invalid schema: the schema has no {kind_name(entity.entity_type)} '{entity.path}'. A Protobuf "
            "record is a message named by its full name (e.g. 'com.acme.User', 'com.acme.Outer.Inner'), a "
            f"field by its message's full name, a dot and its name (e.g. 'com.acme.User.email'); the "
            f"schema's messages: {known}"
        )

    added = False

    def write(target: MessageProto | FieldProto, tags: list[str]) -> None:
        nonlocal added
        added = added or bool(tags)
        write_tags(target, tags)

    apply_edits(to_add, to_remove, find, read_tags, write, describe)
    if added and META_IMPORT not in copy.dependency:
        copy.dependency.append(META_IMPORT)
    return copy
