"""Confluent's JSON Schema SchemaDiff rules (compat-rules §3.2-3.4), one rule per test.

``diff(writer, reader)`` lists (type, path) of every difference; ``bad(...)`` only those that
are incompatible under the policy. original = writer (old data), update = reader.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.jsonschema import D2019, I, S, bad, diff, obj, parse

from charter.compat.jsonschema import JSON_FORMAT

# -- kinds -------------------------------------------------------------------------------------


def test_identical_schemas_have_no_differences() -> None:
    schema = obj({"a": S, "b": {"type": "array", "items": I}}, required=["a"])
    assert diff(schema, schema) == []


def test_same_text_with_different_references_is_still_compared() -> None:
    text = '{"properties":{"a":{"$ref":"a.json"}}}'
    old = JSON_FORMAT.parse(text, {"a.json": parse(S)})
    new = JSON_FORMAT.parse(text, {"a.json": parse(I)})
    assert [(i.error_type, i.path) for i in new.incompatibilities(old)] == [("TYPE_CHANGED", "#/properties/a")]
    assert new.incompatibilities(JSON_FORMAT.parse(text, {"a.json": parse(I)})) == []


def test_type_changed_at_property_path() -> None:
    assert bad(obj({"age": S}), obj({"age": I})) == [("TYPE_CHANGED", "#/properties/age")]


def test_integer_to_number_is_extended_and_number_to_integer_narrowed() -> None:
    assert diff({"type": "integer"}, {"type": "number"}) == [("TYPE_EXTENDED", "#/")]
    assert bad({"type": "integer"}, {"type": "number"}) == []
    assert bad({"type": "number"}, {"type": "integer"}) == [("TYPE_NARROWED", "#/")]


def test_false_original_and_empty_update_never_change_type() -> None:
    assert diff(False, S) == []
    assert diff(S, {}) == []
    assert diff(S, True) == []
    assert bad({}, S) == [("TYPE_CHANGED", "#/")]


def test_connect_bytes_on_both_sides_is_not_a_type_change() -> None:
    assert bad({"type": "string", "connect.type": "bytes"}, {"type": "array", "connect.type": "bytes"}) == []
    assert bad({"type": "string"}, {"type": "array"}) == [("TYPE_CHANGED", "#/")]


def test_annotation_changes_are_compatible() -> None:
    writer = {"type": "string", "title": "a", "description": "x", "default": "d", "$id": "#a"}
    reader = {"type": "string", "title": "b", "description": "y", "default": "e", "$id": "#b"}
    assert sorted(t for t, _ in diff(writer, reader)) == [
        "DEFAULT_CHANGED",
        "DESCRIPTION_CHANGED",
        "ID_CHANGED",
        "TITLE_CHANGED",
    ]
    assert bad(writer, reader) == []


def test_schema_added_and_removed_for_items() -> None:
    assert bad({"type": "array"}, {"type": "array", "items": S}) == [("SCHEMA_ADDED", "#/items")]
    assert diff({"type": "array", "items": S}, {"type": "array"}) == [("SCHEMA_REMOVED", "#/items")]


# -- bounds ------------------------------------------------------------------------------------

UPPER = [("maxLength", "MAX_LENGTH", "string"), ("maximum", "MAXIMUM", "number"),
         ("exclusiveMaximum", "EXCLUSIVE_MAXIMUM", "number"), ("maxProperties", "MAX_PROPERTIES", "object"),
         ("maxItems", "MAX_ITEMS", "array"), ("maxContains", "MAX_CONTAINS", "array")]  # fmt: skip
LOWER = [("minLength", "MIN_LENGTH", "string"), ("minimum", "MINIMUM", "number"),
         ("exclusiveMinimum", "EXCLUSIVE_MINIMUM", "number"), ("minProperties", "MIN_PROPERTIES", "object"),
         ("minItems", "MIN_ITEMS", "array"), ("minContains", "MIN_CONTAINS", "array")]  # fmt: skip


@pytest.mark.parametrize(("keyword", "name", "type_"), UPPER)
def test_upper_bounds(keyword: str, name: str, type_: str) -> None:
    def s(v: Any) -> dict[str, Any]:
        return {"type": type_} if v is None else {"type": type_, keyword: v}

    p = f"#/{keyword}"
    assert bad(s(None), s(5)) == [(f"{name}_ADDED", p)]
    assert diff(s(5), s(None)) == [(f"{name}_REMOVED", p)] and bad(s(5), s(None)) == []
    assert diff(s(5), s(7)) == [(f"{name}_INCREASED", p)] and bad(s(5), s(7)) == []
    assert bad(s(7), s(5)) == [(f"{name}_DECREASED", p)]
    assert diff(s(5), s(5.0)) == []  # compared as doubles


@pytest.mark.parametrize(("keyword", "name", "type_"), LOWER)
def test_lower_bounds(keyword: str, name: str, type_: str) -> None:
    def s(v: Any) -> dict[str, Any]:
        return {"type": type_} if v is None else {"type": type_, keyword: v}

    p = f"#/{keyword}"
    assert bad(s(None), s(5)) == [(f"{name}_ADDED", p)]
    assert bad(s(5), s(None)) == [] and diff(s(5), s(None)) == [(f"{name}_REMOVED", p)]
    assert bad(s(5), s(7)) == [(f"{name}_INCREASED", p)]
    assert diff(s(7), s(5)) == [(f"{name}_DECREASED", p)] and bad(s(7), s(5)) == []


def test_draft4_boolean_exclusive_maximum_is_not_compared() -> None:
    d4 = "http://json-schema.org/draft-04/schema#"
    writer = {"$schema": d4, "type": "number", "maximum": 5}
    reader = {"$schema": d4, "type": "number", "maximum": 5, "exclusiveMaximum": True}
    assert diff(writer, reader) == []


# -- string, number ----------------------------------------------------------------------------


def test_pattern_added_removed_changed() -> None:
    assert bad(S, {"type": "string", "pattern": "^a"}) == [("PATTERN_ADDED", "#/pattern")]
    assert bad({"type": "string", "pattern": "^a"}, S) == []
    assert bad({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}) == [
        ("PATTERN_CHANGED", "#/pattern")
    ]


def test_format_is_not_compared() -> None:
    assert diff({"type": "string", "format": "date"}, {"type": "string", "format": "email"}) == []


def test_multiple_of_as_exact_decimals() -> None:
    def m(v: Any) -> dict[str, Any]:
        return {"type": "number", "multipleOf": v}

    assert bad({"type": "number"}, m(2)) == [("MULTIPLE_OF_ADDED", "#/multipleOf")]
    assert bad(m(2), {"type": "number"}) == []
    assert bad(m(0.1), m(0.3)) == [("MULTIPLE_OF_EXPANDED", "#/multipleOf")]  # 0.3 = 3 x 0.1 exactly
    assert diff(m(0.3), m(0.1)) == [("MULTIPLE_OF_REDUCED", "#/multipleOf")]
    assert bad(m(2), m(3)) == [("MULTIPLE_OF_CHANGED", "#/multipleOf")]
    assert diff(m(0.5), json.loads('{"type":"number","multipleOf":0.50}')) == []


# -- enum, const -------------------------------------------------------------------------------


def test_enum_extended_narrowed_changed() -> None:
    def e(*values: Any) -> dict[str, Any]:
        return {"enum": list(values)}

    assert diff(e("a"), e("a", "b")) == [("ENUM_ARRAY_EXTENDED", "#/enum")]
    assert bad(e("a", "b"), e("a")) == [("ENUM_ARRAY_NARROWED", "#/enum")]
    assert bad(e("a", "b"), e("a", "c")) == [("ENUM_ARRAY_CHANGED", "#/enum")]
    assert diff(e("a", "b"), e("b", "a")) == []  # sets
    assert bad(e(1), e(True)) == [("ENUM_ARRAY_CHANGED", "#/enum")]  # true is not 1


def test_const_changed() -> None:
    assert bad({"const": "a"}, {"const": "b"}) == [("ENUM_ARRAY_CHANGED", "#/const")]
    assert diff({"const": {"x": [1]}}, {"const": {"x": [1.0]}}) == []


def test_enum_beside_type_is_a_synthetic_allof() -> None:
    writer = {"type": "string", "enum": ["a", "b"]}
    assert bad(writer, {"type": "string", "enum": ["a", "b", "c"]}) == []
    assert bad(writer, {"type": "string", "enum": ["a"]}) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]


# -- required ----------------------------------------------------------------------------------


def test_required_added_removed_and_with_default() -> None:
    props = {"a": S}
    assert bad(obj(props), obj(props, required=["a"])) == [("REQUIRED_ATTRIBUTE_ADDED", "#/required/a")]
    with_default = {"a": {"type": "string", "default": "x"}}
    assert diff(obj(with_default), obj(with_default, required=["a"])) == [
        ("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", "#/required/a")
    ]
    assert diff(obj(props, required=["a"]), obj(props)) == [("REQUIRED_ATTRIBUTE_REMOVED", "#/required/a")]
    assert bad(obj(props, required=["a"]), obj(props)) == []


# -- additionalProperties / unevaluatedProperties ---------------------------------------------


def test_additional_properties_transitions() -> None:
    closed = obj({"a": S}, additionalProperties=False)
    open_ = obj({"a": S})
    typed = obj({"a": S}, additionalProperties=S)
    assert diff(closed, open_) == [("ADDITIONAL_PROPERTIES_ADDED", "#/additionalProperties")]
    assert bad(open_, closed) == [("ADDITIONAL_PROPERTIES_REMOVED", "#/additionalProperties")]
    assert bad(open_, closed, "LENIENT") == []
    assert bad(open_, typed) == [("ADDITIONAL_PROPERTIES_NARROWED", "#/additionalProperties")]
    assert bad(open_, typed, "LENIENT") == []
    assert diff(typed, open_) == [("ADDITIONAL_PROPERTIES_EXTENDED", "#/additionalProperties")]
    assert bad(typed, obj({"a": S}, additionalProperties=I)) == [("TYPE_CHANGED", "#/additionalProperties")]




def unev(value: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"$schema": D2019, "type": "object", "properties": {"a": S}}
    if value is not None:
        schema["unevaluatedProperties"] = value
    return schema


def test_unevaluated_properties_transitions() -> None:
    p = "#/unevaluatedProperties"
    assert bad(unev(), unev(False)) == [("UNEVALUATED_PROPERTIES_REMOVED", p)]
    assert bad(unev(S), unev(False)) == [("UNEVALUATED_PROPERTIES_REMOVED", p)]
    assert bad(unev(), unev(True)) == [("UNEVALUATED_PROPERTIES_NARROWED", p)]  # quirk: even true
    assert bad(unev(True), unev(S)) == [("UNEVALUATED_PROPERTIES_NARROWED", p)]
    assert bad(unev(), unev(False), "LENIENT") == []
    assert diff(unev(False), unev()) == [("UNEVALUATED_PROPERTIES_ADDED", p)]
    assert diff(unev(S), unev(True)) == [("UNEVALUATED_PROPERTIES_EXTENDED", p)]
    assert bad(unev(S), unev(I)) == [("TYPE_CHANGED", p)]
    assert bad(unev(), unev(S)) == [("UNEVALUATED_PROPERTIES_NARROWED", p)]


def test_unevaluated_properties_is_an_unknown_keyword_in_draft7() -> None:
    assert diff(obj({"a": S}), obj({"a": S}, unevaluatedProperties=False)) == []
