"""The seven compatibility levels applied to Avro schemas, with Confluent's verbose message lists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from charter.compat.avro import AVRO_FORMAT, AvroSchema
from charter.compat.levels import check_compatibility
from charter.compat.model import CompatibilityLevel as L


def parse(schema: Any) -> AvroSchema:
    return AVRO_FORMAT.parse(json.dumps(schema), {})


def rec(*fields: dict[str, Any]) -> AvroSchema:
    return parse({"type": "record", "name": "R", "fields": list(fields)})


A = {"name": "a", "type": "int"}
B = {"name": "b", "type": "string"}
B_OPT = {"name": "b", "type": "string", "default": ""}
C = {"name": "c", "type": "long"}

V1 = rec(A)
V2 = rec(A, B_OPT)
V3_ADD_B = rec(A, B)  # adds b without default
V_DROP_A = rec(B_OPT)

MISSING_B_NEW = (
    "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new "
    "schema has no default value and is missing in the old schema', additionalInfo:'b'}"
)
MISSING_A_OLD = (
    "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'a' at path '/fields/0' in the old "
    "schema has no default value and is missing in the new schema', additionalInfo:'a'}"
)


def old_schema(s: AvroSchema) -> str:
    return f"{{oldSchema: '{s.canonical()}'}}"


@pytest.mark.parametrize("level", list(L))
def test_compatible_change_passes_every_level(level: L) -> None:
    result = check_compatibility(level, V2, [(1, V1)])
    assert result.is_compatible and result.messages == []


def test_none_never_checks() -> None:
    assert check_compatibility(L.NONE, rec(C), [(1, V1)]).is_compatible


def test_empty_history_is_compatible() -> None:
    assert check_compatibility(L.FULL_TRANSITIVE, V3_ADD_B, []).is_compatible


def test_backward_message_list() -> None:
    result = check_compatibility(L.BACKWARD, V3_ADD_B, [(1, V1)])
    assert not result.is_compatible
    assert result.messages == [
        MISSING_B_NEW,
        "{oldSchemaVersion: 1}",
        old_schema(V1),
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]
    assert result.messages[2] == '{oldSchema: \'{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}\'}'


def test_backward_allows_what_forward_rejects() -> None:
    assert check_compatibility(L.BACKWARD, V_DROP_A, [(4, V2)]).is_compatible
    result = check_compatibility(L.FORWARD, V_DROP_A, [(4, V2)], validate_fields=True)
    assert result.messages == [
        MISSING_A_OLD,
        "{oldSchemaVersion: 4}",
        old_schema(V2),
        "{validateFields: 'true', compatibility: 'FORWARD'}",
    ]


def test_full_forward_half_first_without_version_entries() -> None:
    old = rec(A, {"name": "x", "type": "int"})
    new = rec({"name": "x", "type": "long"}, B)  # drops a, adds b without default, widens x
    result = check_compatibility(L.FULL, new, [(2, old)])
    forward_x = (
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/1/type') of a field in the old schema "
        "does not match with the new schema', additionalInfo:'reader type: INT not compatible with writer type: LONG'}"
    )
    assert result.messages == [
        MISSING_A_OLD,
        forward_x,
        MISSING_B_NEW,
        "{oldSchemaVersion: 2}",
        old_schema(old),
        "{validateFields: 'false', compatibility: 'FULL'}",
    ]


def test_full_with_only_forward_problems_has_no_version_entries() -> None:
    result = check_compatibility(L.FULL, V_DROP_A, [(1, V2)])
    assert result.messages == [MISSING_A_OLD, "{validateFields: 'false', compatibility: 'FULL'}"]


def test_non_transitive_checks_latest_only() -> None:
    # compatible with v2 (latest) but not with v1
    v1 = rec(A, {"name": "z", "type": "int"})
    v2 = rec(A)
    candidate = rec(A, {"name": "z", "type": "string", "default": ""})
    assert check_compatibility(L.FORWARD, candidate, [(2, v2), (1, v1)]).is_compatible
    result = check_compatibility(L.FORWARD_TRANSITIVE, candidate, [(2, v2), (1, v1)])
    assert not result.is_compatible
    assert result.messages[-3:] == [
        "{oldSchemaVersion: 1}",
        old_schema(v1),
        "{validateFields: 'false', compatibility: 'FORWARD_TRANSITIVE'}",
    ]


def test_transitive_stops_at_first_failing_version_newest_first() -> None:
    v1 = rec(A)
    v2 = rec(A, C)
    v3 = rec(A, C, {"name": "d", "type": "int"})
    candidate = rec(A, C, {"name": "d", "type": "int"}, B)  # b without default: fails against all
    result = check_compatibility(L.BACKWARD_TRANSITIVE, candidate, [(3, v3), (2, v2), (1, v1)])
    assert result.messages == [
        MISSING_B_NEW.replace("/fields/1", "/fields/3"),
        "{oldSchemaVersion: 3}",
        old_schema(v3),
        "{validateFields: 'false', compatibility: 'BACKWARD_TRANSITIVE'}",
    ]


def test_full_transitive() -> None:
    v1 = rec(A, {"name": "z", "type": "int"})
    v2 = rec(A)
    candidate = rec(A, B_OPT)
    assert check_compatibility(L.FULL, candidate, [(2, v2), (1, v1)]).is_compatible
    result = check_compatibility(L.FULL_TRANSITIVE, candidate, [(2, v2), (1, v1)])
    assert result.messages == [
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'z' at path '/fields/1' in the "
        "old schema has no default value and is missing in the new schema', additionalInfo:'z'}",
        "{validateFields: 'false', compatibility: 'FULL_TRANSITIVE'}",
    ]


def test_long_old_schema_is_truncated() -> None:
    fields = [{"name": f"field_number_{i:04d}", "type": "string", "doc": "x" * 40} for i in range(200)]
    old = rec(*fields)
    assert len(old.canonical()) > 10240
    result = check_compatibility(L.BACKWARD, rec(*fields, B), [(7, old)])
    assert result.messages[2] == f"{{oldSchema: <truncated> '{old.canonical()[:10240]}...'}}"


def test_unexpected_exception_message_in_level_output() -> None:
    writer = rec(A, {"name": "b", "type": "int"})
    reader = rec({"name": "a", "type": "int", "aliases": ["b"]})
    result = check_compatibility(L.BACKWARD, reader, [(1, writer)])
    assert result.messages[0].startswith(
        "Unexpected exception during compatibility check: Reader record field a type:INT pos:0 matches multiple"
    )
    assert result.messages[1:] == [
        "{oldSchemaVersion: 1}",
        old_schema(writer),
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]
