"""HTTP tests for Protobuf compatibility at all seven levels, by Confluent's rules.

Expectations come from compat-rules.md §1 and §4 (Confluent's protobuf ``SchemaDiff``): the diff
runs from original (the writer) to update (the reader), so BACKWARD diffs old→new and FORWARD
new→old. Wire-compatible scalar groups, field removal/renumbering/renaming (allowed), message
removal, oneof moves, enum changes (all allowed), package changes and proto2 ``required``.
Also the verbose message shapes and the 409/40901 register refusal.
"""

from __future__ import annotations

import httpx
import pytest
from support.http import check_error

PT = "PROTOBUF"
LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"]
BASE = {"NONE": 0, "BACKWARD": 1, "FORWARD": 2, "FULL": 3}
SCALAR_KIND = "The kind of a SCALAR field at path '{}' in the new schema does not match its kind in the old schema"
NAMED_TYPE = "The type of a MESSAGE field at path '{}' in the new schema does not match its type in the old schema"
NUMERIC_LABEL = (
    "The label for a NUMERIC field at path '{}' in the new schema does not match its label in the old schema"
)


def p3(body: str, package: str = "demo") -> str:
    pkg = f"package {package};\n" if package else ""
    return f'syntax = "proto3";\n{pkg}{body}'


def p2(body: str) -> str:
    return f'syntax = "proto2";\npackage demo;\n{body}'


def msg(fields: str, name: str = "Order") -> str:
    return f"message {name} {{\n{fields}}}\n"


BOTH = (True, True, True, True)
NEITHER = (True, False, False, False)
ONLY_BACKWARD = (True, True, False, False)
ONLY_FORWARD = (True, False, True, False)

# (old, new, verdicts for NONE, BACKWARD, FORWARD, FULL)
CASES = {
    "int32_to_int64_same_group": (p3(msg("  int32 a = 1;\n")), p3(msg("  int64 a = 1;\n")), BOTH),
    "uint64_to_bool_same_group": (p3(msg("  uint64 a = 1;\n")), p3(msg("  bool a = 1;\n")), BOTH),
    "sint32_to_sint64_signed_group": (p3(msg("  sint32 a = 1;\n")), p3(msg("  sint64 a = 1;\n")), BOTH),
    "fixed32_to_sfixed32": (p3(msg("  fixed32 a = 1;\n")), p3(msg("  sfixed32 a = 1;\n")), BOTH),
    "string_to_bytes": (p3(msg("  string a = 1;\n")), p3(msg("  bytes a = 1;\n")), BOTH),
    "int32_to_sint32_across_groups": (p3(msg("  int32 a = 1;\n")), p3(msg("  sint32 a = 1;\n")), NEITHER),
    "int32_to_fixed32": (p3(msg("  int32 a = 1;\n")), p3(msg("  fixed32 a = 1;\n")), NEITHER),
    "float_to_double": (p3(msg("  float a = 1;\n")), p3(msg("  double a = 1;\n")), NEITHER),
    "int32_to_string": (p3(msg("  int32 a = 1;\n")), p3(msg("  string a = 1;\n")), NEITHER),
    "enum_to_int32": (
        p3(msg("  E a = 1;\n") + "enum E {\n  Z = 0;\n}\n"),
        p3(msg("  int32 a = 1;\n") + "enum E {\n  Z = 0;\n}\n"),
        BOTH,
    ),
    "bytes_to_message": (
        p3(msg("  bytes a = 1;\n") + msg("  int32 x = 1;\n", "Sub")),
        p3(msg("  Sub a = 1;\n") + msg("  int32 x = 1;\n", "Sub")),
        NEITHER,
    ),
    "message_to_other_message": (
        p3(msg("  A a = 1;\n") + msg("  int32 x = 1;\n", "A") + msg("  int32 x = 1;\n", "B")),
        p3(msg("  B a = 1;\n") + msg("  int32 x = 1;\n", "A") + msg("  int32 x = 1;\n", "B")),
        NEITHER,
    ),
    "scalar_to_map": (p3(msg("  string a = 1;\n")), p3(msg("  map<string, string> a = 1;\n")), NEITHER),
    "field_removed": (p3(msg("  int32 a = 1;\n  string b = 2;\n")), p3(msg("  int32 a = 1;\n")), BOTH),
    "field_added": (p3(msg("  int32 a = 1;\n")), p3(msg("  int32 a = 1;\n  string b = 2;\n")), BOTH),
    "field_renumbered": (p3(msg("  int32 a = 1;\n")), p3(msg("  int32 a = 2;\n")), BOTH),
    "field_renamed": (p3(msg("  int32 a = 1;\n")), p3(msg("  int32 renamed = 1;\n")), BOTH),
    "proto3_scalar_to_repeated": (p3(msg("  int32 a = 1;\n")), p3(msg("  repeated int32 a = 1;\n")), BOTH),
    "message_removed": (
        p3(msg("  int32 a = 1;\n") + msg("  int32 x = 1;\n", "Extra")),
        p3(msg("  int32 a = 1;\n")),
        ONLY_FORWARD,
    ),
    "message_added": (
        p3(msg("  int32 a = 1;\n")),
        p3(msg("  int32 a = 1;\n") + msg("  int32 x = 1;\n", "Extra")),
        ONLY_BACKWARD,
    ),
    "messages_reordered": (
        p3(msg("  int32 a = 1;\n") + msg("  int32 x = 1;\n", "B")),
        p3(msg("  int32 x = 1;\n", "B") + msg("  int32 a = 1;\n")),
        BOTH,
    ),
    "package_changed": (p3(msg("  int32 a = 1;\n")), p3(msg("  int32 a = 1;\n"), "other"), NEITHER),
    "package_added": (p3(msg("  int32 a = 1;\n"), ""), p3(msg("  int32 a = 1;\n")), NEITHER),
    "enum_value_added": (
        p3(msg("  E e = 1;\n") + "enum E {\n  A = 0;\n}\n"),
        p3(msg("  E e = 1;\n") + "enum E {\n  A = 0;\n  B = 1;\n}\n"),
        BOTH,
    ),
    "enum_value_removed_and_renamed": (
        p3(msg("  E e = 1;\n") + "enum E {\n  A = 0;\n  B = 1;\n  C = 2;\n}\n"),
        p3(msg("  E e = 1;\n") + "enum E {\n  A = 0;\n  BEE = 1;\n}\n"),
        BOTH,
    ),
    "unused_enum_removed": (p3(msg("  int32 a = 1;\n") + "enum E {\n  A = 0;\n}\n"), p3(msg("  int32 a = 1;\n")), BOTH),
    "field_into_new_oneof": (
        p3(msg("  string a = 1;\n  int32 b = 2;\n")),
        p3(msg("  int32 b = 2;\n  oneof o {\n    string a = 1;\n  }\n")),
        BOTH,
    ),
    "field_into_existing_oneof": (
        p3(msg("  string a = 1;\n  oneof o {\n    string b = 2;\n  }\n")),
        p3(msg("  oneof o {\n    string a = 1;\n    string b = 2;\n  }\n")),
        ONLY_FORWARD,
    ),
    "two_fields_into_new_oneof": (
        p3(msg("  string a = 1;\n  string b = 2;\n")),
        p3(msg("  oneof o {\n    string a = 1;\n    string b = 2;\n  }\n")),
        ONLY_FORWARD,
    ),
    "oneof_member_removed": (
        p3(msg("  oneof o {\n    string a = 1;\n    string b = 2;\n  }\n")),
        p3(msg("  oneof o {\n    string a = 1;\n  }\n")),
        ONLY_FORWARD,
    ),
    "oneof_renamed": (
        p3(msg("  oneof o {\n    string a = 1;\n    string b = 2;\n  }\n")),
        p3(msg("  oneof p {\n    string a = 1;\n    string b = 2;\n  }\n")),
        BOTH,
    ),
    "oneof_member_added": (
        p3(msg("  oneof o {\n    string a = 1;\n  }\n")),
        p3(msg("  oneof o {\n    string a = 1;\n    string b = 2;\n  }\n")),
        ONLY_BACKWARD,
    ),
    "proto2_required_added": (
        p2(msg("  optional int32 a = 1;\n")),
        p2(msg("  optional int32 a = 1;\n  required int32 b = 2;\n")),
        NEITHER,
    ),
    "proto2_optional_added": (
        p2(msg("  optional int32 a = 1;\n")),
        p2(msg("  optional int32 a = 1;\n  optional int32 b = 2;\n")),
        BOTH,
    ),
    "proto2_numeric_optional_to_repeated": (
        p2(msg("  optional int32 a = 1;\n")),
        p2(msg("  repeated int32 a = 1;\n")),
        NEITHER,
    ),
    "proto2_numeric_required_to_optional": (
        p2(msg("  required int32 a = 1;\n")),
        p2(msg("  optional int32 a = 1;\n")),
        NEITHER,
    ),
    "proto2_string_optional_to_repeated": (
        p2(msg("  optional string a = 1;\n")),
        p2(msg("  repeated string a = 1;\n")),
        BOTH,
    ),
    "syntax_proto2_to_proto3": (p2(msg("  optional int32 a = 1;\n")), p3(msg("  int32 a = 1;\n")), BOTH),
    "nested_message_field_type_changed": (
        p3(msg("  Inner i = 1;\n  message Inner {\n    int32 x = 1;\n  }\n")),
        p3(msg("  Inner i = 1;\n  message Inner {\n    string x = 1;\n  }\n")),
        NEITHER,
    ),
}


def set_level(http: httpx.Client, subject: str, level: str) -> None:
    r = http.put(f"/config/{subject}", json={"compatibility": level})
    assert r.status_code == 200, r.text


def reg(http: httpx.Client, subject: str, schema: str) -> httpx.Response:
    return http.post(f"/subjects/{subject}/versions", json={"schema": schema, "schemaType": PT})


def check(http: httpx.Client, subject: str, schema: str, version: str | None = None) -> dict:
    url = f"/compatibility/subjects/{subject}/versions" + (f"/{version}" if version else "")
    r = http.post(url, json={"schema": schema, "schemaType": PT}, params={"verbose": "true"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_verdict_per_level(http: httpx.Client, subject: str, case: str, level: str) -> None:
    old, new, verdicts = CASES[case]
    assert reg(http, subject, old).status_code == 200
    set_level(http, subject, level)
    expected = verdicts[BASE[level.split("_")[0]]]
    body = check(http, subject, new)
    assert body["is_compatible"] is expected, body
    if expected:
        assert body.get("messages", []) == []
    else:
        assert body["messages"][-1] == f"{{validateFields: 'false', compatibility: '{level}'}}"
    r = reg(http, subject, new)
    if expected:
        assert r.status_code == 200, r.text
    else:
        check_error(r, 409, 40901)


def entry(error_type: str, description: str) -> str:
    return f'{{errorType:"{error_type}", description:"{description}"}}'


def stored(http: httpx.Client, subject: str, version: int) -> str:
    return http.get(f"/subjects/{subject}/versions/{version}").json()["schema"]


def test_backward_message_shape(http: httpx.Client, subject: str) -> None:
    reg(http, subject, p3(msg("  int32 a = 1;\n  int32 b = 2;\n")))
    body = check(http, subject, p3(msg("  int32 a = 1;\n  string b = 2;\n")))
    assert body == {
        "is_compatible": False,
        "messages": [
            entry(
                "FIELD_SCALAR_KIND_CHANGED",
                SCALAR_KIND.format("#/Order/2"),
            ),
            "{oldSchemaVersion: 1}",
            f"{{oldSchema: '{stored(http, subject, 1)}'}}",
            "{validateFields: 'false', compatibility: 'BACKWARD'}",
        ],
    }


def test_message_removed_and_package_changed_messages(http: httpx.Client, subject: str) -> None:
    reg(http, subject, p3(msg("  int32 a = 1;\n") + msg("  int32 x = 1;\n", "Gone")))
    body = check(http, subject, p3(msg("  int32 a = 1;\n"), "moved"))
    assert (
        entry("PACKAGE_CHANGED", "The package at '#/' in the new schema does not match the package in the old schema")
        in body["messages"]
    )
    assert (
        entry("MESSAGE_REMOVED", "The new schema is missing a MESSAGE type at path '#/Gone' in the old schema")
        in body["messages"]
    )


def test_full_puts_forward_messages_first_without_old_schema(http: httpx.Client, subject: str) -> None:
    set_level(http, subject, "FULL")
    reg(http, subject, p2(msg("  optional int32 a = 1;\n")))
    body = check(http, subject, p2(msg("  optional int32 a = 1;\n  required int32 b = 2;\n")))
    assert body["messages"] == [
        entry(
            "REQUIRED_FIELD_REMOVED",
            "The old schema is missing a required field at path: '#/Order/2' in the new schema",
        ),
        entry(
            "REQUIRED_FIELD_ADDED",
            "A required field  at path '#/Order/2' in the new schema is missing in the old schema",
        ),
        "{oldSchemaVersion: 1}",
        f"{{oldSchema: '{stored(http, subject, 1)}'}}",
        "{validateFields: 'false', compatibility: 'FULL'}",
    ]


def test_oneof_messages_name_the_oneof(http: httpx.Client, subject: str) -> None:
    reg(
        http,
        subject,
        p3(msg("  string a = 1;\n  string b = 2;\n  oneof o {\n    string c = 3;\n    string d = 4;\n  }\n")),
    )
    multi = check(
        http,
        subject,
        p3(
            msg(
                "  oneof o {\n    string c = 3;\n    string d = 4;\n  }\n"
                "  oneof n {\n    string a = 1;\n    string b = 2;\n  }\n"
            )
        ),
    )
    assert multi["messages"][0] == entry(
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        "Multiple fields in the oneof at path '#/Order/n' in the new schema are outside a oneof in the old schema",
    )
    removed = check(http, subject, p3(msg("  string a = 1;\n  string b = 2;\n  oneof o {\n    string c = 3;\n  }\n")))
    assert removed["messages"][0] == entry(
        "ONEOF_FIELD_REMOVED", "The new schema is missing a oneof field at path '#/Order/o/4' in the old schema"
    )
    existing = check(
        http,
        subject,
        p3(msg("  string b = 2;\n  oneof o {\n    string a = 1;\n    string c = 3;\n    string d = 4;\n  }\n")),
    )
    assert existing["messages"][0] == entry(
        "FIELD_MOVED_TO_EXISTING_ONEOF",
        "A field in the oneof at path '#/Order/o' in the new schema is outside an existing oneof in the old schema",
    )


def test_kind_and_named_type_messages(http: httpx.Client, subject: str) -> None:
    reg(
        http,
        subject,
        p3(msg("  bytes a = 1;\n  A b = 2;\n") + msg("  int32 x = 1;\n", "A") + msg("  int32 x = 1;\n", "B")),
    )
    body = check(
        http, subject, p3(msg("  A a = 1;\n  B b = 2;\n") + msg("  int32 x = 1;\n", "A") + msg("  int32 x = 1;\n", "B"))
    )
    assert body["messages"][:2] == [
        entry(
            "FIELD_KIND_CHANGED",
            "The type of a field at path '#/Order/1' in the new schema does not match the old schema",
        ),
        entry(
            "FIELD_NAMED_TYPE_CHANGED",
            NAMED_TYPE.format("#/Order/2"),
        ),
    ]


def test_numeric_label_message(http: httpx.Client, subject: str) -> None:
    reg(http, subject, p2(msg("  optional int64 a = 1;\n")))
    body = check(http, subject, p2(msg("  repeated int64 a = 1;\n")))
    assert body["messages"][0] == entry(
        "FIELD_NUMERIC_LABEL_CHANGED",
        NUMERIC_LABEL.format("#/Order/1"),
    )


def test_register_refusal_message(http: httpx.Client, subject: str) -> None:
    reg(http, subject, p3(msg("  int32 a = 1;\n")))
    body = check_error(reg(http, subject, p3(msg("  string a = 1;\n"))), 409, 40901)
    assert body["message"].startswith(
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}", details: ['
    )
    assert "FIELD_SCALAR_KIND_CHANGED" in body["message"] and "#/Order/1" in body["message"]


def test_transitive_checks_every_version_newest_first(http: httpx.Client, subject: str) -> None:
    v1 = p3(msg("  int32 a = 1;\n"))
    v2 = p3(msg("  string z = 9;\n"))  # a removed: compatible
    v3 = p3(msg("  string z = 9;\n  string a = 1;\n"))  # 1 re-added as string: fine vs v2, not vs v1
    assert reg(http, subject, v1).status_code == 200
    assert reg(http, subject, v2).status_code == 200
    set_level(http, subject, "BACKWARD")
    assert check(http, subject, v3)["is_compatible"] is True
    set_level(http, subject, "BACKWARD_TRANSITIVE")
    body = check(http, subject, v3)
    assert body["is_compatible"] is False
    assert "{oldSchemaVersion: 1}" in body["messages"]
    # a single chosen version is checked even at a transitive level
    assert check(http, subject, v3, "2")["is_compatible"] is True
    assert check(http, subject, v3, "1")["is_compatible"] is False


def test_unparsable_candidate_in_compatibility_check(http: httpx.Client, subject: str) -> None:
    reg(http, subject, p3(msg("  int32 a = 1;\n")))
    bad = 'syntax = "proto3";\nmessage Order {\n  int32 a = \n}\n'
    r = http.post(f"/compatibility/subjects/{subject}/versions/latest", json={"schema": bad, "schemaType": PT})
    check_error(r, 422, 42201)
    url = f"/compatibility/subjects/{subject}/versions/latest?verbose=true"
    rv = http.post(url, json={"schema": bad, "schemaType": PT}).json()  # verbose: a verdict carrying the error
    assert rv["is_compatible"] is False and any("3:" in m or "4:" in m for m in rv["messages"]), rv


def test_different_schema_type_is_incompatible(http: httpx.Client, subject: str) -> None:
    reg(http, subject, p3(msg("  int32 a = 1;\n")))
    r = http.post(
        f"/compatibility/subjects/{subject}/versions",
        params={"verbose": "true"},
        json={"schema": '{"type":"object"}', "schemaType": "JSON"},
    )
    assert r.status_code == 200
    assert r.json()["is_compatible"] is False
    assert "Incompatible because of different schema type" in r.json()["messages"]


def test_change_inside_a_referenced_file_is_found(http: httpx.Client, subject: str) -> None:
    dep = f"{subject}-money"
    set_level(http, dep, "NONE")
    assert reg(http, dep, p3(msg("  string currency = 1;\n", "Money"), "common")).status_code == 200
    assert reg(http, dep, p3(msg("  int32 currency = 1;\n", "Money"), "common")).status_code == 200
    main = p3(msg("  common.Money price = 1;\n", "Item"), "").replace('";\n', '";\nimport "m.proto";\n', 1)
    body = {"schema": main, "schemaType": PT, "references": [{"name": "m.proto", "subject": dep, "version": 1}]}
    assert http.post(f"/subjects/{subject}/versions", json=body).status_code == 200
    same = http.post(f"/compatibility/subjects/{subject}/versions", json=body, params={"verbose": "true"}).json()
    assert same["is_compatible"] is True
    body["references"][0]["version"] = 2
    changed = http.post(f"/compatibility/subjects/{subject}/versions", json=body, params={"verbose": "true"}).json()
    assert changed["messages"][:2] == [
        entry(
            "FIELD_SCALAR_KIND_CHANGED",
            SCALAR_KIND.format("#/Money/1"),
        ),
        entry(
            "FIELD_NAMED_TYPE_CHANGED",
            NAMED_TYPE.format("#/Item/1"),
        ),
    ]
    check_error(http.post(f"/subjects/{subject}/versions", json=body), 409, 40901)
