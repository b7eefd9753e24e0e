"""Confluent's Protobuf SchemaDiff (compat-rules §4.1-4.4): each difference type and scalar group.

``diffs(writer, reader)`` lists every difference (compatible ones too) as ``(type, path)``;
``errors(writer, reader)`` the reported incompatibilities.
"""

from __future__ import annotations

import pytest

from charter.compat.protobuf import COMPATIBLE, INCOMPATIBLE, PROTOBUF_FORMAT, ProtobufSchema


def parse(text: str, deps: dict[str, ProtobufSchema] | None = None) -> ProtobufSchema:
    return PROTOBUF_FORMAT.parse(text, deps or {})


def p3(body: str, package: str = "acme") -> ProtobufSchema:
    return parse(f'syntax = "proto3";\npackage {package};\n{body}\n')


def p2(body: str) -> ProtobufSchema:
    return parse(f'syntax = "proto2";\npackage acme;\n{body}\n')


def diffs(writer: ProtobufSchema, reader: ProtobufSchema) -> list[tuple[str, str]]:
    return [(d.type, d.path) for d in reader.differences(writer)]


def errors(writer: ProtobufSchema, reader: ProtobufSchema) -> list[tuple[str, str]]:
    return [(i.error_type, i.path) for i in reader.incompatibilities(writer)]


def test_identical_schema_has_no_difference() -> None:
    s = p3("message M { int32 a = 1; string b = 2; map<string, M> m = 3; oneof o { int64 c = 4; } }")
    assert diffs(s, s) == []


def test_package_change() -> None:
    assert errors(p3("message M {}", "a"), p3("message M {}", "b")) == [("PACKAGE_CHANGED", "#/")]
    no_package = parse('syntax = "proto3";\nmessage M {}\n')
    assert errors(no_package, p3("message M {}")) == [("PACKAGE_CHANGED", "#/")]


def test_message_removed_added_moved() -> None:
    writer = p3("message A {} message B {}")
    reader = p3("message B {} message C {}")
    assert diffs(writer, reader) == [
        ("MESSAGE_REMOVED", "#/A"),
        ("MESSAGE_MOVED", "#/B"),
        ("MESSAGE_ADDED", "#/C"),
    ]
    assert errors(writer, reader) == [("MESSAGE_REMOVED", "#/A")]
    # forward direction: nothing removed, so compatible
    assert errors(reader, p3("message B {} message C {} message A {}")) == []


def test_nested_message_removed_has_nested_path() -> None:
    writer = p3("message Outer { message Inner { int32 a = 1; } Inner i = 1; }")
    reader = p3("message Outer { message Inner2 { int32 a = 1; } Inner2 i = 1; }")
    assert errors(writer, reader) == [
        ("FIELD_NAMED_TYPE_CHANGED", "#/Outer/1"),
        ("MESSAGE_REMOVED", "#/Outer/Inner"),
    ]


def test_field_added_removed_renamed_renumbered_are_compatible() -> None:
    writer = p3("message M { int32 a = 1; string b = 2; }")
    reader = p3("message M { int32 renamed = 1; string b = 3; }")
    assert diffs(writer, reader) == [
        ("FIELD_NAME_CHANGED", "#/M/1"),
        ("FIELD_REMOVED", "#/M/2"),
        ("FIELD_ADDED", "#/M/3"),
    ]
    assert errors(writer, reader) == []


def test_required_field_added_and_removed() -> None:
    writer = p2("message M { required int32 a = 1; }")
    reader = p2("message M { required int32 b = 2; }")
    assert errors(writer, reader) == [("REQUIRED_FIELD_REMOVED", "#/M/1"), ("REQUIRED_FIELD_ADDED", "#/M/2")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("int32", "int64"),
        ("int32", "uint32"),
        ("uint64", "bool"),
        ("int64", "E"),
        ("sint32", "sint64"),
        ("string", "bytes"),
        ("fixed32", "sfixed32"),
        ("fixed64", "sfixed64"),
    ],
)
def test_scalar_changes_within_a_group_are_compatible(old: str, new: str) -> None:
    enum = "enum E { Z = 0; }"
    assert errors(p3(f"{enum} message M {{ {old} f = 1; }}"), p3(f"{enum} message M {{ {new} f = 1; }}")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("int32", "sint32"),
        ("int64", "fixed64"),
        ("sint64", "sfixed64"),
        ("fixed32", "fixed64"),
        ("float", "double"),
        ("string", "int32"),
        ("bytes", "float"),
        ("E", "sint32"),
        ("bool", "double"),
    ],
)
def test_scalar_changes_across_groups_are_incompatible(old: str, new: str) -> None:
    enum = "enum E { Z = 0; }"
    result = errors(p3(f"{enum} message M {{ {old} f = 1; }}"), p3(f"{enum} message M {{ {new} f = 1; }}"))
    assert result == [("FIELD_SCALAR_KIND_CHANGED", "#/M/1")]


def test_enum_to_other_enum_is_compatible() -> None:
    writer = p3("enum A { A0 = 0; } enum B { B0 = 0; } message M { A f = 1; }")
    reader = p3("enum A { A0 = 0; } enum B { B0 = 0; } message M { B f = 1; }")
    assert errors(writer, reader) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("bytes", "N"),
        ("E", "N"),
        ("int32", "map<string, int32>"),
        ("map<string, int32>", "N"),
    ],
)
def test_field_kind_changes(old: str, new: str) -> None:
    defs = "enum E { Z = 0; } message N { int32 x = 1; }"
    result = errors(p3(f"{defs} message M {{ {old} f = 1; }}"), p3(f"{defs} message M {{ {new} f = 1; }}"))
    assert result == [("FIELD_KIND_CHANGED", "#/M/1")]


def test_proto3_unlabeled_to_repeated_is_compatible() -> None:
    assert errors(p3("message M { int32 f = 1; }"), p3("message M { repeated int32 f = 1; }")) == []


def test_proto3_optional_to_repeated_numeric_is_incompatible() -> None:
    result = errors(p3("message M { optional int32 f = 1; }"), p3("message M { repeated int32 f = 1; }"))
    assert result == [("FIELD_NUMERIC_LABEL_CHANGED", "#/M/1")]


def test_proto2_labels() -> None:
    assert errors(p2("message M { optional int32 f = 1; }"), p2("message M { repeated int32 f = 1; }")) == [
        ("FIELD_NUMERIC_LABEL_CHANGED", "#/M/1")
    ]
    assert errors(p2("message M { required int64 f = 1; }"), p2("message M { optional int64 f = 1; }")) == [
        ("FIELD_NUMERIC_LABEL_CHANGED", "#/M/1")
    ]
    writer, reader = p2("message M { required string f = 1; }"), p2("message M { optional string f = 1; }")
    assert errors(writer, reader) == []
    assert diffs(writer, reader) == [("FIELD_STRING_OR_BYTES_LABEL_CHANGED", "#/M/1")]


def test_message_labels_are_not_checked() -> None:
    assert (
        errors(p2("message N {} message M { optional N f = 1; }"), p2("message N {} message M { repeated N f = 1; }"))
        == []
    )


def test_named_type_changed() -> None:
    writer = p3("message A { int32 x = 1; } message B { int32 x = 1; } message M { A f = 1; }")
    reader = p3("message A { int32 x = 1; } message B { int32 x = 1; } message M { B f = 1; }")
    assert errors(writer, reader) == [("FIELD_NAMED_TYPE_CHANGED", "#/M/1")]


def test_named_type_compared_by_local_name_without_package() -> None:
    writer = p3("message A { int32 x = 1; } message M { A f = 1; }", "one")
    reader = p3("message A { int32 x = 1; } message M { A f = 1; }", "two")
    assert errors(writer, reader) == [("PACKAGE_CHANGED", "#/")]


def test_incompatible_inner_definition_flags_the_field() -> None:
    writer = p3("message M { Inner i = 1; } message Inner { int32 a = 1; }")
    reader = p3("message M { Inner i = 1; } message Inner { string a = 1; }")
    assert errors(writer, reader) == [
        ("FIELD_SCALAR_KIND_CHANGED", "#/Inner/1"),
        ("FIELD_NAMED_TYPE_CHANGED", "#/M/1"),
    ]


def test_recursive_message_terminates() -> None:
    writer = p3("message Node { Node next = 1; int32 v = 2; }")
    reader = p3("message Node { Node next = 1; string v = 2; }")
    assert errors(writer, reader) == [("FIELD_SCALAR_KIND_CHANGED", "#/Node/2")]


def test_map_value_and_key_changes() -> None:
    assert errors(p3("message M { map<string, int32> m = 1; }"), p3("message M { map<string, int64> m = 1; }")) == []
    assert errors(p3("message M { map<string, int32> m = 1; }"), p3("message M { map<int32, int32> m = 1; }")) == [
        ("FIELD_SCALAR_KIND_CHANGED", "#/M/1")
    ]
    defs = "message A { int32 x = 1; } message B { int32 x = 1; }"
    assert errors(
        p3(f"{defs} message M {{ map<string, A> m = 1; }}"), p3(f"{defs} message M {{ map<string, B> m = 1; }}")
    ) == [("FIELD_NAMED_TYPE_CHANGED", "#/M/1")]


def test_map_entries_are_not_messages_of_the_walk() -> None:
    writer = p3("message M { map<string, int32> m = 1; }")
    reader = p3("message M { map<string, int32> other = 2; }")
    assert diffs(writer, reader) == [("FIELD_REMOVED", "#/M/1"), ("FIELD_ADDED", "#/M/2")]


def test_enum_changes_are_all_compatible() -> None:
    writer = p3("enum E { A = 0; B = 1; C = 2; } enum Gone { G = 0; } message M { E e = 1; }")
    reader = p3("enum E { A = 0; BB = 1; D = 3; } enum New { N = 0; } message M { E e = 1; }")
    assert diffs(writer, reader) == [
        ("ENUM_CONST_CHANGED", "#/E/1"),
        ("ENUM_CONST_REMOVED", "#/E/2"),
        ("ENUM_CONST_ADDED", "#/E/3"),
        ("ENUM_REMOVED", "#/Gone"),
        ("ENUM_ADDED", "#/New"),
    ]
    assert errors(writer, reader) == []


def test_field_moved_into_new_oneof_is_compatible() -> None:
    writer = p3("message M { int32 a = 1; string b = 2; }")
    reader = p3("message M { oneof o { int32 a = 1; } string b = 2; }")
    assert diffs(writer, reader) == [("ONEOF_ADDED", "#/M/o")]


def test_multiple_fields_moved_to_oneof() -> None:
    writer = p3("message M { int32 a = 1; string b = 2; }")
    reader = p3("message M { oneof o { int32 a = 1; string b = 2; } }")
    assert errors(writer, reader) == [("MULTIPLE_FIELDS_MOVED_TO_ONEOF", "#/M/o")]


def test_field_moved_to_existing_oneof() -> None:
    writer = p3("message M { int32 a = 1; oneof o { string b = 2; } }")
    reader = p3("message M { oneof o { int32 a = 1; string b = 2; } }")
    assert errors(writer, reader) == [("FIELD_MOVED_TO_EXISTING_ONEOF", "#/M/o")]


def test_merging_two_oneofs() -> None:
    writer = p3("message M { oneof x { int32 a = 1; } oneof y { string b = 2; } }")
    reader = p3("message M { oneof x { int32 a = 1; string b = 2; } }")
    assert errors(writer, reader) == [("FIELD_MOVED_TO_EXISTING_ONEOF", "#/M/x")]


def test_oneof_field_removed_added_and_moved_to_top_level() -> None:
    writer = p3("message M { oneof o { int32 a = 1; string b = 2; int64 c = 3; } }")
    reader = p3("message M { int32 a = 1; oneof o { string b = 2; bool d = 4; } }")
    assert diffs(writer, reader) == [
        ("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", "#/M/1"),
        ("ONEOF_FIELD_REMOVED", "#/M/o/3"),
        ("ONEOF_FIELD_ADDED", "#/M/o/4"),
    ]
    assert errors(writer, reader) == [("ONEOF_FIELD_REMOVED", "#/M/o/3")]


def test_whole_oneof_removed_reports_only_oneof_removed() -> None:
    writer = p3("message M { int32 x = 9; oneof o { int32 a = 1; string b = 2; } }")
    reader = p3("message M { int32 x = 9; }")
    assert diffs(writer, reader) == [("ONEOF_REMOVED", "#/M/o")]


def test_renamed_oneof_still_compares_member_types() -> None:
    writer = p3("message M { oneof o { int32 a = 1; } }")
    reader = p3("message M { oneof p { string a = 1; } }")
    assert diffs(writer, reader) == [
        ("FIELD_SCALAR_KIND_CHANGED", "#/M/p/1"),
        ("ONEOF_REMOVED", "#/M/o"),
        ("ONEOF_ADDED", "#/M/p"),
    ]


def test_proto3_optional_is_not_a_oneof() -> None:
    assert diffs(p3("message M { int32 a = 1; }"), p3("message M { optional int32 a = 1; }")) == []


def test_groups_are_ignored() -> None:
    writer = p2("message M { optional group G = 1 { optional int32 a = 1; } }")
    reader = p2("message M { optional group G = 1 { optional string a = 1; } }")
    assert diffs(writer, reader) == []


def test_types_through_references() -> None:
    dep_v1 = p3("message Shared { int32 x = 1; }", "lib")
    dep_v2 = p3("message Shared { string x = 1; }", "lib")
    body = 'import "lib.proto";\nmessage M { lib.Shared s = 1; }'
    writer = parse(f'syntax = "proto3";\npackage app;\n{body}\n', {"lib.proto": dep_v1})
    same = parse(f'syntax = "proto3";\npackage app;\n{body}\n', {"lib.proto": dep_v1})
    reader = parse(f'syntax = "proto3";\npackage app;\n{body}\n', {"lib.proto": dep_v2})
    assert errors(writer, same) == []
    assert errors(writer, reader) == [
        ("FIELD_SCALAR_KIND_CHANGED", "#/Shared/1"),
        ("FIELD_NAMED_TYPE_CHANGED", "#/M/1"),
    ]


def test_well_known_types() -> None:
    ts = 'import "google/protobuf/timestamp.proto";\nimport "google/protobuf/duration.proto";\n'
    writer = p3(ts + "message M { google.protobuf.Timestamp t = 1; }")
    assert errors(writer, p3(ts + "message M { google.protobuf.Timestamp t = 1; }")) == []
    assert errors(writer, p3(ts + "message M { google.protobuf.Duration t = 1; }")) == [
        ("FIELD_NAMED_TYPE_CHANGED", "#/M/1")
    ]
    assert errors(writer, p3(ts + "message M { int64 t = 1; }")) == [("FIELD_KIND_CHANGED", "#/M/1")]


def test_descriptions_and_rendering() -> None:
    writer = p3("message M { int32 a = 1; }")
    reader = p3("message M { string a = 1; }")
    (incompatibility,) = reader.incompatibilities(writer)
    assert incompatibility.style == "protobuf"
    assert incompatibility.render("new", "old") == (
        '{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path \'#/M/1\' in the '
        'new schema does not match its kind in the old schema"}'
    )
    added = p2("message M { required int32 a = 1; }").incompatibilities(p2("message M {}"))
    assert added[0].describe("new", "old") == (
        "A required field  at path '#/M/1' in the new schema is missing in the old schema"
    )


def test_compatible_and_incompatible_sets_are_disjoint() -> None:
    assert not COMPATIBLE & INCOMPATIBLE
    assert len(INCOMPATIBLE) == 11 and len(COMPATIBLE) == 15
