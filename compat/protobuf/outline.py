"""The structural outline of a Protobuf schema, from its descriptor (for ``charter diff`` and the
console's compare page; :mod:`charter.compat.outline` compares outlines).

Top level: ``syntax``, ``package``, one ``import <file>`` part per import, one ``option <name>`` per
file option, then messages, enums and services. A message holds its fields, named
``name (field N)`` with ``label type [options]`` as value (``map<K, V>`` for a map, the map-entry
message itself left out), its oneofs (holding their fields), nested messages and enums; an enum
holds its values (value: the number); a service its methods (value: ``(In) returns (Out)``).
"""

from __future__ import annotations

from google.protobuf import text_format
from google.protobuf.message import Message

from charter.compat.outline import Outline, Part
from charter.compat.protobuf.types import (
    SCALAR_NAMES,
    EnumProto,
    FieldProto,
    FileProto,
    MessageProto,
    field_label,
    is_map_entry,
    real_oneof,
    syntax_of,
)


def _options(options: Message) -> str:
    items = [f"{f.name} = {_value(v)}" for f, v in options.ListFields()]
    return f"[{', '.join(items)}]" if items else ""


def _value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Message):
        return "{" + text_format.MessageToString(value, as_one_line=True) + "}"
    return str(value)


def _type_name(name: str, package: str) -> str:
    name = name.lstrip(".")
    return name[len(package) + 1:] if package and name.startswith(package + ".") else name


class _Outliner:
    def __init__(self, file: FileProto) -> None:
        self.file = file
        self.package = file.package
        self.syntax = syntax_of(file)

    def field_type(self, message: MessageProto, field: FieldProto) -> str:
        if field.type_name:
            entry = self.map_entry(message, field)
            if entry is not None:
                key, value = entry.field[0], entry.field[1]
                return f"map<{self.field_type(entry, key)}, {self.field_type(entry, value)}>"
            return _type_name(field.type_name, self.package)
        return SCALAR_NAMES.get(field.type, str(field.type))

    @staticmethod
    def map_entry(message: MessageProto, field: FieldProto) -> MessageProto | None:
        if field.label != FieldProto.LABEL_REPEATED or field.type != FieldProto.TYPE_MESSAGE:
            return None
        simple = field.type_name.rsplit(".", 1)[-1]
        for nested in message.nested_type:
            if nested.name == simple and is_map_entry(nested):
                return nested
        return None

    def field(self, message: MessageProto, field: FieldProto) -> Part:
        label = None if self.map_entry(message, field) else field_label(field, self.syntax)
        text = " ".join(x for x in (label, self.field_type(message, field), _options(field.options)) if x)
        return Part(f"{field.name} (field {field.number})", text, (), "decl")

    def message(self, message: MessageProto) -> Part:
        parts: list[Part] = []
        oneofs: dict[str, list[Part]] = {}
        for field in message.field:
            oneof = real_oneof(message, field)
            if oneof is None:
                parts.append(self.field(message, field))
            else:
                oneofs.setdefault(oneof, []).append(self.field(message, field))
        parts += [Part(name, "oneof", tuple(fields), "decl") for name, fields in oneofs.items()]
        parts += [self.message(m) for m in message.nested_type if not is_map_entry(m)]
        parts += [self.enum(e) for e in message.enum_type]
        return Part(message.name, "message", tuple(parts), "decl")

    @staticmethod
    def enum(enum: EnumProto) -> Part:
        values = tuple(Part(v.name, " ".join(x for x in (str(v.number), _options(v.options)) if x), (), "decl")
                       for v in enum.value)
        return Part(enum.name, "enum", values, "decl")

    def outline(self) -> Outline:
        parts = [Part("syntax", f'"{self.syntax}"', (), "decl")]
        if self.package:
            parts.append(Part("package", self.package, (), "decl"))
        parts += [Part(f"import {name}", f'"{name}"', (), "decl") for name in self.file.dependency]
        parts += [Part(f"option {f.name}", _value(v), (), "decl") for f, v in self.file.options.ListFields()]
        parts += [self.message(m) for m in self.file.message_type]
        parts += [self.enum(e) for e in self.file.enum_type]
        for service in self.file.service:
            methods = tuple(Part(m.name, f"({_type_name(m.input_type, self.package)}) returns "
                                 f"({_type_name(m.output_type, self.package)})", (), "decl") for m in service.method)
            parts.append(Part(service.name, "service", methods, "decl"))
        return tuple(parts)


def outline(file: FileProto) -> Outline:
    """The outline of one ``.proto`` file's descriptor."""
    return _Outliner(file).outline()
