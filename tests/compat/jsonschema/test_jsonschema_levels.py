"""The seven compatibility levels applied to JSON Schemas, with Confluent's verbose messages
(the JSON entry opens its description with a double quote and closes it with a single one)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from charter.compat.jsonschema import JSON_FORMAT, JsonSchema
from charter.compat.levels import check_compatibility
from charter.compat.model import CompatibilityLevel as L


def parse(schema: Any) -> JsonSchema:
    return JSON_FORMAT.parse(json.dumps(schema, separators=(",", ":")), {})


AGE_STRING = parse({"type": "object", "properties": {"age": {"type": "string"}}})
AGE_INTEGER = parse({"type": "object", "properties": {"age": {"type": "integer"}}})
OPEN = parse({"type": "object", "properties": {"a": {"type": "string"}}})
OPEN_PLUS_B = parse({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}})
CLOSED = parse({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False})

TYPE_CHANGED_NEW = (
    '{errorType:"TYPE_CHANGED", description:"A type at path \'#/properties/age\' is different between the '
    "new schema and the old schema'}"
)
TYPE_CHANGED_OLD = (
    '{errorType:"TYPE_CHANGED", description:"A type at path \'#/properties/age\' is different between the '
    "old schema and the new schema'}"
)


def test_backward_message_shape_exactly() -> None:
    result = check_compatibility(L.BACKWARD, AGE_INTEGER, [(2, AGE_STRING)])
    assert not result.is_compatible
    assert result.messages == [
        TYPE_CHANGED_NEW,
        "{oldSchemaVersion: 2}",
        '{oldSchema: \'{"type":"object","properties":{"age":{"type":"string"}}}\'}',
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]


def test_none_accepts_anything() -> None:
    assert check_compatibility(L.NONE, AGE_INTEGER, [(1, AGE_STRING)]).is_compatible


def test_backward_and_forward_are_directional() -> None:
    # adding an optional property to an open model: the new reader may meet old data with a "b" of any type
    backward = check_compatibility(L.BACKWARD, OPEN_PLUS_B, [(1, OPEN)])
    assert not backward.is_compatible
    assert backward.messages[0] == (
        '{errorType:"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", description:"The new schema has an open '
        "content model and has a property or item at path '#/properties/b' which is missing in the old schema'}"
    )
    # the old reader ignores "b": removing a property from an open reader model is fine
    assert check_compatibility(L.FORWARD, OPEN_PLUS_B, [(1, OPEN)]).is_compatible


def test_lenient_policy_relieves_the_open_content_model() -> None:
    assert check_compatibility(L.BACKWARD, OPEN_PLUS_B, [(1, OPEN)], policy="LENIENT").is_compatible
    assert check_compatibility(L.FULL, OPEN_PLUS_B, [(1, OPEN)], policy="LENIENT").is_compatible
    assert not check_compatibility(L.FULL, OPEN_PLUS_B, [(1, OPEN)], policy="STRICT").is_compatible


def test_forward_message_words_and_version() -> None:
    result = check_compatibility(L.FORWARD, AGE_INTEGER, [(3, AGE_STRING)])
    assert result.messages[0] == TYPE_CHANGED_OLD
    assert result.messages[1] == "{oldSchemaVersion: 3}"
    assert result.messages[-1] == "{validateFields: 'false', compatibility: 'FORWARD'}"


def test_full_is_forward_then_backward() -> None:
    result = check_compatibility(L.FULL, AGE_INTEGER, [(1, AGE_STRING)], validate_fields=True)
    assert result.messages == [
        TYPE_CHANGED_OLD,
        TYPE_CHANGED_NEW,
        "{oldSchemaVersion: 1}",
        '{oldSchema: \'{"type":"object","properties":{"age":{"type":"string"}}}\'}',
        "{validateFields: 'true', compatibility: 'FULL'}",
    ]


def test_closing_the_model_is_backward_only_under_strict() -> None:
    # the new reader rejects old data carrying extra properties
    assert not check_compatibility(L.BACKWARD, CLOSED, [(1, OPEN)]).is_compatible
    assert check_compatibility(L.BACKWARD, CLOSED, [(1, OPEN)], policy="LENIENT").is_compatible
    assert check_compatibility(L.FORWARD, CLOSED, [(1, OPEN)]).is_compatible


@pytest.mark.parametrize("level", [L.BACKWARD, L.FORWARD, L.FULL])
def test_non_transitive_levels_check_the_latest_only(level: L) -> None:
    assert check_compatibility(level, AGE_INTEGER, [(2, AGE_INTEGER), (1, AGE_STRING)]).is_compatible


@pytest.mark.parametrize("level", [L.BACKWARD_TRANSITIVE, L.FORWARD_TRANSITIVE, L.FULL_TRANSITIVE])
def test_transitive_levels_check_every_version(level: L) -> None:
    result = check_compatibility(level, AGE_INTEGER, [(2, AGE_INTEGER), (1, AGE_STRING)])
    assert not result.is_compatible
    assert "{oldSchemaVersion: 1}" in result.messages
    assert result.messages[-1] == f"{{validateFields: 'false', compatibility: '{level.value}'}}"


def test_braces_in_a_property_name_do_not_break_the_message() -> None:
    old = parse({"properties": {"{x}": {"type": "string"}}})
    new = parse({"properties": {"{x}": {"type": "integer"}}})
    result = check_compatibility(L.BACKWARD, new, [(1, old)])
    assert "path '#/properties/{x}' is different between the new schema" in result.messages[0]


def test_schema_added_has_an_empty_description() -> None:
    old = parse({"type": "array"})
    new = parse({"type": "array", "items": {"type": "string"}})
    assert check_compatibility(L.BACKWARD, new, [(1, old)]).messages[0] == (
        '{errorType:"SCHEMA_ADDED", description:"\'}'
    )


def test_different_schema_type_is_reported() -> None:
    from charter.compat.avro import AVRO_FORMAT

    avro = AVRO_FORMAT.parse('"string"', {})
    result = check_compatibility(L.BACKWARD, AGE_STRING, [(1, avro)])
    assert result.messages[0] == "Incompatible because of different schema type"
