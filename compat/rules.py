"""The catalogue of compatibility rules: every incompatibility the formats report, named.

Like buf's breaking-change rules, each rule has a stable ID and a category. The IDs are the type
names Confluent already uses (Avro's ``SchemaIncompatibilityType``, Protobuf's and JSON Schema's
``Difference.Type``), so they are the ``errorType`` of the registry's verbose messages; a few
rules of the checker itself (a changed schema type, an unexpected failure, an unsupported
reference) have IDs of their own. The message texts stay with each format (they are Confluent's
exact words); this module says what each rule means and how to fix a break of it. The CLI lists
the catalogue (``charter rules``) and ``docs/compatibility-rules.md`` is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from charter.compat.model import SchemaType


class Category(StrEnum):
    """What part of a schema a rule is about (buf-like families)."""

    SCHEMA = "schema"
    NAME = "name"
    FIELD = "field"
    TYPE = "type"
    LABEL = "label"
    ENUM = "enum"
    ONEOF = "oneof"
    MESSAGE = "message"
    CONTENT_MODEL = "content model"
    CONSTRAINT = "constraint"
    DEPENDENCY = "dependency"
    COMBINATION = "combination"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Rule:
    """One compatibility rule: ``id`` (the ``errorType``), ``category``, the formats that report
    it, a one-line ``summary`` of a break and a ``hint`` to fix one (``forward_summary`` and
    ``forward_hint`` when the forward half of a check, the old schema reading new data, reads
    otherwise). ``lenient``: JSON Schema's ``compatibilityPolicy`` LENIENT accepts the change.
    ``shows_info``: a finding's ``additionalInfo`` (the types or symbols involved) belongs in its
    summary."""

    id: str
    category: Category
    formats: tuple[SchemaType, ...]
    summary: str
    hint: str
    forward_hint: str | None = None
    lenient: bool = False
    forward_summary: str | None = None
    shows_info: bool = False

    def summary_for(self, direction: str, info: str | None = None) -> str:
        """The summary of a break found in ``direction`` (``backward`` or ``forward``)."""
        text = self.forward_summary if direction == "forward" and self.forward_summary else self.summary
        return f"{text} ({info})" if info and self.shows_info else text


_A, _P, _J = (SchemaType.AVRO,), (SchemaType.PROTOBUF,), (SchemaType.JSON,)
_ALL = (SchemaType.AVRO, SchemaType.PROTOBUF, SchemaType.JSON)
_C = Category
_NUM_TYPE = "keep field number {num}'s type; add a new field with a new number instead"

GENERIC_HINT = ("revert this part of the change, or add it in a compatible way (a new optional field); if the "
                "break is intended, use a new subject or change its compatibility level")

_CHECKER_RULES = (
    Rule("DIFFERENT_SCHEMA_TYPE", _C.SCHEMA, _ALL, "schema type changed",
         "keep the schema type of the subject (or use a new subject)"),
    Rule("UNEXPECTED", _C.SCHEMA, _A, "the checker failed on this pair of schemas", GENERIC_HINT),
    Rule("UNSUPPORTED_REFERENCE", _C.REFERENCE, _J, "an earlier version has an external $ref the checker cannot "
         "follow", "make the earlier version's references resolvable (register them as references)"),
)

_AVRO_RULES = (
    Rule("READER_FIELD_MISSING_DEFAULT_VALUE", _C.FIELD, _A, "added field without a default",
         'give the new field a default (e.g. "type": ["null", ...], "default": null)',
         "do not remove a field that has no default; give it a default in an earlier version first",
         forward_summary="removed a field that has no default in the earlier version"),
    Rule("TYPE_MISMATCH", _C.TYPE, _A, "field type changed",
         "keep the field's type (only promotions int→long→float→double and string↔bytes are allowed); add a new "
         "field for the new type", shows_info=True),
    Rule("MISSING_UNION_BRANCH", _C.TYPE, _A, "union branch removed",
         "keep every branch of the union (you may add branches)", shows_info=True),
    Rule("MISSING_ENUM_SYMBOLS", _C.ENUM, _A, "enum symbols removed",
         'keep the enum symbols, or give the enum a "default" symbol', shows_info=True),
    Rule("NAME_MISMATCH", _C.NAME, _A, "named type renamed", 'keep the name, or list the old full name in "aliases"'),
    Rule("FIXED_SIZE_MISMATCH", _C.TYPE, _A, "fixed size changed",
         "keep the fixed size; use a new field for a new size"),
)

_PROTOBUF_RULES = (
    Rule("PACKAGE_CHANGED", _C.SCHEMA, _P, "package changed", "keep the package name"),
    Rule("MESSAGE_REMOVED", _C.MESSAGE, _P, "message type removed",
         "keep the message type (deprecate it instead of deleting it)"),
    Rule("FIELD_KIND_CHANGED", _C.TYPE, _P, "field kind changed", _NUM_TYPE),
    Rule("FIELD_SCALAR_KIND_CHANGED", _C.TYPE, _P, "scalar type of the field changed", _NUM_TYPE),
    Rule("FIELD_NAMED_TYPE_CHANGED", _C.TYPE, _P, "message/enum type of the field changed", _NUM_TYPE),
    Rule("FIELD_NUMERIC_LABEL_CHANGED", _C.LABEL, _P, "label (repeated/optional) of the field changed",
         "keep field number {num}'s label (repeated/packed or not)"),
    Rule("REQUIRED_FIELD_ADDED", _C.FIELD, _P, "required field added",
         "make the new field optional: required fields cannot be added"),
    Rule("REQUIRED_FIELD_REMOVED", _C.FIELD, _P, "required field removed",
         "keep the required field: it cannot be removed"),
    Rule("ONEOF_FIELD_REMOVED", _C.ONEOF, _P, "oneof field removed",
         "keep the oneof field (reserve its number only after no reader needs it)"),
    Rule("MULTIPLE_FIELDS_MOVED_TO_ONEOF", _C.ONEOF, _P, "fields moved into a oneof",
         "do not move existing fields into a oneof; add new fields instead"),
    Rule("FIELD_MOVED_TO_EXISTING_ONEOF", _C.ONEOF, _P, "field moved into an existing oneof",
         "do not move an existing field into a oneof; add a new field instead"),
)

_OPTIONAL = "mark the property optional or set compatibilityPolicy LENIENT"
_KEEP_OPEN = "keep additionalProperties as open as it was"
_KEEP_ITEMS = "keep the array's item schemas as they were"
_KEEP_PROPERTY = "keep the property (deprecate it), or leave the object open with additionalProperties"
_COMBINED = "keep the oneOf/anyOf/allOf branches as they were (add, do not remove)"
_COVERED = "COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
_BOUNDS_UPPER = ("MAX_LENGTH", "MAXIMUM", "EXCLUSIVE_MAXIMUM", "MAX_PROPERTIES", "MAX_ITEMS", "MAX_CONTAINS")
_BOUNDS_LOWER = ("MIN_LENGTH", "MINIMUM", "EXCLUSIVE_MINIMUM", "MIN_PROPERTIES", "MIN_ITEMS", "MIN_CONTAINS")


def _keyword(name: str) -> str:
    """``MAX_LENGTH`` -> ``maxLength`` (the JSON Schema keyword of a Confluent type prefix)."""
    first, *rest = name.lower().split("_")
    return first + "".join(part.title() for part in rest)


def _json(id: str, category: Category, summary: str, hint: str, *, lenient: bool = False) -> Rule:
    return Rule(id, category, _J, summary, hint, lenient=lenient)


def _json_bounds() -> tuple[Rule, ...]:
    rules = [_json(f"{b}_ADDED", _C.CONSTRAINT, f"{_keyword(b)} added", f"do not add {_keyword(b)} to an "
                   "existing schema") for b in (*_BOUNDS_UPPER, *_BOUNDS_LOWER)]
    rules += [_json(f"{b}_DECREASED", _C.CONSTRAINT, f"{_keyword(b)} lowered",
                    "relax constraints only: do not lower a maximum / maxLength / maxItems") for b in _BOUNDS_UPPER]
    rules += [_json(f"{b}_INCREASED", _C.CONSTRAINT, f"{_keyword(b)} raised",
                    "relax constraints only: do not raise a minimum / minLength / minItems") for b in _BOUNDS_LOWER]
    return tuple(rules)


def _json_openness(kind: str, keyword: str, hint: str) -> tuple[Rule, ...]:
    """additionalProperties/unevaluatedProperties/additionalItems/unevaluatedItems removed or narrowed."""
    lenient = kind.endswith("PROPERTIES")
    return (_json(f"{kind}_REMOVED", _C.CONTENT_MODEL, f"{keyword} closed", hint, lenient=lenient),
            _json(f"{kind}_NARROWED", _C.CONTENT_MODEL, f"{keyword} narrowed", hint, lenient=lenient))


_JSON_RULES = (
    _json("SCHEMA_ADDED", _C.SCHEMA, "schema added where the earlier version had none", GENERIC_HINT),
    _json("TYPE_CHANGED", _C.TYPE, "type changed", "keep the property's type; add a new property for the new type"),
    _json("TYPE_NARROWED", _C.TYPE, "type narrowed", "keep the property's type; you may widen it, not narrow it"),
    *_json_bounds(),
    _json("PATTERN_ADDED", _C.CONSTRAINT, "pattern added", "keep the pattern (or relax it in a separate, "
          "compatible step)"),
    _json("PATTERN_CHANGED", _C.CONSTRAINT, "pattern changed", "keep the pattern (or relax it in a separate, "
          "compatible step)"),
    _json("MULTIPLE_OF_ADDED", _C.CONSTRAINT, "multipleOf added", "keep multipleOf as it was"),
    _json("MULTIPLE_OF_EXPANDED", _C.CONSTRAINT, "multipleOf made coarser", "keep multipleOf as it was"),
    _json("MULTIPLE_OF_CHANGED", _C.CONSTRAINT, "multipleOf changed", "keep multipleOf as it was"),
    _json("UNIQUE_ITEMS_ADDED", _C.CONSTRAINT, "uniqueItems added", "do not add uniqueItems to an existing array"),
    _json("REQUIRED_ATTRIBUTE_ADDED", _C.FIELD, "required property added",
          "mark the property optional (remove it from \"required\") or give it a default"),
    *_json_openness("ADDITIONAL_PROPERTIES", "additionalProperties", _KEEP_OPEN),
    *_json_openness("UNEVALUATED_PROPERTIES", "unevaluatedProperties", _KEEP_OPEN),
    *_json_openness("ADDITIONAL_ITEMS", "additionalItems", _KEEP_ITEMS),
    *_json_openness("UNEVALUATED_ITEMS", "unevaluatedItems", _KEEP_ITEMS),
    _json("DEPENDENCY_ARRAY_ADDED", _C.DEPENDENCY, "dependency added", "keep the dependencies as they were"),
    _json("DEPENDENCY_ARRAY_EXTENDED", _C.DEPENDENCY, "dependency extended", "keep the dependencies as they were"),
    _json("DEPENDENCY_ARRAY_CHANGED", _C.DEPENDENCY, "dependency changed", "keep the dependencies as they were"),
    _json("DEPENDENCY_SCHEMA_ADDED", _C.DEPENDENCY, "schema dependency added", "keep the dependencies as they were"),
    _json("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", _C.CONTENT_MODEL,
          "required property (with a default) added to an open object", _OPTIONAL, lenient=True),
    _json("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", _C.CONTENT_MODEL,
          "required property added to an open object", _OPTIONAL),
    _json("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", _C.CONTENT_MODEL,
          "optional property added to an open object", _OPTIONAL, lenient=True),
    _json("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", _C.CONTENT_MODEL, "required property added",
          _OPTIONAL),
    _json(f"PROPERTY_ADDED_NOT_{_COVERED}", _C.CONTENT_MODEL,
          "property added that the partially open object did not allow", _OPTIONAL, lenient=True),
    _json("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", _C.CONTENT_MODEL, "property removed from a closed object",
          _KEEP_PROPERTY, lenient=True),
    _json(f"PROPERTY_REMOVED_NOT_{_COVERED}", _C.CONTENT_MODEL,
          "property removed that the partially open object does not allow", _KEEP_PROPERTY, lenient=True),
    _json("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", _C.CONTENT_MODEL, "tuple item added to an open array", _KEEP_ITEMS),
    _json(f"ITEM_ADDED_NOT_{_COVERED}", _C.CONTENT_MODEL,
          "tuple item added that the partially open array did not allow", _KEEP_ITEMS),
    _json("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", _C.CONTENT_MODEL, "tuple item removed from a closed array",
          _KEEP_ITEMS),
    _json(f"ITEM_REMOVED_NOT_{_COVERED}", _C.CONTENT_MODEL,
          "tuple item removed that the partially open array does not allow", _KEEP_ITEMS),
    _json("ENUM_ARRAY_NARROWED", _C.ENUM, "enum values removed", "keep the enum values (add values, do not remove "
          "them)"),
    _json("ENUM_ARRAY_CHANGED", _C.ENUM, "enum values changed", "keep the enum values (add values, do not remove "
          "them)"),
    _json("COMBINED_TYPE_CHANGED", _C.COMBINATION, "oneOf/anyOf/allOf kind changed", _COMBINED),
    _json("PRODUCT_TYPE_EXTENDED", _C.COMBINATION, "allOf branch added", _COMBINED),
    _json("SUM_TYPE_NARROWED", _C.COMBINATION, "oneOf/anyOf branch removed", _COMBINED),
    _json("COMBINED_TYPE_SUBSCHEMAS_CHANGED", _C.COMBINATION, "oneOf/anyOf/allOf branches changed", _COMBINED),
    _json("NOT_TYPE_EXTENDED", _C.COMBINATION, "not schema widened", "keep the not schema as it was"),
)

RULES: dict[str, Rule] = {r.id: r for r in (*_CHECKER_RULES, *_AVRO_RULES, *_PROTOBUF_RULES, *_JSON_RULES)}


def rule_for(rule_id: str) -> Rule | None:
    """The rule with this ID (an ``errorType``), or None for an ID the catalogue does not know."""
    return RULES.get(rule_id)


def rules_for(schema_type: SchemaType | None = None) -> list[Rule]:
    """The rules one format can report (every rule when None), in catalogue order."""
    return [r for r in RULES.values() if schema_type is None or schema_type in r.formats]


def hint_for(rule_id: str, direction: str = "backward", num: str | None = None) -> str:
    """How to fix a break of ``rule_id``; ``num`` fills a Protobuf field number."""
    rule = RULES.get(rule_id)
    if rule is None:
        return GENERIC_HINT
    text = rule.forward_hint if direction == "forward" and rule.forward_hint else rule.hint
    return text.replace("{num}", num or "N")


def markdown_table(schema_type: SchemaType | None = None) -> str:
    """The catalogue as a Markdown table (``docs/compatibility-rules.md`` holds it between markers)."""
    lines = ["| ID | Category | Formats | A break means | LENIENT accepts |", "|---|---|---|---|---|"]
    for rule in rules_for(schema_type):
        formats = ", ".join(f.value for f in rule.formats)
        lines.append(f"| `{rule.id}` | {rule.category.value} | {formats} | {rule.summary} | "
                     f"{'yes' if rule.lenient else ''} |")
    return "\n".join(lines) + "\n"
