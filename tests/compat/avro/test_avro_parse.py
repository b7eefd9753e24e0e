"""Avro parsing: the type model, names and namespaces, references, errors and default validation."""

from __future__ import annotations

import json

import pytest
from support.avro import parse, record

from charter.compat.avro import AVRO_FORMAT
from charter.compat.avro.types import NO_DEFAULT, Array, Enum, Fixed, Map, Primitive, Record, Union
from charter.compat.formats import get_format
from charter.compat.model import InvalidSchemaError, ParsedSchema, SchemaType


def test_format_is_registered_and_returns_parsed_schema() -> None:
    fmt = get_format(None)
    assert fmt is AVRO_FORMAT
    assert fmt.schema_type is SchemaType.AVRO
    schema = fmt.parse('"int"', {})
    assert isinstance(schema, ParsedSchema)
    assert schema.schema_type is SchemaType.AVRO


@pytest.mark.parametrize("name", ["null", "boolean", "int", "long", "float", "double", "bytes", "string"])
def test_primitives_bare_and_object_form(name: str) -> None:
    bare = parse(json.dumps(name))
    assert isinstance(bare.root, Primitive) and bare.root.name == name
    assert bare.canonical() == f'"{name}"'
    obj = parse({"type": name})
    assert obj.canonical() == f'"{name}"'


def test_primitive_with_logical_type_keeps_props_and_drops_doc() -> None:
    schema = parse({"type": "int", "logicalType": "date", "doc": "ignored", "x": 1})
    assert schema.root.props == {"logicalType": "date", "x": 1}
    assert schema.canonical() == '{"type":"int","logicalType":"date","x":1}'


def test_invalid_logical_type_is_just_a_property() -> None:
    schema = parse({"type": "string", "logicalType": "decimal", "precision": -3})
    assert schema.canonical() == '{"type":"string","logicalType":"decimal","precision":-3}'


def test_namespace_inheritance_and_full_names() -> None:
    schema = parse(
        record(
            "Outer",
            {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["X"]}},
            {"name": "b", "type": {"type": "fixed", "name": "other.F", "size": 2}},
            {"name": "c", "type": record("Inner", {"name": "f", "type": {"type": "fixed", "name": "G", "size": 1}})},
            {"name": "d", "type": {"type": "enum", "name": "N", "namespace": "", "symbols": ["Y"]}},
            namespace="com.acme",
        )
    )
    assert set(schema.defined) == {"com.acme.Outer", "com.acme.E", "other.F", "com.acme.Inner", "com.acme.G", "N"}
    outer = schema.root
    assert isinstance(outer, Record)
    assert outer.fields[1].type.namespace == "other"  # type: ignore[attr-defined]
    assert outer.fields[3].type.namespace is None  # type: ignore[attr-defined]


def test_dotted_name_overrides_namespace_attribute() -> None:
    schema = parse(record("a.b.R", namespace="x.y"))
    assert schema.root.full_name == "a.b.R"  # type: ignore[attr-defined]
    assert schema.canonical() == '{"type":"record","name":"R","namespace":"a.b","fields":[]}'


def test_name_lookup_current_namespace_then_null_namespace() -> None:
    schema = parse(
        {
            "type": "record",
            "name": "Top",
            "fields": [
                {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
                {
                    "name": "b",
                    "type": record("ns.Sub", {"name": "e", "type": "E"}, {"name": "s", "type": "Sub"}),
                },
            ],
        }
    )
    sub = schema.root.fields[1].type  # type: ignore[attr-defined]
    assert sub.fields[0].type is schema.root.fields[0].type  # type: ignore[attr-defined]
    assert sub.fields[1].type is sub


def test_recursive_record_is_a_cycle() -> None:
    schema = parse(record("Node", {"name": "next", "type": ["null", "Node"]}, namespace="n"))
    node = schema.root
    assert isinstance(node, Record)
    union = node.fields[0].type
    assert isinstance(union, Union) and union.branches[1] is node


def test_forward_reference_within_document() -> None:
    schema = parse(
        record("R", {"name": "a", "type": "E"}, {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["X"]}})
    )
    assert schema.root.fields[0].type is schema.root.fields[1].type  # type: ignore[attr-defined]
    # the first occurrence is the definition when printed, as in Avro Java after resolution
    assert schema.canonical() == (
        '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["X"]}},'
        '{"name":"b","type":"E"}]}'
    )


def test_object_form_name_reference() -> None:
    schema = parse(
        record(
            "R", {"name": "a", "type": {"type": "fixed", "name": "F", "size": 3}}, {"name": "b", "type": {"type": "F"}}
        )
    )
    assert schema.root.fields[1].type is schema.root.fields[0].type  # type: ignore[attr-defined]


def test_complex_types_model() -> None:
    schema = parse({"type": "map", "values": {"type": "array", "items": ["null", "string"]}, "p": True})
    assert isinstance(schema.root, Map) and schema.root.props == {"p": True}
    assert isinstance(schema.root.values, Array)
    assert isinstance(schema.root.values.items, Union)
    assert schema.canonical() == '{"type":"map","values":{"type":"array","items":["null","string"]},"p":true}'


def test_field_attributes() -> None:
    schema = parse(
        record(
            "R",
            {"name": "a", "type": "int", "doc": "d", "order": "DESCENDING", "aliases": ["x", "y", "x"], "z": [1]},
            {"name": "b", "type": "string"},
        )
    )
    a, b = schema.root.fields  # type: ignore[attr-defined]
    assert (a.doc, a.order, a.aliases, a.props, a.pos) == ("d", "descending", ["x", "y"], {"z": [1]}, 0)
    assert b.default is NO_DEFAULT and b.pos == 1 and b.order == "ascending"


def test_named_aliases_are_qualified_with_own_namespace() -> None:
    schema = parse(record("R", namespace="ns", aliases=["Old", "other.Older"]))
    assert schema.root.aliases == ["ns.Old", "other.Older"]  # type: ignore[attr-defined]


def test_error_type_and_enum_default() -> None:
    err = parse({"type": "error", "name": "Oops", "fields": []})
    assert isinstance(err.root, Record) and err.root.is_error
    assert err.canonical() == '{"type":"error","name":"Oops","fields":[]}'
    enum = parse({"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "B"})
    assert isinstance(enum.root, Enum) and enum.root.default == "B"


def test_duplicate_json_keys_last_wins() -> None:
    schema = parse('{"type":"fixed","size":1,"name":"F","size":4}')
    assert isinstance(schema.root, Fixed) and schema.root.size == 4


def test_big_integers_and_float_distinction_kept() -> None:
    schema = parse('{"type":"string","big":123456789012345678901234567890,"f":1.0,"i":1}')
    assert schema.canonical() == '{"type":"string","big":123456789012345678901234567890,"f":1.0,"i":1}'


def test_textual_float_default_becomes_double() -> None:
    schema = parse(
        record("R", {"name": "a", "type": "float", "default": "NaN"}, {"name": "b", "type": "double", "default": "1e3"})
    )
    a, b = schema.root.fields  # type: ignore[attr-defined]
    assert a.default != a.default  # NaN
    assert b.default == 1000.0
    assert schema.canonical().endswith(
        '{"name":"a","type":"float","default":"NaN"},{"name":"b","type":"double","default":1000.0}]}'
    )


def test_dependencies_resolve_by_name_and_print_as_reference() -> None:
    address = parse(record("Address", {"name": "street", "type": "string"}, namespace="com.acme"))
    person = parse(
        record(
            "Person",
            {"name": "home", "type": "Address"},
            {"name": "work", "type": "com.acme.Address"},
            namespace="com.acme",
        ),
        {"com.acme.Address": address},
    )
    assert person.root.fields[0].type is address.root  # type: ignore[attr-defined]
    assert person.canonical() == (
        '{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"home","type":"Address"},'
        '{"name":"work","type":"Address"}]}'
    )
    assert '"street"' in person.inlined()


def test_transitive_dependencies() -> None:
    a = parse({"type": "enum", "name": "x.A", "symbols": ["S"]})
    b = parse(record("x.B", {"name": "a", "type": "A"}), {"x.A": a})
    c = parse(record("y.C", {"name": "b", "type": "x.B"}, {"name": "a", "type": "x.A"}), {"x.A": a, "x.B": b})
    assert (
        c.canonical()
        == '{"type":"record","name":"C","namespace":"y","fields":[{"name":"b","type":"x.B"},{"name":"a","type":"x.A"}]}'
    )


def test_nested_type_of_a_reference_is_visible() -> None:
    dep = parse(record("d.Holder", {"name": "e", "type": {"type": "enum", "name": "Kind", "symbols": ["K"]}}))
    user = parse(record("U", {"name": "k", "type": "d.Kind"}), {"d.Holder": dep})
    assert user.root.fields[0].type is dep.root.fields[0].type  # type: ignore[attr-defined]


def test_unknown_name_without_reference_is_an_error() -> None:
    with pytest.raises(InvalidSchemaError, match='unknown type name "Address"'):
        parse(record("Person", {"name": "home", "type": "Address"}))


def test_non_avro_dependency_rejected() -> None:
    class Other:
        schema_type = SchemaType.JSON

    with pytest.raises(InvalidSchemaError, match="not an Avro schema"):
        AVRO_FORMAT.parse('"int"', {"x": Other()})  # type: ignore[dict-item]


def test_equal_redefinition_of_reference_allowed_but_different_rejected() -> None:
    dep = parse({"type": "fixed", "name": "F", "size": 2})
    same = parse(record("R", {"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}}), {"F": dep})
    # a referenced top-level type always prints by name, even where the text repeats it
    assert same.canonical() == '{"type":"record","name":"R","fields":[{"name":"f","type":"F"}]}'
    with pytest.raises(InvalidSchemaError, match="defined differently"):
        parse(record("R", {"name": "f", "type": {"type": "fixed", "name": "F", "size": 3}}), {"F": dep})


def test_reparse_of_canonical_is_equal() -> None:
    original = parse(
        """{
          "type": "record", "name": "R", "namespace": "a",
          "doc": "tab\\there", "fields": [
            {"name": "x", "type": {"type": "array", "items": {"type": "record", "name": "I", "namespace": "b",
              "fields": [{"name": "back", "type": ["null", "a.R"], "default": null}]}}, "default": []},
            {"name": "y", "type": "b.I"},
            {"name": "z", "type": {"type": "enum", "name": "E", "namespace": "", "symbols": ["A"], "default": "A"}}
          ]}"""
    )
    again = parse(original.canonical())
    assert again == original
    assert again.canonical() == original.canonical()
    assert hash(again) == hash(original)
    assert original != parse('"int"')


def test_comments_are_allowed_like_avro_java() -> None:
    schema = parse('/* header */ {"type": "record", // the type\n "name": "R", "doc": "a // b", "fields": []}')
    assert schema.canonical() == '{"type":"record","name":"R","doc":"a // b","fields":[]}'
    with pytest.raises(InvalidSchemaError, match="line 2, column 9"):
        parse('/* x */ {"type":\n "int", }')


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    text = '{"type":"array","items":' * 2000 + '"int"' + "}" * 2000
    with pytest.raises(InvalidSchemaError, match="nested deeper than 256 levels"):
        parse(text)


def test_top_level_reference_to_a_dependency() -> None:
    dep = parse(record("a.Dep"))
    schema = parse('"a.Dep"', {"a.Dep": dep})
    assert schema.root is dep.root
    assert schema.canonical() == '"a.Dep"'
    assert schema.defined == {}


def test_whitespace_and_key_order_do_not_change_canonical() -> None:
    one = parse('{"type":"enum","name":"E","symbols":["A","B"],"namespace":"n"}')
    two = parse('{\n  "namespace" : "n",\n  "symbols" : [ "A", "B" ],\n  "name" : "E",\n  "type" : "enum"\n}')
    assert one.canonical() == two.canonical() == '{"type":"enum","name":"E","namespace":"n","symbols":["A","B"]}'
