"""HTTP tests for finer Avro rules (compat-rules.md §2) as seen through the REST API.

Name rule and aliases, fixed sizes, enum defaults, union branches, default validation of
candidates, and `normalize=true`, each checked with Confluent's verdicts and message shapes.
"""

from __future__ import annotations

import json

import httpx
import pytest
from support.http import compact


def rec(name: str, *fields: dict, **kw: object) -> str:
    return compact({"type": "record", "name": name, **kw, "fields": list(fields)})


def f(name: str, type_: object, **kw: object) -> dict:
    return {"name": name, "type": type_, **kw}


def reg(http: httpx.Client, subject: str, schema: str, **params: str) -> httpx.Response:
    return http.post(f"/subjects/{subject}/versions", params=params or None, json={"schema": schema})


def verdict(http: httpx.Client, subject: str, schema: str) -> dict:
    r = http.post(f"/compatibility/subjects/{subject}/versions/latest?verbose=true", json={"schema": schema})
    assert r.status_code == 200, r.text
    return r.json()


def first(http: httpx.Client, subject: str, schema: str, level: str = "BACKWARD") -> None:
    assert http.put(f"/config/{subject}", json={"compatibility": level}).status_code == 200
    r = reg(http, subject, schema)
    assert r.status_code == 200, r.text


def test_record_rename_is_name_mismatch(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("Old", f("a", "int")))
    body = verdict(http, subject, rec("New", f("a", "int")))
    assert body["is_compatible"] is False
    assert body["messages"][0] == (
        "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', "
        "additionalInfo:'expected: Old'}"
    )


def test_record_rename_with_alias_is_compatible(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("Old", f("a", "int"), namespace="ns1"))
    assert verdict(http, subject, rec("New", f("a", "int"), namespace="ns1", aliases=["ns1.Old"]))["is_compatible"]


def test_namespace_change_is_compatible(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("Same", f("a", "int"), namespace="one"))
    assert verdict(http, subject, rec("Same", f("a", "int"), namespace="two"))["is_compatible"] is True


def test_field_rename_with_alias(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("R", f("a", "int")))
    assert verdict(http, subject, rec("R", f("b", "int", aliases=["a"])))["is_compatible"] is True
    assert verdict(http, subject, rec("R", f("b", "int")))["is_compatible"] is False


def test_fixed_size_mismatch(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("R", f("h", {"type": "fixed", "name": "H", "size": 16})))
    body = verdict(http, subject, rec("R", f("h", {"type": "fixed", "name": "H", "size": 32})))
    assert body["is_compatible"] is False
    assert body["messages"][0] == (
        "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path "
        "'/fields/0/type/size' in the new schema does not match with the old schema', "
        "additionalInfo:'expected: 16, found: 32'}"
    )


def test_enum_default_allows_symbol_removal(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("R", f("e", {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]})))
    without_default = rec("R", f("e", {"type": "enum", "name": "E", "symbols": ["A", "B"]}))
    with_default = rec("R", f("e", {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A"}))
    body = verdict(http, subject, without_default)
    assert body["is_compatible"] is False
    assert "additionalInfo:'[C]'" in body["messages"][0]
    assert verdict(http, subject, with_default)["is_compatible"] is True


def test_union_branch_removed(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("R", f("u", ["null", "int", "string"])))
    body = verdict(http, subject, rec("R", f("u", ["null", "int"])))
    assert body["is_compatible"] is False
    assert body["messages"][0] == (
        "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union "
        "field at path '/fields/0/type/2' in the old schema', additionalInfo:'reader union lacking writer "
        "type: STRING'}"
    )


def test_union_to_single_type(http: httpx.Client, subject: str) -> None:
    first(http, subject, rec("R", f("u", ["int", "long"])))
    assert verdict(http, subject, rec("R", f("u", "long")))["is_compatible"] is True
    assert verdict(http, subject, rec("R", f("u", "int")))["is_compatible"] is False


def test_nested_path_in_message(http: httpx.Client, subject: str) -> None:
    inner_old = {"type": "record", "name": "In", "fields": [f("x", "int")]}
    inner_new = {"type": "record", "name": "In", "fields": [f("x", "int"), f("y", "int")]}
    first(http, subject, rec("R", f("a", "int"), f("in", {"type": "array", "items": inner_old})))
    body = verdict(http, subject, rec("R", f("a", "int"), f("in", {"type": "array", "items": inner_new})))
    assert body["messages"][0] == (
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'y' at path "
        "'/fields/1/type/items/fields/1' in the new schema has no default value and is missing in the old "
        "schema', additionalInfo:'y'}"
    )


def test_recursive_schema_is_compatible_with_itself(http: httpx.Client, subject: str) -> None:
    node = rec("Node", f("v", "int"), f("next", ["null", "Node"], default=None))
    first(http, subject, node)
    grown = rec("Node", f("v", "int"), f("next", ["null", "Node"], default=None), f("w", "int", default=0))
    assert verdict(http, subject, grown)["is_compatible"] is True


# --- default validation of candidates -----------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "default"),
    [("int", 2147483648), ("int", 1.5), ("long", "1"), ("string", 1), ("float", "abc"), ("boolean", "true"),
     ({"type": "array", "items": "int"}, ["a"]), ({"type": "map", "values": "int"}, {"k": "v"}),
     ("bytes", 5), ("null", 0)],
)
def test_invalid_defaults_rejected(http: httpx.Client, subject: str, type_: object, default: object) -> None:
    r = reg(http, subject, rec("D", f("x", type_, default=default)))
    assert r.status_code == 422, r.text
    assert r.json()["error_code"] == 42201


@pytest.mark.parametrize(
    ("type_", "default"),
    [(["null", "int"], None), (["null", "int"], 5), (["int", "null"], None), ("float", 1), ("double", 2),
     ({"type": "enum", "name": "E", "symbols": ["A"]}, "ZZZ"), ("long", 9007199254740993),
     ({"type": "array", "items": "int"}, [1, 2]), ("bytes", "\u00ff")],
)
def test_valid_defaults_accepted(http: httpx.Client, subject: str, type_: object, default: object) -> None:
    r = reg(http, subject, rec("D", f("x", type_, default=default)))
    assert r.status_code == 200, r.text


def test_textual_float_default_becomes_a_number(http: httpx.Client, subject: str) -> None:
    # Avro Java's parser turns a textual default of a float/double field into a double.
    r = reg(http, subject, rec("D", f("x", "double", default="1.5")))
    assert r.status_code == 200, r.text
    stored = http.get(f"/subjects/{subject}/versions/1").json()["schema"]
    assert '"default":1.5' in stored


@pytest.mark.parametrize(
    "schema",
    [rec("R", f("a", "int"), namespace="1bad"), rec("R", f("a-b", "int")), rec("R", f("a", "int"), f("a", "long")),
     compact({"type": "enum", "name": "E", "symbols": ["A", "1B"]}),
     compact({"type": "enum", "name": "E", "symbols": ["A"], "default": "Z"})],
)
def test_invalid_names_rejected(http: httpx.Client, subject: str, schema: str) -> None:
    r = reg(http, subject, schema)
    assert r.status_code == 422, r.text
    assert r.json()["error_code"] == 42201


# --- normalize ----------------------------------------------------------------------------


def test_normalize_sorts_aliases_and_properties(http: httpx.Client, subject: str) -> None:
    one = rec("R", f("a", "int"), aliases=["Z", "B"], zprop="1", aprop="2")
    two = rec("R", f("a", "int"), aliases=["B", "Z"], aprop="2", zprop="1")
    r1 = reg(http, subject, one)
    r2 = reg(http, subject, two)
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["id"] != r2.json()["id"]  # raw canonical text differs without normalize
    other = subject + "-norm"
    n1 = reg(http, other, one, normalize="true")
    n2 = reg(http, other, two, normalize="true")
    assert n1.json()["id"] == n2.json()["id"]
    assert http.get(f"/subjects/{other}/versions").json() == [1]
    stored = json.loads(http.get(f"/subjects/{other}/versions/1").json()["schema"])
    assert stored["aliases"] == ["B", "Z"]
    r = http.post(f"/subjects/{other}?normalize=true", json={"schema": one})
    assert r.status_code == 200 and r.json()["version"] == 1
