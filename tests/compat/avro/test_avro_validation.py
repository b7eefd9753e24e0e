"""Avro schema validation: invalid schemas and their messages, name rules for new schemas only,
and default values checked against their types."""

from __future__ import annotations

from typing import Any

import pytest
from support.avro import parse, record

from charter.compat.avro import AVRO_FORMAT
from charter.compat.model import InvalidSchemaError


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ('{"type": "record", "name": "R", "fields": [}', "line 1, column"),
        ('{\n  "type": "record",\n  "name": "R"\n  "fields": []}', "line 4, column 3"),
        ("NaN", "not valid JSON"),
        ("", "not valid JSON"),
        ('"in"', 'unknown type name "in"'),
        ("5", "expected a type name"),
        ('{"name":"R","fields":[]}', 'needs a "type"'),
        ('{"type":{"type":"int"}}', '"type" must be a string'),
        ('{"type":"record","name":"R"}', 'no "fields"'),
        ('{"type":"record","fields":[]}', 'no "name"'),
        ('{"type":"enum","name":"E"}', 'no "symbols"'),
        ('{"type":"enum","name":"E","symbols":["A","A"]}', 'duplicate enum symbol "A"'),
        ('{"type":"enum","name":"E","symbols":["A", 1]}', "not a string"),
        ('{"type":"enum","name":"E","symbols":["A"],"default":"B"}', 'default "B"'),
        ('{"type":"fixed","name":"F"}', '"size"'),
        ('{"type":"fixed","name":"F","size":-1}', '"size"'),
        ('{"type":"fixed","name":"F","size":"4"}', '"size"'),
        ('{"type":"array"}', 'no "items"'),
        ('{"type":"map"}', 'no "values"'),
        ('{"type":"Nope"}', 'unknown type "Nope"'),
        ('["int", ["null"]]', "union may not directly contain another union"),
        ('["int", "string", "int"]', 'duplicate type "int"'),
        ('[{"type":"array","items":"int"}, {"type":"array","items":"long"}]', 'duplicate type "array"'),
        (
            '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}',
            'duplicate field "a"',
        ),
        ('{"type":"record","name":"R","fields":[{"name":"a"}]}', 'no "type"'),
        ('{"type":"record","name":"R","fields":[{"type":"int"}]}', 'has no "name"'),
        ('{"type":"record","name":"R","fields":[3]}', "must be an object"),
        ('{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}', '"order"'),
        ('{"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":"b"}]}', '"aliases"'),
        (
            '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]}',
            "defined twice",
        ),
        ('{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"abc"}]}', "not a number"),
    ],
)
def test_invalid_schemas(schema: str, message: str) -> None:
    with pytest.raises(InvalidSchemaError, match=message.replace("[", r"\[").replace("(", r"\(")):
        AVRO_FORMAT.parse(schema, {})
    # stored versions are lenient about names and defaults, not about structure
    with pytest.raises(InvalidSchemaError):
        AVRO_FORMAT.parse(schema, {}, validate=False)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "record", "name": "my-record", "fields": []},
        {"type": "record", "name": "1R", "fields": []},
        {"type": "record", "name": "R", "namespace": "com.1acme", "fields": []},
        {"type": "record", "name": "R", "namespace": "com..acme", "fields": []},
        {"type": "record", "name": "R", "fields": [{"name": "a-b", "type": "int"}]},
        {"type": "enum", "name": "E", "symbols": ["ok", "not ok"]},
        {"type": "record", "name": "R", "aliases": ["bad-alias"], "fields": []},
        {"type": "fixed", "name": "F", "size": 1, "namespace": "é"},
    ],
)
def test_strict_names_only_for_new_schemas(schema: dict[str, Any]) -> None:
    with pytest.raises(InvalidSchemaError, match=r"Invalid (namespace|.*name|symbol|alias)"):
        parse(schema)
    assert parse(schema, validate=False).canonical()


def _field_default(type_: Any, default: Any) -> dict[str, Any]:
    return record("R", {"name": "f", "type": type_, "default": default})


@pytest.mark.parametrize(
    ("type_", "default"),
    [
        ("int", 2**31 - 1),
        ("int", -(2**31)),
        ("long", 2**63 - 1),
        ("float", 1),
        ("double", 1.5),
        ("double", "NaN"),
        ("string", "x"),
        ("bytes", "\u00ff"),
        ("boolean", False),
        ("null", None),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, "NOT_A_SYMBOL"),
        ({"type": "fixed", "name": "F", "size": 2}, "ab"),
        ({"type": "array", "items": "int"}, [1, 2]),
        ({"type": "map", "values": "long"}, {"a": 1}),
        (["null", "int"], None),
        (["null", "int"], 3),  # any branch may match (Avro 1.12)
        (["string", {"type": "array", "items": "int"}], [1]),
        (record("Sub", {"name": "x", "type": "int"}, {"name": "y", "type": "string", "default": "d"}), {"x": 1}),
        ({"type": "int", "logicalType": "date"}, 0),
    ],
)
def test_valid_defaults(type_: Any, default: Any) -> None:
    assert parse(_field_default(type_, default))


@pytest.mark.parametrize(
    ("type_", "default", "shown"),
    [
        ("int", 2**31, '2147483648 not a "int"'),
        ("int", 1.0, '1.0 not a "int"'),
        ("int", "1", '"1" not a "int"'),
        ("long", 2**63, 'not a "long"'),
        ("float", "x1", None),
        ("double", True, 'true not a "double"'),
        ("string", 1, '1 not a "string"'),
        ("bytes", None, 'null not a "bytes"'),
        ("boolean", 0, '0 not a "boolean"'),
        ("null", "null", '"null" not a "null"'),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, 0, 'not a {"type":"enum"'),
        ({"type": "array", "items": "int"}, [1, "2"], 'not a {"type":"array","items":"int"}'),
        ({"type": "array", "items": "int"}, 1, None),
        ({"type": "map", "values": "int"}, {"a": None}, None),
        (["null", "int"], "x", 'not a ["null","int"]'),
        (record("Sub", {"name": "x", "type": "int"}), {}, 'Invalid default for field f: {} not a {"type":"record"'),
        (record("Sub", {"name": "x", "type": "int"}), {"x": "1"}, None),
    ],
)
def test_invalid_defaults_only_for_new_schemas(type_: Any, default: Any, shown: str | None) -> None:
    with pytest.raises(InvalidSchemaError, match=r"Invalid default for field f|not a number") as info:
        parse(_field_default(type_, default))
    if shown is not None:
        assert shown in str(info.value)
    if not (type_ == "float" and isinstance(default, str)):
        assert parse(_field_default(type_, default), validate=False)


def test_default_validation_after_forward_reference() -> None:
    schema = record(
        "R",
        {"name": "a", "type": "E", "default": 5},
        {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["X"]}},
    )
    with pytest.raises(InvalidSchemaError, match="Invalid default for field a"):
        parse(schema)
