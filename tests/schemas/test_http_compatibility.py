"""HTTP tests for Avro compatibility at all seven levels (Confluent behaviour).

Covers POST /compatibility/subjects/{s}/versions[/{v}] (verbose and not), the 409/40901
register refusal and its message format, transitive vs non-transitive history checks, and the
exact verbose message shapes from compat-rules.md §1.3 and §2.2.
"""

from __future__ import annotations

import httpx
import pytest
from support.http import check_error, compact

LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"]




def rec(*fields: dict) -> str:
    return compact({"type": "record", "name": "Rec", "fields": list(fields)})


def f(name: str, type_: object, **kw: object) -> dict:
    return {"name": name, "type": type_, **kw}


def color(*symbols: str) -> dict:
    return {"type": "enum", "name": "Color", "symbols": list(symbols)}


A = rec(f("a", "int"))
A_B = rec(f("a", "int"), f("b", "string"))
A_BDEF = rec(f("a", "int"), f("b", "string", default="x"))
A_LONG = rec(f("a", "long"))
E_RG = rec(f("e", color("RED", "GREEN")))
E_RGB = rec(f("e", color("RED", "GREEN", "BLUE")))
E_R = rec(f("e", color("RED")))

# (old, new) -> verdict for each base level: NONE, BACKWARD, FORWARD, FULL
CASES = {
    "add_field_no_default": (A, A_B, (True, False, True, False)),
    "add_field_with_default": (A, A_BDEF, (True, True, True, True)),
    "remove_field_no_default": (A_B, A, (True, True, False, False)),
    "remove_field_with_default": (A_BDEF, A, (True, True, True, True)),
    "promote_int_to_long": (A, A_LONG, (True, True, False, False)),
    "demote_long_to_int": (A_LONG, A, (True, False, True, False)),
    "enum_add_symbol": (E_RG, E_RGB, (True, True, False, False)),
    "enum_remove_symbol": (E_RG, E_R, (True, False, True, False)),
    "change_type_int_to_string": (A, rec(f("a", "string")), (True, False, False, False)),
}
BASE = {"NONE": 0, "BACKWARD": 1, "FORWARD": 2, "FULL": 3}




def register(http: httpx.Client, subject: str, schema: str) -> httpx.Response:
    return http.post(f"/subjects/{subject}/versions", json={"schema": schema})


def ok(http: httpx.Client, subject: str, schema: str) -> int:
    r = register(http, subject, schema)
    assert r.status_code == 200, r.text
    return r.json()["id"]


def check(http: httpx.Client, subject: str, schema: str, version: str | None = "latest", verbose: bool = False):
    path = f"/compatibility/subjects/{subject}/versions" + (f"/{version}" if version else "")
    return http.post(path, params={"verbose": "true"} if verbose else None, json={"schema": schema})


def set_level(http: httpx.Client, subject: str, level: str) -> None:
    assert http.put(f"/config/{subject}", json={"compatibility": level}).status_code == 200


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_level_matrix(http: httpx.Client, subject: str, level: str, case: str) -> None:
    old, new, verdicts = CASES[case]
    expected = verdicts[BASE[level.replace("_TRANSITIVE", "")]]
    set_level(http, subject, level)
    ok(http, subject, old)
    r = check(http, subject, new)
    assert r.status_code == 200, r.text
    assert r.json()["is_compatible"] is expected
    assert not r.json().get("messages")  # messages only with verbose=true
    rv = check(http, subject, new, verbose=True)
    assert rv.json()["is_compatible"] is expected
    assert bool(rv.json()["messages"]) is (not expected)
    reg = register(http, subject, new)
    if expected:
        assert reg.status_code == 200, reg.text
        assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]
    else:
        check_error(reg, 409, 40901)
        assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_verbose_messages_backward_missing_default(http: httpx.Client, subject: str) -> None:
    ok(http, subject, A)
    r = check(http, subject, A_B, verbose=True)
    assert r.status_code == 200
    assert r.json() == {
        "is_compatible": False,
        "messages": [
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' "
            "in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}",
            "{oldSchemaVersion: 1}",
            "{oldSchema: '" + A + "'}",
            "{validateFields: 'false', compatibility: 'BACKWARD'}",
        ],
    }


def test_register_refusal_message_format(http: httpx.Client, subject: str) -> None:
    ok(http, subject, A)
    messages = check(http, subject, A_B, verbose=True).json()["messages"]
    body = check_error(register(http, subject, A_B), 409, 40901)
    assert body["message"] == (
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}", '
        f"details: [{', '.join(messages)}]"
    )


def test_verbose_messages_forward_type_mismatch(http: httpx.Client, subject: str) -> None:
    set_level(http, subject, "FORWARD")
    ok(http, subject, A)
    msgs = check(http, subject, A_LONG, verbose=True).json()["messages"]
    assert msgs == [
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the old "
        "schema does not match with the new schema', additionalInfo:'reader type: INT not compatible with "
        "writer type: LONG'}",
        "{oldSchemaVersion: 1}",
        "{oldSchema: '" + A + "'}",
        "{validateFields: 'false', compatibility: 'FORWARD'}",
    ]


def test_verbose_messages_enum_symbols(http: httpx.Client, subject: str) -> None:
    ok(http, subject, E_RG)
    msgs = check(http, subject, E_R, verbose=True).json()["messages"]
    assert msgs[0] == (
        "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[GREEN]' "
        "at path '/fields/0/type/symbols' in the old schema', additionalInfo:'[GREEN]'}"
    )
    assert msgs[1:] == [
        "{oldSchemaVersion: 1}",
        "{oldSchema: '" + E_RG + "'}",
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]


# --- transitive vs non-transitive ---------------------------------------------------------

# Each history: v1, v2, candidate; the candidate conflicts with v1 only.
HISTORIES = {
    "BACKWARD": (A, rec(f("a", "int"), f("c", "string", default="")), rec(f("a", "int"), f("c", "string"))),
    "FORWARD": (rec(f("a", "int"), f("b", "string")), A_BDEF, A),
    "FULL": (A, rec(f("a", "int"), f("c", "string", default="")), rec(f("a", "int"), f("c", "string"))),
}


@pytest.mark.parametrize("base", sorted(HISTORIES))
def test_transitive_checks_every_version(http: httpx.Client, subject: str, base: str) -> None:
    v1, v2, cand = HISTORIES[base]
    set_level(http, subject, base + "_TRANSITIVE")
    ok(http, subject, v1)
    ok(http, subject, v2)
    assert check(http, subject, cand, "latest").json()["is_compatible"] is True
    assert check(http, subject, cand, "2").json()["is_compatible"] is True
    assert check(http, subject, cand, "1").json()["is_compatible"] is False
    every = check(http, subject, cand, None, verbose=True).json()
    assert every["is_compatible"] is False
    assert "{oldSchemaVersion: 1}" in every["messages"]
    assert every["messages"][-1] == f"{{validateFields: 'false', compatibility: '{base}_TRANSITIVE'}}"
    body = check_error(register(http, subject, cand), 409, 40901)
    assert "{oldSchemaVersion: 1}" in body["message"]
    set_level(http, subject, base)
    assert check(http, subject, cand, None).json()["is_compatible"] is True
    ok(http, subject, cand)
    assert http.get(f"/subjects/{subject}/versions").json() == [1, 2, 3]


def test_transitive_ignores_soft_deleted_versions(http: httpx.Client, subject: str) -> None:
    v1, v2, cand = HISTORIES["BACKWARD"]
    set_level(http, subject, "BACKWARD_TRANSITIVE")
    ok(http, subject, v1)
    ok(http, subject, v2)
    assert http.delete(f"/subjects/{subject}/versions/1").json() == 1
    assert check(http, subject, cand, None).json()["is_compatible"] is True
    check_error(check(http, subject, cand, "1"), 404, 40402)
    ok(http, subject, cand)


# --- endpoint edge cases ------------------------------------------------------------------


def test_missing_subject_or_version(http: httpx.Client, subject: str) -> None:
    r = check(http, subject, A, "latest")
    assert r.status_code == 200 and r.json()["is_compatible"] is True
    r = check(http, subject, A, None)
    assert r.status_code == 200 and r.json()["is_compatible"] is True
    check_error(check(http, subject, A, "1"), 404, 40402)
    ok(http, subject, A)
    check_error(check(http, subject, A, "2"), 404, 40402)
    check_error(check(http, subject, A, "abc"), 422, 42202)
    check_error(check(http, subject, A, "0"), 422, 42202)
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_invalid_candidate(http: httpx.Client, subject: str) -> None:
    ok(http, subject, A)
    bad = '{"type": "record", "name": "Rec"}'
    check_error(check(http, subject, bad), 422, 42201)
    check_error(check(http, subject, bad, None), 422, 42201)
    r = check(http, subject, bad, verbose=True)
    assert r.status_code == 200, r.text
    assert r.json()["is_compatible"] is False
    assert r.json()["messages"] and all(isinstance(m, str) for m in r.json()["messages"])


def test_compatible_verbose_has_empty_messages(http: httpx.Client, subject: str) -> None:
    ok(http, subject, A)
    r = check(http, subject, A_BDEF, verbose=True)
    assert r.json() == {"is_compatible": True, "messages": []}


def test_type_promotions_backward(http: httpx.Client, subject: str) -> None:
    pairs = [("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"),
             ("float", "double"), ("string", "bytes"), ("bytes", "string")]
    for i, (w, r_) in enumerate(pairs):
        s = f"{subject}-{i}"
        ok(http, s, rec(f("a", w)))
        assert check(http, s, rec(f("a", r_))).json()["is_compatible"] is True, (w, r_)
    ok(http, subject, rec(f("a", "double")))
    assert check(http, subject, rec(f("a", "float"))).json()["is_compatible"] is False


def test_union_widening_backward(http: httpx.Client, subject: str) -> None:
    ok(http, subject, rec(f("a", "int")))
    assert check(http, subject, rec(f("a", ["null", "int"]))).json()["is_compatible"] is True
    assert check(http, subject, rec(f("a", ["null", "string"]))).json()["is_compatible"] is False


def test_registering_identical_schema_skips_check(http: httpx.Client, subject: str) -> None:
    sid = ok(http, subject, A)
    set_level(http, subject, "NONE")
    ok(http, subject, rec(f("a", "string")))
    set_level(http, subject, "FULL_TRANSITIVE")
    # A is already registered (v1): returned as-is, no compatibility check against v2
    assert ok(http, subject, A) == sid
    assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]
