"""The seven compatibility levels applied to Protobuf schemas, with Confluent's verbose messages."""

from __future__ import annotations

import pytest

from charter.compat.levels import check_compatibility
from charter.compat.model import CompatibilityLevel as L
from charter.compat.protobuf import PROTOBUF_FORMAT, ProtobufSchema


def p3(body: str) -> ProtobufSchema:
    return PROTOBUF_FORMAT.parse(f'syntax = "proto3";\npackage acme;\n{body}\n', {})


V1 = p3("message Order { int32 id = 1; string note = 2; }")
V2 = p3("message Order { int32 id = 1; string note = 2; bool rush = 3; }")  # compatible both ways
V_SCALAR = p3("message Order { int32 id = 1; int32 note = 2; }")  # string -> int32
V_DROP = p3("message Other { int32 id = 1; }")  # Order removed (backward), Other removed (forward)


def kind_changed(reader: str, writer: str) -> str:
    return (
        '{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path \'#/Order/2\' '
        f'in the {reader} schema does not match its kind in the {writer} schema"}}'
    )


def removed(reader: str, writer: str, name: str) -> str:
    return (
        f'{{errorType:"MESSAGE_REMOVED", description:"The {reader} schema is missing a MESSAGE type at path '
        f"'#/{name}' in the {writer} schema\"}}"
    )


def old(schema: ProtobufSchema) -> str:
    return f"{{oldSchema: '{schema.canonical()}'}}"


@pytest.mark.parametrize("level", list(L))
def test_compatible_change_passes_every_level(level: L) -> None:
    result = check_compatibility(level, V2, [(1, V1)])
    assert result.is_compatible and result.messages == []


def test_none_never_checks() -> None:
    assert check_compatibility(L.NONE, V_DROP, [(1, V1)]).is_compatible


def test_backward() -> None:
    result = check_compatibility(L.BACKWARD, V_SCALAR, [(3, V1)])
    assert result.messages == [
        kind_changed("new", "old"),
        "{oldSchemaVersion: 3}",
        old(V1),
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]
    assert result.messages[2].startswith('{oldSchema: \'syntax = "proto3";\npackage acme;\n\nmessage Order {\n')


def test_forward() -> None:
    result = check_compatibility(L.FORWARD, V_SCALAR, [(3, V1)])
    assert result.messages == [
        kind_changed("old", "new"),
        "{oldSchemaVersion: 3}",
        old(V1),
        "{validateFields: 'false', compatibility: 'FORWARD'}",
    ]


def test_backward_and_forward_differ_for_a_removed_message() -> None:
    backward = check_compatibility(L.BACKWARD, V_DROP, [(1, V1)])
    assert backward.messages[0] == removed("new", "old", "Order")
    forward = check_compatibility(L.FORWARD, V_DROP, [(1, V1)])
    assert forward.messages[0] == removed("old", "new", "Other")


def test_full_concatenates_forward_then_backward() -> None:
    result = check_compatibility(L.FULL, V_DROP, [(2, V1)], validate_fields=True)
    assert result.messages == [
        removed("old", "new", "Other"),
        removed("new", "old", "Order"),
        "{oldSchemaVersion: 2}",
        old(V1),
        "{validateFields: 'true', compatibility: 'FULL'}",
    ]


def test_non_transitive_levels_check_only_the_latest() -> None:
    assert check_compatibility(L.BACKWARD, V_SCALAR, [(2, V_SCALAR), (1, V1)]).is_compatible
    assert check_compatibility(L.FORWARD, V_SCALAR, [(2, V_SCALAR), (1, V1)]).is_compatible
    assert check_compatibility(L.FULL, V_SCALAR, [(2, V_SCALAR), (1, V1)]).is_compatible


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (L.BACKWARD_TRANSITIVE, [kind_changed("new", "old"), "{oldSchemaVersion: 1}"]),
        (L.FORWARD_TRANSITIVE, [kind_changed("old", "new"), "{oldSchemaVersion: 1}"]),
        (L.FULL_TRANSITIVE, [kind_changed("old", "new"), kind_changed("new", "old"), "{oldSchemaVersion: 1}"]),
    ],
)
def test_transitive_levels_reach_older_versions(level: L, expected: list[str]) -> None:
    result = check_compatibility(level, V_SCALAR, [(2, V_SCALAR), (1, V1)])
    assert not result.is_compatible
    assert result.messages == [*expected, old(V1), f"{{validateFields: 'false', compatibility: '{level.value}'}}"]


def test_transitive_stops_at_the_newest_failing_version() -> None:
    result = check_compatibility(L.BACKWARD_TRANSITIVE, V_SCALAR, [(3, V_DROP), (2, V1)])
    assert result.messages[0] == removed("new", "old", "Other")
    assert "{oldSchemaVersion: 3}" in result.messages
    assert "{oldSchemaVersion: 2}" not in result.messages


def test_different_schema_type() -> None:
    from charter.compat.avro import AVRO_FORMAT

    avro = AVRO_FORMAT.parse('{"type":"record","name":"R","fields":[]}', {})
    result = check_compatibility(L.BACKWARD, V1, [(1, avro)])
    assert result.messages[0] == "Incompatible because of different schema type"
