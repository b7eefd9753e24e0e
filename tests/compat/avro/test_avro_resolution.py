"""Avro reader/writer compatibility (Avro 1.12 SchemaCompatibility as Confluent reports it)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from charter.compat.avro import AVRO_FORMAT, AvroSchema

PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
PROMOTIONS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
}  # (writer, reader)


def parse(schema: Any, deps: dict[str, AvroSchema] | None = None) -> AvroSchema:
    return AVRO_FORMAT.parse(json.dumps(schema), deps or {})


def check(reader: Any, writer: Any) -> list[str]:
    """Rendered messages of the backward half (reader = new, writer = old)."""
    r = reader if isinstance(reader, AvroSchema) else parse(reader)
    w = writer if isinstance(writer, AvroSchema) else parse(writer)
    return [i.render("new", "old") for i in r.incompatibilities(w)]


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def msg(error: str, description: str, info: str) -> str:
    return f"{{errorType:'{error}', description:'{description}', additionalInfo:'{info}'}}"


def type_mismatch(path: str, r: str, w: str, reader: str = "new", writer: str = "old") -> str:
    return msg(
        "TYPE_MISMATCH",
        f"The type (path '{path}') of a field in the {reader} schema does not match with the {writer} schema",
        f"reader type: {r} not compatible with writer type: {w}",
    )


def missing_branch(path: str, w: str) -> str:
    return msg(
        "MISSING_UNION_BRANCH",
        f"The new schema is missing a type inside a union field at path '{path}' in the old schema",
        f"reader union lacking writer type: {w}",
    )


def missing_default(name: str, path: str) -> str:
    return msg(
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        f"The field '{name}' at path '{path}' in the new schema has no default value and is missing in the old schema",
        name,
    )


@pytest.mark.parametrize(("writer", "reader"), list(itertools.product(PRIMS, PRIMS)))
def test_primitive_pairs_and_promotions(writer: str, reader: str) -> None:
    result = check(reader, writer)
    if writer == reader or (writer, reader) in PROMOTIONS:
        assert result == []
    else:
        assert result == [type_mismatch("/", reader.upper(), writer.upper())]


def test_added_field_without_default_exact_confluent_message() -> None:
    old = record("R", field("a", "int"))
    new = record("R", field("a", "int"), field("b", "string"))
    assert check(new, old) == [
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the "
        "new schema has no default value and is missing in the old schema', additionalInfo:'b'}"
    ]
    # the other direction: the old reader ignores the new writer-only field
    assert check(old, new) == []


def test_added_field_with_default_both_directions() -> None:
    old = record("R", field("a", "int"))
    new = record("R", field("a", "int"), field("b", ["null", "string"], default=None))
    assert check(new, old) == []
    assert check(old, new) == []


def test_removed_field() -> None:
    old = record("R", field("a", "int"), field("b", "string"))
    new = record("R", field("a", "int"))
    assert check(new, old) == []  # new reader ignores b
    assert check(old, new) == [missing_default("b", "/fields/1")]
    with_default = record("R", field("a", "int"), field("b", "string", default=""))
    assert check(with_default, new) == []


def test_all_incompatibilities_collected_in_order() -> None:
    old = record("R", field("a", "int"), field("b", "string"))
    new = record("R", field("a", "boolean"), field("b", "int"), field("c", "long"))
    assert check(new, old) == [
        type_mismatch("/fields/0/type", "BOOLEAN", "INT"),
        type_mismatch("/fields/1/type", "INT", "STRING"),
        missing_default("c", "/fields/2"),
    ]


def test_field_promotions_inside_records() -> None:
    old = record("R", field("a", "int"), field("b", "float"), field("c", "string"))
    new = record("R", field("a", "long"), field("b", "double"), field("c", "bytes"))
    assert check(new, old) == []
    assert check(old, new) == [
        type_mismatch("/fields/0/type", "INT", "LONG"),
        type_mismatch("/fields/1/type", "FLOAT", "DOUBLE"),
    ]


def enum(symbols: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": "E", "symbols": symbols, **extra}


def test_enum_symbols() -> None:
    assert check(enum(["A", "B", "C"]), enum(["A", "B"])) == []
    assert check(enum(["A"]), enum(["C", "A", "B"])) == [
        msg(
            "MISSING_ENUM_SYMBOLS",
            "The new schema is missing enum symbols '[B, C]' at path '/symbols' in the old schema",
            "[B, C]",
        )
    ]
    # a reader enum default makes unknown writer symbols readable
    assert check(enum(["A", "X"], default="X"), enum(["A", "B"])) == []


def test_enum_inside_record_path() -> None:
    old = record("R", field("e", enum(["A", "B"])))
    new = record("R", field("e", enum(["A"])))
    assert check(new, old) == [
        msg(
            "MISSING_ENUM_SYMBOLS",
            "The new schema is missing enum symbols '[B]' at path '/fields/0/type/symbols' in the old schema",
            "[B]",
        )
    ]


def test_enum_default_quirk_for_missing_field() -> None:
    old = record("R", field("a", "int"))
    new = record("R", field("a", "int"), field("e", enum(["A", "B"], default="A")))
    assert check(new, old) == [type_mismatch("/fields/1/type", "ENUM", "RECORD")]
    # with a field default there is nothing to report
    new_ok = record("R", field("a", "int"), field("e", enum(["A", "B"], default="A"), default="B"))
    assert check(new_ok, old) == []


def test_fixed_size_and_name() -> None:
    assert check({"type": "fixed", "name": "F", "size": 8}, {"type": "fixed", "name": "F", "size": 16}) == [
        msg(
            "FIXED_SIZE_MISMATCH",
            "The size of FIXED type field at path '/size' in the new schema does not match with the old schema",
            "expected: 16, found: 8",
        )
    ]
    assert check({"type": "fixed", "name": "G", "size": 4}, {"type": "fixed", "name": "x.F", "size": 5}) == [
        msg("NAME_MISMATCH", "The name of the schema has changed (path '/name')", "expected: x.F"),
        msg(
            "FIXED_SIZE_MISMATCH",
            "The size of FIXED type field at path '/size' in the new schema does not match with the old schema",
            "expected: 5, found: 4",
        ),
    ]


def test_record_name_rule() -> None:
    old = record("Old", field("a", "int"), namespace="x")
    # namespace is ignored by the name rule
    assert check(record("Old", field("a", "int"), namespace="y"), old) == []
    renamed = record("New", field("a", "long"), field("b", "int"), namespace="x")
    assert check(renamed, old) == [
        msg("NAME_MISMATCH", "The name of the schema has changed (path '/name')", "expected: x.Old"),
        missing_default("b", "/fields/1"),  # contents are still checked
    ]
    # a reader alias equal to the writer's full name
    assert check(record("New", field("a", "int"), namespace="x", aliases=["Old"]), old) == []
    assert check(record("New", field("a", "int"), namespace="z", aliases=["x.Old"]), old) == []
    # an alias qualified with the reader's namespace does not match another namespace
    assert check(record("New", field("a", "int"), namespace="z", aliases=["Old"]), old) == [
        msg("NAME_MISMATCH", "The name of the schema has changed (path '/name')", "expected: x.Old")
    ]


def test_enum_name_rule() -> None:
    assert check(enum(["A"], name="F"), enum(["A"])) == [
        msg("NAME_MISMATCH", "The name of the schema has changed (path '/name')", "expected: E")
    ]


def test_field_aliases() -> None:
    old = record("R", field("old_name", "int"))
    new = record("R", field("new_name", "int", aliases=["old_name"]))
    assert check(new, old) == []
    assert check(record("R", field("new_name", "int")), old) == [missing_default("new_name", "/fields/0")]
    # aliases are looked up on the reader side only
    assert check(old, new) == [missing_default("old_name", "/fields/0")]


def test_field_matching_two_writer_fields_is_an_unexpected_exception() -> None:
    writer = record("R", field("a", "int"), field("b", "int"))
    reader = record("R", field("a", "int", aliases=["b"]))
    assert check(reader, writer) == [
        "Unexpected exception during compatibility check: Reader record field a type:INT pos:0 matches multiple "
        'fields in writer record schema {"type":"record","name":"R","fields":[{"name":"a","type":"int"},'
        '{"name":"b","type":"int"}]}'
    ]


def test_union_widening_and_narrowing() -> None:
    narrow = ["null", "int"]
    wide = ["null", "int", "string"]
    assert check(wide, narrow) == []
    assert check(narrow, wide) == [missing_branch("/2", "STRING")]
    # promotions apply per branch
    assert check(["null", "long"], ["null", "int"]) == []


def test_union_reader_non_union_writer_any_branch() -> None:
    assert check(["null", "string", "long"], "int") == []
    assert check(["null", "string"], "int") == [missing_branch("/", "INT")]
    # not first-match: a later compatible branch is enough
    assert check(["null", "double", "int"], "int") == []


def test_non_union_reader_union_writer_every_branch() -> None:
    assert check("long", ["int", "long"]) == []
    assert check("long", ["null", "int", "string"]) == [
        type_mismatch("/0", "LONG", "NULL"),
        type_mismatch("/2", "LONG", "STRING"),
    ]


def test_field_becoming_optional_and_back() -> None:
    old = record("R", field("a", "string"))
    new = record("R", field("a", ["null", "string"], default=None))
    assert check(new, old) == []
    assert check(old, new) == [type_mismatch("/fields/0/type/0", "STRING", "NULL", "new", "old")]


def test_nested_records_arrays_and_maps() -> None:
    inner_old = record("Inner", field("x", "int"))
    inner_new = record("Inner", field("x", "int"), field("y", "int"))
    old = record(
        "R", field("list", {"type": "array", "items": inner_old}), field("m", {"type": "map", "values": "Inner"})
    )
    new = record(
        "R", field("list", {"type": "array", "items": inner_new}), field("m", {"type": "map", "values": "Inner"})
    )
    # the same (reader, writer) pair met twice is memoised and merged again, with its first path (Avro quirk)
    assert check(new, old) == [
        missing_default("y", "/fields/0/type/items/fields/1"),
        missing_default("y", "/fields/0/type/items/fields/1"),
    ]
    assert check(old, new) == []
    assert check({"type": "map", "values": "string"}, {"type": "map", "values": "int"}) == [
        type_mismatch("/values", "STRING", "INT")
    ]
    assert check({"type": "array", "items": "int"}, {"type": "map", "values": "int"}) == [
        type_mismatch("/", "ARRAY", "MAP")
    ]


def test_record_vs_union_of_records() -> None:
    a = record("A", field("x", "int"))
    b = record("B", field("y", "int"))
    assert check([a, b], a) == []
    assert check(record("A", field("x", "int")), [record("A", field("x", "int")), record("B", field("y", "int"))]) == [
        msg("NAME_MISMATCH", "The name of the schema has changed (path '/1/name')", "expected: B"),
        missing_default("x", "/1/fields/0"),
    ]


def test_union_branch_checked_with_fresh_path() -> None:
    # inside a reader union, branches are checked from a fresh root: a failing record branch only
    # yields MISSING_UNION_BRANCH at the union's path
    old = record("R", field("u", [record("S", field("a", "int"))]))
    new = record("R", field("u", [record("S", field("a", "int"), field("b", "int"))]))
    assert check(new, old) == [missing_branch("/fields/0/type/0", "RECORD")]


def test_recursive_schemas() -> None:
    old = record("Node", field("value", "int"), field("next", ["null", "Node"]))
    new = record("Node", field("value", "long"), field("next", ["null", "Node"]))
    assert check(new, old) == []
    # the pair (Node, Node) is in progress when met again through the union: counts as compatible
    assert check(old, new) == [type_mismatch("/fields/0/type", "INT", "LONG")]
    tree = record("T", field("children", {"type": "array", "items": "T"}), field("n", "string"))
    assert check(tree, tree) == []


def test_logical_types_are_invisible() -> None:
    assert check({"type": "int", "logicalType": "date"}, "int") == []
    assert check({"type": "long", "logicalType": "timestamp-millis"}, {"type": "int", "logicalType": "date"}) == []
    dec = {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}
    assert check(dec, {**dec, "precision": 10, "scale": 0}) == []
    assert check({"type": "string", "logicalType": "uuid"}, "int") == [type_mismatch("/", "STRING", "INT")]


def test_docs_defaults_order_and_props_are_invisible() -> None:
    old = record("R", field("a", "int", default=1, doc="x", order="ignore", p=1), doc="d")
    new = record("R", field("a", "int", default=2, doc="y", q=2), doc="e", extra=True)
    assert check(new, old) == []


def test_named_references_through_dependencies() -> None:
    addr_v1 = parse(record("Address", field("street", "string"), namespace="c"))
    addr_v2 = parse(record("Address", field("street", "string"), field("zip", "string"), namespace="c"))
    person = record("Person", field("home", "c.Address"), namespace="c")
    old = parse(person, {"c.Address": addr_v1})
    new = parse(person, {"c.Address": addr_v2})
    assert check(new, old) == [missing_default("zip", "/fields/0/type/fields/1")]
    assert check(old, new) == []


def test_self_check_of_a_large_schema_is_compatible() -> None:
    fields = [field(f"f{i}", t) for i, t in enumerate(PRIMS * 5)]
    schema = record("Big", *fields, field("nested", record("N", *fields[:5])))
    assert check(schema, schema) == []


def test_non_avro_writer_rejected() -> None:
    class Other:
        schema_type = "JSON"

    with pytest.raises(TypeError):
        parse("int").incompatibilities(Other())  # type: ignore[arg-type]


def test_incompatibility_fields() -> None:
    (item,) = parse(record("R", field("b", "int"))).incompatibilities(parse(record("R")))
    assert item.error_type == "READER_FIELD_MISSING_DEFAULT_VALUE"
    assert item.path == "/fields/0"
    assert item.additional_info == "b"
    assert item.style == "avro"
    assert item.describe("old", "new") == (
        "The field 'b' at path '/fields/0' in the old schema has no default value and is missing in the new schema"
    )
