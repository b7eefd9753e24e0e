"""HTTP tests for schemaType JSON: register, lookup, get, normalize, references and bad input.

Written from Confluent's documented behaviour and compat-rules.md §3.7, not from Charter's code:
- the stored text is a compact re-serialisation in the submitted key order, so whitespace does not
  change identity but key order does, unless ``normalize=true`` (keys sorted recursively, arrays
  untouched);
- ``$ref`` to another subject resolves through ``references[]`` (name = the ``$ref`` URL);
- a schema is validated against its draft's metaschema (``$schema``, draft 7 when absent); invalid
  schemas, invalid JSON, unresolvable ``$ref``s and missing references are 422/42201, never a 500.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from support.http import check_error, compact

JT = "JSON"

PERSON = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Person",
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name"],
    "additionalProperties": False,
}


def reg(http: httpx.Client, subject: str, schema: str, refs: list | None = None, **params: str) -> httpx.Response:
    body: dict = {"schema": schema, "schemaType": JT}
    if refs is not None:
        body["references"] = refs
    return http.post(f"/subjects/{subject}/versions", json=body, params=params)


def lookup(http: httpx.Client, subject: str, schema: str, **params: str) -> httpx.Response:
    return http.post(f"/subjects/{subject}", json={"schema": schema, "schemaType": JT}, params=params)


def other_subject() -> str:
    return f"test-{uuid.uuid4().hex[:12]}-ref"


def reorder(obj: object) -> object:
    """The same JSON with every object's keys in reverse order (arrays untouched)."""
    if isinstance(obj, dict):
        return {k: reorder(obj[k]) for k in reversed(list(obj))}
    if isinstance(obj, list):
        return [reorder(x) for x in obj]
    return obj


def test_register_stores_compact_text_in_submitted_key_order(http: httpx.Client, subject: str) -> None:
    r = reg(http, subject, json.dumps(PERSON, indent=2))
    assert r.status_code == 200, r.text
    got = http.get(f"/subjects/{subject}/versions/1").json()
    assert got["schemaType"] == JT and got["id"] == r.json()["id"]
    assert got["schema"] == compact(PERSON)
    by_id = http.get(f"/schemas/ids/{r.json()['id']}").json()
    assert by_id["schema"] == compact(PERSON) and by_id["schemaType"] == JT
    assert http.get(f"/subjects/{subject}/versions/1/schema").json() == PERSON


def test_whitespace_does_not_change_identity(http: httpx.Client, subject: str) -> None:
    first = reg(http, subject, compact(PERSON)).json()["id"]
    again = reg(http, subject, json.dumps(PERSON, indent=4))
    assert again.json()["id"] == first
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    found = lookup(http, subject, json.dumps(PERSON, indent=1))
    assert found.status_code == 200 and found.json()["version"] == 1 and found.json()["id"] == first
    assert reg(http, other_subject(), json.dumps(PERSON)).json()["id"] == first


def test_key_order_matters_without_normalize(http: httpx.Client, subject: str) -> None:
    reg(http, subject, compact(PERSON))
    check_error(lookup(http, subject, compact(reorder(PERSON))), 404, 40403)


def test_normalize_sorts_keys_for_register_and_lookup(http: httpx.Client, subject: str) -> None:
    r = reg(http, subject, compact(reorder(PERSON)), normalize="true")
    assert r.status_code == 200, r.text
    stored = http.get(f"/schemas/ids/{r.json()['id']}").json()["schema"]
    assert stored == json.dumps(PERSON, separators=(",", ":"), sort_keys=True)
    found = lookup(http, subject, compact(PERSON), normalize="true")
    assert found.status_code == 200, found.text
    assert found.json()["id"] == r.json()["id"] and found.json()["version"] == 1
    assert reg(http, subject, json.dumps(PERSON, indent=2), normalize="true").json()["id"] == r.json()["id"]
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_normalize_keeps_array_order(http: httpx.Client, subject: str) -> None:
    a = {"type": "object", "properties": {"x": {"enum": ["b", "a"]}}, "required": ["x"]}
    b = {"type": "object", "properties": {"x": {"enum": ["a", "b"]}}, "required": ["x"]}
    id_a = reg(http, subject, compact(a), normalize="true").json()["id"]
    check_error(lookup(http, subject, compact(b), normalize="true"), 404, 40403)
    assert reg(http, other_subject(), compact(b), normalize="true").json()["id"] != id_a


def test_numbers_are_printed_as_java_big_decimals(http: httpx.Client, subject: str) -> None:
    r = reg(http, subject, '{"type":"number","minimum":1e2,"maximum":2.50}')
    assert r.status_code == 200, r.text
    assert (
        http.get(f"/schemas/ids/{r.json()['id']}").json()["schema"] == '{"type":"number","minimum":1E+2,"maximum":2.50}'
    )


ADDRESS_URL = "https://example.com/schemas/address.json"
ADDRESS = {"$id": ADDRESS_URL, "type": "object", "properties": {"street": {"type": "string"}}}


def test_ref_to_another_subject_through_references(http: httpx.Client, subject: str) -> None:
    dep = other_subject()
    assert reg(http, dep, compact(ADDRESS)).status_code == 200
    main = {"type": "object", "properties": {"home": {"$ref": ADDRESS_URL}}}
    refs = [{"name": ADDRESS_URL, "subject": dep, "version": 1}]
    r = reg(http, subject, compact(main), refs)
    assert r.status_code == 200, r.text
    assert http.get(f"/subjects/{subject}/versions/1").json()["references"] == refs
    assert http.get(f"/schemas/ids/{r.json()['id']}").json()["references"] == refs
    assert http.get(f"/subjects/{dep}/versions/1/referencedby").json() == [r.json()["id"]]
    # the same text without the reference: the $ref cannot be resolved
    body = check_error(reg(http, other_subject(), compact(main)), 422, 42201)
    assert ADDRESS_URL in body["message"] or "home" in body["message"]


def test_relative_ref_name(http: httpx.Client, subject: str) -> None:
    dep = other_subject()
    reg(http, dep, compact({"type": "object", "properties": {"n": {"type": "integer"}}}))
    main = {"type": "object", "properties": {"p": {"$ref": "point.json"}}}
    r = reg(http, subject, compact(main), [{"name": "point.json", "subject": dep, "version": 1}])
    assert r.status_code == 200, r.text


def test_missing_reference_subject_or_version(http: httpx.Client, subject: str) -> None:
    dep = other_subject()
    reg(http, dep, compact(ADDRESS))
    main = compact({"type": "object", "properties": {"home": {"$ref": ADDRESS_URL}}})
    check_error(reg(http, subject, main, [{"name": ADDRESS_URL, "subject": dep, "version": 5}]), 422, 42201)
    check_error(reg(http, subject, main, [{"name": ADDRESS_URL, "subject": other_subject(), "version": 1}]), 422, 42201)


def test_internal_refs_resolve_and_dangling_internal_ref_fails(http: httpx.Client, subject: str) -> None:
    ok = {
        "definitions": {"id": {"type": "string"}},
        "type": "object",
        "properties": {"a": {"$ref": "#/definitions/id"}},
    }
    assert reg(http, subject, compact(ok)).status_code == 200
    bad = {"type": "object", "properties": {"a": {"$ref": "#/definitions/nope"}}}
    check_error(reg(http, other_subject(), compact(bad)), 422, 42201)


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"type": "object", "properties": {"a": {"type": "strin"}}}, "properties/a/type"),
        ({"type": "object", "required": "a"}, "required"),
        ({"type": "string", "maxLength": -1}, "maxLength"),
        ({"type": "object", "properties": {"a": {"minimum": "zero"}}}, "properties/a/minimum"),
        (
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "array",
                "prefixItems": {"type": "string"},
            },
            "prefixItems",
        ),
    ],
    ids=["bad-type-name", "required-not-array", "negative-maxLength", "string-minimum", "2020-12-prefixItems-object"],
)
def test_metaschema_violations_are_42201_naming_the_pointer(
    http: httpx.Client, subject: str, schema: dict, pointer: str
) -> None:
    body = check_error(reg(http, subject, compact(schema)), 422, 42201)
    assert pointer in body["message"], body["message"]


def test_schema_is_validated_against_its_own_draft(http: httpx.Client, subject: str) -> None:
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
    }
    assert reg(http, subject, compact(draft4)).status_code == 200
    draft7 = {k: v for k, v in draft4.items() if k != "$schema"}  # draft 7 wants a number
    check_error(reg(http, other_subject(), compact(draft7)), 422, 42201)
    for uri in ("https://json-schema.org/draft/2019-09/schema", "https://json-schema.org/draft/2020-12/schema"):
        ok = {"$schema": uri, "type": "object", "dependentRequired": {"a": ["b"]}, "unevaluatedProperties": False}
        assert reg(http, other_subject(), compact(ok)).status_code == 200


@pytest.mark.parametrize(
    "text",
    ['{"type":"object",', "not json at all", '{"type":"object"} trailing', "", "[1, 2", '{"a": NaN}'],
    ids=["truncated", "words", "trailing", "empty", "open-array", "nan"],
)
def test_invalid_json_is_42201(http: httpx.Client, subject: str, text: str) -> None:
    check_error(reg(http, subject, text), 422, 42201)
    look = lookup(http, subject, text)
    assert look.status_code in (404, 422) and "Traceback" not in look.text


@pytest.mark.parametrize("text", ["42", '"a string"', "[]"], ids=["number", "string", "array"])
def test_non_schema_json_values_are_rejected(http: httpx.Client, subject: str, text: str) -> None:
    check_error(reg(http, subject, text), 422, 42201)


def test_boolean_and_empty_schemas_are_valid(http: httpx.Client, subject: str) -> None:
    assert reg(http, subject, "{}").status_code == 200
    assert reg(http, other_subject(), "true").status_code == 200


def test_wrong_schema_type(http: httpx.Client, subject: str) -> None:
    body = check_error(
        http.post(f"/subjects/{subject}/versions", json={"schema": compact(PERSON), "schemaType": "XML"}), 422, 42201
    )
    assert "XML" in body["message"]
    # JSON text without schemaType is parsed as Avro: a JSON Schema is not a valid Avro schema
    check_error(http.post(f"/subjects/{subject}/versions", json={"schema": compact(PERSON)}), 422, 42201)


def test_schema_types_endpoint(http: httpx.Client) -> None:
    assert sorted(http.get("/schemas/types").json()) == ["AVRO", "JSON", "PROTOBUF"]
