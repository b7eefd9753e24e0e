"""Protobuf canonical, normalised and ``ignore_extensions`` texts as Confluent's tests assert them.

Each case names the ProtobufSchemaTest method its schema and expected text come from (the texts
live in protobuf_confluent_options.py, protobuf_confluent_layout.py,
protobuf_confluent_extensions.py and protobuf_confluent_refused.py, the last for schemas protoc
refuses as written and the lenient compile repairs: testComplexEnum (a proto3 enum starting at 1,
extension numbers undeclared), testNormalization (open enums not starting at zero, misplaced
jstype), testComplexCustomOptions3 (``10f``-style number tokens),
testNormalizationWithComplexCustomOptions (``default = 0`` on bytes; only its normalised text is
asserted), testNormalizationWithRepeatedNestedCustomOptions (``(wrapper).tags.name = "a"`` with
``tags`` repeated; normalised, its values are merged). Left out: of
testNormalizationWithExtensions2, the text of its Java-built descriptor (which drops
enum options: ``normalizedWithoutCustomOptions``).
"""

from __future__ import annotations

import base64

import protobuf_confluent_extensions as ext
import protobuf_confluent_layout as layout
import protobuf_confluent_options as opts
import protobuf_confluent_refused as refused
import pytest
from google.protobuf import descriptor_pb2

from charter.compat.protobuf import PROTOBUF_FORMAT, ProtobufSchema


def parse(text: str) -> ProtobufSchema:
    return PROTOBUF_FORMAT.parse(text, {})


def from_descriptor(schema: ProtobufSchema) -> ProtobufSchema:
    """The schema registered again as its base64 FileDescriptorProto (``serialized`` format)."""
    return parse(schema.formatted("serialized"))


CANONICAL = {
    "testComplexCustomOptions": (
        opts.COMPLEX_CUSTOM_OPTIONS_SCHEMA_STRING,
        opts.COMPLEX_CUSTOM_OPTIONS_CANONICAL_STRING,
    ),
    "testComplexCustomOptions2": (
        opts.COMPLEX_CUSTOM_OPTIONS2_SCHEMA_STRING,
        opts.COMPLEX_CUSTOM_OPTIONS2_CANONICAL_STRING,
    ),
    "testNestedCustomOptions": (opts.NESTED_CUSTOM_OPTIONS_SCHEMA_STRING, opts.NESTED_CUSTOM_OPTIONS_CANONICAL_STRING),
    "testRanges": (layout.RANGES_SCHEMA_STRING, layout.RANGES_CANONICAL_STRING),
    "testNormalizationWithExtensions": (
        layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING,
        layout.NORMALIZATION_WITH_EXTENSIONS_CANONICAL,
    ),
    "testNormalizationWithPackagePrefix": (
        layout.NORMALIZATION_WITH_PACKAGE_PREFIX_SCHEMA_STRING,
        layout.NORMALIZATION_WITH_PACKAGE_PREFIX_SCHEMA_STRING,
    ),
    "testOptionalOneOfFieldName": (
        layout.OPTIONAL_ONE_OF_FIELD_NAME_SCHEMA_STRING,
        layout.OPTIONAL_ONE_OF_FIELD_NAME_SCHEMA_STRING,
    ),
    "testEnumAfterMessage": (layout.ENUM_BEFORE_MESSAGE_SCHEMA_STRING, layout.ENUM_AFTER_MESSAGE_SCHEMA_STRING),
    "testEnumReserved": (layout.ENUM_RESERVED_SCHEMA_STRING, layout.ENUM_RESERVED_SCHEMA_STRING),
    "testNormalizationWithExtensions2": (
        ext.NORMALIZATION_WITH_EXTENSIONS2_SCHEMA_STRING,
        ext.NORMALIZATION_WITH_EXTENSIONS2_CANONICAL,
    ),
    "testComplexEnum": (refused.COMPLEX_ENUM_SCHEMA_STRING, refused.COMPLEX_ENUM_CANONICAL),
    "testNormalization": (refused.NORMALIZATION_SCHEMA_STRING, refused.NORMALIZATION_SCHEMA_STRING),
    "testComplexCustomOptions3": (
        refused.COMPLEX_CUSTOM_OPTIONS3_SCHEMA_STRING,
        refused.COMPLEX_CUSTOM_OPTIONS3_CANONICAL,
    ),
}

NORMALIZED = {
    "testComplexCustomOptions2": (opts.COMPLEX_CUSTOM_OPTIONS2_SCHEMA_STRING, opts.COMPLEX_CUSTOM_OPTIONS2_NORMALIZED),
    "testNestedCustomOptions": (opts.NESTED_CUSTOM_OPTIONS_SCHEMA_STRING, opts.NESTED_CUSTOM_OPTIONS_NORMALIZED),
    "testRanges": (layout.RANGES_SCHEMA_STRING, layout.RANGES_NORMALIZED),
    "testNormalizationWithExtensions": (
        layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING,
        layout.NORMALIZATION_WITH_EXTENSIONS_NORMALIZED,
    ),
    "testNormalizationWithNestedComplexCustomOptions": (
        opts.NORMALIZATION_WITH_NESTED_COMPLEX_CUSTOM_OPTIONS_SCHEMA_STRING,
        opts.NORMALIZATION_WITH_NESTED_COMPLEX_CUSTOM_OPTIONS_NORMALIZED,
    ),
    "testNormalizationWithPackagePrefix": (
        layout.NORMALIZATION_WITH_PACKAGE_PREFIX_SCHEMA_STRING,
        layout.NORMALIZATION_WITH_PACKAGE_PREFIX_NORMALIZED,
    ),
    "testEnumReserved": (layout.ENUM_RESERVED_SCHEMA_STRING, layout.ENUM_RESERVED_NORMALIZED_SCHEMA_STRING),
    "testNormalizationWithExtensions2": (
        ext.NORMALIZATION_WITH_EXTENSIONS2_SCHEMA_STRING,
        ext.NORMALIZATION_WITH_EXTENSIONS2_NORMALIZED,
    ),
    "testNormalization": (refused.NORMALIZATION_SCHEMA_STRING, refused.NORMALIZATION_NORMALIZED),
    "testComplexCustomOptions3": (
        refused.COMPLEX_CUSTOM_OPTIONS3_SCHEMA_STRING,
        refused.COMPLEX_CUSTOM_OPTIONS3_NORMALIZED,
    ),
    "testNormalizationWithComplexCustomOptions": (
        refused.NORMALIZATION_WITH_COMPLEX_CUSTOM_OPTIONS_SCHEMA_STRING,
        refused.NORMALIZATION_WITH_COMPLEX_CUSTOM_OPTIONS_NORMALIZED,
    ),
    "testNormalizationWithRepeatedNestedCustomOptions": (
        refused.NORMALIZATION_WITH_REPEATED_NESTED_CUSTOM_OPTIONS_SCHEMA_STRING,
        refused.NORMALIZATION_WITH_REPEATED_NESTED_CUSTOM_OPTIONS_NORMALIZED,
    ),
    "testComplexEnum": (refused.COMPLEX_ENUM_SCHEMA_STRING, refused.COMPLEX_ENUM_NORMALIZED),
}


# -- canonical text: layout, blank lines, options as written, ranges as written --------------


@pytest.mark.parametrize("test", sorted(CANONICAL))
def test_canonical_text_is_confluents(test: str) -> None:
    """from ProtobufSchemaTest.<test>: ``schema.canonicalString()``."""
    schema, expected = CANONICAL[test]
    assert parse(schema).canonical() == expected


@pytest.mark.parametrize("test", sorted(CANONICAL))
def test_canonical_text_is_a_fixpoint(test: str) -> None:
    """Confluent's canonical text read again prints the same (its tests register them again)."""
    canonical = parse(CANONICAL[test][0]).canonical()
    assert parse(canonical).canonical() == canonical


def test_blank_lines_inside_nested_messages_carry_the_indent() -> None:
    """from ProtobufSchemaTest.testNormalizationWithExtensions: appendIndented pads every line."""
    text = parse(layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING).canonical()
    assert "\n  \n    message Oh {\n" in text
    assert "\n\n  message NestedExtended {\n" in text  # a top-level message's own blank line is empty
    assert "message God {}" in parse(layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING).formatted("ignore_extensions")


def test_reserved_range_of_one_number_stays_as_written() -> None:
    """from ProtobufSchemaTest.testRanges: ``20000 to 20000`` collapses only when normalising."""
    schema = parse(layout.RANGES_SCHEMA_STRING)
    assert "  reserved 20000 to 20000;\n" in schema.canonical()
    assert "  reserved 20000;\n" in schema.normalized().canonical()
    assert "  extensions 2000 to 2000;\n" in schema.canonical()
    assert "    reserved 2000;\n" in schema.normalized().canonical()


def test_dotted_options_stay_dotted() -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions2: one entry per written option."""
    text = parse(opts.COMPLEX_CUSTOM_OPTIONS2_SCHEMA_STRING).canonical()
    assert '  int32 my_field1 = 1 [(confluent.field_meta).tags = "foo"];\n' in text
    assert '    (confluent.field_meta).tags = ["bar"]\n' in text


# -- normalize -------------------------------------------------------------------------------


@pytest.mark.parametrize("test", sorted(NORMALIZED))
def test_normalized_text_is_confluents(test: str) -> None:
    """from ProtobufSchemaTest.<test>: ``schema.normalize().canonicalString()``."""
    schema, expected = NORMALIZED[test]
    assert parse(schema).normalized().canonical() == expected


@pytest.mark.parametrize(
    "test", ["testNormalizationWithExtensions", "testNormalizationWithPackagePrefix", "testComplexCustomOptions2"]
)
def test_normalized_text_of_the_descriptor_is_the_same(test: str) -> None:
    """from ProtobufSchemaTest.<test>: ``new ProtobufSchema(descriptor).normalize()``."""
    schema, expected = NORMALIZED[test]
    normalized = parse(schema).normalized()
    assert from_descriptor(normalized).normalized().canonical() == expected
    assert from_descriptor(parse(schema)).normalized().canonical() == expected


def test_normalize_keeps_options_nothing_defines_as_written() -> None:
    """ProtobufSchemaUtils.FormatContext.filterOptions: an option no extension in scope
    resolves stays dotted as written, sorted by its name (stably), numbers reprinted."""
    schema = parse(
        'syntax = "proto3";\nimport "validate/validate.proto";\nmessage M {\n  string s = 1 ['
        "(validate.rules).string.min_len = 1, (validate.rules).string.max_len = 0x10, deprecated = true];\n}\n"
    )
    assert "    (validate.rules).string.min_len = 1,\n    (validate.rules).string.max_len = 0x10,\n" in (
        schema.canonical()
    )
    assert (
        "  string s = 1 [\n    deprecated = true,\n    (validate.rules).string.min_len = 1,\n"
        "    (validate.rules).string.max_len = 16\n  ];\n"
    ) in schema.normalized().canonical()


def test_normalize_sorts_extend_fields_by_number() -> None:
    """from ProtobufSchemaTest.testNormalizationWithExtensions: fields inside ``extend``."""
    canonical = parse(layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING).canonical()
    normalized = parse(layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING).normalized().canonical()
    assert canonical.index("extension_identifier2 = 103") < canonical.index("extension_identifier = 102")
    assert normalized.index("extension_identifier = 102") < normalized.index("extension_identifier2 = 103")


def test_ignore_extensions_drops_extends_and_extension_ranges() -> None:
    """from ProtobufSchemaTest.testNormalizationWithExtensions: ``Format.IGNORE_EXTENSIONS``."""
    normalized = parse(layout.NORMALIZATION_WITH_EXTENSIONS_SCHEMA_STRING).normalized()
    assert from_descriptor(normalized).normalized().formatted("ignore_extensions") == (
        layout.NORMALIZATION_WITH_EXTENSIONS_EXPECTED
    )
    assert "extensions 100 to 199" in normalized.canonical()
    assert "extensions" not in normalized.formatted("ignore_extensions")


def test_ignore_extensions_keeps_no_custom_option() -> None:
    """from ProtobufSchemaTest.testNormalizationWithExtensions2: ``Format.IGNORE_EXTENSIONS``
    of the normalised schema's descriptor."""
    normalized = parse(ext.NORMALIZATION_WITH_EXTENSIONS2_SCHEMA_STRING).normalized()
    assert from_descriptor(normalized).normalized().formatted("ignore_extensions") == (
        ext.NORMALIZATION_WITH_EXTENSIONS2_EXPECTED
    )


# -- descriptors (base64 FileDescriptorProto input) ------------------------------------------


def test_descriptor_of_a_text_schema_prints_confluents_text() -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions2: ``new ProtobufSchema(toDescriptor())``
    prints the merged options (list values one per line) and no unwritten ``json_name``."""
    schema = parse(opts.COMPLEX_CUSTOM_OPTIONS2_SCHEMA_STRING)
    assert from_descriptor(schema).canonical() == opts.COMPLEX_CUSTOM_OPTIONS2_EXPECTED_SCHEMA_STRING


def test_descriptor_of_enum_before_message() -> None:
    """from ProtobufSchemaTest.testEnumAfterMessage: messages print before enums either way."""
    schema = parse(layout.ENUM_BEFORE_MESSAGE_SCHEMA_STRING)
    assert from_descriptor(schema).canonical() == layout.ENUM_AFTER_MESSAGE_SCHEMA_STRING


def test_json_name_printed_whenever_the_descriptor_sets_it() -> None:
    """ProtobufSchema.toField keeps ``json_name`` when ``hasJsonName()``: a descriptor from
    protoc (as Confluent's JS serializer sends it) sets it on every field."""
    file = descriptor_pb2.FileDescriptorProto(name="x.proto", package="p", syntax="proto3")
    message = file.message_type.add(name="M")
    message.field.add(name="first_name", number=1, type=9, label=1, json_name="firstName")
    message.field.add(name="id", number=2, type=3, label=1)
    text = parse(base64.b64encode(file.SerializeToString()).decode()).canonical()
    assert '  string first_name = 1 [json_name = "firstName"];\n' in text
    assert "  int64 id = 2;\n" in text


def test_text_schema_descriptor_keeps_only_written_json_names() -> None:
    """A text schema's descriptor (Confluent's toDescriptor) carries the json_name written only."""
    schema = parse('syntax = "proto3";\nmessage M {\n  int32 a_b = 1;\n  int32 c = 2 [json_name = "x"];\n}\n')
    fields = schema.file_descriptor().message_type[0].field
    assert [f.HasField("json_name") for f in fields] == [False, True]
    assert from_descriptor(schema).canonical() == schema.canonical()


# -- confluent.field_meta params (the decimal annotation) ------------------------------------

DECIMAL = (
    'syntax = "proto3";\npackage acme;\nimport "confluent/meta.proto";\nimport "confluent/type/decimal.proto";\n'
    "message Price {\n"
    "  confluent.type.Decimal amount = 1 [(confluent.field_meta) = { params: [ "
    '{ key: "precision", value: "5" }, { key: "scale", value: "2" } ] }];\n'
    "}\n"
)


def test_field_meta_params_print_as_written() -> None:
    """Printing ``params`` (a map field) no longer fails; the list literal stays a list."""
    assert parse(DECIMAL).canonical() == (
        'syntax = "proto3";\npackage acme;\n\n'
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
        "}\n"
    )


def test_field_meta_params_from_a_descriptor_put_the_value_first() -> None:
    """ProtobufSchema.toOption: a descriptor's precision/scale params print value first."""
    text = from_descriptor(parse(DECIMAL)).canonical()
    assert '      {\n        value: "5",\n        key: "precision"\n      },\n' in text
    assert parse(DECIMAL).normalized().canonical().count("key:") == 2


# -- values: escapes, numbers, repeated options ------------------------------------------------

OPTION_ESCAPE = (
    'syntax = "proto3";\n\n'
    'option testBackslash = "backslash\\\\backslash";\n'
    'option testDoubleQuote = "\\"something\\"";\n'
    "option testSingleQuote = \"\\'something\\'\";\n"
    'option testNewline = "newline\\n";\n'
    'option testBell = "bell\\a";\n'
    'option testVerticalTab = "verticalTab\\v";\n'
    "\n"
    'import "google/protobuf/descriptor.proto";\n\n'
    "message TestOptionEscape {\n"
    '    option (source_ref) = "https://someUrl.com";\n\n'
    "    bool test_bool = 1;\n"
    "}\n"
)


def test_option_strings_escaped_as_confluent() -> None:
    """from ProtobufSchemaTest.testOptionEscape (ProtobufSchemaUtils.escapeChars)."""
    text = parse(OPTION_ESCAPE).canonical()
    for escaped in ("backslash\\\\backslash", '\\"something\\"', "\\'something\\'", "newline\\n", "bell\\a"):
        assert escaped in text
    assert 'option testVerticalTab = "verticalTab\\v";\n' in text
    assert '  option (source_ref) = "https://someUrl.com";\n' in text


def test_repeated_message_option_prints_each_statement() -> None:
    """from ProtobufSchemaTest.testEnumOption: two ``option (foo) = {...}`` stay two."""
    text = parse(
        'import "google/protobuf/descriptor.proto";\n'
        "enum FooParameterType {\n   NUMBER = 1;\n   STRING = 2;\n}\n"
        "message FooOptions {\n  optional string name = 1;\n  optional FooParameterType type = 2;\n}\n"
        "extend google.protobuf.MessageOptions {\n  repeated FooOptions foo = 12345;\n}\n"
        'message Message {\n  option (foo) = {\n    name: "test"\n    type: STRING\n  };\n'
        '  option (foo) = {\n    name: "test2"\n    type: NUMBER\n  };\n  optional int32 b = 2;\n}'
    ).canonical()
    assert '  option (foo) = {\n    name: "test",\n    type: STRING\n  };\n' in text
    assert '  option (foo) = {\n    name: "test2",\n    type: NUMBER\n  };\n' in text


def test_defaults_as_written_and_normalised_as_java_decimal_format() -> None:
    """from ProtobufSchemaTest.testNumberFormats: normalising prints numbers as DecimalFormat
    (``0x...`` in decimal, ``123.4567E+2`` as ``12345.67``); the canonical text keeps them."""
    schema = parse(
        'syntax = "proto2";\nmessage M {\n  optional double d = 1 [default = 123.4567E+2];\n'
        "  optional int32 i = 2 [default = 0x123];\n  optional double e = 3 [default = .123E+3];\n}\n"
    )
    assert "[default = 123.4567E+2]" in schema.canonical() and "[default = 0x123]" in schema.canonical()
    normalized = schema.normalized().canonical()
    assert "[default = 12345.67]" in normalized
    assert "[default = 291]" in normalized
    assert "[default = 123]" in normalized


def test_descriptor_maps_print_as_entry_messages() -> None:
    """ProtobufSchema.toMessage keeps every nested type of a descriptor, the map entries too
    (``option map_entry = true;``), and types each field by its type name (dataType): a map is
    ``repeated .p.M.TagsEntry``. Normalising folds them back (filterTypes, FieldElement's map
    type), which is why ProtobufSchemaTest.testRoundTrip uses NestedNoMapTestProto."""
    text = 'syntax = "proto3";\npackage p;\nmessage M {\n  map<string, int64> tags = 1;\n  optional int32 o = 2;\n}\n'
    schema = from_descriptor(parse(text))
    assert schema.canonical() == (
        'syntax = "proto3";\npackage p;\n\n'
        "message M {\n"
        "  repeated .p.M.TagsEntry tags = 1;\n"
        "  optional int32 o = 2;\n"
        "\n"
        "  message TagsEntry {\n"
        "    option map_entry = true;\n"
        "  \n"
        "    string key = 1;\n"
        "    int64 value = 2;\n"
        "  }\n"
        "}\n"
    )
    assert schema.normalized().canonical() == parse(text).normalized().canonical()
    assert "  map<string, int64> tags = 1;\n" in parse(text).canonical()


def test_oneof_options_then_a_blank_line_then_its_fields() -> None:
    """ProtobufSchemaUtils.toString(OneOfElement): options as written, a blank line (indented,
    the oneof being inside a message), the fields."""
    text = parse(
        'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.OneofOptions { optional string tag = 50000; repeated string tags = 50001; }\n"
        'message M {\n  oneof o {\n    option (tag) = "x";\n    option (tags) = "a";\n    option (tags) = "b";\n'
        "    string a = 1;\n  }\n}\n"
    ).canonical()
    assert (
        'message M {\n  oneof o {\n    option (tag) = "x";\n    option (tags) = "a";\n    option (tags) = "b";\n'
        "  \n    string a = 1;\n  }\n}\n"
    ) in text


def test_descriptor_options_in_the_order_confluent_reads_them() -> None:
    """ProtobufSchema.toProtoFile/toField: a descriptor's standard options print in the order
    Confluent reads them (optimize_for after java_multiple_files, jstype before deprecated);
    the ones it does not read (php_generic_services, lazy) are not printed."""
    text = parse(
        'syntax = "proto3";\npackage p;\noption java_package = "a";\noption java_outer_classname = "B";\n'
        "option optimize_for = SPEED;\noption java_multiple_files = true;\noption php_generic_services = true;\n"
        "message M {\n  int64 a = 1 [deprecated = true, jstype = JS_STRING, lazy = false];\n}\n"
    )
    assert from_descriptor(text).canonical() == (
        'syntax = "proto3";\npackage p;\n\n'
        'option java_package = "a";\noption java_outer_classname = "B";\n'
        "option java_multiple_files = true;\noption optimize_for = SPEED;\n\n"
        "message M {\n  int64 a = 1 [\n    jstype = JS_STRING,\n    deprecated = true\n  ];\n}\n"
    )
    assert "php_generic_services = true" in text.canonical() and "lazy = false" in text.canonical()
