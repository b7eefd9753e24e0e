"""Descriptor helpers: type lookup across a schema and its dependencies, labels, scalar kinds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

FieldProto = descriptor_pb2.FieldDescriptorProto
MessageProto = descriptor_pb2.DescriptorProto
EnumProto = descriptor_pb2.EnumDescriptorProto
FileProto = descriptor_pb2.FileDescriptorProto

SCALAR_NAMES: dict[int, str] = {
    FieldProto.TYPE_DOUBLE: "double",
    FieldProto.TYPE_FLOAT: "float",
    FieldProto.TYPE_INT64: "int64",
    FieldProto.TYPE_UINT64: "uint64",
    FieldProto.TYPE_INT32: "int32",
    FieldProto.TYPE_FIXED64: "fixed64",
    FieldProto.TYPE_FIXED32: "fixed32",
    FieldProto.TYPE_BOOL: "bool",
    FieldProto.TYPE_STRING: "string",
    FieldProto.TYPE_BYTES: "bytes",
    FieldProto.TYPE_UINT32: "uint32",
    FieldProto.TYPE_SFIXED32: "sfixed32",
    FieldProto.TYPE_SFIXED64: "sfixed64",
    FieldProto.TYPE_SINT32: "sint32",
    FieldProto.TYPE_SINT64: "sint64",
}

LABEL_NAMES = {
    FieldProto.LABEL_OPTIONAL: "optional",
    FieldProto.LABEL_REQUIRED: "required",
    FieldProto.LABEL_REPEATED: "repeated",
}


def syntax_of(file: FileProto) -> str:
    """``proto2`` (also when undeclared), ``proto3`` or ``editions``."""
    return file.syntax or "proto2"


def is_map_entry(message: MessageProto) -> bool:
    return message.options.map_entry


@dataclass(frozen=True)
class TypeEntry:
    """A message or enum reachable from a schema, with where it comes from.

    ``origin`` identifies the defining file's content: types with equal origins are the same
    definition (Confluent skips comparing a type that both sides take from the same reference).
    """

    full_name: str
    kind: str  # "message" or "enum"
    proto: MessageProto | EnumProto
    package: str
    syntax: str
    origin: tuple[str, ...]

    @property
    def local_name(self) -> str:
        """The name without the package (``Outer.Inner``)."""
        if self.package and self.full_name.startswith(self.package + "."):
            return self.full_name[len(self.package) + 1 :]
        return self.full_name


def walk_types(file: FileProto) -> Iterator[tuple[str, str, MessageProto | EnumProto]]:
    """(full name, kind, proto) for every message and enum a file declares, nested included."""
    prefix = file.package + "." if file.package else ""

    def messages(scope: str, items: list[MessageProto]) -> Iterator[tuple[str, str, MessageProto | EnumProto]]:
        for message in items:
            name = scope + message.name
            yield name, "message", message
            yield from messages(name + ".", list(message.nested_type))
            for enum in message.enum_type:
                yield f"{name}.{enum.name}", "enum", enum

    yield from messages(prefix, list(file.message_type))
    for enum in file.enum_type:
        yield prefix + enum.name, "enum", enum


class TypeIndex:
    """Full name (no leading dot) -> :class:`TypeEntry`, over a file and its dependencies."""

    def __init__(self) -> None:
        self.types: dict[str, TypeEntry] = {}

    def add_file(self, file: FileProto, origin: tuple[str, ...]) -> None:
        syntax = syntax_of(file)
        for name, kind, proto in walk_types(file):
            self.types.setdefault(name, TypeEntry(name, kind, proto, file.package, syntax, origin))

    def get(self, type_name: str) -> TypeEntry | None:
        return self.types.get(type_name.lstrip("."))


def field_label(field: FieldProto, syntax: str, index: TypeIndex | None = None) -> str | None:
    """The label as written: ``None`` for proto3/editions singular fields, oneof members, maps.

    Confluent reads labels from the text (Square Wire), where these have none.
    """
    if field.HasField("oneof_index") and not field.proto3_optional:
        return None
    if field.label == FieldProto.LABEL_REPEATED:
        if index is not None and field.type == FieldProto.TYPE_MESSAGE:
            entry = index.get(field.type_name)
            if entry is not None and entry.kind == "message" and is_map_entry(entry.proto):  # type: ignore[arg-type]
                return None
        return "repeated"
    if field.label == FieldProto.LABEL_REQUIRED:
        return "required"
    if syntax == "proto2" or field.proto3_optional:
        return "optional"
    return None


def real_oneof(message: MessageProto, field: FieldProto) -> str | None:
    """The name of the (non-synthetic) oneof a field belongs to, else ``None``."""
    if field.HasField("oneof_index") and not field.proto3_optional:
        return message.oneof_decl[field.oneof_index].name
    return None


def group_bodies(message: MessageProto) -> set[str]:
    """Simple names of the nested messages that are proto2 ``group`` bodies of ``message``."""
    return {f.type_name.rsplit(".", 1)[-1] for f in message.field if f.type == FieldProto.TYPE_GROUP}


def real_oneofs(message: MessageProto) -> list[str]:
    """Names of the message's oneofs in declaration order, without proto3 ``optional`` ones."""
    synthetic = {f.oneof_index for f in message.field if f.HasField("oneof_index") and f.proto3_optional}
    return [o.name for i, o in enumerate(message.oneof_decl) if i not in synthetic]
