"""HTTP: Protobuf schemas Confluent's registry accepts although protoc refuses them, registered
with ``POST /subjects/{s}/versions`` and read back.

Confluent parses text with Square Wire and, with the default ``schema.validate.fields=false``,
builds no descriptor (``ProtobufSchema.validate``), so it registers unknown custom options,
list-valued options, imports nothing resolves and types of references the text does not import.
Each test names the Confluent test it comes from.
"""

from __future__ import annotations

import base64
import uuid

import httpx
from google.protobuf import descriptor_pb2
from support.http import check_error

PT = "PROTOBUF"

# ProtobufSchemaTest.testComplexCustomOptions: the schema and Confluent's canonicalString.
COMPLEX_OPTIONS = (
    'syntax = "proto3";\n\nimport "common/extensions.proto";\nimport "confluent/meta.proto";\n\n'
    "package com.custom.example.v0;\n\n"
    'option go_package = "example/v0;example";\noption java_multiple_files = true;\n'
    "option (com.custom.map).subject = 'user-value';\n"
    "option (com.custom.map).compatibility_mode = FULL;\n"
    'option (.confluent.file_meta).doc = "file meta";\n'
    "option (confluent.file_meta).params = [\n      {\n"
    '        value: "my_value",\n        key: "my_key"\n      }\n    ];\n'
    'option (confluent.file_meta).tags = ["PII", "PRIVATE"];\n'
    "message User {\n  string first_name = 1;\n  string last_name = 2;\n}"
)
COMPLEX_OPTIONS_CANONICAL = (
    'syntax = "proto3";\n'
    "package com.custom.example.v0;\n"
    "\n"
    'import "common/extensions.proto";\n'
    'import "confluent/meta.proto";\n'
    "\n"
    'option go_package = "example/v0;example";\n'
    "option java_multiple_files = true;\n"
    'option (com.custom.map).subject = "user-value";\n'
    "option (com.custom.map).compatibility_mode = FULL;\n"
    'option (.confluent.file_meta).doc = "file meta";\n'
    "option (confluent.file_meta).params = [{\n"
    '  value: "my_value",\n'
    '  key: "my_key"\n'
    "}];\n"
    "option (confluent.file_meta).tags = [\n"
    '  "PII",\n'
    '  "PRIVATE"\n'
    "];\n"
    "\n"
    "message User {\n"
    "  string first_name = 1;\n"
    "  string last_name = 2;\n"
    "}\n"
)


def reg(http: httpx.Client, subject: str, schema: str, refs: list | None = None) -> httpx.Response:
    body: dict = {"schema": schema, "schemaType": PT}
    if refs is not None:
        body["references"] = refs
    return http.post(f"/subjects/{subject}/versions", json=body)


def other_subject() -> str:
    return f"test-{uuid.uuid4().hex[:12]}-ref"


def latest(http: httpx.Client, subject: str, **params: str) -> dict:
    got = http.get(f"/subjects/{subject}/versions/latest", params=params)
    assert got.status_code == 200, got.text
    return got.json()


def test_complex_custom_options_register_and_read_back(http: httpx.Client, subject: str) -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions: an unresolved import, an unknown option
    and list-valued meta options register; the stored text is Confluent's canonicalString."""
    r = reg(http, subject, COMPLEX_OPTIONS)
    assert r.status_code == 200, r.text
    got = latest(http, subject)
    assert got["schema"] == COMPLEX_OPTIONS_CANONICAL
    again = reg(http, subject, got["schema"])
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    served = descriptor_pb2.FileDescriptorProto.FromString(
        base64.b64decode(latest(http, subject, format="serialized")["schema"])
    )
    assert served.options.java_multiple_files and not served.options.uninterpreted_option


def test_unknown_options_keep_their_escapes(http: httpx.Client, subject: str) -> None:
    """from ProtobufSchemaTest.testOptionEscape: unknown options register; the stored text has
    their values as written."""
    text = (
        'syntax = "proto3";\n\n'
        'option testBackslash = "backslash\\\\backslash";\n'
        'option testDoubleQuote = "\\"something\\"";\n'
        'option testTab = "tab\\t";\n\n'
        'import "google/protobuf/descriptor.proto";\n\n'
        'message TestOptionEscape {\n    option (source_ref) = "https://someUrl.com";\n\n    bool test_bool = 1;\n}\n'
    )
    r = reg(http, subject, text)
    assert r.status_code == 200, r.text
    stored = latest(http, subject)["schema"]
    assert 'option testBackslash = "backslash\\\\backslash";\n' in stored
    assert 'option testDoubleQuote = "\\"something\\"";\n' in stored
    assert 'option testTab = "tab\\t";\n' in stored
    assert '  option (source_ref) = "https://someUrl.com";\n' in stored


def test_field_meta_in_an_io_confluent_package_with_a_reference(http: httpx.Client, subject: str) -> None:
    """from RestApiTest.testSchemaReferences: the referrer (package ``io.confluent...``, using
    ``(confluent.field_meta)``) registers and reads back exactly as submitted."""
    ref_subject = other_subject()
    ref = (
        'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\n\n'
        "message ReferencedMessage {\n  string ref_id = 1;\n  bool is_active = 2;\n}\n"
    )
    assert reg(http, ref_subject, ref).status_code == 200
    root = (
        'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\n\n'
        'import "ref.proto";\nimport "confluent/meta.proto";\n\n'
        "message ReferrerMessage {\n"
        '  option (confluent.message_meta) = {\n    doc: "ReferrerMessage"\n  };\n\n'
        "  string root_id = 1;\n"
        "  .io.confluent.kafka.serializers.protobuf.test.ReferencedMessage ref = 2 [(confluent.field_meta) = {\n"
        '    doc: "ReferencedMessage"\n  }];\n}\n'
    )
    refs = [{"name": "ref.proto", "subject": ref_subject, "version": 1}]
    r = reg(http, subject, root, refs)
    assert r.status_code == 200, r.text
    by_id = http.get(f"/schemas/ids/{r.json()['id']}").json()
    assert by_id["schema"] == root
    assert by_id["references"] == refs


def test_protoc_gen_validate_import_without_a_reference(http: httpx.Client, subject: str) -> None:
    """Issue item 12b, from ProtobufSchema.toDynamicSchema (an import with no dependency is
    skipped): ``validate/validate.proto`` registers with no reference and is kept."""
    text = (
        'syntax = "proto3";\npackage v;\n\nimport "validate/validate.proto";\n\n'
        "message M {\n  string a = 1 [(validate.rules).string.min_len = 1];\n}\n"
    )
    r = reg(http, subject, text)
    assert r.status_code == 200, r.text
    stored = latest(http, subject)["schema"]
    assert 'import "validate/validate.proto";\n' in stored
    assert "string a = 1 [(validate.rules).string.min_len = 1];\n" in stored


def test_type_of_a_reference_not_imported(http: httpx.Client, subject: str) -> None:
    """from RestApiTest.testValidateFieldsRejectsBrokenReference: before validateFields is turned
    on, a type of a reference the text does not import resolves; no import is added to the text."""
    dep_subject = other_subject()
    dep = (
        'syntax = "proto3";\npackage com.example;\n\n'
        "message FeatureDataFloatArray {\n  repeated float values = 1;\n}\n"
    )
    assert reg(http, dep_subject, dep).status_code == 200
    broken = (
        'syntax = "proto3";\npackage com.example;\n\n'
        "message FeatureData {\n  map<string, FeatureDataFloatArray> float_array_features = 1;\n}\n"
    )
    r = reg(http, subject, broken, [{"name": "float_array.proto", "subject": dep_subject, "version": 1}])
    assert r.status_code == 200, r.text
    assert latest(http, subject)["schema"] == broken


def test_reserved_conflicts_register(http: httpx.Client, subject: str) -> None:
    """ProtobufSchema.toDynamicMessage copies reserved statements without checking fields against
    them: a field using a reserved number registers and reads back with the statement."""
    r = reg(http, subject, 'syntax = "proto3";\nmessage M {\n  reserved 1, 2;\n  int32 a = 1;\n}\n')
    assert r.status_code == 200, r.text
    stored = latest(http, subject)["schema"]
    assert "  reserved 1, 2;\n" in stored and "  int32 a = 1;\n" in stored


def test_proto3_extend_and_option_values_protoc_refuses(http: httpx.Client, subject: str) -> None:
    """from ProtobufSchemaTest.testComplexEnum and testComplexCustomOptions2: a proto3 ``extend``
    of a plain message, descriptor options extended without the import, an option value of the
    wrong type and a list value register, read back as written, and serialize to a descriptor
    that links (the undeclared extension left out)."""
    text = (
        'syntax = "proto3";\npackage acme;\n\nimport "confluent/meta.proto";\n\n'
        "message ObjectType {}\n"
        "message M {\n"
        '  int32 a = 1 [(confluent.field_meta).tags = ["x", "y"]];\n'
        '  int32 b = 2 [(number) = "not a number"];\n'
        "}\n\n"
        "extend google.protobuf.FieldOptions {\n  optional int32 number = 50000;\n}\n"
        "extend ObjectType {\n  optional int32 tag = 101;\n}\n"
    )
    r = reg(http, subject, text)
    assert r.status_code == 200, r.text
    stored = latest(http, subject)["schema"]
    assert "import \"google/protobuf/descriptor.proto\"" not in stored
    assert 'int32 b = 2 [(number) = "not a number"];\n' in stored
    assert "extend ObjectType {\n  optional int32 tag = 101;\n}\n" in stored
    assert reg(http, subject, stored).json()["id"] == r.json()["id"]
    served = descriptor_pb2.FileDescriptorProto.FromString(
        base64.b64decode(latest(http, subject, format="serialized")["schema"])
    )
    assert [e.name for e in served.extension] == ["number"]
    assert "google/protobuf/descriptor.proto" in served.dependency


def test_bad_schema_is_refused(http: httpx.Client, subject: str) -> None:
    """from RestApiTest.testBad (getBadSchema): 42201, and nothing registered."""
    bad = (
        'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\n\n'
        "bad-message MyMessage {\n  string f1 = 1;\n  bool is_active = 2;\n}\n"
    )
    check_error(reg(http, subject, bad), 422, 42201)
    assert http.get(f"/subjects/{subject}/versions").status_code == 404
