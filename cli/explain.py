"""Turn compatibility findings into something a person can act on.

For every break: a readable path (``User.fields.age`` from Avro's JSON pointer ``/fields/1``,
``User.id (field 1)`` from Protobuf's ``#/User/1``, ``properties.id`` from JSON Schema's
``#/properties/id``), the line of the current file it points at (for GitHub annotations), a
short summary and a one-line hint how to fix it. Works on the library's ``Incompatibility``
objects (offline checks) and on the registry's verbose message strings (``--registry``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from charter.compat import Incompatibility


@dataclass
class Break:
    """One reason the change breaks an earlier version."""

    error_type: str
    path: str
    where: str
    summary: str
    hint: str
    description: str
    direction: str  # "backward" (new reads old data) or "forward" (old reads new data)
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_BACKWARD_SUMMARY = {
    "READER_FIELD_MISSING_DEFAULT_VALUE": "added field without a default",
    "TYPE_MISMATCH": "field type changed",
    "MISSING_UNION_BRANCH": "union branch removed",
    "MISSING_ENUM_SYMBOLS": "enum symbols removed",
    "NAME_MISMATCH": "named type renamed",
    "FIXED_SIZE_MISMATCH": "fixed size changed",
    "FIELD_KIND_CHANGED": "field kind changed",
    "FIELD_SCALAR_KIND_CHANGED": "scalar type of the field changed",
    "FIELD_NAMED_TYPE_CHANGED": "message/enum type of the field changed",
    "FIELD_NUMERIC_LABEL_CHANGED": "label (repeated/optional) of the field changed",
    "MESSAGE_REMOVED": "message type removed",
    "PACKAGE_CHANGED": "package changed",
    "REQUIRED_FIELD_ADDED": "required field added",
    "REQUIRED_FIELD_REMOVED": "required field removed",
    "ONEOF_FIELD_REMOVED": "oneof field removed",
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF": "fields moved into a oneof",
    "FIELD_MOVED_TO_EXISTING_ONEOF": "field moved into an existing oneof",
    "TYPE_CHANGED": "type changed",
    "TYPE_NARROWED": "type narrowed",
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": "required property added",
    "REQUIRED_ATTRIBUTE_ADDED": "required property added",
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": "property removed from a closed object",
    "ENUM_ARRAY_NARROWED": "enum values removed",
    "ADDITIONAL_PROPERTIES_REMOVED": "additionalProperties closed",
    "ADDITIONAL_PROPERTIES_NARROWED": "additionalProperties narrowed",
}

_HINTS = {
    "READER_FIELD_MISSING_DEFAULT_VALUE": (
        'give the new field a default (e.g. "type": ["null", ...], "default": null)',
        "do not remove a field that has no default; give it a default in an earlier version first"),
    "TYPE_MISMATCH": ("keep the field's type (only promotions int→long→float→double and string↔bytes are "
                      "allowed); add a new field for the new type", None),
    "MISSING_UNION_BRANCH": ("keep every branch of the union (you may add branches)", None),
    "MISSING_ENUM_SYMBOLS": ('keep the enum symbols, or give the enum a "default" symbol', None),
    "NAME_MISMATCH": ('keep the name, or list the old full name in "aliases"', None),
    "FIXED_SIZE_MISMATCH": ("keep the fixed size; use a new field for a new size", None),
    "FIELD_KIND_CHANGED": ("keep field number {num}'s type; add a new field with a new number instead", None),
    "FIELD_SCALAR_KIND_CHANGED": ("keep field number {num}'s type; add a new field with a new number instead", None),
    "FIELD_NAMED_TYPE_CHANGED": ("keep field number {num}'s type; add a new field with a new number instead", None),
    "FIELD_NUMERIC_LABEL_CHANGED": ("keep field number {num}'s label (repeated/packed or not)", None),
    "MESSAGE_REMOVED": ("keep the message type (deprecate it instead of deleting it)", None),
    "PACKAGE_CHANGED": ("keep the package name", None),
    "REQUIRED_FIELD_ADDED": ("make the new field optional: required fields cannot be added", None),
    "REQUIRED_FIELD_REMOVED": ("keep the required field: it cannot be removed", None),
    "ONEOF_FIELD_REMOVED": ("keep the oneof field (reserve its number only after no reader needs it)", None),
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF": ("do not move existing fields into a oneof; add new fields instead", None),
    "FIELD_MOVED_TO_EXISTING_ONEOF": ("do not move an existing field into a oneof; add a new field instead", None),
    "DIFFERENT_SCHEMA_TYPE": ("keep the schema type of the subject (or use a new subject)", None),
}

_JSON_HINT_PATTERNS = (
    ("REQUIRED_PROPERTY_ADDED", "mark the property optional or set compatibilityPolicy LENIENT"),
    ("REQUIRED_ATTRIBUTE_ADDED", "mark the property optional (remove it from \"required\") or give it a default"),
    ("PROPERTY_REMOVED", "keep the property (deprecate it), or leave the object open with additionalProperties"),
    ("PROPERTY_ADDED", "mark the property optional or set compatibilityPolicy LENIENT"),
    ("ADDITIONAL_PROPERTIES", "keep additionalProperties as open as it was"),
    ("TYPE_NARROWED", "keep the property's type; you may widen it, not narrow it"),
    ("TYPE_CHANGED", "keep the property's type; add a new property for the new type"),
    ("ENUM", "keep the enum values (add values, do not remove them)"),
    ("COMBINED_TYPE", "keep the oneOf/anyOf/allOf branches as they were (add, do not remove)"),
    ("ITEM", "keep the array's item schemas as they were"),
    ("DECREASED", "relax constraints only: do not lower a maximum / maxLength / maxItems"),
    ("INCREASED", "relax constraints only: do not raise a minimum / minLength / minItems"),
    ("PATTERN", "keep the pattern (or relax it in a separate, compatible step)"),
    ("MULTIPLE_OF", "keep multipleOf as it was"),
    ("DEPENDENCY", "keep the dependencies as they were"),
)

GENERIC_HINT = ("revert this part of the change, or add it in a compatible way (a new optional field); if the "
                "break is intended, use a new subject or change its compatibility level")


def hint_for(error_type: str, direction: str, num: str | None = None) -> str:
    pair = _HINTS.get(error_type)
    if pair:
        text = pair[1] if direction == "forward" and pair[1] else pair[0]
        return text.format(num=num or "N")
    for key, text in _JSON_HINT_PATTERNS:
        if key in error_type:
            return text
    return GENERIC_HINT


def _find(text: str, pattern: str, start: int) -> int | None:
    found = re.compile(pattern, re.M).search(text, start)
    return found.start() if found else None


def _line_of(text: str, offset: int | None) -> int | None:
    return None if offset is None else text.count("\n", 0, offset) + 1


def _avro_where(pointer: str, reader_text: str | None, new_text: str | None) -> tuple[str, int | None]:
    try:
        node: Any = json.loads(reader_text or "")
    except ValueError:
        return pointer, None
    parts = [p for p in pointer.split("/") if p]
    label = [node.get("name", "").split(".")[-1]] if isinstance(node, dict) and node.get("name") else []
    names: list[str] = []
    i = 0
    while i < len(parts):
        seg = parts[i]
        try:
            if seg == "fields" and i + 1 < len(parts):
                node = node["fields"][int(parts[i + 1])]
                label.append(f"fields.{node['name']}")
                names.append(node["name"])
                i += 2
                continue
            node = node[int(seg)] if isinstance(node, list) else node[seg]
        except (KeyError, IndexError, ValueError, TypeError):
            return ".".join(label + parts[i:]) or pointer, None
        label.append(seg)
        i += 1
    line = None
    if new_text and names:
        offset = 0
        for name in names:
            found = _find(new_text, r'"name"\s*:\s*"' + re.escape(name) + '"', offset)
            if found is None:
                offset = -1
                break
            offset = found
        line = _line_of(new_text, offset) if offset >= 0 else None
    return ".".join(label) or "(root)", line


def _proto_where(path: str, new_text: str | None, old_text: str | None) -> tuple[str, int | None, str | None]:
    parts = [p for p in path.removeprefix("#/").split("/") if p]
    num = parts[-1] if parts and parts[-1].isdigit() else None
    messages = parts[:-1] if num else parts
    where = ".".join(messages) or "(file)"
    line = None
    for text, is_new in ((new_text, True), (old_text, False)):
        if not text:
            continue
        offset: int | None = 0
        for name in messages:
            offset = _find(text, r"\b(message|enum)\s+" + re.escape(name) + r"\b", offset or 0)
            if offset is None:
                break
        if offset is None:
            continue
        if num is not None:
            field = re.compile(r"(\w+)\s*=\s*" + num + r"\s*[;\[]").search(text, offset)
            if field is None:
                continue
            where = f"{'.'.join(messages)}.{field.group(1)} (field {num})"
            offset = field.start()
        if is_new:
            line = _line_of(text, offset)
        break
    return where, line, num


def _json_where(path: str, new_text: str | None) -> tuple[str, int | None]:
    parts = [p for p in path.removeprefix("#").split("/") if p]
    where = ".".join(parts) or "(root)"
    if not new_text:
        return where, None
    offset = 0
    found_any = False
    for prev, seg in zip(["", *parts], parts, strict=False):
        if prev in ("properties", "definitions", "$defs", "patternProperties") or seg in ("items",):
            found = _find(new_text, '"' + re.escape(seg) + r'"\s*:', offset)
            if found is None:
                return where, None
            offset, found_any = found, True
    return where, (_line_of(new_text, offset) if found_any else None)


def explain(error_type: str, path: str, description: str, direction: str, schema_type: str,
            new_text: str | None, old_text: str | None, additional_info: str | None = None) -> Break:
    """A :class:`Break` for one finding; ``description`` is already rendered with new/old."""
    num = None
    if schema_type == "AVRO":
        reader_text = old_text if direction == "forward" else new_text
        where, line = _avro_where(path, reader_text, new_text)
    elif schema_type == "PROTOBUF":
        where, line, num = _proto_where(path, new_text, old_text)
    else:
        where, line = _json_where(path, new_text)
    summary = _BACKWARD_SUMMARY.get(error_type) or description
    if error_type == "READER_FIELD_MISSING_DEFAULT_VALUE" and direction == "forward":
        summary = "removed a field that has no default in the earlier version"
    if additional_info and error_type in ("TYPE_MISMATCH", "MISSING_ENUM_SYMBOLS", "MISSING_UNION_BRANCH"):
        summary += f" ({additional_info})"
    return Break(error_type or "UNEXPECTED", path, where, summary, hint_for(error_type, direction, num),
                 description, direction, line)


def from_incompatibility(item: Incompatibility, direction: str, schema_type: str,
                         new_text: str | None, old_text: str | None) -> Break:
    words = ("new", "old") if direction == "backward" else ("old", "new")
    return explain(item.error_type, item.path, item.describe(*words), direction, schema_type,
                   new_text, old_text, item.additional_info)


_ENTRY = re.compile(r"^\{errorType:['\"](?P<type>[A-Z_]*)['\"], description:['\"](?P<desc>.*?)['\"]"
                    r"(?:, additionalInfo:'(?P<info>.*)')?\}$", re.S)
_PATH = re.compile(r"path:? '([^']*)'")


def from_message(message: str, schema_type: str, new_text: str | None, old_text: str | None) -> Break | None:
    """A :class:`Break` from one of the registry's verbose messages; None for the trailing
    ``{oldSchemaVersion: ...}`` / ``{oldSchema: ...}`` / ``{validateFields: ...}`` entries."""
    if message.startswith(("{oldSchemaVersion", "{oldSchema:", "{validateFields")):
        return None
    found = _ENTRY.match(message)
    if not found:
        error_type = "DIFFERENT_SCHEMA_TYPE" if "different schema type" in message else "UNEXPECTED"
        return explain(error_type, "", message, "backward", schema_type, new_text, old_text)
    desc = found.group("desc")
    path_match = _PATH.search(desc)
    new_at, old_at = desc.find("new schema"), desc.find("old schema")
    direction = "forward" if old_at != -1 and (new_at == -1 or old_at < new_at) else "backward"
    return explain(found.group("type"), path_match.group(1) if path_match else "", desc, direction,
                   schema_type, new_text, old_text, found.group("info") or None)
