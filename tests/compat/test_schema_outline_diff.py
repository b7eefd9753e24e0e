"""The structural outline of each format and the one differ over outlines (charter.compat.outline),
which ``charter diff`` and the console's compare page both show."""

from __future__ import annotations

import json

from charter.compat.formats import get_format
from charter.compat.outline import diff_outlines, dotted, leaf_changes, pointer


def _changes(schema_type: str, old: str, new: str) -> list[tuple[str, str, str | None, str | None]]:
    fmt = get_format(schema_type)
    found = diff_outlines(fmt.outline(fmt.parse(old, {})), fmt.outline(fmt.parse(new, {})))
    return [(op, dotted(path), a, b) for op, path, a, b in leaf_changes(found)]


PROTO = """syntax = "proto3";
package shop;
message Order {
  int32 id = 1;
  map<string, int64> counts = 2;
  oneof payment { string card = 3; }
  message Line { repeated string sku = 1; }
  enum Status { NEW = 0; }
}
"""


def test_protobuf_outline_reads_the_descriptor() -> None:
    fmt = get_format("PROTOBUF")
    outline = fmt.outline(fmt.parse(PROTO, {}))
    leaves = {dotted(path): value for part in outline for path, value in part.leaves()}
    assert leaves["syntax"] == '"proto3"' and leaves["package"] == "shop"
    assert leaves["Order"] == "message"
    assert leaves["Order.id (field 1)"] == "int32"
    assert leaves["Order.counts (field 2)"] == "map<string, int64>"  # the map entry message is not listed
    assert leaves["Order.payment.card (field 3)"] == "string"
    assert leaves["Order.Line.sku (field 1)"] == "repeated string"
    assert leaves["Order.Status.NEW"] == "0"
    assert not any("CountsEntry" in p for p in leaves)


def test_protobuf_diff_by_name_and_number() -> None:
    new = PROTO.replace("int32 id = 1;", "string id = 1;").replace("  oneof payment { string card = 3; }\n", "")
    new = new.replace("enum Status { NEW = 0; }", "enum Status { NEW = 0; DONE = 1; }")
    assert _changes("PROTOBUF", PROTO, new) == [  # sorted by path
        ("+", "Order.Status.DONE", None, "1"),
        ("~", "Order.id (field 1)", "int32", "string"),
        ("-", "Order.payment", "oneof", None),
        ("-", "Order.payment.card (field 3)", "string", None),
    ]


def test_avro_fields_by_name_under_the_record_name() -> None:
    def record(*fields: dict[str, object]) -> str:
        return json.dumps({"type": "record", "name": "com.acme.User", "fields": [{"name": "id", "type": "int"},
                                                                                 *fields]})
    changes = _changes("AVRO", record(), record({"name": "email", "type": ["null", "string"], "default": None}))
    assert changes == [("+", "User.fields.email.type", None, '["null", "string"]'),
                       ("+", "User.fields.email.default", None, "null")]
    assert _changes("AVRO", record(), record()) == []


def test_json_schema_properties_by_key() -> None:
    old = '{"type": "object", "properties": {"a": {"type": "string"}}}'
    new = '{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}'
    assert _changes("JSON", old, new) == [("~", "properties.a.type", '"string"', '"integer"'),
                                          ("+", "required", None, '["a"]')]


def test_pointer_paths_for_the_console() -> None:
    fmt = get_format("AVRO")
    old = fmt.parse(json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}), {})
    new = fmt.parse(json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}), {})
    [change] = diff_outlines(fmt.outline(old), fmt.outline(new))
    assert (pointer(change.path), dotted(change.path)) == ("/fields[a]/type", "R.fields.a.type")


def test_every_format_answers_the_plug_in_questions() -> None:
    from charter.compat.formats import FORMATS, all_extensions, format_for_file

    assert {f.type_tag for f in FORMATS.values()} == {b"A", b"P", b"J"}
    assert all_extensions() == [".avsc", ".avro", ".proto", ".json"]
    assert format_for_file("schemas/User.AVSC") is get_format("AVRO") and format_for_file("x.txt") is None
    proto = get_format("PROTOBUF")
    assert proto.message_indexes(proto.parse(PROTO, {}), "shop.Order.Line") == [0, 1]
    avro = get_format("AVRO")
    assert avro.message_indexes(avro.parse('"int"', {}), "int") is None
    assert [f.text_is_json for f in FORMATS.values()] == [True, False, True]
