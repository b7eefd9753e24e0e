"""Protobuf inline schema tags: the ``tags`` of Confluent's ``confluent/meta.proto`` options.

A message is tagged with ``option (confluent.message_meta).tags = "PII";`` (SR_RECORD), a field
with ``[(confluent.field_meta).tags = "PII"]`` (SR_FIELD). Entity paths are Confluent's
(``ProtobufSchema.inlineTaggedEntities``, ``ProtobufSchemaUtils.findMatchingElement``): names
relative to the package, ``Outer.Inner`` for a nested message and ``Outer.Inner.f1`` for its
field; a leading dot is ignored (``SchemaEntity.getNormalizedPath``), and a field of a oneof may
also be named through the oneof (``Outer.choice.f1``). Listed tags follow Confluent's walk: each
message (its tags, the fields of its oneofs, its other fields, then its nested messages). Map
entries are not records. Adding a tag adds
``import "confluent/meta.proto";`` when the file lacks it (the import stays when the last tag
goes). The options are edited on a copy of the descriptor, which the canonical printer prints;
other ``Meta`` values (``doc``, ``params``) are kept.
"""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from charter.compat.inline_tags import apply_edits
from charter.compat.model import EntityType, SchemaEntity, SchemaTags, TagEdits
from charter.compat.protobuf.confluent import meta_options
from charter.compat.protobuf.types import FieldProto, FileProto, MessageProto, is_map_entry, walk_types

META_IMPORT = "confluent/meta.proto"
# Field numbers of descriptor.proto, for source-info paths.
_FILE_MESSAGES, _NESTED_MESSAGES, _FIELDS, _MESSAGE_OPTIONS, _FIELD_OPTIONS = 4, 3, 2, 7, 8


def _messages(file: FileProto) -> Iterator[tuple[str, MessageProto]]:
    """(package-relative name, message) for every message, nested ones after their parent's fields."""
    prefix = file.package + "." if file.package else ""
    for name, kind, proto in walk_types(file):
        if kind == "message" and not is_map_entry(proto):  # type: ignore[arg-type]
            yield name[len(prefix):], proto  # type: ignore[misc]


def _fields_in_confluent_order(message: MessageProto) -> list[FieldProto]:
    """The fields of the message's (real) oneofs, oneof by oneof, then its other fields, as the
    parsed ``.proto`` lists them (a proto3 ``optional`` field is a plain field there)."""
    in_oneof = [f for f in message.field if f.HasField("oneof_index") and not f.proto3_optional]
    oneof_fields = sorted(in_oneof, key=lambda f: f.oneof_index)
    return [*oneof_fields, *(f for f in message.field if f not in in_oneof)]


def _find(file: FileProto, entity: SchemaEntity) -> tuple[MessageProto | FieldProto, tuple[int, ...]] | None:
    """The message or field an entity path names and its source-info path, found as Confluent's
    ``ProtobufSchemaUtils.findMatchingElement`` finds it; None when nothing matches."""
    path = entity.path[1:] if entity.path.startswith(".") else entity.path
    parts = path.split(".")
    is_field = entity.entity_type is EntityType.SR_FIELD
    end = len(parts) - 1 if is_field else len(parts)
    message: MessageProto | None = None
    where: tuple[int, ...] = ()
    i = 0
    while i < end:
        scope = file.message_type if message is None else message.nested_type
        step = (_FILE_MESSAGES,) if message is None else (_NESTED_MESSAGES,)
        found = next(((k, m) for k, m in enumerate(scope) if m.name == parts[i] and not is_map_entry(m)), None)
        if found is None:
            if i == end - 1 and is_field:  # the last name may be a oneof's
                break
            return None
        message, where, i = found[1], (*where, *step, found[0]), i + 1
    if message is None:
        return None
    if not is_field:
        return message, where
    name = parts[-1]
    oneof = None
    if i < end:
        oneof = next((k for k, o in enumerate(message.oneof_decl) if o.name == parts[i]), None)
        if oneof is None:
            return None
    for k, f in enumerate(message.field):
        if f.name == name and (oneof is None or (f.HasField("oneof_index") and f.oneof_index == oneof)):
            return f, (*where, _FIELDS, k)
    return None


def _forget_written_options(file: FileProto, where: tuple[int, ...], number: int) -> None:
    """Drop the source info of the options at ``where`` so the printer prints them from the
    (edited) descriptor rather than as they were written."""
    prefix = (*where, number)
    kept = [loc for loc in file.source_code_info.location if tuple(loc.path[:len(prefix)]) != prefix]
    if len(kept) != len(file.source_code_info.location):
        del file.source_code_info.location[:]
        file.source_code_info.location.extend(kept)


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
        for field in _fields_in_confluent_order(message):
            tags = read_tags(field)
            if tags:
                out.append(SchemaTags(SchemaEntity(f"{name}.{field.name}", EntityType.SR_FIELD), tuple(tags)))
    return out


def tag_file(file: FileProto, to_add: TagEdits, to_remove: TagEdits) -> FileProto:
    """A copy of ``file`` (source info kept) with the tags edited and, when a tag was added,
    ``confluent/meta.proto`` imported; UnknownEntityError for an unknown entity."""
    copy = FileProto()
    copy.CopyFrom(file)

    paths: dict[int, tuple[int, ...]] = {}

    def find(entity: SchemaEntity) -> MessageProto | FieldProto | None:
        found = _find(copy, entity)
        if found is None:
            return None
        paths[id(found[0])] = found[1]
        return found[0]

    def describe(entity: SchemaEntity) -> str:
        what = "Field" if entity.entity_type is EntityType.SR_FIELD else "Message"
        return (
            f"Invalid schema: No matching {what} '{entity.path}' found in the schema. A Protobuf "
            "message is named relative to the package (e.g. 'User', 'Outer.Inner'), a field by its "
            "message's name, a dot and its name (e.g. 'User.email')"
        )

    added = False

    def write(target: MessageProto | FieldProto, tags: list[str]) -> None:
        nonlocal added
        added = added or bool(tags)
        write_tags(target, tags)
        number = _FIELD_OPTIONS if isinstance(target, FieldProto) else _MESSAGE_OPTIONS
        _forget_written_options(copy, paths[id(target)], number)

    apply_edits(to_add, to_remove, find, read_tags, write, describe)
    if added and META_IMPORT not in copy.dependency:
        copy.dependency.append(META_IMPORT)
    return copy
