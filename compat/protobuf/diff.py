"""Confluent's Protobuf ``SchemaDiff``: differences from an original (writer) to an update (reader).

The walk (compat-rules §4.1-4.4): package; messages and enums matched by simple name per level;
fields matched by number across a message (oneof members included) with the oneof rules of
Confluent commit ``3f5ff24``; field kinds, scalar groups, labels; named message types compared
by local name and, when they are separate definitions, by diffing the definitions (paths
restart at the type's local name). Every difference is computed; :data:`INCOMPATIBLE` says
which ones make the schemas incompatible, and only those are reported as incompatibilities.
"""

from __future__ import annotations

from dataclasses import dataclass

from charter.compat.model import Incompatibility
from charter.compat.protobuf.types import (
    EnumProto,
    FieldProto,
    FileProto,
    MessageProto,
    TypeEntry,
    TypeIndex,
    field_label,
    group_bodies,
    is_map_entry,
    real_oneof,
    real_oneofs,
)

DESCRIPTIONS: dict[str, str] = {
    "PACKAGE_CHANGED": (
        "The package at '{path}' in the {{reader}} schema does not match the package in the {{writer}} schema"
    ),
    "MESSAGE_REMOVED": "The {{reader}} schema is missing a MESSAGE type at path '{path}' in the {{writer}} schema",
    "FIELD_KIND_CHANGED": (
        "The type of a field at path '{path}' in the {{reader}} schema does not match the {{writer}} schema"
    ),
    "FIELD_SCALAR_KIND_CHANGED": (
        "The kind of a SCALAR field at path '{path}' in the {{reader}} schema does not match its kind in the "
        "{{writer}} schema"
    ),
    "FIELD_NAMED_TYPE_CHANGED": (
        "The type of a MESSAGE field at path '{path}' in the {{reader}} schema does not match its type in the "
        "{{writer}} schema"
    ),
    "FIELD_NUMERIC_LABEL_CHANGED": (
        "The label for a NUMERIC field at path '{path}' in the {{reader}} schema does not match its label in the "
        "{{writer}} schema"
    ),
    "REQUIRED_FIELD_ADDED": (
        "A required field  at path '{path}' in the {{reader}} schema is missing in the {{writer}} schema"
    ),
    "REQUIRED_FIELD_REMOVED": (
        "The {{reader}} schema is missing a required field at path: '{path}' in the {{writer}} schema"
    ),
    "ONEOF_FIELD_REMOVED": "The {{reader}} schema is missing a oneof field at path '{path}' in the {{writer}} schema",
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF": (
        "Multiple fields in the oneof at path '{path}' in the {{reader}} schema are outside a oneof in the "
        "{{writer}} schema"
    ),
    "FIELD_MOVED_TO_EXISTING_ONEOF": (
        "A field in the oneof at path '{path}' in the {{reader}} schema is outside an existing oneof in the "
        "{{writer}} schema"
    ),
}
INCOMPATIBLE = frozenset(DESCRIPTIONS)
COMPATIBLE = frozenset(
    {
        "MESSAGE_ADDED",
        "MESSAGE_MOVED",
        "ENUM_ADDED",
        "ENUM_REMOVED",
        "ENUM_CONST_ADDED",
        "ENUM_CONST_CHANGED",
        "ENUM_CONST_REMOVED",
        "FIELD_ADDED",
        "FIELD_REMOVED",
        "FIELD_NAME_CHANGED",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
        "ONEOF_ADDED",
        "ONEOF_REMOVED",
        "ONEOF_FIELD_ADDED",
        "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
    }
)

_T = FieldProto
SCALAR_GROUPS: dict[int, str] = {
    _T.TYPE_INT32: "number",
    _T.TYPE_INT64: "number",
    _T.TYPE_UINT32: "number",
    _T.TYPE_UINT64: "number",
    _T.TYPE_BOOL: "number",
    _T.TYPE_ENUM: "number",
    _T.TYPE_SINT32: "signed",
    _T.TYPE_SINT64: "signed",
    _T.TYPE_STRING: "string_or_bytes",
    _T.TYPE_BYTES: "string_or_bytes",
    _T.TYPE_FIXED32: "fixed32",
    _T.TYPE_SFIXED32: "fixed32",
    _T.TYPE_FIXED64: "fixed64",
    _T.TYPE_SFIXED64: "fixed64",
    _T.TYPE_FLOAT: "float",
    _T.TYPE_DOUBLE: "double",
}


@dataclass(frozen=True)
class Difference:
    """One difference Confluent's diff reports: its type and path (``#/Msg/3``)."""

    type: str
    path: str

    @property
    def compatible(self) -> bool:
        return self.type not in INCOMPATIBLE

    def incompatibility(self) -> Incompatibility:
        template = DESCRIPTIONS[self.type]
        path = self.path.replace("{", "{{").replace("}", "}}")
        return Incompatibility(self.type, self.path, template.format(path=path), None, style="protobuf")


def _path(parts: list[str]) -> str:
    return "#/" + "/".join(parts)


class _Side:
    """One schema of the comparison: its type index and the origin of its own types."""

    def __init__(self, index: TypeIndex) -> None:
        self.index = index

    def entry(self, type_name: str) -> TypeEntry | None:
        return self.index.get(type_name)

    def kind(self, field: FieldProto) -> str:
        if field.type in SCALAR_GROUPS:
            return "SCALAR"
        entry = self.entry(field.type_name)
        if entry is not None and entry.kind == "message" and is_map_entry(entry.proto):  # type: ignore[arg-type]
            return "MAP"
        return "MESSAGE"


class SchemaDiff:
    """Computes the differences; ``run`` returns them in Confluent's order of discovery."""

    def __init__(self, original: TypeIndex, update: TypeIndex) -> None:
        self.original = _Side(original)
        self.update = _Side(update)
        self.differences: list[Difference] = []
        self._seen: set[Difference] = set()
        self._done: dict[tuple[str, str], bool] = {}
        self._in_progress: set[tuple[str, str]] = set()

    def _add(self, kind: str, parts: list[str]) -> None:
        difference = Difference(kind, _path(parts))
        if difference not in self._seen:
            self._seen.add(difference)
            self.differences.append(difference)

    def run(self, original: FileProto, update: FileProto) -> list[Difference]:
        if original.package != update.package:
            self.differences.append(Difference("PACKAGE_CHANGED", "#/"))
        o_scope = original.package + "." if original.package else ""
        u_scope = update.package + "." if update.package else ""
        self._types(
            [], o_scope, list(original.message_type), list(original.enum_type),
            u_scope, list(update.message_type), list(update.enum_type), set(), set(),
        )  # fmt: skip
        return self.differences

    # -- messages and enums per level -------------------------------------------------------

    def _types(
        self,
        parts: list[str],
        o_scope: str,
        o_messages: list[MessageProto],
        o_enums: list[EnumProto],
        u_scope: str,
        u_messages: list[MessageProto],
        u_enums: list[EnumProto],
        o_skip: set[str],
        u_skip: set[str],
    ) -> None:
        o_list = [m for m in o_messages if not is_map_entry(m) and m.name not in o_skip]
        u_list = [m for m in u_messages if not is_map_entry(m) and m.name not in u_skip]
        u_positions = {m.name: i for i, m in enumerate(u_list)}
        o_names = {m.name for m in o_list}
        for position, message in enumerate(o_list):
            here = [*parts, message.name]
            if message.name not in u_positions:
                self._add("MESSAGE_REMOVED", here)
                continue
            if u_positions[message.name] != position:
                self._add("MESSAGE_MOVED", here)
            self._message(here, o_scope + message.name, u_scope + message.name)
        for message in u_list:
            if message.name not in o_names:
                self._add("MESSAGE_ADDED", [*parts, message.name])
        u_enums_by_name = {e.name: e for e in u_enums}
        o_enum_names = {e.name for e in o_enums}
        for enum in o_enums:
            here = [*parts, enum.name]
            other = u_enums_by_name.get(enum.name)
            if other is None:
                self._add("ENUM_REMOVED", here)
            else:
                self._enum(here, enum, other)
        for enum in u_enums:
            if enum.name not in o_enum_names:
                self._add("ENUM_ADDED", [*parts, enum.name])

    def _enum(self, parts: list[str], original: EnumProto, update: EnumProto) -> None:
        o_values = {v.number: v.name for v in reversed(original.value)}
        u_values = {v.number: v.name for v in reversed(update.value)}
        for number in sorted(o_values.keys() | u_values.keys()):
            here = [*parts, str(number)]
            if number not in u_values:
                self._add("ENUM_CONST_REMOVED", here)
            elif number not in o_values:
                self._add("ENUM_CONST_ADDED", here)
            elif o_values[number] != u_values[number]:
                self._add("ENUM_CONST_CHANGED", here)

    def _message(self, parts: list[str], o_name: str, u_name: str) -> bool:
        """Diff two message definitions; True if it found an incompatible difference."""
        key = (o_name, u_name)
        if key in self._done:
            return self._done[key]
        if key in self._in_progress:
            return False
        o_entry = self.original.entry(o_name)
        u_entry = self.update.entry(u_name)
        if o_entry is None or u_entry is None or o_entry.kind != "message" or u_entry.kind != "message":
            return False
        self._in_progress.add(key)
        start = len(self.differences)
        original: MessageProto = o_entry.proto  # type: ignore[assignment]
        update: MessageProto = u_entry.proto  # type: ignore[assignment]
        self._fields(parts, original, o_entry, update, u_entry)
        self._types(
            parts, o_name + ".", list(original.nested_type), list(original.enum_type),
            u_name + ".", list(update.nested_type), list(update.enum_type),
            group_bodies(original), group_bodies(update),
        )  # fmt: skip
        self._in_progress.discard(key)
        result = any(not d.compatible for d in self.differences[start:])
        self._done[key] = result
        return result

    # -- fields and oneofs ------------------------------------------------------------------

    def _fields(
        self, parts: list[str], original: MessageProto, o_entry: TypeEntry, update: MessageProto, u_entry: TypeEntry
    ) -> None:
        o_fields = {f.number: f for f in original.field if f.type != FieldProto.TYPE_GROUP}
        u_fields = {f.number: f for f in update.field if f.type != FieldProto.TYPE_GROUP}
        o_oneof = {n: real_oneof(original, f) for n, f in o_fields.items()}
        u_oneof = {n: real_oneof(update, f) for n, f in u_fields.items()}
        o_oneof_names = real_oneofs(original)
        u_oneof_names = real_oneofs(update)
        for number in sorted(o_fields.keys() | u_fields.keys()):
            if number not in u_fields:
                field = o_fields[number]
                oneof = o_oneof[number]
                if oneof is None:
                    required = field.label == FieldProto.LABEL_REQUIRED
                    self._add("REQUIRED_FIELD_REMOVED" if required else "FIELD_REMOVED", [*parts, str(number)])
                    continue
                members = [n for n, name in o_oneof.items() if name == oneof]
                if oneof not in u_oneof_names and not any(n in u_fields for n in members):
                    continue  # the whole oneof went: only ONEOF_REMOVED
                self._add("ONEOF_FIELD_REMOVED", [*parts, oneof, str(number)])
            elif number not in o_fields:
                field = u_fields[number]
                oneof = u_oneof[number]
                if oneof is not None:
                    self._add("ONEOF_FIELD_ADDED", [*parts, oneof, str(number)])
                elif field.label == FieldProto.LABEL_REQUIRED:
                    self._add("REQUIRED_FIELD_ADDED", [*parts, str(number)])
                else:
                    self._add("FIELD_ADDED", [*parts, str(number)])
            else:
                oneof = u_oneof[number]
                here = [*parts, oneof, str(number)] if oneof else [*parts, str(number)]
                self._field(here, o_fields[number], o_entry.syntax, u_fields[number], u_entry.syntax)
                if o_oneof[number] is not None and oneof is None:
                    self._add("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", here)
        for name in o_oneof_names:
            if name not in u_oneof_names:
                self._add("ONEOF_REMOVED", [*parts, name])
        for name in u_oneof_names:
            if name not in o_oneof_names:
                self._add("ONEOF_ADDED", [*parts, name])
        for name in u_oneof_names:
            existing = [n for n, o in u_oneof.items() if o == name and n in o_fields]
            origins = {o_oneof[n] if o_oneof[n] is not None else ("field", n) for n in existing}
            if len(origins) > 1:
                from_top = sum(1 for n in existing if o_oneof[n] is None)
                kind = "MULTIPLE_FIELDS_MOVED_TO_ONEOF" if from_top > 1 else "FIELD_MOVED_TO_EXISTING_ONEOF"
                self._add(kind, [*parts, name])

    def _field(self, parts: list[str], original: FieldProto, o_syntax: str, update: FieldProto, u_syntax: str) -> None:
        if original.name != update.name:
            self._add("FIELD_NAME_CHANGED", parts)
        labels = (
            field_label(original, o_syntax, self.original.index),
            field_label(update, u_syntax, self.update.index),
        )
        self._value(parts, original, update, labels)

    def _value(
        self, parts: list[str], original: FieldProto, update: FieldProto, labels: tuple[str | None, str | None]
    ) -> None:
        o_kind = self.original.kind(original)
        u_kind = self.update.kind(update)
        if o_kind != u_kind:
            self._add("FIELD_KIND_CHANGED", parts)
            return
        if o_kind == "SCALAR":
            o_group = SCALAR_GROUPS[original.type]
            if o_group != SCALAR_GROUPS[update.type]:
                self._add("FIELD_SCALAR_KIND_CHANGED", parts)
            elif labels[0] and labels[1] and labels[0] != labels[1]:
                if o_group == "string_or_bytes":
                    self._add("FIELD_STRING_OR_BYTES_LABEL_CHANGED", parts)
                else:
                    self._add("FIELD_NUMERIC_LABEL_CHANGED", parts)
        elif o_kind == "MAP":
            o_entry: MessageProto = self.original.entry(original.type_name).proto  # type: ignore[union-attr,assignment]
            u_entry: MessageProto = self.update.entry(update.type_name).proto  # type: ignore[union-attr,assignment]
            o_key, o_value = _entry_fields(o_entry)
            u_key, u_value = _entry_fields(u_entry)
            self._value(parts, o_key, u_key, (None, None))
            self._value(parts, o_value, u_value, (None, None))
        else:
            self._named(parts, original.type_name, update.type_name)

    def _named(self, parts: list[str], o_type: str, u_type: str) -> None:
        o_entry = self.original.entry(o_type)
        u_entry = self.update.entry(u_type)
        o_local = o_entry.local_name if o_entry else o_type.lstrip(".")
        u_local = u_entry.local_name if u_entry else u_type.lstrip(".")
        if o_local != u_local:
            self._add("FIELD_NAMED_TYPE_CHANGED", parts)
            return
        if o_entry is None or u_entry is None:
            return
        if o_entry.origin == u_entry.origin and o_entry.origin[0] != "self":
            return  # the same definition from the same reference or bundled file
        if self._message(o_local.split("."), o_entry.full_name, u_entry.full_name):
            self._add("FIELD_NAMED_TYPE_CHANGED", parts)


def _entry_fields(entry: MessageProto) -> tuple[FieldProto, FieldProto]:
    by_number = {f.number: f for f in entry.field}
    return by_number[1], by_number[2]


def diff(
    original: FileProto, original_index: TypeIndex, update: FileProto, update_index: TypeIndex
) -> list[Difference]:
    """All differences from ``original`` (the writer) to ``update`` (the reader)."""
    return SchemaDiff(original_index, update_index).run(original, update)
