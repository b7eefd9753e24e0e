"""Which Protobuf schemas are accepted: what Confluent's registry accepts although protoc refuses it.

Confluent parses text with Square Wire and, by default (``schema.validate.fields=false``), builds
no descriptor (``ProtobufSchema.validate`` only normalises), so it accepts unknown custom options,
list-valued options, imports nothing resolves and types of references the text does not import.
Charter still compiles with protoc (``charter.compat.protobuf.lenient``) and carries what protoc
would refuse in the descriptor. Each test names the Confluent test or source it comes from.
"""

from __future__ import annotations

from pathlib import Path

import protobuf_confluent_refused as refused
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from protobuf_confluent_options import COMPLEX_CUSTOM_OPTIONS_CANONICAL_STRING

from charter.compat.model import InvalidSchemaError
from charter.compat.protobuf import PROTOBUF_FORMAT, ProtobufSchema
from charter.compat.protobuf.protoscan import uninterpreted_text
from charter.compat.protobuf.wellknown import builtin_files

UninterpretedOption = descriptor_pb2.UninterpretedOption


def parse(text: str, deps: dict[str, ProtobufSchema] | None = None) -> ProtobufSchema:
    return PROTOBUF_FORMAT.parse(text, deps or {})


def carried(options) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The unknown options an options message carries, as (name, value) written."""
    return [uninterpreted_text(option) for option in options.uninterpreted_option]


def links(schema: ProtobufSchema) -> descriptor_pool.DescriptorPool:
    """The serialized descriptor (what clients load) links in a fresh pool with its dependencies."""
    pool = descriptor_pool.DescriptorPool()
    for name, file in schema.dependency_descriptors().items():
        file.name = name
        pool.Add(file)
    pool.Add(schema.file_descriptor())
    return pool


def extension_value(schema: ProtobufSchema, message: str, extension: str):  # type: ignore[no-untyped-def]
    """The value of a custom option on the first field of ``message``, read in the pool the
    serialized descriptor links in."""
    pool = links(schema)
    field = pool.FindMessageTypeByName(message).fields[0]
    options_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("google.protobuf.FieldOptions"))
    options = options_class.FromString(field.GetOptions().SerializeToString())
    return options.Extensions[pool.FindExtensionByName(extension)]


def meta_of(options: descriptor_pb2.FileOptions | descriptor_pb2.FieldOptions):  # type: ignore[no-untyped-def]
    """The ``confluent.*_meta`` value set in an options message, decoded with meta.proto."""
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(builtin_files()["google/protobuf/descriptor.proto"])
    pool.AddSerializedFile(builtin_files()["confluent/meta.proto"])
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(options.DESCRIPTOR.full_name))
    decoded = cls.FromString(options.SerializeToString())
    kind = "file" if isinstance(options, descriptor_pb2.FileOptions) else "field"
    return decoded.Extensions[pool.FindExtensionByName(f"confluent.{kind}_meta")]


# -- unknown custom options ---------------------------------------------------------------------

OPTION_ESCAPE = (
    'syntax = "proto3";\n\n'
    'option java_package = "io.confluent.kafka.serializers.protobuf.test";\n'
    'option java_outer_classname = "TestOptionEscape";\n'
    'option testBackslash = "backslash\\\\backslash";\n'
    'option testDoubleQuote = "\\"something\\"";\n'
    'option testNewline = "newline\\n";\n'
    "option testSingleQuote = \"\\'something\\'\";\n"
    'option testBell = "bell\\a";\n'
    'option testVerticalTab = "verticalTab\\v";\n\n'
    'import "google/protobuf/descriptor.proto";\n\n'
    "message TestOptionEscape {\n"
    '    option (source_ref) = "https://someUrl.com";\n\n'
    "    bool test_bool = 1;\n"
    "}\n"
)


def test_unknown_options_are_accepted_and_carried_uninterpreted() -> None:
    """from ProtobufSchemaTest.testOptionEscape: options nothing defines (plain and in
    parentheses) are accepted; their values (escapes included) are kept."""
    schema = parse(OPTION_ESCAPE)
    file = schema._file
    assert file.options.java_package == "io.confluent.kafka.serializers.protobuf.test"
    assert carried(file.options) == [
        ("testBackslash", '"backslash\\\\backslash"'),
        ("testDoubleQuote", '"\\"something\\""'),
        ("testNewline", '"newline\\n"'),
        ("testSingleQuote", "\"'something'\""),
        ("testBell", '"bell\\007"'),
        ("testVerticalTab", '"verticalTab\\013"'),
    ]
    assert carried(file.message_type[0].options) == [("(source_ref)", '"https://someUrl.com"')]
    assert [f.name for f in file.message_type[0].field] == ["test_bool"]


def test_unknown_options_print_as_written() -> None:
    """from ProtobufSchemaTest.testOptionEscape: the canonical text has every unknown option,
    its escapes as written."""
    canonical = parse(OPTION_ESCAPE).canonical()
    for written in [
        'option testBackslash = "backslash\\\\backslash";\n',
        'option testDoubleQuote = "\\"something\\"";\n',
        "option testSingleQuote = \"\\'something\\'\";\n",
        'option testNewline = "newline\\n";\n',
        'option testBell = "bell\\a";\n',
        'option testVerticalTab = "verticalTab\\v";\n',
        '  option (source_ref) = "https://someUrl.com";\n',
    ]:
        assert written in canonical


def test_the_serialized_descriptor_has_no_uninterpreted_options_and_links() -> None:
    """ProtobufSchema.toDynamicSchema sets only the options it knows: what clients load has
    the known ones, and links."""
    schema = parse(OPTION_ESCAPE)
    served = schema.file_descriptor()
    assert not served.options.uninterpreted_option
    assert served.options.java_outer_classname == "TestOptionEscape"
    assert not served.message_type[0].options.uninterpreted_option
    assert links(schema).FindMessageTypeByName("TestOptionEscape").fields[0].name == "test_bool"


def test_unknown_options_on_every_kind_of_element() -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions (unknown ``(com.custom.map)``): an unknown
    option is kept on the element it is written on, whatever its value's kind."""
    schema = parse(
        'syntax = "proto3";\npackage p;\n'
        "message M {\n"
        "  option (my.msg) = true;\n"
        "  int32 a = 1 [(foo.bar) = -5, deprecated = true];\n"
        '  string s = 2 [(x) = { a: 1 b: "x" }];\n'
        "  oneof o {\n    option (one) = 1.5;\n    int32 c = 3;\n  }\n"
        "}\n"
        "enum E {\n  option (en) = 0x10;\n  Z = 0 [(val).deep = ON];\n}\n"
        "service S {\n  option (svc) = 'q';\n  rpc Get (M) returns (M) {\n    option (rpc) = 7;\n  }\n}\n"
    )
    file = schema._file
    message = file.message_type[0]
    assert carried(message.options) == [("(my.msg)", "true")]
    assert carried(message.field[0].options) == [("(foo.bar)", "-5")]
    assert message.field[0].options.deprecated
    assert message.field[1].options.uninterpreted_option[0].aggregate_value == 'a: 1 b: "x"'
    assert carried(message.oneof_decl[0].options) == [("(one)", "1.5")]
    assert carried(file.enum_type[0].options) == [("(en)", "16")]
    assert carried(file.enum_type[0].value[0].options) == [("(val).deep", "ON")]
    assert carried(file.service[0].options) == [("(svc)", '"q"')]
    assert carried(file.service[0].method[0].options) == [("(rpc)", "7")]
    links(schema)


def test_complex_custom_options_with_an_unresolved_import() -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions: ``common/extensions.proto`` resolves to
    nothing, ``(com.custom.map)`` is unknown, list values of ``(confluent.file_meta)`` are read
    as one value per item (the descriptor Confluent builds has params and tags)."""
    schema = parse(
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
    file = schema._file
    assert list(file.dependency) == ["common/extensions.proto", "confluent/meta.proto"]
    assert carried(file.options) == [
        ("(com.custom.map).subject", '"user-value"'),
        ("(com.custom.map).compatibility_mode", "FULL"),
    ]
    meta = meta_of(schema.file_descriptor().options)
    assert meta.doc == "file meta"
    assert dict(meta.params) == {"my_key": "my_value"}
    assert list(meta.tags) == ["PII", "PRIVATE"]
    assert "(com.custom.map)" not in schema.formatted("ignore_extensions")
    assert schema.canonical() == COMPLEX_CUSTOM_OPTIONS_CANONICAL_STRING


def test_option_values_protoc_cannot_interpret_are_carried() -> None:
    """ProtobufSchema.toDynamicSchema interprets only the options it knows (Wire keeps any value):
    a value of the wrong type or range, an aggregate naming a field the message lacks and a
    non-repeated option set twice are accepted and printed as written."""
    schema = parse(
        'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\n'
        "message V { optional int32 a = 1; }\n"
        "extend google.protobuf.FieldOptions { optional int32 i = 50001; optional V v = 50002; }\n"
        "message M {\n"
        '  optional int32 a = 1 [(i) = "x", deprecated = true];\n'
        "  optional int32 b = 2 [(i) = 99999999999];\n"
        "  optional int32 c = 3 [(v) = { a: 1 zzz: 2 }];\n"
        "  optional int32 d = 4 [(i) = 1, (i) = 2];\n"
        "}\n"
    )
    fields = schema._file.message_type[1].field
    assert carried(fields[0].options) == [("(i)", '"x"')] and fields[0].options.deprecated
    assert carried(fields[1].options) == [("(i)", "99999999999")]
    assert fields[2].options.uninterpreted_option[0].aggregate_value == "a: 1 zzz: 2"
    assert carried(fields[3].options) == [("(i)", "2")]
    assert extension_value(schema, "M", "i") == 0  # field a: only the known option survives
    canonical = schema.canonical()
    for written in ['(i) = "x"', "[(i) = 99999999999]", "zzz: 2", "(i) = 1", "(i) = 2"]:
        assert written in canonical


# -- list values ---------------------------------------------------------------------------------


def test_list_values_of_field_meta_tags() -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions2 (my_field6): ``tags = ["bar"]`` beside
    ``tags = "foo"`` gives both tags."""
    schema = parse(
        'syntax = "proto3";\npackage com.example.mynamespace;\nimport "confluent/meta.proto";\n'
        "message SampleRecord {\n"
        '  string my_field6 = 6 [\n    (confluent.field_meta).tags = "foo",\n'
        '    (confluent.field_meta).tags = ["bar"]\n  ];\n'
        '  string my_field7 = 7 [(confluent.field_meta).tags = ["a", "b"], deprecated = true];\n'
        "}"
    )
    tags = {t.entity.path: t.tags for t in schema.tagged_entities()}
    assert tags == {"SampleRecord.my_field6": ("foo", "bar"), "SampleRecord.my_field7": ("a", "b")}
    assert schema.file_descriptor().message_type[0].field[1].options.deprecated


def test_list_value_of_a_repeated_custom_option() -> None:
    """ProtobufSchema.toDynamicSchema reads Wire's list kind as repeated values; protoc's option
    syntax has no list, so each item is one assignment."""
    schema = parse(
        'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions { repeated int32 nums = 50000; }\n"
        "message M {\n  optional int32 a = 1 [(nums) = [1, 2, 3]];\n}\n"
    )
    assert list(extension_value(schema, "M", "nums")) == [1, 2, 3]


# -- reserved ----------------------------------------------------------------------------------------


def test_reserved_conflicts_are_accepted_and_kept() -> None:
    """ProtobufSchema.toDynamicMessage/toDynamicEnum copy reserved statements as written and Wire
    does not check fields against them: a field or value using a reserved number or name, and
    overlapping reserved ranges, are accepted; the ranges and names stay, per statement."""
    schema = parse(
        'syntax = "proto3";\n'
        "message M {\n  reserved 1, 7 to max;\n  reserved 3 to 9;\n  reserved \"a\", \"b\";\n  int32 a = 1;\n"
        "  message N { reserved 2; int32 x = 2; }\n}\n"
        "enum E {\n  reserved 1 to 3;\n  reserved \"Y\";\n  Z = 0;\n  Y = 2;\n}\n"
    )
    file = schema.file_descriptor()
    message = file.message_type[0]
    assert [(r.start, r.end) for r in message.reserved_range] == [(1, 2), (7, 536870912), (3, 10)]
    assert list(message.reserved_name) == ["a", "b"]
    assert [(r.start, r.end) for r in message.nested_type[0].reserved_range] == [(2, 3)]
    assert [(r.start, r.end) for r in file.enum_type[0].reserved_range] == [(1, 3)]
    assert list(file.enum_type[0].reserved_name) == ["Y"]
    canonical = schema.canonical()
    assert "  reserved 1, 7 to max;\n  reserved 3 to 9;\n  reserved \"a\", \"b\";\n" in canonical
    assert "  reserved 1 to 3;\n  reserved \"Y\";\n" in canonical
    assert "    reserved 2;\n" in canonical
    normalized = schema.normalized().canonical()
    assert "  reserved 1;\n  reserved 3 to 9;\n  reserved 7 to max;\n" in normalized
    links(schema)


# -- extensions --------------------------------------------------------------------------------------

COMPLEX_ENUM = (
    'syntax = "proto3";\npackage acme.api.items;\n\noption java_package = "com.acme.api.items";\n\n'
    "extend google.protobuf.EnumValueOptions {\n  optional VisibleTypeEnumValueOption visible_types = 24000;\n}\n\n"
    "message VisibleTypeEnumValueOption {\n  repeated ObjectType type = 1;\n}\n\n"
    "message ObjectType {\n}\n\nmessage VisibleTypeSet {\n}\n\n"
    'enum Type {\n  reserved 13,15;\n  reserved "MARKET_ITEM_SETTINGS","PROMO";\n'
    "  ITEM = 0;\n  PAGE = 1;\n  ITEM_IMAGE = 2;\n}\n\n\n\n"
    "enum ItemsVisibleTypeSet {\n  // a comment\n  LEGACY = 0 [\n    (acme.api.items.visible_types) = {\n"
    "      type: {[type]: ITEM},\n      type: {[type]: PAGE},\n      type: {[type]: ITEM_IMAGE}\n    }\n  ];\n}\n\n"
    "extend VisibleTypeSet {\n  optional ItemsVisibleTypeSet items_visible_type_set = 10;\n}\n\n"
    "extend ObjectType {\n  optional Type type = 101;\n}\n\n\n"
)


def test_extensions_at_numbers_the_message_does_not_declare() -> None:
    """from ProtobufSchemaTest.testComplexEnum (its ``LEGACY = 1`` written 0: proto3's first enum
    value rule is still protoc's): proto3 ``extend`` of plain messages, which declare no
    extension numbers, and the descriptor options extended without the import are accepted;
    the canonical text is Confluent's canonicalString."""
    schema = parse(COMPLEX_ENUM)
    assert schema.canonical() == (
        'syntax = "proto3";\npackage acme.api.items;\n\noption java_package = "com.acme.api.items";\n\n'
        "message VisibleTypeEnumValueOption {\n  repeated ObjectType type = 1;\n}\n"
        "message ObjectType {}\nmessage VisibleTypeSet {}\n"
        'enum Type {\n  reserved 13, 15;\n  reserved "MARKET_ITEM_SETTINGS", "PROMO";\n'
        "  ITEM = 0;\n  PAGE = 1;\n  ITEM_IMAGE = 2;\n}\n"
        "enum ItemsVisibleTypeSet {\n  LEGACY = 0 [(acme.api.items.visible_types) = {\n    type: [\n"
        "      {\n        [type]: ITEM\n      },\n      {\n        [type]: PAGE\n      },\n"
        "      {\n        [type]: ITEM_IMAGE\n      }\n    ]\n  }];\n}\n\n"
        "extend google.protobuf.EnumValueOptions {\n  optional VisibleTypeEnumValueOption visible_types = 24000;\n}\n"
        "extend VisibleTypeSet {\n  optional ItemsVisibleTypeSet items_visible_type_set = 10;\n}\n"
        "extend ObjectType {\n  optional Type type = 101;\n}\n"
    )
    restored = {e.name: (e.extendee, e.type, e.type_name) for e in schema._file.extension}
    assert restored["type"] == (".acme.api.items.ObjectType", descriptor_pb2.FieldDescriptorProto.TYPE_ENUM,
                                ".acme.api.items.Type")
    assert restored["items_visible_type_set"][0] == ".acme.api.items.VisibleTypeSet"
    # what clients load links: the extensions no pool accepts are left out of it
    assert [e.name for e in schema.file_descriptor().extension] == ["visible_types"]
    links(schema)


def test_proto3_enum_not_starting_at_zero() -> None:
    """from ProtobufSchemaTest.testComplexEnum as written (``LEGACY = 1``, the enum's only value):
    Wire does not require a proto3 enum to start at zero, protoc does; it is compiled with a
    hidden zero value that the stored descriptor does not keep. What clients load must link in a
    pool (upb refuses such an enum), so there the placeholder stays first."""
    schema = parse(refused.COMPLEX_ENUM_SCHEMA_STRING)
    assert schema.canonical() == refused.COMPLEX_ENUM_CANONICAL
    values = [(v.name, v.number) for v in schema._file.enum_type[1].value]
    assert values == [("LEGACY", 1)]
    loaded = links(schema).FindEnumTypeByName("acme.api.items.ItemsVisibleTypeSet")
    assert [(v.name, v.number) for v in loaded.values] == [("CHARTER_ZERO_OF_ItemsVisibleTypeSet", 0), ("LEGACY", 1)]
    # registered again as that descriptor, the placeholder is gone
    again = parse(schema.formatted("serialized"))
    assert [v.name for v in again._file.enum_type[1].value] == ["LEGACY"]


def test_proto3_enum_with_a_later_zero_value() -> None:
    """from ProtobufSchemaTest.testNormalization (``enum Status { INACTIVE = 1; ACTIVE = 0; }``):
    compiled with the placeholder and an ``allow_alias`` both removed afterwards; clients get the
    zero value moved first."""
    schema = parse('syntax = "proto3";\npackage p;\nenum Status {\n  INACTIVE = 1;\n  ACTIVE = 0;\n}\n')
    assert schema.canonical() == 'syntax = "proto3";\npackage p;\n\nenum Status {\n  INACTIVE = 1;\n  ACTIVE = 0;\n}\n'
    assert not schema._file.enum_type[0].HasField("options")
    loaded = links(schema).FindEnumTypeByName("p.Status")
    assert [v.name for v in loaded.values] == ["ACTIVE", "INACTIVE"]


def test_misplaced_jstype_is_kept_as_written() -> None:
    """from ProtobufSchemaTest.testNormalization: ``jstype = JS_STRING`` on an ``int32`` (Wire
    checks no option, protoc refuses) stays on its field, canonical and normalised as Confluent's;
    clients load the descriptor without it."""
    schema = parse(refused.NORMALIZATION_SCHEMA_STRING)
    assert schema.canonical() == refused.NORMALIZATION_SCHEMA_STRING
    assert schema.normalized().canonical() == refused.NORMALIZATION_NORMALIZED
    links(schema)


def test_option_value_protoc_cannot_tokenize_is_carried_uninterpreted() -> None:
    """from ProtobufSchemaTest.testComplexCustomOptions3: ``value10: 10f`` (a text-format float
    suffix; protoc: "Need space between number and identifier") in a ``(confluent.field_meta)``
    aggregate: the option is carried uninterpreted and printed as written; clients load the
    descriptor without it."""
    schema = parse(refused.COMPLEX_CUSTOM_OPTIONS3_SCHEMA_STRING)
    assert schema.canonical() == refused.COMPLEX_CUSTOM_OPTIONS3_CANONICAL
    assert len(schema._file.message_type[0].field[0].options.uninterpreted_option) == 1
    links(schema)


def test_default_protoc_cannot_read_is_kept_as_written() -> None:
    """from ProtobufSchemaTest.testNormalizationWithComplexCustomOptions: ``default = 0`` on a
    ``bytes`` field (protoc: "Expected string.") is carried as an uninterpreted ``default`` and
    printed as written, normalised as Confluent's; clients load the descriptor without it."""
    schema = parse(refused.NORMALIZATION_WITH_COMPLEX_CUSTOM_OPTIONS_SCHEMA_STRING)
    assert "    default = 0,\n" in schema.canonical()
    assert schema.normalized().canonical() == refused.NORMALIZATION_WITH_COMPLEX_CUSTOM_OPTIONS_NORMALIZED
    assert not schema.file_descriptor().message_type[0].field[1].HasField("default_value")
    links(schema)


def test_field_of_a_repeated_message_option_set_by_name() -> None:
    """from ProtobufSchemaTest.testNormalizationWithRepeatedNestedCustomOptions:
    ``(wrapper).tags.name = "a", (wrapper).tags.name = "b"`` with ``tags`` a repeated message
    (protoc: "Repeated message options must be initialized using an aggregate value") is
    carried uninterpreted; normalised, the two values merge into one (FormatContext.mergeOption)."""
    schema = parse(refused.NORMALIZATION_WITH_REPEATED_NESTED_CUSTOM_OPTIONS_SCHEMA_STRING)
    assert '    (wrapper).tags.name = "a",\n    (wrapper).tags.name = "b"\n' in schema.canonical()
    assert schema.normalized().canonical() == refused.NORMALIZATION_WITH_REPEATED_NESTED_CUSTOM_OPTIONS_NORMALIZED
    links(schema)


@pytest.mark.parametrize("version", [19, 24, 32])
def test_copy_of_descriptor_proto(version: int) -> None:
    """from ProtobufSchemaTest.testGoogleDescriptor (resources com/google/protobuf/descriptor-vN.proto,
    here three of v19..v32): a schema that is a copy of descriptor.proto is accepted, and its
    descriptor registered again (``new ProtobufSchema(descriptor)``) normalises the same, though
    it defines the names of the bundled descriptor.proto it does not import. Referenced as
    ``google/protobuf/descriptor.proto``, it stands in for the bundled file."""
    text = (Path(__file__).parent / "protos" / f"descriptor-v{version}.proto").read_text()
    schema = parse(text)
    again = parse(schema.formatted("serialized"))
    assert again.normalized().canonical() == schema.normalized().canonical()
    user = PROTOBUF_FORMAT.parse(
        'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions {\n  string note = 50001;\n}\n"
        'message M {\n  string a = 1 [(note) = "v"];\n}\n',
        {"google/protobuf/descriptor.proto": schema},
    )
    assert '[(note) = "v"]' in user.canonical()
    links(user)


def test_descriptor_using_reserved_numbers_links() -> None:
    """from ProtobufSchemaTest.testNormalization (``reserved 1`` beside ``string id = 1``), its
    ``new ProtobufSchema(descriptor)``: the descriptor registered again is accepted, its reserved
    ranges and names kept."""
    schema = parse(
        'syntax = "proto3";\npackage p;\nmessage M {\n  reserved "id";\n  reserved 1, 9 to 11;\n'
        "  string id = 1;\n  int32 n = 10;\n}\n"
    )
    again = parse(schema.formatted("serialized"))
    assert again.normalized().canonical() == schema.normalized().canonical()
    assert 'reserved "id";' in again.canonical()
    full = parse(parse(refused.NORMALIZATION_SCHEMA_STRING).formatted("serialized"))
    assert "    reserved 29 to 31;\n" in full.normalized().canonical()


def test_nested_extend_resolves_in_its_message_scope() -> None:
    """ProtobufSchema.toDynamicMessage reads a message's ``extend`` declarations (Wire resolves
    names from the innermost scope): the extension stays in its message."""
    schema = parse(
        'syntax = "proto3";\npackage p;\nmessage Target {}\n'
        "message Holder {\n  enum Kind { A = 0; }\n"
        '  extend Target {\n    repeated Kind kinds = 7 [(why) = "x"];\n  }\n}\n'
    )
    holder = schema._file.message_type[1]
    assert [(e.name, e.extendee, e.type_name, e.label) for e in holder.extension] == [
        ("kinds", ".p.Target", ".p.Holder.Kind", descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED)
    ]
    assert carried(holder.extension[0].options) == [("(why)", '"x"')]
    assert "  extend Target {\n    repeated Kind kinds = 7 [(why) = \"x\"];\n  }\n" in schema.canonical()
    assert not schema.file_descriptor().message_type[1].extension
    links(schema)


def test_extend_of_an_undefined_message_is_refused() -> None:
    """A name nothing defines cannot be carried: protoc's error stands."""
    with pytest.raises(InvalidSchemaError, match='"Nowhere" is not defined'):
        parse('syntax = "proto3";\nextend Nowhere {\n  int32 x = 101;\n}\n')


# -- names and imports ---------------------------------------------------------------------------


def test_field_meta_inside_an_io_confluent_package() -> None:
    """from RestApiTest.testSchemaReferences (getProtobufSchemaWithDependencies): in package
    ``io.confluent.kafka...`` the name ``(confluent.field_meta)`` means Confluent's option, as
    Confluent matches option names as written."""
    ref = parse(
        'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\n\n'
        "message ReferencedMessage {\n  string ref_id = 1;\n  bool is_active = 2;\n}\n"
    )
    text = (
        'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\n\n'
        'import "ref.proto";\nimport "confluent/meta.proto";\n\n'
        "message ReferrerMessage {\n"
        '  option (confluent.message_meta) = {\n    doc: "ReferrerMessage"\n  };\n\n'
        "  string root_id = 1;\n"
        "  .io.confluent.kafka.serializers.protobuf.test.ReferencedMessage ref = 2 [(confluent.field_meta) = {\n"
        '    doc: "ReferencedMessage"\n  }];\n}\n'
    )
    schema = parse(text, {"ref.proto": ref})
    assert meta_of(schema.file_descriptor().message_type[0].field[1].options).doc == "ReferencedMessage"
    canonical = schema.canonical()
    assert "(.confluent" not in canonical
    assert "(confluent.field_meta)" in canonical and "(confluent.message_meta)" in canonical
    assert parse(canonical, {"ref.proto": ref}).canonical() == canonical


def test_extending_descriptor_options_without_the_import() -> None:
    """from ProtobufSchemaTest.testComplexEnum (``extend google.protobuf.EnumValueOptions`` with
    no import): accepted; the import is linked against but not printed."""
    schema = parse(
        'syntax = "proto2";\npackage x;\n'
        "extend google.protobuf.FieldOptions { optional int32 nums = 50000; }\n"
        "message M {\n  optional int32 a = 1 [(nums) = 3];\n}\n"
    )
    assert "google/protobuf/descriptor.proto" in schema.file_descriptor().dependency
    assert "import" not in schema.canonical()
    assert "(nums) = 3" in schema.canonical()
    assert extension_value(schema, "x.M", "x.nums") == 3
    # descriptor.proto reachable through confluent/meta.proto: protoc says "not imported"
    through_meta = parse(
        'syntax = "proto3";\npackage y;\nimport "confluent/meta.proto";\n'
        "extend google.protobuf.FieldOptions { int32 nums = 50000; }\n"
        "message M {\n  int32 a = 1 [(nums) = 4];\n}\n"
    )
    assert 'import "google/protobuf/descriptor.proto"' not in through_meta.canonical()
    assert extension_value(through_meta, "y.M", "y.nums") == 4


def test_types_resolve_from_references_not_imported() -> None:
    """from RestApiTest.testValidateFieldsRejectsBrokenReference: without validateFields, a type
    of a reference the text does not import resolves (Context.collectTypeInfo reads every
    dependency); the import is linked against but not printed."""
    dep = parse(
        'syntax = "proto3";\npackage com.example;\n\nmessage FeatureDataFloatArray {\n  repeated float values = 1;\n}\n'
    )
    text = (
        'syntax = "proto3";\npackage com.example;\n\n'
        "message FeatureData {\n  map<string, FeatureDataFloatArray> float_array_features = 1;\n}\n"
    )
    schema = parse(text, {"float_array.proto": dep})
    assert list(schema.file_descriptor().dependency) == ["float_array.proto"]
    assert "import" not in schema.canonical()
    assert "map<string, FeatureDataFloatArray> float_array_features = 1;" in schema.canonical()
    links(schema)


def test_transitively_imported_types_resolve() -> None:
    """Context.collectTypeInfo: a type of a reference imported only by another reference resolves."""
    lib = parse('syntax = "proto3";\npackage lib;\nmessage Money { int64 units = 1; }\n')
    mid = parse('syntax = "proto3";\npackage mid;\nimport "lib.proto";\nmessage W { lib.Money m = 1; }\n',
                {"lib.proto": lib})
    schema = parse(
        'syntax = "proto3";\npackage shop;\nimport "mid.proto";\nmessage O { lib.Money m = 1; mid.W w = 2; }\n',
        {"mid.proto": mid, "lib.proto": lib},
    )
    assert schema.file_descriptor().message_type[0].field[0].type_name == ".lib.Money"
    assert 'import "lib.proto"' not in schema.canonical()


def test_protoc_gen_validate_import_is_skipped() -> None:
    """Issue item 12b, from ProtobufSchema.toDynamicSchema (imports with no dependency are
    skipped): ``validate/validate.proto`` resolves to nothing; its options are carried."""
    schema = parse(
        'syntax = "proto3";\npackage v;\nimport "validate/validate.proto";\n'
        "message M {\n  string a = 1 [(validate.rules).string.min_len = 1];\n"
        "  int32 b = 2 [(validate.rules).int32 = {gt: 0, lt: 10}];\n}\n"
    )
    message = schema._file.message_type[0]
    assert carried(message.field[0].options) == [("(validate.rules).string.min_len", "1")]
    assert message.field[1].options.uninterpreted_option[0].aggregate_value == "gt: 0, lt: 10"
    assert list(schema.file_descriptor().dependency) == ["validate/validate.proto"]
    assert 'import "validate/validate.proto";' in schema.canonical()


def test_bytes_default() -> None:
    """A ``default`` on a bytes field (Wire keeps it as written): accepted and kept."""
    schema = parse('syntax = "proto2";\nmessage M {\n  optional bytes b = 1 [default = "ab\\001"];\n}\n')
    assert schema.file_descriptor().message_type[0].field[0].default_value == "ab\\001"
    assert '[default = "ab\\001"]' in schema.canonical()


# -- what stays refused ------------------------------------------------------------------------------


def test_wire_syntax_errors_are_refused() -> None:
    """from RestApiTest.testBad (getBadSchema): ``bad-message`` is not Protobuf."""
    with pytest.raises(InvalidSchemaError, match=r"^Invalid schema: schema:4:1: "):
        parse(
            'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\n\n'
            "bad-message MyMessage {\n  string f1 = 1;\n  bool is_active = 2;\n}\n"
        )


def test_a_field_number_that_is_not_an_integer_is_refused() -> None:
    """from ProtobufSchemaTest.testParseSchemaThrowException (invalidSchemaString)."""
    with pytest.raises(InvalidSchemaError, match=r"^Invalid schema: schema:10:"):
        parse(
            'syntax = "proto3";\n\noption java_package = "io.confluent.kafka.serializers.protobuf.test";\n'
            'option java_outer_classname = "TestMessageProtos";\n\nimport "google/protobuf/descriptor.proto";\n\n'
            'message TestMessage {\n    string test_string = 1 [json_name = "test_str"];\n'
            "    int32 test_int32 = 8.01;\n}\n"
        )


def test_an_option_without_a_value_is_refused() -> None:
    """Wire's parser needs a value after ``=``; so does the lenient compile."""
    with pytest.raises(InvalidSchemaError, match="schema:2:32: Expected option value"):
        parse('syntax = "proto3";\nmessage M { int32 a = 1 [(x) = ]; }\n')


def test_an_undefined_type_with_no_reference_to_take_it_from_is_refused() -> None:
    """A type no file defines cannot be carried in a descriptor (see the module docstring)."""
    with pytest.raises(InvalidSchemaError, match='"Nope" is not defined'):
        parse('syntax = "proto3";\nmessage M { Nope a = 1; }\n')
