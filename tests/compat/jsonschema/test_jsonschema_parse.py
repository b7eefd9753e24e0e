"""Parsing JSON Schemas: drafts, metaschema validation, the typed model, ``$ref`` resolution
(inside the document and through schema references), invalid inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from charter.compat.jsonschema import JSON_FORMAT, JsonSchema
from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.drafts import Draft
from charter.compat.model import InvalidSchemaError, ParsedSchema, SchemaType

D4 = "http://json-schema.org/draft-04/schema#"
D6 = "http://json-schema.org/draft-06/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def parse(schema: Any, deps: dict[str, JsonSchema] | None = None, **kw: Any) -> JsonSchema:
    return JSON_FORMAT.parse(json.dumps(schema), deps or {}, **kw)


def test_parsed_schema_satisfies_the_protocol() -> None:
    schema = parse({"type": "string"})
    assert isinstance(schema, ParsedSchema)
    assert schema.schema_type is SchemaType.JSON
    assert JSON_FORMAT.schema_type is SchemaType.JSON


@pytest.mark.parametrize(
    ("uri", "draft"),
    [
        (D4, Draft.DRAFT_4),
        (D6, Draft.DRAFT_6),
        (D7, Draft.DRAFT_7),
        (D2019, Draft.DRAFT_2019_09),
        (D2020, Draft.DRAFT_2020_12),
        ("https://json-schema.org/draft-07/schema", Draft.DRAFT_7),
        ("http://example.com/my-dialect", Draft.DRAFT_7),
    ],
)
def test_draft_from_dollar_schema(uri: str, draft: Draft) -> None:
    assert parse({"$schema": uri, "type": "string"}).draft is draft


def test_absent_schema_is_draft7() -> None:
    assert parse({"type": "string"}).draft is Draft.DRAFT_7
    assert parse(True).draft is Draft.DRAFT_7


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"type": "object", "properties": {"age": {"type": "strin"}}}, "#/properties/age/type"),
        ({"minLength": -1}, "#/minLength"),
        ({"required": "a"}, "#/required"),
        ({"pattern": "(unclosed"}, "#/pattern"),
        ({"$schema": D4, "exclusiveMaximum": 5, "maximum": 6}, "#/exclusiveMaximum"),
        ({"$schema": D6, "exclusiveMaximum": True}, "#/exclusiveMaximum"),
        ({"$schema": D2019, "dependentRequired": {"a": "b"}}, "#/dependentRequired/a"),
        ({"$schema": D2020, "prefixItems": {}}, "#/prefixItems"),
    ],
)
def test_metaschema_rejection_names_the_pointer(schema: dict[str, Any], pointer: str) -> None:
    with pytest.raises(InvalidSchemaError, match=r"^Invalid schema: .* at " + pointer + r" \("):
        parse(schema)


def test_boolean_schemas_are_rejected_in_draft4_only() -> None:
    with pytest.raises(InvalidSchemaError):
        parse({"$schema": D4, "properties": {"a": True}})
    assert isinstance(parse({"$schema": D6, "properties": {"a": True}}).root, n.Object)


def test_validate_false_skips_the_metaschema() -> None:
    assert parse({"type": "strin"}, validate=False).canonical() == '{"type":"strin"}'


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "line 1, column 2"),
        ('{"type": "string",\n "x": }', "line 2, column 7"),
        ("", "line 1, column 1"),
        ('{"maximum": NaN}', "NaN"),
    ],
)
def test_invalid_json(text: str, fragment: str) -> None:
    with pytest.raises(InvalidSchemaError, match=r"^Invalid schema: the text is not valid JSON") as info:
        JSON_FORMAT.parse(text, {})
    assert fragment in str(info.value)


@pytest.mark.parametrize("text", ["[]", '"string"', "1", "null"])
def test_schema_must_be_object_or_boolean(text: str) -> None:
    with pytest.raises(InvalidSchemaError, match="must be an object or a boolean"):
        JSON_FORMAT.parse(text, {})


# -- the typed model ---------------------------------------------------------------------------


def test_kinds() -> None:
    assert type(parse({}).root) is n.Empty
    assert type(parse(True).root) is n.TrueSchema
    assert type(parse(False).root) is n.FalseSchema
    assert type(parse({"type": "null"}).root) is n.Null
    assert type(parse({"type": "boolean"}).root) is n.Boolean
    assert type(parse({"title": "only annotations"}).root) is n.Empty
    assert type(parse({"if": {}, "then": {}}).root) is n.Conditional
    integer = parse({"type": "integer", "minimum": 1}).root
    assert isinstance(integer, n.Number) and integer.requires_integer and integer.minimum == 1.0


def test_keyword_families_without_type() -> None:
    assert isinstance(parse({"maxLength": 3}).root, n.String)
    assert isinstance(parse({"format": "date"}).root, n.String)
    assert isinstance(parse({"multipleOf": 2}).root, n.Number)
    assert isinstance(parse({"properties": {}}).root, n.Object)
    assert isinstance(parse({"minItems": 1}).root, n.Array)


def test_several_facets_make_a_synthetic_allof_in_order() -> None:
    root = parse({"type": "string", "enum": ["a"], "not": {"const": "b"}}).root
    assert isinstance(root, n.Combined) and root.criterion == "allOf" and root.synthetic
    assert [type(s) for s in root.subschemas] == [n.Enum, n.Not, n.String]


def test_family_not_consumed_by_type_is_a_separate_facet() -> None:
    root = parse({"type": "string", "minimum": 1}).root
    assert isinstance(root, n.Combined) and [type(s) for s in root.subschemas] == [n.String, n.Number]


def test_type_array_is_anyof_of_typed_nodes() -> None:
    root = parse({"type": ["string", "null"], "maxLength": 4}).root
    assert isinstance(root, n.Combined) and root.criterion == "anyOf"
    string, null = root.subschemas
    assert isinstance(string, n.String) and string.max_length == 4 and isinstance(null, n.Null)


def test_const_is_ignored_in_draft4() -> None:
    assert isinstance(parse({"$schema": D6, "const": 1}).root, n.Const)
    assert isinstance(parse({"$schema": D4, "const": 1}).root, n.Empty)


def test_annotations_attach_to_the_result() -> None:
    root = parse({"type": "string", "enum": ["a"], "title": "T", "default": None}).root
    assert isinstance(root, n.Combined) and root.title == "T" and root.has_default
    assert not parse({"type": "string"}).root.has_default


def test_object_model() -> None:
    root = parse(
        {
            "properties": {"a": {"type": "string"}},
            "required": ["a"],
            "additionalProperties": {},
            "patternProperties": {"^x": {"type": "integer"}},
            "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
        }
    ).root
    assert isinstance(root, n.Object)
    assert list(root.properties) == ["a"] and root.required == ["a"]
    assert root.permits_additional and isinstance(root.additional, n.Empty)
    assert root.pattern_properties[0][0] == "^x"
    assert root.property_dependencies == {"a": ["b"]} and list(root.schema_dependencies) == ["c"]
    closed = parse({"additionalProperties": False}).root
    assert isinstance(closed, n.Object) and not closed.permits_additional and closed.additional is None


def test_array_models_per_draft() -> None:
    tuple7 = parse({"items": [{"type": "string"}], "additionalItems": False}).root
    assert isinstance(tuple7, n.Array) and len(tuple7.item_schemas or []) == 1
    assert not tuple7.permits_additional_items
    t2020 = parse({"$schema": D2020, "prefixItems": [{"type": "string"}], "items": {"type": "integer"}}).root
    assert isinstance(t2020, n.Array) and len(t2020.item_schemas or []) == 1
    assert isinstance(t2020.additional_items, n.Number) and t2020.all_items is None
    all2020 = parse({"$schema": D2020, "items": {"type": "integer"}}).root
    assert isinstance(all2020, n.Array) and isinstance(all2020.all_items, n.Number)
    contains = parse({"maxContains": 3}).root  # read in any draft
    assert isinstance(contains, n.Array) and contains.max_contains == 3


def test_ref_with_siblings_per_draft() -> None:
    base = {"definitions": {"x": {"type": "string"}}}
    d7 = parse({**base, "$ref": "#/definitions/x", "maxLength": 3}).root
    assert isinstance(d7, n.Reference)  # siblings ignored
    d2019 = parse({**base, "$schema": D2019, "$ref": "#/definitions/x", "maxLength": 3}).root
    assert isinstance(d2019, n.Combined) and d2019.criterion == "allOf"
    assert [type(s) for s in d2019.subschemas] == [n.Reference, n.String]
    only_defs = parse({"$schema": D2020, "$ref": "#/$defs/x", "$defs": {"x": {"type": "string"}}}).root
    assert isinstance(only_defs, n.Reference)


# -- references -------------------------------------------------------------------------------


def test_local_refs_pointer_defs_and_anchors() -> None:
    pointer = parse({"definitions": {"x": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/x"}}})
    a = pointer.root.properties["a"]  # type: ignore[attr-defined]
    assert isinstance(a, n.Reference) and isinstance(a.target, n.String)
    anchor7 = parse({"definitions": {"x": {"$id": "#foo", "type": "integer"}}, "$ref": "#foo"})
    assert isinstance(n.dereference(anchor7.root), n.Number)
    anchor2020 = parse({"$schema": D2020, "$defs": {"x": {"$anchor": "foo", "type": "null"}}, "$ref": "#foo"})
    assert isinstance(n.dereference(anchor2020.root), n.Null)


def test_id_based_refs() -> None:
    schema = parse(
        {
            "$id": "https://example.com/root.json",
            "definitions": {"x": {"$id": "item.json", "type": "boolean"}},
            "items": {"$ref": "https://example.com/item.json"},
        }
    )
    assert isinstance(n.dereference(schema.root.all_items), n.Boolean)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "schema", [{"$ref": "#/definitions/missing"}, {"properties": {"a": {"$ref": "address.json"}}}, {"$ref": "#nope"}]
)
def test_unresolvable_ref_is_rejected_naming_it(schema: dict[str, Any]) -> None:
    ref = schema.get("$ref") or schema["properties"]["a"]["$ref"]
    with pytest.raises(InvalidSchemaError, match=f"the \\$ref '{ref}'"):
        parse(schema)


def test_unresolvable_ref_in_a_stored_version() -> None:
    stored = parse({"$ref": "other.json"}, validate=False)
    assert stored.unresolved == ("other.json",)
    messages = parse({"type": "string"}).incompatibilities(stored)
    assert [m.render("new", "old") for m in messages] == [
        "A previous schema version contains an unsupported external reference"
    ]


def test_recursive_ref_builds_a_cycle() -> None:
    schema = parse({"properties": {"next": {"$ref": "#"}}})
    nxt = schema.root.properties["next"]  # type: ignore[attr-defined]
    assert isinstance(nxt, n.Reference) and nxt.target is schema.root


ADDRESS = {"type": "object", "properties": {"street": {"type": "string"}}, "definitions": {"zip": {"type": "string"}}}


def test_refs_to_dependencies_by_name() -> None:
    address = parse(ADDRESS)
    person = parse({"properties": {"home": {"$ref": "address.json"}}}, {"address.json": address})
    home = person.root.properties["home"]  # type: ignore[attr-defined]
    assert isinstance(n.dereference(home), n.Object)
    zip_ref = parse({"properties": {"zip": {"$ref": "address.json#/definitions/zip"}}}, {"address.json": address})
    assert isinstance(n.dereference(zip_ref.root.properties["zip"]), n.String)  # type: ignore[attr-defined]


def test_refs_to_dependencies_by_url_and_relative_to_id() -> None:
    address = parse(ADDRESS)
    url = "https://example.com/address.schema.json"
    by_url = parse({"properties": {"home": {"$ref": url}}}, {url: address})
    assert isinstance(n.dereference(by_url.root.properties["home"]), n.Object)  # type: ignore[attr-defined]
    relative = parse(
        {"$id": "https://example.com/person.json", "properties": {"home": {"$ref": "address.json"}}},
        {"address.json": address},
    )
    assert isinstance(n.dereference(relative.root.properties["home"]), n.Object)  # type: ignore[attr-defined]


def test_transitive_dependencies_are_visible() -> None:
    street = parse({"type": "string", "maxLength": 80})
    address = parse({"properties": {"street": {"$ref": "street.json"}}}, {"street.json": street})
    person = parse({"properties": {"home": {"$ref": "address.json"}}}, {"address.json": address})
    home = n.dereference(person.root.properties["home"])  # type: ignore[attr-defined]
    assert isinstance(n.dereference(home.properties["street"]), n.String)  # type: ignore[attr-defined]


def test_changes_inside_a_dependency_are_seen() -> None:
    old = parse({"properties": {"home": {"$ref": "a.json"}}}, {"a.json": parse(ADDRESS)})
    changed = {**ADDRESS, "properties": {"street": {"type": "integer"}}}
    new = parse({"properties": {"home": {"$ref": "a.json"}}}, {"a.json": parse(changed)})
    assert [(i.error_type, i.path) for i in new.incompatibilities(old)] == [
        ("TYPE_CHANGED", "#/properties/home/properties/street")
    ]


def test_dependency_of_another_format_is_rejected() -> None:
    from charter.compat.avro import AVRO_FORMAT

    avro = AVRO_FORMAT.parse('"string"', {})
    with pytest.raises(InvalidSchemaError, match="not a JSON schema"):
        JSON_FORMAT.parse('{"$ref": "x"}', {"x": avro})


def test_deeply_nested_schema_is_an_error_not_a_crash() -> None:
    text = '{"items":' * 5000 + "{}" + "}" * 5000
    with pytest.raises(InvalidSchemaError, match="nested deeper than 256 levels"):
        JSON_FORMAT.parse(text, {}, validate=False)
