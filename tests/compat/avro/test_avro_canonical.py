"""Avro canonical text (Java's compact ``Schema.toString``), Jackson number/string output, normalize."""

from __future__ import annotations

from typing import Any

import pytest
from support.avro import parse

from charter.compat.avro.jsontext import dump_json, java_double, parse_java_double, quote

PRETTY = """
{
  "namespace": "com.acme",
  "fields": [
    {"type": "string", "name": "id", "doc": "the id", "aliases": ["ident"], "order": "descending", "x-prop": 1,
     "default": "none"},
    {"name": "amount", "default": "\\u00ff",
     "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "kind", "type": {"symbols": ["A", "B"], "default": "A", "name": "Kind", "type": "enum", "doc": "k",
      "aliases": ["com.acme.OldKind", "x.K"], "meta": {"b": 1, "a": [true, null]}}},
    {"name": "hash", "type": {"size": 16, "type": "fixed", "name": "MD5", "namespace": "org.hash"}},
    {"name": "again", "type": "org.hash.MD5"},
    {"name": "tags", "type": {"values": "Kind", "type": "map", "p": "q"}, "order": "ascending"}
  ],
  "name": "Order",
  "type": "record",
  "doc": "An order",
  "aliases": ["Purchase"],
  "custom": "c"
}
"""

EXPECTED = (
    '{"type":"record","name":"Order","namespace":"com.acme","doc":"An order","fields":['
    '{"name":"id","type":"string","doc":"the id","default":"none","order":"descending","aliases":["ident"],'
    '"x-prop":1},'
    '{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2},"default":"ÿ"},'
    '{"name":"kind","type":{"type":"enum","name":"Kind","doc":"k","symbols":["A","B"],"default":"A",'
    '"meta":{"b":1,"a":[true,null]},"aliases":["OldKind","x.K"]}},'
    '{"name":"hash","type":{"type":"fixed","name":"MD5","namespace":"org.hash","size":16}},'
    '{"name":"again","type":"org.hash.MD5"},'
    '{"name":"tags","type":{"type":"map","values":"Kind","p":"q"}}'
    '],"custom":"c","aliases":["Purchase"]}'
)


def test_pretty_input_becomes_compact_java_form() -> None:
    schema = parse(PRETTY)
    assert schema.canonical() == EXPECTED
    assert schema.canonical() is schema.canonical()  # cached


def test_namespace_elision_and_empty_namespace() -> None:
    schema = parse(
        {
            "type": "record",
            "name": "a.R",
            "fields": [
                {"name": "same", "type": {"type": "fixed", "name": "a.F", "size": 1}},
                {"name": "none", "type": {"type": "fixed", "name": "G", "namespace": "", "size": 1}},
                {
                    "name": "other",
                    "type": {
                        "type": "record",
                        "name": "b.S",
                        "fields": [
                            {"name": "f", "type": "a.F"},
                            {"name": "g", "type": "G"},
                            {"name": "inner", "type": {"type": "enum", "name": "E", "symbols": ["X"]}},
                        ],
                    },
                },
                {"name": "e", "type": "b.E"},
            ],
        }
    )
    assert schema.canonical() == (
        '{"type":"record","name":"R","namespace":"a","fields":['
        '{"name":"same","type":{"type":"fixed","name":"F","size":1}},'
        '{"name":"none","type":{"type":"fixed","name":"G","namespace":"","size":1}},'
        '{"name":"other","type":{"type":"record","name":"S","namespace":"b","fields":['
        '{"name":"f","type":"a.F"},{"name":"g","type":"G"},'
        '{"name":"inner","type":{"type":"enum","name":"E","symbols":["X"]}}]}},'
        '{"name":"e","type":"b.E"}]}'
    )


def test_null_namespace_root_has_no_namespace_key() -> None:
    assert parse({"type": "record", "name": "R", "namespace": "", "fields": []}).canonical() == (
        '{"type":"record","name":"R","fields":[]}'
    )


def test_name_equal_to_a_type_name_is_written_in_full() -> None:
    schema = parse(
        {
            "type": "record",
            "name": "ns.R",
            "fields": [
                {"name": "a", "type": {"type": "fixed", "name": "string", "size": 1}},
                {"name": "b", "type": "ns.string"},
            ],
        },
        validate=False,
    )
    assert schema.canonical().endswith('{"name":"b","type":"ns.string"}]}')


def test_union_prints_as_array_and_recursion_as_name() -> None:
    schema = parse({"type": "record", "name": "L", "fields": [{"name": "n", "type": ["null", "L"], "default": None}]})
    assert (
        schema.canonical() == '{"type":"record","name":"L","fields":[{"name":"n","type":["null","L"],"default":null}]}'
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (1234567.0, "1234567.0"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (1e20, "1.0E20"),
        (1e-3, "0.001"),
        (1.5e-3, "0.0015"),
        (1e-4, "1.0E-4"),
        (1e-5, "1.0E-5"),
        (1.25e-10, "1.25E-10"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (5e-324, "4.9E-324"),
        (123456.789, "123456.789"),
        (9999999.999, "9999999.999"),
    ],
)
def test_java_double(value: float, text: str) -> None:
    assert java_double(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NaN", "nan"),
        ("-Infinity", float("-inf")),
        (" 1.5 ", 1.5),
        ("1e3", 1000.0),
        ("2d", 2.0),
        ("0x1p3", 8.0),
        (".5f", 0.5),
    ],
)
def test_parse_java_double(text: str, value: Any) -> None:
    got = parse_java_double(text)
    assert got is not None
    if value == "nan":
        assert got != got
    else:
        assert got == value


@pytest.mark.parametrize("text", ["nan", "inf", "abc", "", "1e", "0x10"])
def test_parse_java_double_rejects(text: str) -> None:
    assert parse_java_double(text) is None


def test_double_defaults_in_canonical() -> None:
    schema = parse(
        '{"type":"record","name":"R","fields":['
        '{"name":"a","type":"double","default":1e20},'
        '{"name":"b","type":"double","default":0.00001},'
        '{"name":"c","type":"float","default":"-Infinity"},'
        '{"name":"d","type":"double","default":2}]}'
    )
    assert schema.canonical() == (
        '{"type":"record","name":"R","fields":['
        '{"name":"a","type":"double","default":1.0E20},'
        '{"name":"b","type":"double","default":1.0E-5},'
        '{"name":"c","type":"float","default":"-Infinity"},'
        '{"name":"d","type":"double","default":2}]}'
    )


def test_string_escapes_like_jackson() -> None:
    assert quote('a"b\\c/d') == '"a\\"b\\\\c/d"'
    assert quote("\n\t\r\b\f") == '"\\n\\t\\r\\b\\f"'
    assert quote("\x00\x1f\x7f") == '"\\u0000\\u001F\x7f"'
    assert quote("héllo ☃ 😀") == '"héllo ☃ 😀"'
    assert quote("\\u00ab") == '"\\\\u00ab"'
    assert dump_json({"k\n": [1, 2.0, None, True, "s"]}) == '{"k\\n":[1,2.0,null,true,"s"]}'


def test_escapes_in_schema_text() -> None:
    schema = parse({"type": "record", "name": "R", "doc": "line1\nline2 \u0001 é /", "fields": []})
    assert schema.canonical() == '{"type":"record","name":"R","doc":"line1\\nline2 \\u0001 é /","fields":[]}'
    assert parse(schema.canonical()) == schema


# --- normalize -------------------------------------------------------------------------------


def test_normalize_sorts_props_and_aliases_and_drops_empty_doc() -> None:
    schema = parse(
        {
            "type": "record",
            "name": "R",
            "namespace": "ns",
            "doc": "",
            "zeta": 1,
            "alpha": 2,
            "aliases": ["Z", "other.A", "B"],
            "fields": [
                {
                    "name": "f",
                    "doc": "",
                    "aliases": ["y", "x"],
                    "p2": 1,
                    "p1": 2,
                    "type": {"type": "bytes", "scale": 2, "b": 0, "precision": 4, "logicalType": "decimal", "a": 1},
                },
                {"name": "e", "type": {"type": "enum", "name": "E", "doc": "", "symbols": ["Z", "A"], "q": 1, "p": 2}},
                {"name": "t", "type": {"type": "long", "x": 1, "logicalType": "timestamp-millis"}},
            ],
        }
    )
    normalized = schema.normalized()
    assert normalized.canonical() == (
        '{"type":"record","name":"R","namespace":"ns","fields":['
        '{"name":"f","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2,"a":1,"b":0},'
        '"doc":"","aliases":["x","y"],"p1":2,"p2":1},'
        '{"name":"e","type":{"type":"enum","name":"E","symbols":["Z","A"],"p":2,"q":1}},'
        '{"name":"t","type":{"type":"long","logicalType":"timestamp-millis","x":1}}'
        '],"alpha":2,"zeta":1,"aliases":["B","Z","other.A"]}'
    )
    assert normalized.normalized() is normalized
    assert schema.normalized() is normalized
    # the original is untouched
    assert schema.canonical().startswith('{"type":"record","name":"R","namespace":"ns","doc":"","fields"')
    # normalizing is idempotent on text
    assert parse(normalized.canonical()).normalized().canonical() == normalized.canonical()


def test_normalize_keeps_orders_docs_and_defaults() -> None:
    text = (
        '{"type":"record","name":"R","doc":"d","fields":[{"name":"b","type":["string","null"],"default":"x"},'
        '{"name":"a","type":{"type":"enum","name":"E","symbols":["Y","X"],"default":"Y"}}]}'
    )
    schema = parse(text)
    assert schema.normalized().canonical() == text


def test_normalize_keeps_recursion_and_references() -> None:
    dep = parse({"type": "enum", "name": "d.E", "symbols": ["A"], "z": 1, "a": 2})
    schema = parse(
        {"type": "record", "name": "N", "fields": [{"name": "n", "type": ["null", "N"]}, {"name": "e", "type": "d.E"}]},
        {"d.E": dep},
    )
    normalized = schema.normalized()
    assert normalized.canonical() == schema.canonical()
    node = normalized.root
    assert node.fields[0].type.branches[1] is node  # type: ignore[attr-defined]
    assert node.fields[1].type is dep.root  # type: ignore[attr-defined]
    assert normalized.incompatibilities(schema) == []


def test_normalize_sorts_keys_inside_object_valued_properties() -> None:
    # Confluent RestApiTest.testSchemaNormalization: "extraMetadata": {"a": 1, "b": 2} registered,
    # {"b": 2, "a": 1} looked up with normalize=true finds version 1 (toJsonNode's SortingNodeFactory).
    def schema(meta: str, field0: str) -> str:
        return (
            '{"type":"record","name":"myrecord","fields":[{"type":' + field0 + ',"name":"field0"}],'
            '"extraMetadata":' + meta + "}"
        )

    first = parse(schema('{"a": 1, "b": 2}', '{"type":"int"}'))
    second = parse(schema('{"b": 2, "a": 1}', '"int"'))
    assert first.canonical() != second.canonical()
    assert first.normalized().canonical() == second.normalized().canonical()
    assert first.normalized().canonical() == (
        '{"type":"record","name":"myrecord","fields":[{"name":"field0","type":"int"}],"extraMetadata":{"a":1,"b":2}}'
    )


def test_normalize_sorts_object_keys_at_every_depth_of_props_and_defaults() -> None:
    # AvroSchemaUtils.toJsonNode writes props and field defaults through a TreeMap per object node;
    # arrays keep their order, keys compare as Java strings (UTF-16 code units: "Z" < "a" < "é").
    schema = parse(
        {
            "type": "record",
            "name": "R",
            "meta": {"é": 1, "a": [{"z": 1, "Z": 2}, 3], "Z": {"y": None, "b": True}},
            "fields": [
                {
                    "name": "m",
                    "type": {"type": "map", "values": "int", "p": {"b": 1, "a": 2}},
                    "default": {"k2": 1, "k1": 2},
                    "fp": {"d": 1, "c": 2},
                },
            ],
        }
    )
    normalized = schema.normalized().canonical()
    assert normalized == (
        '{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"int","p":{"a":2,"b":1}},'
        '"default":{"k1":2,"k2":1},"fp":{"c":2,"d":1}}],'
        '"meta":{"Z":{"b":true,"y":null},"a":[{"Z":2,"z":1},3],"é":1}}'
    )
    # the original keeps the order it was written in
    assert '"meta":{"é":1,"a":[{"z":1,"Z":2},3]' in schema.canonical()
    assert parse(normalized).normalized().canonical() == normalized
