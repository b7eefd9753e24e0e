"""How the Protobuf printer prints options (ProtobufSchemaUtils.toString(OptionElement)).

From text, each option statement as written (read by :mod:`optiontext`); from a descriptor or
when normalising, from the option values protoc interpreted: one entry per option (per item of
a repeated one), message values as ``{ key: value, ... }`` with repeated fields as lists, a map
field's entries as ``{ key, value }`` messages (ProtobufSchema.toOption puts the value first
for the decimal's ``precision``/``scale``). Normalising sorts entries and message keys by name
and prints numbers as Java's DecimalFormat.
"""

from __future__ import annotations

import re

from google.protobuf.message import Message

from charter.compat.protobuf.optionmerge import merge_maps, resolve_keys
from charter.compat.protobuf.optiontext import (
    OptionSyntaxError,
    Value,
    decimal_text,
    escape,
    format_option,
    read_option,
    tags_in,
)
from charter.compat.protobuf.printparts import OptionDecoder, SourceText, indent, number_text, quote_bytes
from charter.compat.protobuf.types import FieldProto, FileProto, walk_types

_FILE_CHILDREN = {4: "message_type", 5: "enum_type", 6: "service"}
_MESSAGE_CHILDREN = {3: "nested_type", 4: "enum_type"}
_UNINTERPRETED = 999  # uninterpreted_option in every *Options message
# The standard options ProtobufSchema.toProtoFile/toMessage/toField read from a descriptor, in
# the order it prints them (others are not printed); then confluent.* meta, then custom options.
_DESCRIPTOR_OPTIONS: dict[str, tuple[str, ...]] = {
    "google.protobuf.FileOptions": (
        "java_package", "java_outer_classname", "java_multiple_files", "java_generate_equals_and_hash",
        "java_string_check_utf8", "optimize_for", "go_package", "cc_generic_services",
        "java_generic_services", "py_generic_services", "deprecated", "cc_enable_arenas", "objc_class_prefix",
        "csharp_namespace", "swift_prefix", "php_class_prefix", "php_namespace", "php_metadata_namespace",
        "ruby_package", "features",
    ),
    "google.protobuf.MessageOptions": (
        "no_standard_descriptor_accessor", "deprecated", "map_entry", "features",
    ),
    "google.protobuf.FieldOptions": (
        "ctype", "packed", "jstype", "deprecated", "debug_redact", "retention", "targets", "edition_defaults",
        "features", "feature_support",
    ),
}
_OPTION_NAME = re.compile(r"^\s*(?:option\s+)?\(\s*([\w.]+)\s*\)")


class OptionPrinter:
    """Options of one file's elements; ``written`` is the text (``None`` from a descriptor),
    ``source`` the same unless normalising."""

    def __init__(
        self,
        file: FileProto,
        decoder: OptionDecoder,
        written: SourceText | None,
        *,
        normalize: bool,
        ignore_extensions: bool,
    ) -> None:
        self.file = file
        self.decoder = decoder
        self.written = written
        self.source = written if not normalize else None
        self.normalize = normalize
        self.ignore_extensions = ignore_extensions
        self._own_extensions: set[str] | None = None

    def entries(self, options: Message, path: tuple[int, ...]) -> list[str]:
        """``name = value`` texts for the options set in an options message.

        From text, one entry per written option statement in text order, a dotted
        ``(opt).sub = v`` staying dotted (Wire keeps the form written); from a descriptor, one
        per option (per item of a repeated one), in field-number order. Normalising sorts them.
        """
        decoded = self.decoder.decode(options)
        fields: dict[int, tuple] = {}
        for field, value in decoded.ListFields():
            if field.full_name == "google.protobuf.MessageOptions.map_entry" and (self.written or self.normalize):
                continue  # Wire's text has no map entry messages; a descriptor's print it
            if field.is_extension and self.ignore_extensions and not field.full_name.startswith("confluent."):
                continue  # ProtobufSchemaUtils.FormatContext.filterOptions keeps confluent.* only
            fields[field.number] = (field, value)
        if self.written is None and not self.normalize:
            fields = _as_confluent_reads_them(options.DESCRIPTOR.full_name, fields)
        entries: list[tuple[str, str]] = []
        covered: set[int] = set()
        if self.source is not None:
            written, covered = self._written_options(fields, path)
            entries += written
        elif self.normalize and self.written is not None:
            entries += self._uninterpreted_normalized(path)
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
        statements = _statements(self.source, path)
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

    def _uninterpreted_normalized(self, path: tuple[int, ...]) -> list[tuple[str, str]]:
        """Normalising, the options protoc could not interpret (carried uninterpreted): the name
        resolved to an extension in scope, if any, the dotted form then turned into a message
        value (ProtobufSchemaUtils.FormatContext.filterOptions and ProtobufSchema.transform),
        the values of a non-repeated one set more than once merged (:mod:`.optionmerge`);
        an unresolved one stays as written."""
        assert self.written is not None
        entries: list[tuple[str, str, Value]] = []
        merged: dict[str, int] = {}  # a non-repeated extension set before: where its value is
        for name, value in _statements(self.written, path).get(_UNINTERPRETED, []):
            if self.ignore_extensions and name.startswith("(") and not name.startswith("(confluent."):
                continue
            match = re.match(r"^\(([^)]*)\)((?:\.\w+)*)$", name)
            resolved = self._resolve_extension(match.group(1), path) if match else None
            key = match.group(1) if match else name  # sorted by the option's own name, stably
            if match and resolved is not None:
                for part in reversed(match.group(2).split(".")[1:]):
                    value = {part: value}
                name = f"({resolved})"
                field = self.decoder.extension(resolved)
                at = merged.get(name)
                if at is not None and isinstance(value, dict) and isinstance(entries[at][2], dict):
                    entries[at] = (entries[at][0], name, merge_maps(field, entries[at][2], value))
                    continue
                if field is not None and not field.is_repeated:
                    merged[name] = len(entries)
            entries.append((key, name, value))
        def resolve(name: str) -> str | None:
            return self._resolve_extension(name, path)

        return [
            (key, format_option(name, resolve_keys(value, resolve), normalize=True)) for key, name, value in entries
        ]

    def _resolve_extension(self, name: str, path: tuple[int, ...]) -> str | None:
        """The full name of the extension ``name`` means where ``path`` is (innermost scope
        first, as protoc and Confluent's Context.resolve look names up)."""
        if name.startswith("."):
            return name[1:] if self._is_extension(name[1:]) else None
        scope = _scope(self.file, path)
        for size in range(len(scope), -1, -1):
            candidate = ".".join([*scope[:size], name])
            if self._is_extension(candidate):
                return candidate
        return None

    def _is_extension(self, full_name: str) -> bool:
        """Defined in the schema's imports, or extended in the schema itself (also at numbers its
        message does not declare, left out of the pool: Confluent's getExtendFieldForFullName
        reads the ``extend`` blocks as written)."""
        if self._own_extensions is None:
            package = [self.file.package] if self.file.package else []
            self._own_extensions = {".".join([*package, e.name]) for e in self.file.extension}
            for scope, kind, message in walk_types(self.file):
                if kind == "message":
                    self._own_extensions |= {f"{scope}.{e.name}" for e in message.extension}
        return full_name in self._own_extensions or self.decoder.has_extension(full_name)

    def _option_name(self, field, path: tuple[int, ...]) -> str:  # type: ignore[no-untyped-def]
        if not field.is_extension:
            return field.name
        written = self.source.text((*path, field.number)) if self.source else None
        match = _OPTION_NAME.match(written or "")
        return f"({match.group(1)})" if match else f"({field.full_name})"

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

    def declarations(self, options: Message, path: tuple[int, ...]) -> str:
        """``option name = value;`` lines."""
        return "".join(f"option {entry};\n" for entry in self.entries(options, path))


def _is_map(field) -> bool:  # type: ignore[no-untyped-def]
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _statements(source: SourceText, path: tuple[int, ...]) -> dict[int, list[tuple[str, Value]]]:
    """The option statements written below ``path``, read, by option field number."""
    statements: dict[int, list[tuple[str, Value]]] = {}
    seen: set[tuple[int, int]] = set()
    for relative, position in source.statements_under(path):
        if position in seen:
            continue
        seen.add(position)
        try:
            name, value = read_option(source.statement_text((*path, *relative)) or "")
        except (OptionSyntaxError, IndexError):
            continue
        statements.setdefault(relative[0], []).append((name, value))
    return statements


def _scope(file: FileProto, path: tuple[int, ...]) -> list[str]:
    """The package and enclosing type names of the element whose options are at ``path``."""
    names = file.package.split(".") if file.package else []
    node = file
    for i in range(0, len(path) - 1, 2):
        number, index = path[i], path[i + 1]
        children = _FILE_CHILDREN if node is file else _MESSAGE_CHILDREN
        if number not in children:
            break
        node = getattr(node, children[number])[index]
        names.append(node.name)
    return names


def _as_confluent_reads_them(options_type: str, fields: dict[int, tuple]) -> dict[int, tuple]:
    """A descriptor's options in the order (and selection) Confluent's ProtobufSchema prints."""
    order = _DESCRIPTOR_OPTIONS.get(options_type)

    def rank(item: tuple[int, tuple]) -> tuple[int, int]:
        number, (field, _) = item
        if not field.is_extension:
            return (0, order.index(field.name) if order else number)
        return (1 if field.full_name.startswith("confluent.") else 2, number)

    kept = {n: fv for n, fv in fields.items() if fv[0].is_extension or order is None or fv[0].name in order}
    return dict(sorted(kept.items(), key=rank))
