"""Canonical text (compact, submitted key order, Jackson BigDecimal numbers and escapes),
``normalize`` (keys sorted recursively in UTF-16 order, arrays untouched) and ``formatted``."""

from __future__ import annotations

import pytest

from charter.compat.jsonschema import JSON_FORMAT


def canonical(text: str) -> str:
    return JSON_FORMAT.parse(text, {}).canonical()


def test_compact_and_key_order_kept() -> None:
    text = '{\n  "type": "object",\n  "properties": {"b": {"type": "string"}, "a": {"type": "integer"}}\n}'
    assert canonical(text) == '{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}'


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("1e2", "1E+2"),
        ("1.50", "1.50"),
        ("0.5", "0.5"),
        ("1.0", "1.0"),
        ("100", "100"),
        ("-0", "0"),
        ("-0.0", "0.0"),
        ("0.0000001", "1E-7"),
        ("0.000001", "0.000001"),
        ("123.456e5", "1.23456E+7"),
        ("1E-3", "0.001"),
        ("12345678901234567890123", "12345678901234567890123"),
        ("-2.5e-10", "-2.5E-10"),
    ],
)
def test_numbers_as_jackson_bigdecimal(number: str, expected: str) -> None:
    assert canonical('{"maximum":' + number + "}") == '{"maximum":' + expected + "}"


def test_strings_escaped_like_jackson() -> None:
    text = '{"description":"tab\\t quote\\" slash\\/ ctrl\\u0001 é \\u00e9 nl\\n"}'
    assert canonical(text) == '{"description":"tab\\t quote\\" slash/ ctrl\\u0001 é é nl\\n"}'


def test_duplicate_key_keeps_first_position_and_last_value() -> None:
    assert canonical('{"type":"string","title":"x","type":"integer"}') == '{"type":"integer","title":"x"}'


def test_boolean_schema_canonical() -> None:
    assert canonical(" true ") == "true"


def test_normalize_sorts_keys_recursively_and_keeps_arrays() -> None:
    schema = JSON_FORMAT.parse(
        '{"type":"object","required":["b","a"],"properties":{"b":{"type":"string","enum":["z","y"]},'
        '"a":{"maxLength":2,"description":"d"}}}',
        {},
    )
    normalized = schema.normalized()
    assert normalized.canonical() == (
        '{"properties":{"a":{"description":"d","maxLength":2},"b":{"enum":["z","y"],"type":"string"}},'
        '"required":["b","a"],"type":"object"}'
    )
    assert normalized.normalized() is normalized
    assert schema.canonical().startswith('{"type":"object"')  # the original is untouched


def test_normalize_uses_utf16_order() -> None:
    # U+FF5E (one UTF-16 unit) sorts after U+1F600 (a surrogate pair starting 0xD83D) in Java
    schema = JSON_FORMAT.parse('{"properties":{"\uff5e":{},"\U0001f600":{},"a":{}}}', {})
    assert schema.normalized().canonical() == '{"properties":{"a":{},"\U0001f600":{},"\uff5e":{}}}'


def test_normalized_schema_keeps_references_working() -> None:
    dep = JSON_FORMAT.parse('{"type":"string"}', {})
    schema = JSON_FORMAT.parse('{"type":"object","properties":{"a":{"$ref":"a.json"}}}', {"a.json": dep})
    normalized = schema.normalized()
    assert normalized.canonical() == '{"properties":{"a":{"$ref":"a.json"}},"type":"object"}'
    assert normalized.incompatibilities(schema) == []


def test_formatted_is_always_canonical() -> None:
    schema = JSON_FORMAT.parse('{ "type" : "string" }', {})
    assert schema.formatted("serialized") == schema.formatted("resolved") == '{"type":"string"}'


def test_equality_by_canonical_text() -> None:
    a = JSON_FORMAT.parse('{"type": "string"}', {})
    b = JSON_FORMAT.parse('{"type":"string"}', {})
    c = JSON_FORMAT.parse('{"type":"integer"}', {})
    assert a == b and hash(a) == hash(b) and a != c
