"""HTTP tests for JSON Schema compatibility at all seven levels, by Confluent's rules.

Expectations come from compat-rules.md §1 and §3 (Confluent's JSON ``SchemaDiff``): the diff runs
from original (writer) to update (reader), so BACKWARD diffs old→new and FORWARD new→old. Open vs
closed content models under the STRICT and LENIENT ``compatibilityPolicy`` (set through
``PUT /config``), required properties, integer↔number, enums, string/number limits, oneOf/anyOf,
``$ref`` into another subject; the verbose entry shape (opens ``"`` and closes ``'``) with the
JSON pointer of each break, and the 409/40901 refusal.
"""

from __future__ import annotations

import httpx
import pytest
from support.http import check_error, compact
from support.process import V1, RegistryProcess

JT = "JSON"
LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"]
BASE = {"NONE": 0, "BACKWARD": 1, "FORWARD": 2, "FULL": 3}
BOTH = (True, True, True, True)
NEITHER = (True, False, False, False)
ONLY_BACKWARD = (True, True, False, False)
ONLY_FORWARD = (True, False, True, False)


def obj(props: dict, required: list | None = None, closed: bool = False) -> dict:
    s: dict = {"type": "object", "properties": props}
    if required:
        s["required"] = required
    if closed:
        s["additionalProperties"] = False
    return s


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
N = {"type": "number"}

# (old, new, STRICT verdicts, LENIENT verdicts) for NONE, BACKWARD, FORWARD, FULL
CASES = {
    "open_add_optional_property": (obj({"a": S}), obj({"a": S, "b": S}), ONLY_FORWARD, BOTH),
    "open_remove_property": (obj({"a": S, "b": S}), obj({"a": S}), ONLY_BACKWARD, BOTH),
    "open_add_empty_schema_property": (obj({"a": S}), obj({"a": S, "b": {}}), BOTH, BOTH),
    "open_add_required_property": (obj({"a": S}), obj({"a": S, "b": S}, ["b"]), ONLY_FORWARD, ONLY_FORWARD),
    "closed_add_optional_property": (
        obj({"a": S}, closed=True),
        obj({"a": S, "b": S}, closed=True),
        ONLY_BACKWARD,
        BOTH,
    ),
    "closed_add_required_property": (
        obj({"a": S}, closed=True),
        obj({"a": S, "b": S}, ["b"], closed=True),
        NEITHER,
        ONLY_FORWARD,
    ),
    "closed_add_required_with_default": (
        obj({"a": S}, closed=True),
        obj({"a": S, "b": {"type": "string", "default": "x"}}, ["b"], closed=True),
        ONLY_BACKWARD,
        BOTH,
    ),
    "open_to_closed": (obj({"a": S}), obj({"a": S}, closed=True), ONLY_FORWARD, BOTH),
    "required_added_to_existing": (obj({"a": S}), obj({"a": S}, ["a"]), ONLY_FORWARD, ONLY_FORWARD),
    "required_removed": (obj({"a": S}, ["a"]), obj({"a": S}), ONLY_BACKWARD, ONLY_BACKWARD),
    "integer_to_number": (obj({"a": I}), obj({"a": N}), ONLY_BACKWARD, ONLY_BACKWARD),
    "number_to_integer": (obj({"a": N}), obj({"a": I}), ONLY_FORWARD, ONLY_FORWARD),
    "string_to_integer": (obj({"a": S}), obj({"a": I}), NEITHER, NEITHER),
    "enum_extended": ({"enum": ["x", "y"]}, {"enum": ["x", "y", "z"]}, ONLY_BACKWARD, ONLY_BACKWARD),
    "enum_narrowed": ({"enum": ["x", "y"]}, {"enum": ["x"]}, ONLY_FORWARD, ONLY_FORWARD),
    "enum_changed": ({"enum": ["x", "y"]}, {"enum": ["x", "z"]}, NEITHER, NEITHER),
    "max_length_decreased": (
        {"type": "string", "maxLength": 10},
        {"type": "string", "maxLength": 5},
        ONLY_FORWARD,
        ONLY_FORWARD,
    ),
    "max_length_added": (S, {"type": "string", "maxLength": 5}, ONLY_FORWARD, ONLY_FORWARD),
    "min_length_removed": ({"type": "string", "minLength": 2}, S, ONLY_BACKWARD, ONLY_BACKWARD),
    "minimum_increased": (
        {"type": "number", "minimum": 0},
        {"type": "number", "minimum": 5},
        ONLY_FORWARD,
        ONLY_FORWARD,
    ),
    "maximum_increased": (
        {"type": "number", "maximum": 5},
        {"type": "number", "maximum": 9},
        ONLY_BACKWARD,
        ONLY_BACKWARD,
    ),
    "pattern_changed": ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, NEITHER, NEITHER),
    "multiple_of_reduced": (
        {"type": "number", "multipleOf": 4},
        {"type": "number", "multipleOf": 2},
        ONLY_BACKWARD,
        ONLY_BACKWARD,
    ),
    "oneof_extended": ({"oneOf": [S, I]}, {"oneOf": [S, I, {"type": "boolean"}]}, ONLY_BACKWARD, ONLY_BACKWARD),
    "string_to_nullable_string": (S, {"type": ["string", "null"]}, ONLY_BACKWARD, ONLY_BACKWARD),
    "anyof_to_oneof": ({"anyOf": [S, I]}, {"oneOf": [S, I]}, ONLY_FORWARD, ONLY_FORWARD),
    "allof_extended": (
        {"allOf": [S, {"maxLength": 9}]},
        {"allOf": [S, {"maxLength": 9}, {"minLength": 1}]},
        ONLY_FORWARD,
        ONLY_FORWARD,
    ),
    "array_items_type_changed": ({"type": "array", "items": S}, {"type": "array", "items": I}, NEITHER, NEITHER),
    "unique_items_added": (
        {"type": "array", "items": S},
        {"type": "array", "items": S, "uniqueItems": True},
        ONLY_FORWARD,
        ONLY_FORWARD,
    ),
    "format_and_title_changed": (
        {"type": "string", "format": "date", "title": "A"},
        {"type": "string", "format": "email", "title": "B"},
        BOTH,
        BOTH,
    ),
}


def set_config(http: httpx.Client, subject: str, **body: str) -> None:
    r = http.put(f"/config/{subject}", json=body)
    assert r.status_code == 200, r.text


def reg(http: httpx.Client, subject: str, schema: object, refs: list | None = None) -> httpx.Response:
    body: dict = {"schema": schema if isinstance(schema, str) else compact(schema), "schemaType": JT}
    if refs:
        body["references"] = refs
    return http.post(f"/subjects/{subject}/versions", json=body)


def check(http: httpx.Client, subject: str, schema: object, refs: list | None = None) -> dict:
    body: dict = {"schema": compact(schema), "schemaType": JT}
    if refs:
        body["references"] = refs
    r = http.post(f"/compatibility/subjects/{subject}/versions", json=body, params={"verbose": "true"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("policy", ["STRICT", "LENIENT"])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_verdict_per_level_and_policy(http: httpx.Client, subject: str, case: str, level: str, policy: str) -> None:
    old, new, strict, lenient = CASES[case]
    assert reg(http, subject, old).status_code == 200
    set_config(http, subject, compatibility=level, compatibilityPolicy=policy)
    expected = (strict if policy == "STRICT" else lenient)[BASE[level.split("_")[0]]]
    body = check(http, subject, new)
    assert body["is_compatible"] is expected, body
    if not expected:
        assert body["messages"][-1] == f"{{validateFields: 'false', compatibility: '{level}'}}"
    r = reg(http, subject, new)
    if expected:
        assert r.status_code == 200, r.text
    else:
        check_error(r, 409, 40901)


def entry(error_type: str, description: str) -> str:
    return f'{{errorType:"{error_type}", description:"{description}\'}}'


def stored(http: httpx.Client, subject: str, version: int) -> str:
    return http.get(f"/subjects/{subject}/versions/{version}").json()["schema"]


def test_type_changed_message_shape(http: httpx.Client, subject: str) -> None:
    reg(http, subject, obj({"age": S}))
    body = check(http, subject, obj({"age": I}))
    assert body == {
        "is_compatible": False,
        "messages": [
            entry(
                "TYPE_CHANGED",
                "A type at path '#/properties/age' is different between the new schema and the old schema",
            ),
            "{oldSchemaVersion: 1}",
            f"{{oldSchema: '{stored(http, subject, 1)}'}}",
            "{validateFields: 'false', compatibility: 'BACKWARD'}",
        ],
    }


def test_required_and_open_model_messages(http: httpx.Client, subject: str) -> None:
    reg(http, subject, obj({"a": S}))
    body = check(http, subject, obj({"a": S, "b": S}, ["a", "b"]))
    msgs = body["messages"]
    assert (
        entry(
            "REQUIRED_ATTRIBUTE_ADDED",
            "The keyword at path '#/required/a' in the new schema is not present in the old schema",
        )
        in msgs
    )
    assert (
        entry(
            "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
            "The new schema has an open content model and has a property or item at path '#/properties/b' "
            "which is missing in the old schema",
        )
        in msgs
    )


def test_forward_closed_model_message(http: httpx.Client, subject: str) -> None:
    set_config(http, subject, compatibility="FORWARD")
    reg(http, subject, obj({"a": S}, closed=True))
    body = check(http, subject, obj({"a": S, "b": S}, closed=True))
    assert body["messages"] == [
        entry(
            "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
            "The old has a closed content model and is missing a property or item present at path "
            "'#/properties/b' in the new schema",
        ),
        "{oldSchemaVersion: 1}",
        f"{{oldSchema: '{stored(http, subject, 1)}'}}",
        "{validateFields: 'false', compatibility: 'FORWARD'}",
    ]


def test_limit_and_enum_messages(http: httpx.Client, subject: str) -> None:
    reg(
        http,
        subject,
        obj(
            {"s": {"type": "string", "maxLength": 10}, "n": {"type": "number", "minimum": 0}, "e": {"enum": ["x", "y"]}}
        ),
    )
    msgs = check(
        http,
        subject,
        obj({"s": {"type": "string", "maxLength": 5}, "n": {"type": "number", "minimum": 1}, "e": {"enum": ["x"]}}),
    )["messages"]
    assert (
        entry(
            "MAX_LENGTH_DECREASED",
            "The value at path '#/properties/s/maxLength' in the new schema is less than its value in the old schema",
        )
        in msgs
    )
    assert (
        entry(
            "MINIMUM_INCREASED",
            "The value at path '#/properties/n/minimum' in the new schema is more than its value in the old schema",
        )
        in msgs
    )
    assert (
        entry(
            "ENUM_ARRAY_NARROWED",
            "An array or combined type at path '#/properties/e/enum' has fewer elements in the new schema than the "
            "old schema",
        )
        in msgs
    )


def test_combined_messages(http: httpx.Client, subject: str) -> None:
    reg(http, subject, {"anyOf": [S, I, {"type": "boolean"}]})
    narrowed = check(http, subject, {"anyOf": [S, I]})["messages"]
    assert narrowed[0] == entry(
        "SUM_TYPE_NARROWED",
        "An array or combined type at path '#/' has fewer elements in the new schema than the old schema",
    )
    changed = check(http, subject, {"allOf": [S, I, {"type": "boolean"}]})["messages"]
    assert changed[0] == entry(
        "COMBINED_TYPE_CHANGED", "A type at path '#/' is different between the new schema and the old schema"
    )


def test_lenient_via_global_config(fresh_registry: RegistryProcess) -> None:
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as http:
        subject = "lenient-value"
        assert reg(http, subject, obj({"a": S})).status_code == 200
        assert check(http, subject, obj({"a": S, "b": S}))["is_compatible"] is False
        r = http.put("/config", json={"compatibilityPolicy": "LENIENT"})
        assert r.status_code == 200, r.text
        assert http.get("/config").json().get("compatibilityPolicy") == "LENIENT"
        assert check(http, subject, obj({"a": S, "b": S}))["is_compatible"] is True
        # LENIENT does not relax real type changes
        assert check(http, subject, obj({"a": I}))["is_compatible"] is False
        # a subject-level STRICT overrides the global LENIENT
        http.put(f"/config/{subject}", json={"compatibilityPolicy": "STRICT"})
        assert check(http, subject, obj({"a": S, "b": S}))["is_compatible"] is False


def test_transitive_json(http: httpx.Client, subject: str) -> None:
    set_config(http, subject, compatibility="BACKWARD")
    v1 = obj({"a": S}, closed=True)
    v2 = obj({"a": S, "b": I}, closed=True)  # optional added to a closed model: compatible
    v3 = obj({"a": S, "b": S}, closed=True)  # b integer→string: incompatible with v2
    v3b = obj({"a": S, "b": N}, closed=True)  # b integer→number: extended, fine
    assert reg(http, subject, v1).status_code == 200
    assert reg(http, subject, v2).status_code == 200
    assert check(http, subject, v3)["is_compatible"] is False
    assert check(http, subject, v3b)["is_compatible"] is True
    # forward: v2 reads a candidate that now requires b; v1 (closed, no b) cannot
    candidate = obj({"a": S, "b": I}, ["b"], closed=True)
    set_config(http, subject, compatibility="FORWARD")
    assert check(http, subject, candidate)["is_compatible"] is True
    set_config(http, subject, compatibility="FORWARD_TRANSITIVE")
    body = check(http, subject, candidate)
    assert body["is_compatible"] is False
    assert "{oldSchemaVersion: 1}" in body["messages"]
    assert any("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" in m for m in body["messages"])


def test_ref_to_other_subject_is_followed(http: httpx.Client, subject: str) -> None:
    dep = f"{subject}-addr"
    url = "https://example.com/addr.json"
    set_config(http, dep, compatibility="NONE")
    assert reg(http, dep, {"$id": url, "type": "object", "properties": {"zip": S}}).status_code == 200
    assert reg(http, dep, {"$id": url, "type": "object", "properties": {"zip": I}}).status_code == 200
    main = {"type": "object", "properties": {"home": {"$ref": url}}}
    assert reg(http, subject, main, [{"name": url, "subject": dep, "version": 1}]).status_code == 200
    same = check(http, subject, main, [{"name": url, "subject": dep, "version": 1}])
    assert same["is_compatible"] is True
    changed = check(http, subject, main, [{"name": url, "subject": dep, "version": 2}])
    assert changed["is_compatible"] is False
    assert any("TYPE_CHANGED" in m and "zip" in m for m in changed["messages"]), changed


def test_register_refusal_message(http: httpx.Client, subject: str) -> None:
    reg(http, subject, obj({"a": S}))
    body = check_error(reg(http, subject, obj({"a": I})), 409, 40901)
    assert body["message"].startswith(
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}", details: ['
    )
    assert "#/properties/a" in body["message"]


def test_invalid_policy_is_rejected(http: httpx.Client, subject: str) -> None:
    r = http.put(f"/config/{subject}", json={"compatibilityPolicy": "SOMETIMES"})
    assert r.status_code in (400, 422) and "Traceback" not in r.text


PARTIAL = {"type": "object", "properties": {"a": S}, "patternProperties": {"^x": S}, "additionalProperties": False}


@pytest.mark.parametrize("policy", ["STRICT", "LENIENT"])
def test_partially_open_content_model(http: httpx.Client, subject: str, policy: str) -> None:
    set_config(http, subject, compatibilityPolicy=policy)
    reg(http, subject, PARTIAL)
    covered = check(http, subject, {**PARTIAL, "properties": {"a": S, "xa": S}})
    assert covered["is_compatible"] is True
    uncovered = check(http, subject, {**PARTIAL, "properties": {"a": S, "xb": I}})
    assert uncovered["is_compatible"] is False  # the TYPE_CHANGED under the marker stays fatal under LENIENT
    assert any("TYPE_CHANGED" in m and "#/properties/xb" in m for m in uncovered["messages"])
    not_covered = any("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" in m for m in uncovered["messages"])
    assert not_covered is (policy == "STRICT")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"type": "number", "exclusiveMaximum": 10}, {"type": "number", "exclusiveMaximum": 5}),
        ({"const": None}, {"const": 1}),
    ],
    ids=["exclusiveMaximum-decrease-without-maximum", "const-null"],
)
def test_confluent_crash_quirks_are_incompatible_not_500(
    http: httpx.Client, subject: str, old: dict, new: dict
) -> None:
    reg(http, subject, old)
    assert check(http, subject, new)["is_compatible"] is False
    check_error(reg(http, subject, new), 409, 40901)
