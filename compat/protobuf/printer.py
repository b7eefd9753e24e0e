"""Confluent's Protobuf text printer (``ProtobufSchema.canonicalString`` and ``normalize``).

Layout (compat-rules §4.5): comments dropped, 2-space indent. File: ``syntax`` (if declared),
``package``, imports, public imports, options, all messages then all enums (declaration order),
``extend`` blocks, services. Message: reserved, options, fields, oneofs, groups, extension
ranges, extends, nested messages, nested enums. Field: ``[label ]type name = n[ [options]];``
with ``default``/``json_name`` first among the options.

The canonical text keeps type names as written when the schema came as text (read back through
protoc's source info); a schema given as a descriptor prints fully qualified names. The
normalised text sorts what Confluent's ``normalize`` sorts and qualifies every type name.
"""

from __future__ import annotations

import re

from google.protobuf import descriptor_pb2
from google.protobuf.message import Message

from charter.compat.protobuf.printparts import (
    OptionDecoder,
    PrintOptions,
    SourceText,
    default_json_name,
    edition_name,
    indent,
    number_text,
    quote,
    quote_bytes,
    range_text,
)
from charter.compat.protobuf.types import (
    LABEL_NAMES,
    SCALAR_NAMES,
    FieldProto,
    FileProto,
    MessageProto,
    TypeIndex,
    field_label,
    group_bodies,
    is_map_entry,
    real_oneof,
    syntax_of,
)

FIELD_MAX = 536870911
ENUM_MAX = 2147483647
_MAP_TEXT = re.compile(r"^map\s*<\s*([\w.]+)\s*,\s*([\w.]+)\s*>$")
_OPTION_NAME = re.compile(r"^\s*(?:option\s+)?\(\s*([\w.]+)\s*\)")


class Printer:
    """Prints one file; see the module docstring for the layout."""

    def __init__(
        self,
        file: FileProto,
        index: TypeIndex,
        decoder: OptionDecoder,
        source: SourceText | None,
        options: PrintOptions,
    ) -> None:
        self.file = file
        self.index = index
        self.decoder = decoder
        self.source = source if not options.normalize else None
        self.normalize = options.normalize
        self.ignore_extensions = options.ignore_extensions
        self.syntax = syntax_of(file)

    # -- options ----------------------------------------------------------------------------

    def _option_entries(self, options: Message, path: tuple[int, ...]) -> list[str]:
        """``name = value`` texts for the options set in an options message."""
        decoded = self.decoder.decode(options)
        entries: list[tuple[tuple[int, int], str, str]] = []
        for field, value in decoded.ListFields():
            if field.full_name == "google.protobuf.MessageOptions.map_entry":
                continue
            if field.is_extension:
                if self.ignore_extensions:
                    continue
                name = f"({field.full_name})"
                written = self.source.text((*path, field.number)) if self.source else None
                match = _OPTION_NAME.match(written or "")
                if match:
                    name = f"({match.group(1)})"
            else:
                name = field.name
            position = self.source.position((*path, field.number)) if self.source else (0, 0)
            sort_key = name.lstrip("(")
            if field.message_type is not None and not field.is_extension and not field.is_repeated:
                for sub, sub_value in value.ListFields():
                    entries.append(
                        (position, f"{sort_key}.{sub.name}", f"{name}.{sub.name} = {self._value(sub, sub_value)}")
                    )
                continue
            if field.is_repeated:
                for item in value:
                    entries.append((position, sort_key, f"{name} = {self._scalar_or_message(field, item)}"))
            else:
                entries.append((position, sort_key, f"{name} = {self._value(field, value)}"))
        if self.normalize:
            entries.sort(key=lambda e: e[1])
        elif self.source is not None:
            entries.sort(key=lambda e: e[0])
        return [text for _, _, text in entries]

    def _value(self, field, value) -> str:  # type: ignore[no-untyped-def]
        if field.is_repeated:
            items = [self._scalar_or_message(field, item) for item in value]
            return "[" + ", ".join(items) + "]"
        return self._scalar_or_message(field, value)

    def _scalar_or_message(self, field, value) -> str:  # type: ignore[no-untyped-def]
        if field.message_type is not None:
            return self._aggregate(value)
        if field.enum_type is not None:
            enum_value = field.enum_type.values_by_number.get(value)
            return enum_value.name if enum_value is not None else str(value)
        if field.type == FieldProto.TYPE_BOOL:
            return "true" if value else "false"
        if field.type == FieldProto.TYPE_STRING:
            return quote(value)
        if field.type == FieldProto.TYPE_BYTES:
            return quote_bytes(value)
        if isinstance(value, float):
            return number_text(value)
        return str(value)

    def _aggregate(self, message: Message) -> str:
        fields = message.ListFields()
        if self.normalize:
            fields = sorted(fields, key=lambda fv: fv[0].name)
        lines = []
        for i, (field, value) in enumerate(fields):
            name = f"[{field.full_name}]" if field.is_extension else field.name
            end = "," if i < len(fields) - 1 else ""
            lines.append(f"{name}: {self._value(field, value)}{end}")
        return "{\n" + "".join(indent(line) for line in "\n".join(lines).split("\n") if line) + "}"

    def _declarations(self, options: Message, path: tuple[int, ...]) -> str:
        return "".join(f"option {entry};\n" for entry in self._option_entries(options, path))

    # -- names ------------------------------------------------------------------------------

    def _type_name(self, field: FieldProto, path: tuple[int, ...]) -> str:
        if field.type in SCALAR_NAMES:
            return SCALAR_NAMES[field.type]
        entry = self.index.get(field.type_name)
        if entry is not None and entry.kind == "message" and is_map_entry(entry.proto):  # type: ignore[arg-type]
            key, value = sorted(entry.proto.field, key=lambda f: f.number)[:2]  # type: ignore[union-attr]
            written = self.source.text((*path, 6)) if self.source else None
            match = _MAP_TEXT.match(written or "")
            if match:
                return f"map<{match.group(1)}, {match.group(2)}>"
            value_name = SCALAR_NAMES.get(value.type) or value.type_name
            return f"map<{SCALAR_NAMES[key.type]}, {value_name}>"
        written = self.source.text((*path, 6)) if self.source else None
        return written.strip() if written else field.type_name

    # -- fields -----------------------------------------------------------------------------

    def _field(self, field: FieldProto, path: tuple[int, ...], in_oneof: bool) -> str:
        label = None if in_oneof else field_label(field, self.syntax, self.index)
        type_name = self._type_name(field, path)
        options: list[str] = []
        if field.HasField("default_value"):
            options.append(f"default = {self._default(field)}")
        if field.HasField("json_name") and self._shows_json_name(field, path):
            options.append(f"json_name = {quote(field.json_name)}")
        options += self._option_entries(field.options, (*path, 8))
        head = f"{label} " if label else ""
        text = f"{head}{type_name} {field.name} = {field.number}"
        if len(options) == 1:
            text += f" [{options[0]}]"
        elif options:
            text += " [\n" + "".join(indent(o + ("," if i < len(options) - 1 else "")) for i, o in enumerate(options))
            text += "]"
        return text + ";\n"

    def _shows_json_name(self, field: FieldProto, path: tuple[int, ...]) -> bool:
        if self.source is not None and self.source.has((*path, 10)):
            return True
        return field.json_name != default_json_name(field.name)

    def _default(self, field: FieldProto) -> str:
        value = field.default_value
        if field.type == FieldProto.TYPE_STRING:
            return quote(value)
        if field.type == FieldProto.TYPE_BYTES:
            return '"' + value + '"'  # protoc keeps bytes defaults C-escaped
        return value

    def _group(self, field: FieldProto, body: MessageProto, path: tuple[int, ...], body_path: tuple[int, ...]) -> str:
        label = LABEL_NAMES.get(field.label, "optional")
        inner = self._message_body(body, body_path, self._scope_of(field.type_name))
        return f"{label} group {body.name} = {field.number} {{\n{indent(inner) if inner else ''}}}\n"

    @staticmethod
    def _scope_of(type_name: str) -> str:
        return type_name.lstrip(".")

    # -- messages and enums -----------------------------------------------------------------

    def _message(self, message: MessageProto, path: tuple[int, ...], full_name: str) -> str:
        body = self._message_body(message, path, full_name)
        return f"message {message.name} {{\n{indent(body) if body else ''}}}\n"

    def _message_body(self, message: MessageProto, path: tuple[int, ...], full_name: str) -> str:
        sections: list[str] = []
        reserved = self._reserved(message, path)
        options = self._declarations(message.options, (*path, 7))
        bodies = group_bodies(message)
        nested_by_name = {m.name: (i, m) for i, m in enumerate(message.nested_type)}
        fields = [(i, f) for i, f in enumerate(message.field)]
        if self.normalize:
            fields.sort(key=lambda item: item[1].number)
        top: list[str] = []
        groups: list[str] = []
        oneof_members: dict[int, list[tuple[int, FieldProto]]] = {}
        for i, field in fields:
            oneof = real_oneof(message, field)
            if oneof is not None:
                oneof_members.setdefault(field.oneof_index, []).append((i, field))
                continue
            if field.type == FieldProto.TYPE_GROUP:
                body_name = field.type_name.rsplit(".", 1)[-1]
                if body_name in nested_by_name:
                    j, body = nested_by_name[body_name]
                    groups.append(self._group(field, body, (*path, 2, i), (*path, 3, j)))
                continue
            top.append(self._field(field, (*path, 2, i), False))
        oneofs: list[tuple[int, str]] = []
        for oneof_index, members in oneof_members.items():
            decl = message.oneof_decl[oneof_index]
            inner = self._declarations(decl.options, (*path, 8, oneof_index))
            inner += "".join(self._field(f, (*path, 2, i), True) for i, f in members)
            order = min(f.number for _, f in members) if self.normalize else oneof_index
            oneofs.append((order, f"oneof {decl.name} {{\n{indent(inner)}}}\n"))
        oneofs.sort()
        extension_ranges = self._ranges(
            [(r.start, r.end - 1) for r in message.extension_range], FIELD_MAX, "extensions", (*path, 5)
        )
        extends = self._extends(list(message.extension), (*path, 6))
        nested = [
            self._message(m, (*path, 3, j), f"{full_name}.{m.name}")
            for j, m in enumerate(message.nested_type)
            if not is_map_entry(m) and m.name not in bodies
        ]
        enums = [self._enum(e, (*path, 4, j)) for j, e in enumerate(message.enum_type)]
        sections.append(reserved)
        if options:
            sections.append(
                options + ("\n" if any((top, oneofs, groups, extension_ranges, extends, nested, enums)) else "")
            )
        sections += ["".join(top), "".join(o for _, o in oneofs), "".join(groups), extension_ranges]
        sections += ["".join(extends), "".join(nested), "".join(enums)]
        return "".join(sections)

    def _ranges(
        self, ranges: list[tuple[int, int]], maximum: int, keyword: str, path: tuple[int, ...] | None = None
    ) -> str:
        """Range statements: as declared (grouped per statement when the text is known), or one
        per range, sorted, when normalising."""
        if not ranges:
            return ""
        if self.normalize:
            return "".join(f"{keyword} {range_text(s, e, maximum)};\n" for s, e in sorted(ranges))
        groups: dict[int, list[str]] = {}
        for i, (start, end) in enumerate(ranges):
            group = self.source.statement_of(path, i) if self.source is not None and path is not None else 0
            groups.setdefault(group, []).append(range_text(start, end, maximum))
        return "".join(f"{keyword} {', '.join(texts)};\n" for _, texts in sorted(groups.items()))

    def _names(self, names: list[str], path: tuple[int, ...]) -> str:
        if not names:
            return ""
        if self.normalize:
            return "".join(f"reserved {quote(n)};\n" for n in sorted(names))
        groups: dict[int, list[str]] = {}
        for i, name in enumerate(names):
            group = self.source.statement_of(path, i) if self.source is not None else 0
            groups.setdefault(group, []).append(quote(name))
        return "".join(f"reserved {', '.join(texts)};\n" for _, texts in sorted(groups.items()))

    def _reserved(self, item, path: tuple[int, ...], enum: bool = False) -> str:  # type: ignore[no-untyped-def]
        """Reserved ranges then names (message fields 9/10, enum fields 4/5)."""
        ranges = [(r.start, r.end if enum else r.end - 1) for r in item.reserved_range]
        range_field, name_field = (4, 5) if enum else (9, 10)
        text = self._ranges(ranges, ENUM_MAX if enum else FIELD_MAX, "reserved", (*path, range_field))
        return text + self._names(list(item.reserved_name), (*path, name_field))

    def _enum(self, enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...]) -> str:
        body = self._reserved(enum, path, enum=True)
        body += self._declarations(enum.options, (*path, 3))
        values = list(enumerate(enum.value))
        if self.normalize:
            values.sort(key=lambda item: (item[1].number, item[1].name))
        for i, value in values:
            options = self._option_entries(value.options, (*path, 2, i, 3))
            suffix = ""
            if len(options) == 1:
                suffix = f" [{options[0]}]"
            elif options:
                suffix = (
                    " [\n"
                    + "".join(indent(o + ("," if k < len(options) - 1 else "")) for k, o in enumerate(options))
                    + "]"
                )
            body += f"{value.name} = {value.number}{suffix};\n"
        return f"enum {enum.name} {{\n{indent(body) if body else ''}}}\n"

    def _extends(self, extensions: list[FieldProto], path: tuple[int, ...]) -> list[str]:
        if self.ignore_extensions or not extensions:
            return []
        blocks: dict[str, list[str]] = {}
        for i, field in enumerate(extensions):
            written = self.source.text((*path, i, 2)) if self.source else None
            extendee = written.strip() if written else field.extendee
            blocks.setdefault(extendee, []).append(self._field(field, (*path, i), False))
        return [f"extend {name} {{\n{indent(''.join(fields))}}}\n" for name, fields in blocks.items()]

    # -- services ---------------------------------------------------------------------------

    def _service(self, service: descriptor_pb2.ServiceDescriptorProto, path: tuple[int, ...]) -> str:
        body = self._declarations(service.options, (*path, 3))
        for i, method in enumerate(service.method):
            mpath = (*path, 2, i)
            request = (self.source.text((*mpath, 2)) if self.source else None) or method.input_type
            response = (self.source.text((*mpath, 3)) if self.source else None) or method.output_type
            request = ("stream " if method.client_streaming else "") + request.strip()
            response = ("stream " if method.server_streaming else "") + response.strip()
            text = f"rpc {method.name} ({request}) returns ({response})"
            options = self._declarations(method.options, (*mpath, 4))
            if options:
                text += " {\n" + indent(options) + "}"
            body += text + ";\n"
        return f"service {service.name} {{\n{indent(body) if body else ''}}}\n"

    # -- file -------------------------------------------------------------------------------

    def print(self) -> str:
        file = self.file
        out: list[str] = []
        declared = self.source.has((12,)) if self.source is not None else bool(file.syntax)
        if self.syntax == "editions":
            out.append(f'edition = "{edition_name(file.edition)}";\n')
        elif self.normalize:
            if self.syntax != "proto2":
                out.append(f'syntax = "{self.syntax}";\n')
        elif declared:
            out.append(f'syntax = "{self.syntax}";\n')
        if file.package:
            out.append(f"package {file.package};\n")
        public = set(file.public_dependency)
        imports = [d for i, d in enumerate(file.dependency) if i not in public]
        publics = [d for i, d in enumerate(file.dependency) if i in public]
        if self.normalize:
            imports = sorted(set(imports))
            publics = sorted(set(publics))
        if imports or publics:
            out.append("\n")
            out += [f'import "{d}";\n' for d in imports]
            out += [f'import public "{d}";\n' for d in publics]
        options = self._declarations(file.options, (8,))
        if options:
            out.append("\n" + options)
        prefix = file.package + "." if file.package else ""
        for i, message in enumerate(file.message_type):
            out.append("\n" + self._message(message, (4, i), prefix + message.name))
        for i, enum in enumerate(file.enum_type):
            out.append("\n" + self._enum(enum, (5, i)))
        for block in self._extends(list(file.extension), (7,)):
            out.append("\n" + block)
        for i, service in enumerate(file.service):
            out.append("\n" + self._service(service, (6, i)))
        return "".join(out)








def print_file(
    file: FileProto,
    index: TypeIndex,
    decoder: OptionDecoder,
    source: SourceText | None,
    options: PrintOptions | None = None,
) -> str:
    """The text of ``file`` (canonical by default; normalised or without extensions on request)."""
    return Printer(file, index, decoder, source, options or PrintOptions()).print()
