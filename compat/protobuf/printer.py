"""Confluent's Protobuf text printer (``ProtobufSchema.canonicalString`` and ``normalize``).

Layout (ProtobufSchemaUtils.toString): comments dropped, 2-space indent. File: ``syntax`` (if
declared), ``package``, a blank line and the imports, public imports, a blank line and the
options, a blank line and all messages then all enums (declaration order, none between them),
a blank line and the ``extend`` blocks, a blank line and the services. Message: reserved,
options, fields, oneofs, groups, extension ranges, extends, nested messages then enums, each
section after a blank line; an empty block prints as ``{}``. Enum: reserved, a blank line,
options and constants. Field: ``[label ]type name = n[ [options]];`` with the written options
then ``default`` and ``json_name`` (one option on the bracket's line, more one per line).
Options themselves: :mod:`charter.compat.protobuf.printoptions`.

The canonical text keeps type names as written when the schema came as text (read back through
protoc's source info); a schema given as a descriptor prints fully qualified names. The
normalised text sorts what Confluent's ``normalize`` sorts and qualifies every type name.
"""

from __future__ import annotations

import re

from google.protobuf import descriptor_pb2

from charter.compat.protobuf.optiontext import decimal_text, escape
from charter.compat.protobuf.printoptions import OptionPrinter
from charter.compat.protobuf.printparts import (
    OptionDecoder,
    PrintOptions,
    SourceText,
    edition_name,
    indent,
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
        # A descriptor printed as Confluent's ProtobufSchema.toProtoFile reads one: map fields as
        # their entry messages (``repeated .p.M.XEntry x``, the entry with ``map_entry = true``),
        # groups as a field and a nested message ("NOTE: skip groups").
        self.as_descriptor = source is None and not options.normalize
        self.options = OptionPrinter(
            file, decoder, source, normalize=options.normalize, ignore_extensions=options.ignore_extensions
        )

    # -- names ------------------------------------------------------------------------------

    def _type_name(self, field: FieldProto, path: tuple[int, ...]) -> str:
        if field.type in SCALAR_NAMES:
            return SCALAR_NAMES[field.type]
        entry = self.index.get(field.type_name)
        if self.as_descriptor:
            return field.type_name
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
        label = None if in_oneof else field_label(field, self.syntax, None if self.as_descriptor else self.index)
        type_name = self._type_name(field, path)
        options = self.options.entries(field.options, (*path, 8))
        special: list[tuple[str, str]] = []
        if field.HasField("default_value"):
            special.append(("default", f"default = {self._default(field, path)}"))
        if field.HasField("json_name") and self._shows_json_name(field, path):
            special.append(("json_name", f'json_name = "{escape(field.json_name)}"'))
        if self.normalize:
            keyed = [(o.split(" = ", 1)[0].lstrip("(").split(")", 1)[0], o) for o in options] + special
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
        bodies = set() if self.as_descriptor else group_bodies(message)
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
            if field.type == FieldProto.TYPE_GROUP and not self.as_descriptor:
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
                self.options.declarations(decl.options, (*path, 8, oneof_index, 2)),
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
            if (self.as_descriptor or not is_map_entry(m)) and m.name not in bodies
        ]
        nested += [self._enum(e, (*path, 4, j)) for j, e in enumerate(message.enum_type)]
        return [
            self._reserved(message, path),
            self.options.declarations(message.options, (*path, 7)),
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
        body = self.options.declarations(enum.options, (*path, 3))
        values = list(enumerate(enum.value))
        if self.normalize:
            values.sort(key=lambda item: (item[1].number, item[1].name))
        for i, value in values:
            options = self.options.entries(value.options, (*path, 2, i, 3))
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
            options = self.options.declarations(method.options, (*mpath, 4))
            if options:
                text += " {\n" + indent(options) + "}"
            rpcs += text + ";\n"
        return block(f"service {service.name}", [self.options.declarations(service.options, (*path, 3)), rpcs])

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
        options = self.options.declarations(file.options, (8,))
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
