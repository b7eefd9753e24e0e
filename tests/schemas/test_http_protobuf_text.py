"""HTTP: the stored text of Protobuf schemas is Confluent's printed text (POST, then GET /schemas/ids).

Expected texts follow Confluent's ProtobufSchemaUtils printer as its ProtobufSchemaTest asserts
it (blank line before each section of a message, none between top-level types, options as
written, list values one per line); the decimal ``params`` annotation used to answer 500.
"""

from __future__ import annotations

import base64

import httpx
from google.protobuf import descriptor_pb2

PT = "PROTOBUF"


def register(http: httpx.Client, subject: str, schema: str, **params: str) -> int:
    r = http.post(f"/subjects/{subject}/versions", params=params, json={"schemaType": PT, "schema": schema})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def stored(http: httpx.Client, sid: int, **params: str) -> str:
    r = http.get(f"/schemas/ids/{sid}", params=params)
    assert r.status_code == 200, r.text
    return r.json()["schema"]


DECIMAL = (
    'syntax = "proto3";\npackage shop;\nimport "confluent/meta.proto";\nimport "confluent/type/decimal.proto";\n'
    "message Price {\n"
    "  confluent.type.Decimal amount = 1 [(confluent.field_meta) = { params: [ "
    '{ key: "precision", value: "5" }, { key: "scale", value: "2" } ] }];\n'
    "  string currency = 2;\n"
    "}\n"
)


def test_decimal_params_annotation_registers_and_prints(http: httpx.Client, subject: str) -> None:
    """The ``(confluent.field_meta)`` params of the decimal annotation: 200, not a 500."""
    sid = register(http, subject, DECIMAL)
    text = stored(http, sid)
    assert text == (
        'syntax = "proto3";\npackage shop;\n\n'
        'import "confluent/meta.proto";\nimport "confluent/type/decimal.proto";\n\n'
        "message Price {\n"
        "  confluent.type.Decimal amount = 1 [(confluent.field_meta) = {\n"
        "    params: [\n"
        "      {\n"
        '        key: "precision",\n'
        '        value: "5"\n'
        "      },\n"
        "      {\n"
        '        key: "scale",\n'
        '        value: "2"\n'
        "      }\n"
        "    ]\n"
        "  }];\n"
        "  string currency = 2;\n"
        "}\n"
    )
    assert register(http, subject, text) == sid  # the stored text is the same schema


RANGES = (
    "message Money {\n  reserved 5000 to 6000;\n  reserved 20000 to 20000;\n  optional int64 cents = 1;\n"
    "  extensions 100 to 200;\n  message Empty {}\n}\nmessage Other {}\n"
)


def test_layout_ranges_and_empty_messages(http: httpx.Client, subject: str) -> None:
    """from ProtobufSchemaTest.testRanges (ranges as written, collapsed when normalising)."""
    sid = register(http, subject, RANGES)
    assert stored(http, sid) == (
        "\nmessage Money {\n"
        "  reserved 5000 to 6000;\n"
        "  reserved 20000 to 20000;\n"
        "\n"
        "  optional int64 cents = 1;\n"
        "\n"
        "  extensions 100 to 200;\n"
        "\n"
        "  message Empty {}\n"
        "}\n"
        "message Other {}\n"
    )
    normalized = register(http, subject + "-n", RANGES, normalize="true")
    assert "  reserved 20000;\n" in stored(http, normalized)
    assert "extensions" not in stored(http, sid, format="ignore_extensions")


def test_dotted_option_stays_dotted(http: httpx.Client, subject: str) -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions2: ``(confluent.field_meta).tags = "x"``."""
    sid = register(
        http,
        subject,
        'syntax = "proto3";\nimport "confluent/meta.proto";\n'
        'message M {\n  int32 a = 1 [(confluent.field_meta).tags = "PII", deprecated = true];\n}\n',
    )
    expected = '  int32 a = 1 [\n    (confluent.field_meta).tags = "PII",\n    deprecated = true\n  ];\n'
    assert expected in stored(http, sid)


def test_descriptor_json_names_are_printed(http: httpx.Client, subject: str) -> None:
    """A base64 FileDescriptorProto as protoc (and Confluent's JS serializer) makes it sets
    ``json_name`` on every field; Confluent prints each (ProtobufSchema.toField)."""
    file = descriptor_pb2.FileDescriptorProto(name="user.proto", package="acme", syntax="proto3")
    message = file.message_type.add(name="User")
    message.field.add(name="first_name", number=1, type=9, label=1, json_name="firstName")
    message.field.add(name="age", number=2, type=5, label=1, json_name="age")
    sid = register(http, subject, base64.b64encode(file.SerializeToString()).decode())
    assert stored(http, sid) == (
        'syntax = "proto3";\npackage acme;\n\n'
        "message User {\n"
        '  string first_name = 1 [json_name = "firstName"];\n'
        '  int32 age = 2 [json_name = "age"];\n'
        "}\n"
    )


def _proto(package: str, options: list[str], imports: list[str], body: list[str]) -> str:
    return (
        f'syntax = "proto3";\npackage {package};\n\n'
        + "".join(f"option {o};\n" for o in options)
        + "\n"
        + "".join(f'import "{i}";\n' for i in imports)
        + "\nmessage "
        + "\n".join(body)
        + "\n}\n"
    )


def test_normalize_finds_the_schema_written_in_another_order(http: httpx.Client, subject: str) -> None:
    """from RestApiTest.testSchemaNormalization (protobuf): options, imports, fields and
    references in another order are the same schema under ``normalize=true``."""
    for package in ("pkg1", "pkg2"):
        register(http, f"{subject}-{package}", _proto(package, [f'go_package = "{package}pb"'], [], [
            f"Message{package[-1]} {{", "  string s = 1;"
        ]))
    refs = [
        {"name": "pkg1/msg1.proto", "subject": f"{subject}-pkg1", "version": 1},
        {"name": "pkg2/msg2.proto", "subject": f"{subject}-pkg2", "version": 1},
    ]
    options = ['go_package = "pkg3pb"', "java_multiple_files = true", 'java_package = "com.pkg3"']
    first = _proto("pkg3", options, ["pkg1/msg1.proto", "pkg2/msg2.proto"], [
        "Message3 {", "  map<string, pkg1.Message1> map = 1;", "  pkg1.Message1 f1 = 2;", "  pkg2.Message2 f2 = 3;"
    ])
    again = _proto("pkg3", options[::-1], ["pkg2/msg2.proto", "pkg1/msg1.proto"], [
        "Message3 {", "  pkg2.Message2 f2 = 3;", "  pkg1.Message1 f1 = 2;", "  map<string, pkg1.Message1> map = 1;"
    ])
    r = http.post(
        f"/subjects/{subject}/versions", params={"normalize": "true"},
        json={"schemaType": PT, "schema": first, "references": refs},
    )
    assert r.status_code == 200, r.text
    sid = r.json()["id"]
    found = http.post(
        f"/subjects/{subject}", params={"normalize": "true"},
        json={"schemaType": PT, "schema": again, "references": refs[::-1]},
    )
    assert found.status_code == 200, found.text
    assert (found.json()["id"], found.json()["version"]) == (sid, 1)
    text = stored(http, sid)
    assert text.index('option go_package = "pkg3pb";') < text.index("option java_multiple_files = true;")
    assert "  map<string, .pkg1.Message1> map = 1;\n  .pkg1.Message1 f1 = 2;\n" in text


def test_descriptor_map_field_prints_its_entry_message(http: httpx.Client, subject: str) -> None:
    """ProtobufSchema.toMessage: a descriptor's map field is its entry message."""
    file = descriptor_pb2.FileDescriptorProto(name="m.proto", package="p", syntax="proto3")
    message = file.message_type.add(name="M")
    entry = message.nested_type.add(name="TagsEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=9, label=1)
    entry.field.add(name="value", number=2, type=3, label=1)
    message.field.add(name="tags", number=1, type=11, label=3, type_name=".p.M.TagsEntry")
    sid = register(http, subject, base64.b64encode(file.SerializeToString()).decode())
    assert "  repeated .p.M.TagsEntry tags = 1;\n\n  message TagsEntry {\n    option map_entry = true;\n" in (
        stored(http, sid)
    )
