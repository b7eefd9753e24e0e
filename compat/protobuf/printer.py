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

from charter.compat.protobuf.optiontext import (
    OptionSyntaxError,
    Value,
    decimal_text,
    escape,
    format_option,
    read_option,
    tags_in,
)
from charter.compat.protobuf.printparts import (
    OptionDecoder,
    PrintOptions,
    SourceText,
    edition_name,
    indent,
    number_text,
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

_UNINTERPRETED = 999  # uninterpreted_option in every *Options message
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
        self.written = source  # the text, also when normalising (what was written stays shown)
        self.normalize = options.normalize
        self.ignore_extensions = options.ignore_extensions
        self.syntax = syntax_of(file)

    # -- options (ProtobufSchemaUtils.toString(OptionElement) / formatOptionMap) ------------

    def _option_entries(self, options: Message, path: tuple[int, ...]) -> list[str]:
        """``name = value`` texts for the options set in an options message.

        From text, one entry per written option statement in text order, a dotted
        ``(opt).sub = v`` staying dotted (Wire keeps the form written); from a descriptor, one
        per option (per item of a repeated one), in field-number order. Normalising sorts them.
        """
        decoded = self.decoder.decode(options)
        fields: dict[int, tuple] = {}
        for field, value in decoded.ListFields():
            if field.full_name == "google.protobuf.MessageOptions.map_entry":
                continue
            if field.is_extension and self.ignore_extensions and not field.full_name.startswith("confluent."):
                continue  # ProtobufSchemaUtils.FormatContext.filterOptions keeps confluent.* only
            fields[field.number] = (field, value)
        entries: list[tuple[str, str]] = []
        covered: set[int] = set()
        if self.source is not None:
            written, covered = self._written_options(fields, path)
            entries += written
        for number, (field, value) in fields.items():
            if number not in covered and field.name != "uninterpreted_option":
                entries += self._option_from_value(field, value, path)
        if self.normalize:
            entries.sort(key=lambda e: e[0])
        return [text for _, text in entries]

    def _written_options(
        self, fields: dict[int, tuple], path: tuple[int, ...]
    ) -> tuple[list[tuple[str, str]], set[int]]:
        """Entries printed from the option statements' text (see :mod:`optiontext`), and the
        option fields they cover. A ``confluent.*`` option whose tags were edited since (its
        tags differ from the text's) is left to be printed from its value."""
        assert self.source is not None
        statements: dict[int, list[tuple[str, Value]]] = {}
        seen: set[tuple[int, int]] = set()
        for relative, position in self.source.statements_under(path):
            if position in seen:
                continue
            seen.add(position)
            try:
                name, value = read_option(self.source.statement_text((*path, *relative)) or "")
            except (OptionSyntaxError, IndexError):
                continue
            statements.setdefault(relative[0], []).append((name, value))
        entries: list[tuple[str, str]] = []
        covered: set[int] = set()
        for number, found in statements.items():
            if number not in fields and number != _UNINTERPRETED:
                continue  # an option left out (ignore_extensions)
            if number in fields:
                field, value = fields[number]
                if field.full_name.startswith("confluent.") and sorted(set(value.tags)) != sorted(
                    {tag for n, v in found for tag in tags_in(v, n)}
                ):
                    continue
            for name, value in found:
                if self.ignore_extensions and name.startswith("(") and not name.startswith("(confluent."):
                    continue
                entries.append((name.lstrip("("), format_option(name, value)))
            covered.add(number)
        return entries, covered

    def _option_name(self, field, path: tuple[int, ...]) -> str:  # type: ignore[no-untyped-def]
        if not field.is_extension:
            return field.name
        written = self.source.text((*path, field.number)) if self.source else None
        match = _OPTION_NAME.match(written or "")
        return f"({match.group(1)})" if match else f"({field.full_name})"

    def _written_option(self, fields: dict[int, tuple], relative: tuple[int, ...], path: tuple[int, ...]):  # type: ignore[no-untyped-def]
        """The entry of one written option statement (``relative`` path below the options)."""
        if relative[0] not in fields:
            return None
        field, value = fields[relative[0]]
        name = self._option_name(field, path)
        if field.is_extension and self.source is not None:
            written = self.source.text((*path, *relative))
            match = _OPTION_NAME.match(written or "")
            if match:
                name = f"({match.group(1)})"
        rest = relative[1:]
        if field.is_repeated and not _is_map(field):
            if not rest or rest[0] >= len(value):
                return None
            if len(rest) > 1:
                return None
            return name.lstrip("("), f"{name} = {self._scalar_or_message(field, value[rest[0]])}"
        names = [name]
        while rest and field.message_type is not None and not field.is_repeated:
            sub = field.message_type.fields_by_number.get(rest[0])
            if sub is None:
                return None
            names.append(sub.name)
            field, value, rest = sub, getattr(value, sub.name), rest[1:]
        if rest:
            return None
        return ".".join(names).lstrip("("), f"{'.'.join(names)} = {self._value(field, value)}"

    def _option_from_value(self, field, value, path: tuple[int, ...]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        name = self._option_name(field, path)
        key = name.lstrip("(")
        if field.message_type is not None and not field.is_extension and not field.is_repeated:
            return [
                (f"{key}.{sub.name}", f"{name}.{sub.name} = {self._value(sub, sub_value)}")
                for sub, sub_value in value.ListFields()
            ]
        if field.is_repeated:
            return [(key, f"{name} = {self._scalar_or_message(field, item)}") for item in value]
        return [(key, f"{name} = {self._value(field, value)}")]

    def _value(self, field, value) -> str:  # type: ignore[no-untyped-def]
        """A value inside an option: a repeated one as a list, one element per line (a single
        element bare when read from text or normalised, as Wire keeps ``key: v``)."""
        if _is_map(field):
            items = [self._map_entry(field, k, value[k]) for k in sorted(value)]  # map order is lost
        elif field.is_repeated:
            items = [self._scalar_or_message(field, item) for item in value]
        else:
            return self._scalar_or_message(field, value)
        if len(items) == 1 and (self.normalize or self.source is not None):
            return items[0]
        return "[\n" + "".join(indent(item + ("," if i < len(items) - 1 else "")) for i, item in enumerate(items)) + "]"

    def _map_entry(self, field, key, value) -> str:  # type: ignore[no-untyped-def]
        """A map entry as ``{ key: k, value: v }``; from a descriptor, Confluent's ``toOption``
        puts the value first for the decimal's ``precision``/``scale`` params."""
        key_field = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        pairs = [
            f"key: {self._scalar_or_message(key_field, key)}",
            f"value: {self._scalar_or_message(value_field, value)}",
        ]
        if self.source is None and not self.normalize and key in ("precision", "scale"):
            pairs.reverse()
        if self.normalize:
            pairs.sort()
        return "{\n" + indent(",\n".join(pairs)) + "}"

    def _scalar_or_message(self, field, value) -> str:  # type: ignore[no-untyped-def]
        if field.message_type is not None:
            return self._aggregate(value)
        if field.enum_type is not None:
            enum_value = field.enum_type.values_by_number.get(value)
            return enum_value.name if enum_value is not None else str(value)
        if field.type == FieldProto.TYPE_BOOL:
            return "true" if value else "false"
        if field.type == FieldProto.TYPE_STRING:
            return f'"{escape(value)}"'
        if field.type == FieldProto.TYPE_BYTES:
            return quote_bytes(value)
        if isinstance(value, float):
            return decimal_text(value) if self.normalize else number_text(value)
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
        """``[label ]type name = n[ [options]];``: the written options, then ``default`` and
        ``json_name`` (ProtobufSchemaUtils.toString(FieldElement) appends these two last)."""
        label = None if in_oneof else field_label(field, self.syntax, self.index)
        type_name = self._type_name(field, path)
        options = self._option_entries(field.options, (*path, 8))
        special: list[tuple[str, str]] = []
        if field.HasField("default_value"):
            special.append(("default", f"default = {self._default(field, path)}"))
        if field.HasField("json_name") and self._shows_json_name(field, path):
            special.append(("json_name", f'json_name = "{escape(field.json_name)}"'))
        if self.normalize:
            keyed = [(o.split(" = ", 1)[0].lstrip("("), o) for o in options] + special
            options = [text for _, text in sorted(keyed, key=lambda e: e[0])]
        else:
            options += [text for _, text in special]
        head = f"{label} " if label else ""
        return f"{head}{type_name} {field.name} = {field.number}{bracketed(options)};\n"

    def _shows_json_name(self, field: FieldProto, path: tuple[int, ...]) -> bool:
        """From text, when written; from a descriptor, whenever set (ProtobufSchema.toField)."""
        if self.written is not None:
            return self.written.has((*path, 10))
        return True

    def _default(self, field: FieldProto, path: tuple[int, ...]) -> str:
        """A string escaped as ProtobufSchemaUtils.escapeChars does; a number as written (Wire
        keeps the token), or as Java's DecimalFormat prints it when normalising."""
        value = field.default_value
        if field.type == FieldProto.TYPE_STRING:
            return f'"{escape(value)}"'
        if field.type == FieldProto.TYPE_BYTES:
            return '"' + value + '"'  # protoc keeps bytes defaults C-escaped
        written = self.source.text((*path, 7)) if self.source is not None else None
        if written and field.type not in (FieldProto.TYPE_ENUM, FieldProto.TYPE_BOOL):
            return written.strip()
        if self.normalize and field.type in (FieldProto.TYPE_DOUBLE, FieldProto.TYPE_FLOAT):
            try:
                return decimal_text(float(value))
            except ValueError:
                return value
        return value

    def _group(self, field: FieldProto, body: MessageProto, path: tuple[int, ...], body_path: tuple[int, ...]) -> str:
        label = LABEL_NAMES.get(field.label, "optional")
        sections = self._message_sections(body, body_path, self._scope_of(field.type_name))
        return block(f"{label} group {body.name} = {field.number}", sections)

    @staticmethod
    def _scope_of(type_name: str) -> str:
        return type_name.lstrip(".")

    # -- messages and enums (ProtobufSchemaUtils.toString(MessageElement/EnumElement)) -------

    def _message(self, message: MessageProto, path: tuple[int, ...], full_name: str) -> str:
        return block(f"message {message.name}", self._message_sections(message, path, full_name))

    def _message_sections(self, message: MessageProto, path: tuple[int, ...], full_name: str) -> list[str]:
        """Reserved, options, fields, oneofs, groups, extension ranges, extends, nested messages
        then enums: each section after a blank line (the first right after the brace)."""
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
            inner = [
                self._declarations(decl.options, (*path, 8, oneof_index)),
                "".join(self._field(f, (*path, 2, i), True) for i, f in members),
            ]
            order = min(f.number for _, f in members) if self.normalize else oneof_index
            oneofs.append((order, block(f"oneof {decl.name}", inner)))
        oneofs.sort()
        extension_ranges = ""
        if not self.ignore_extensions:
            ranges = [(r.start, r.end - 1) for r in message.extension_range]
            extension_ranges = "".join(
                text for _, text in self._range_statements("extensions", ranges, (*path, 5))
            )
        nested = [
            self._message(m, (*path, 3, j), f"{full_name}.{m.name}")
            for j, m in enumerate(message.nested_type)
            if not is_map_entry(m) and m.name not in bodies
        ]
        nested += [self._enum(e, (*path, 4, j)) for j, e in enumerate(message.enum_type)]
        return [
            self._reserved(message, path),
            self._declarations(message.options, (*path, 7)),
            "".join(top),
            "".join(o for _, o in oneofs),
            "".join(groups),
            extension_ranges,
            "".join(self._extends(list(message.extension), (*path, 6))),
            "".join(nested),
        ]

    def _range_statements(
        self, keyword: str, ranges: list[tuple[int, int]], path: tuple[int, ...]
    ) -> list[tuple[tuple[int, int], str]]:
        """``reserved``/``extensions`` statements of number ranges, with their text positions.

        From text, grouped per statement and each range as written (``20000 to 20000`` stays a
        range, as Wire keeps it); from a descriptor, one statement per range; normalising, one
        per range sorted by start, a one-number range collapsed.
        """
        texts = []
        for i, (start, end) in enumerate(ranges):
            written = self.source.text((*path, i)) if self.source is not None else None
            collapse = written is None or "to" not in written
            texts.append((i, range_text(start, end, FIELD_MAX, collapse)))
        if self.normalize:
            order = sorted(range(len(ranges)), key=lambda i: (ranges[i][0], texts[i][1]))
            texts = [texts[i] for i in order]
        return self._statements(keyword, texts, path)

    def _statements(
        self, keyword: str, items: list[tuple[int, str]], path: tuple[int, ...]
    ) -> list[tuple[tuple[int, int], str]]:
        if self.source is None:
            return [((0, 0), f"{keyword} {text};\n") for _, text in items]
        groups: dict[int, list[str]] = {}
        positions: dict[int, tuple[int, int]] = {}
        for i, text in items:
            statement = self.source.statement_of(path, i)
            groups.setdefault(statement, []).append(text)
            positions.setdefault(statement, self.source.position((*path, i)))
        return [(positions[g], f"{keyword} {', '.join(texts)};\n") for g, texts in groups.items()]

    def _reserved(self, item, path: tuple[int, ...], enum: bool = False) -> str:  # type: ignore[no-untyped-def]
        """Reserved statements (message fields 9/10, enum fields 4/5): in text order, or ranges
        then names (one per statement) from a descriptor or normalised (sorted)."""
        ranges = [(r.start, r.end if enum else r.end - 1) for r in item.reserved_range]
        range_field, name_field = (4, 5) if enum else (9, 10)
        statements = self._range_statements("reserved", ranges, (*path, range_field))
        names = list(enumerate(f'"{n}"' for n in item.reserved_name))  # printed raw, as Confluent does
        if self.normalize:
            names.sort(key=lambda item: item[1])
        statements += self._statements("reserved", names, (*path, name_field))
        if self.source is not None:
            statements.sort(key=lambda s: s[0])
        return "".join(text for _, text in statements)

    def _enum(self, enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...]) -> str:
        """ProtobufSchemaUtils.toString(EnumElement): reserved after a blank line, then the
        options and constants with none between."""
        reserved = self._reserved(enum, path, enum=True)
        body = self._declarations(enum.options, (*path, 3))
        values = list(enumerate(enum.value))
        if self.normalize:
            values.sort(key=lambda item: (item[1].number, item[1].name))
        for i, value in values:
            options = self._option_entries(value.options, (*path, 2, i, 3))
            body += f"{value.name} = {value.number}{bracketed(options)};\n"
        text = f"enum {enum.name} {{"
        if reserved:
            text += "\n" + indent(reserved)
        elif enum.options.ByteSize() or enum.value:
            text += "\n"
        return text + (indent(body) if body else "") + "}\n"

    def _extends(self, extensions: list[FieldProto], path: tuple[int, ...]) -> list[str]:
        """``extend`` blocks by extendee (as written, or fully qualified from a descriptor or
        normalised); normalising sorts each block's fields by number."""
        if self.ignore_extensions or not extensions:
            return []
        blocks: dict[str, list[tuple[int, str]]] = {}
        for i, field in enumerate(extensions):
            written = self.source.text((*path, i, 2)) if self.source else None
            extendee = written.strip() if written else field.extendee
            blocks.setdefault(extendee, []).append((field.number, self._field(field, (*path, i), False)))
        if self.normalize:
            for fields in blocks.values():
                fields.sort(key=lambda f: f[0])
        return [block(f"extend {name}", ["".join(t for _, t in fields)]) for name, fields in blocks.items()]

    # -- services ---------------------------------------------------------------------------

    def _service(self, service: descriptor_pb2.ServiceDescriptorProto, path: tuple[int, ...]) -> str:
        """ProtobufSchemaUtils.toString(ServiceElement): options, a blank line, the rpcs."""
        rpcs = ""
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
            rpcs += text + ";\n"
        return block(f"service {service.name}", [self._declarations(service.options, (*path, 3)), rpcs])

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
        # ProtobufSchemaUtils.toString(ProtoFileElement): one blank line before all the types
        # (messages, then enums), one before all the extend blocks, one before all services.
        types = [self._message(m, (4, i), prefix + m.name) for i, m in enumerate(file.message_type)]
        types += [self._enum(e, (5, i)) for i, e in enumerate(file.enum_type)]
        services = [self._service(s, (6, i)) for i, s in enumerate(file.service)]
        for group in (types, self._extends(list(file.extension), (7,)), services):
            if group:
                out.append("\n" + "".join(group))
        return "".join(out)


def _is_map(field) -> bool:  # type: ignore[no-untyped-def]
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def block(head: str, sections: list[str]) -> str:
    """``head {`` then each non-empty section after a newline, indented, then ``}``
    (``head {}`` when all are empty), as ProtobufSchemaUtils prints every block."""
    return f"{head} {{" + "".join("\n" + indent(section) for section in sections if section) + "}\n"


def bracketed(options: list[str]) -> str:
    """`` [a]`` or `` [`` one option per line ``]`` (ProtobufSchemaUtils.appendOptions)."""
    if not options:
        return ""
    if len(options) == 1:
        return f" [{options[0]}]"
    return " [\n" + "".join(indent(o + ("," if i < len(options) - 1 else "")) for i, o in enumerate(options)) + "]"


def print_file(
    file: FileProto,
    index: TypeIndex,
    decoder: OptionDecoder,
    source: SourceText | None,
    options: PrintOptions | None = None,
) -> str:
    """The text of ``file`` (canonical by default; normalised or without extensions on request)."""
    return Printer(file, index, decoder, source, options or PrintOptions()).print()
