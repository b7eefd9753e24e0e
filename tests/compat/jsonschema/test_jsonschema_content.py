"""Confluent's JSON Schema SchemaDiff rules, continued: content models, dependencies, arrays and
combined schemas (compat-rules §3.3-3.4), one rule per test."""

from __future__ import annotations

from typing import Any

from support.jsonschema import D2019, I, S, bad, diff, obj

# -- content models: properties ---------------------------------------------------------------

OPEN = obj({"a": S})
CLOSED = obj({"a": S}, additionalProperties=False)
PARTIAL = obj({"a": S}, additionalProperties=S)


def test_optional_property_added_to_open_model_strict_vs_lenient() -> None:
    added = obj({"a": S, "b": I})
    assert bad(OPEN, added) == [("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b")]
    assert bad(OPEN, added, "LENIENT") == []


def test_required_property_added_to_open_model() -> None:
    req = obj({"a": S, "b": I}, required=["b"])
    assert bad(OPEN, req, "LENIENT") == [("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b")]
    req_default = obj({"a": S, "b": {"type": "integer", "default": 0}}, required=["b"])
    expected = [("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b")]
    assert bad(OPEN, req_default) == expected
    assert bad(OPEN, req_default, "LENIENT") == []


def test_property_with_empty_schema_added_to_open_model() -> None:
    for empty in ({}, True, {"description": "anything"}):
        assert diff(OPEN, obj({"a": S, "b": empty})) == [
            ("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b")
        ]


def test_property_added_to_closed_model() -> None:
    closed_b = obj({"a": S, "b": I}, additionalProperties=False)
    assert diff(CLOSED, closed_b) == [("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b")]
    required_b = obj({"a": S, "b": I}, required=["b"], additionalProperties=False)
    assert bad(CLOSED, required_b, "LENIENT") == [("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b")]
    default_b = obj({"a": S, "b": {"type": "integer", "default": 1}}, required=["b"], additionalProperties=False)
    assert bad(CLOSED, default_b) == []


def test_property_added_to_partially_open_model() -> None:
    # ObjectSchemaDiff.compareProperties: the partial-model verdict comes before the
    # optional/required marker (diff-schema-examples "...partially open content model 2")
    covered = obj({"a": S, "b": S}, additionalProperties=S)
    assert diff(PARTIAL, covered) == [
        ("PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b"),
        ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/b"),
    ]
    not_covered = obj({"a": S, "b": I}, additionalProperties=S)
    assert bad(PARTIAL, not_covered) == [
        ("TYPE_CHANGED", "#/properties/b"),
        ("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b"),
    ]
    # the marker is relieved under LENIENT, the sub-difference is not
    assert bad(PARTIAL, not_covered, "LENIENT") == [("TYPE_CHANGED", "#/properties/b")]


def test_pattern_properties_cover_by_unanchored_search() -> None:
    writer = obj({"a": S}, patternProperties={"_id": I})
    assert bad(writer, obj({"a": S, "user_id_x": I}, patternProperties={"_id": I})) == []
    # patternProperties present but not matching: closed for that name
    assert diff(writer, obj({"a": S, "name": I}, patternProperties={"_id": I})) == [
        ("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/name")
    ]
    assert bad(obj({"a": S, "name": I}, patternProperties={"_id": I}), writer) == [
        ("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/name")
    ]


def test_property_removed_from_open_closed_and_partially_open_models() -> None:
    two = {"a": S, "b": I}
    assert diff(obj(two), OPEN) == [("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/properties/b")]
    assert bad(obj(two, additionalProperties=False), CLOSED) == [
        ("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/b")
    ]
    assert bad(obj(two, additionalProperties=False), CLOSED, "LENIENT") == []
    false_b = obj({"a": S, "b": False}, additionalProperties=False)
    assert diff(false_b, CLOSED) == [("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/b")]
    assert diff(obj({"a": S, "b": S}, additionalProperties=S), PARTIAL) == [
        ("PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b")
    ]
    assert bad(obj(two, additionalProperties=S), PARTIAL) == [
        ("TYPE_CHANGED", "#/properties/b"),
        ("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/properties/b"),
    ]


# -- dependencies ------------------------------------------------------------------------------


def test_dependency_arrays() -> None:
    def d(deps: dict[str, Any] | None) -> dict[str, Any]:
        return obj({"a": S, "b": S, "c": S}, **({"dependencies": deps} if deps else {}))

    p = "#/dependencies/a"
    assert bad(d(None), d({"a": ["b"]})) == [("DEPENDENCY_ARRAY_ADDED", p)]
    assert bad(d({"a": ["b"]}), d(None)) == []
    assert bad(d({"a": ["b"]}), d({"a": ["b", "c"]})) == [("DEPENDENCY_ARRAY_EXTENDED", p)]
    assert diff(d({"a": ["b", "c"]}), d({"a": ["b"]})) == [("DEPENDENCY_ARRAY_NARROWED", p)]
    assert bad(d({"a": ["b"]}), d({"a": ["c"]})) == [("DEPENDENCY_ARRAY_CHANGED", p)]


def test_dependency_schemas_and_2019_keywords() -> None:
    writer = {"$schema": D2019, "type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}
    assert bad(writer, {"$schema": D2019, "type": "object"}) == []
    assert bad({"$schema": D2019, "type": "object"}, writer) == [("DEPENDENCY_SCHEMA_ADDED", "#/dependencies/a")]
    req = {"$schema": D2019, "type": "object", "dependentRequired": {"a": ["b"]}}
    assert bad({"$schema": D2019, "type": "object"}, req) == [("DEPENDENCY_ARRAY_ADDED", "#/dependencies/a")]


# -- arrays ------------------------------------------------------------------------------------


def arr(**kw: Any) -> dict[str, Any]:
    return {"type": "array", **kw}


def test_unique_items() -> None:
    assert bad(arr(), arr(uniqueItems=True)) == [("UNIQUE_ITEMS_ADDED", "#/uniqueItems")]
    assert diff(arr(uniqueItems=True), arr()) == [("UNIQUE_ITEMS_REMOVED", "#/uniqueItems")]


def test_items_recurse() -> None:
    assert bad(arr(items=S), arr(items=I)) == [("TYPE_CHANGED", "#/items")]


def test_additional_items_transitions() -> None:
    p = "#/additionalItems"
    assert bad(arr(items=[S]), arr(items=[S], additionalItems=False)) == [("ADDITIONAL_ITEMS_REMOVED", p)]
    assert bad(arr(items=[S]), arr(items=[S], additionalItems=False), "LENIENT") != []
    assert diff(arr(items=[S], additionalItems=False), arr(items=[S])) == [("ADDITIONAL_ITEMS_ADDED", p)]
    assert bad(arr(items=[S]), arr(items=[S], additionalItems=I)) == [("ADDITIONAL_ITEMS_NARROWED", p)]
    assert diff(arr(items=[S], additionalItems=I), arr(items=[S])) == [("ADDITIONAL_ITEMS_EXTENDED", p)]


def test_tuple_items_added() -> None:
    assert bad(arr(items=[S]), arr(items=[S, I])) == [("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1")]
    assert bad(arr(items=[S]), arr(items=[S, I]), "LENIENT") != []  # no LENIENT relief for items
    assert diff(arr(items=[S]), arr(items=[S, {}])) == [
        ("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1")
    ]
    closed = arr(items=[S], additionalItems=False)
    assert ("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "#/items/1") in diff(closed, arr(items=[S, I], additionalItems=False))
    partial = arr(items=[S], additionalItems=I)
    assert diff(partial, arr(items=[S, I], additionalItems=I)) == [
        ("ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1")
    ]
    assert bad(partial, arr(items=[S, S], additionalItems=I)) == [
        ("TYPE_CHANGED", "#/items/1"),
        ("ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1"),
    ]


def test_tuple_items_removed() -> None:
    assert diff(arr(items=[S, I]), arr(items=[S])) == [("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", "#/items/1")]
    assert bad(arr(items=[S, I], additionalItems=False), arr(items=[S], additionalItems=False)) == [
        ("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/items/1")
    ]
    assert ("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/items/1") in diff(
        arr(items=[S, False], additionalItems=False), arr(items=[S], additionalItems=False)
    )
    assert diff(arr(items=[S, I], additionalItems=I), arr(items=[S], additionalItems=I)) == [
        ("ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1")
    ]
    assert bad(arr(items=[S, S], additionalItems=I), arr(items=[S], additionalItems=I)) == [
        ("TYPE_CHANGED", "#/items/1"),
        ("ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/items/1"),
    ]


def test_prefix_items_2020_are_tuples_at_items_paths() -> None:
    d2020 = "https://json-schema.org/draft/2020-12/schema"
    writer = {"$schema": d2020, "type": "array", "prefixItems": [S], "items": False}
    reader = {"$schema": d2020, "type": "array", "prefixItems": [I], "items": False}
    assert bad(writer, reader) == [("TYPE_CHANGED", "#/items/0")]
    assert diff(writer, {**writer, "items": True}) == [("ADDITIONAL_ITEMS_ADDED", "#/additionalItems")]


# -- combined ---------------------------------------------------------------------------------


def test_combined_sum_extended_and_narrowed() -> None:
    one = {"oneOf": [S, I]}
    three = {"oneOf": [S, I, {"type": "boolean"}]}
    assert diff(one, three) == [("SUM_TYPE_EXTENDED", "#/")]
    assert bad(three, one) == [("SUM_TYPE_NARROWED", "#/")]
    assert bad({"anyOf": [S, I]}, {"anyOf": [S]}) == [("SUM_TYPE_NARROWED", "#/")]


def test_combined_product_extended_and_narrowed() -> None:
    a = {"allOf": [{"type": "object"}, {"required": ["a"]}]}
    b = {"allOf": [{"type": "object"}, {"required": ["a"]}, {"minProperties": 1}]}
    assert bad(a, b) == [("PRODUCT_TYPE_EXTENDED", "#/")]
    assert diff(b, a) == [("PRODUCT_TYPE_NARROWED", "#/")]


def test_combined_criterion_changes() -> None:
    assert diff({"oneOf": [S, I]}, {"anyOf": [S, I]}) == [("COMBINED_TYPE_EXTENDED", "#/")]
    assert bad({"anyOf": [S, I]}, {"oneOf": [S, I]}) == [("COMBINED_TYPE_CHANGED", "#/")]
    assert bad({"allOf": [S, {"maxLength": 3}]}, {"oneOf": [S, {"maxLength": 3}]}) == [("COMBINED_TYPE_CHANGED", "#/")]


def test_combined_members_are_matched_not_positional() -> None:
    assert bad({"oneOf": [S, I]}, {"oneOf": [I, S]}) == []
    assert bad({"oneOf": [S, I]}, {"oneOf": [S, {"type": "boolean"}]}) == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]


def test_combined_member_differences_use_original_index() -> None:
    writer = {"oneOf": [S, {"type": "integer", "maximum": 5}]}
    reader = {"oneOf": [{"type": "integer", "maximum": 9}, S]}
    assert ("MAXIMUM_INCREASED", "#/oneOf/1/maximum") in diff(writer, reader)


def test_identical_subschemas_are_collapsed() -> None:
    assert diff({"anyOf": [S, S, I]}, {"anyOf": [S, I]}) == []


def test_non_combined_to_union_is_sum_extended() -> None:
    assert diff(S, {"anyOf": [I, S]}) == [("SUM_TYPE_EXTENDED", "#/")]
    assert diff(S, {"type": ["string", "null"]}) == [("SUM_TYPE_EXTENDED", "#/")]
    assert bad({"type": ["string", "null"]}, S) == [("TYPE_CHANGED", "#/")]


def test_allof_to_member_is_product_narrowed() -> None:
    assert diff({"allOf": [S, {"maxLength": 5}]}, S) == [("PRODUCT_TYPE_NARROWED", "#/")]


def test_singleton_combined_compares_with_its_member() -> None:
    assert diff({"anyOf": [S]}, S) == []
    assert bad({"oneOf": [S]}, I) == [("TYPE_CHANGED", "#/")]


# -- not ---------------------------------------------------------------------------------------


def test_not_is_compared_reversed() -> None:
    assert diff({"not": S}, {"not": S}) == [("NOT_TYPE_NARROWED", "#/not")]
    # reader forbids more than the writer did: old data may be rejected
    assert bad({"not": S}, {"not": {"type": ["string", "integer"]}}) == [("NOT_TYPE_EXTENDED", "#/not")]
    assert bad({"not": {"type": ["string", "integer"]}}, {"not": S}) == []


# -- references --------------------------------------------------------------------------------


def test_ref_is_followed() -> None:
    writer = {"definitions": {"x": S}, "type": "object", "properties": {"a": {"$ref": "#/definitions/x"}}}
    reader = {"definitions": {"x": I}, "type": "object", "properties": {"a": {"$ref": "#/definitions/x"}}}
    assert bad(writer, reader) == [("TYPE_CHANGED", "#/properties/a")]
    inline = {"type": "object", "properties": {"a": S}}
    assert bad(writer, inline) == []
    assert bad(inline, writer) == []


def test_definitions_are_only_compared_through_refs() -> None:
    assert diff({"definitions": {"x": S}, "type": "string"}, {"definitions": {"x": I}, "type": "string"}) == []


def tree(leaf: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"value": leaf, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            }
        },
    }


def test_recursive_schemas_terminate_and_report_once() -> None:
    assert diff(tree(S), tree(S)) == []
    assert bad(tree(S), tree(I)) == [("TYPE_CHANGED", "#/properties/value")]


def test_cycle_inside_union_is_not_masked() -> None:
    # a list node: {"value": T, "next": node|null}; changing T must be seen through the union
    def linked(value: dict[str, Any]) -> dict[str, Any]:
        node = {"type": "object", "properties": {"value": value, "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}}}
        return node

    assert diff(linked(S), linked(S)) == []
    # the recursive pair is first assumed compatible; once known to be incompatible the walk is
    # redone and the union no longer matches its member
    assert bad(linked(S), linked(I)) == [
        ("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/properties/next"),
        ("TYPE_CHANGED", "#/properties/value"),
    ]


def test_properties_are_walked_in_java_hashset_order() -> None:
    # Confluent iterates property names through a java.util.HashSet: bucket of the spread
    # String.hashCode, then insertion order ("banana" -> bucket 0, "apple" and "cherry" -> 1)
    names = ["apple", "banana", "cherry"]
    writer = obj({k: S for k in names})
    reader = obj({k: I for k in names})
    assert [p for _, p in bad(writer, reader)] == [
        "#/properties/banana",
        "#/properties/apple",
        "#/properties/cherry",
    ]
