"""Schemas and expected texts of ProtobufSchemaTest cases protoc refuses as written (Confluent
accepts them): testComplexEnum, testNormalization, testComplexCustomOptions3,
testNormalizationWithComplexCustomOptions, testNormalizationWithRepeatedNestedCustomOptions.
"""

# ProtobufSchemaTest.testComplexEnum: schemaString
COMPLEX_ENUM_SCHEMA_STRING = (
    'syntax = "proto3";\n'
    "package acme.api.items;\n"
    "\n"
    'option java_package = "com.acme.api.items";\n'
    "\n"
    "extend google.protobuf.EnumValueOptions {\n"
    "  optional VisibleTypeEnumValueOption visible_types = 24000;\n"
    "}\n"
    "\n"
    "message VisibleTypeEnumValueOption {\n"
    "  repeated ObjectType type = 1;\n"
    "}\n"
    "\n"
    "message ObjectType {\n"
    "}\n"
    "\n"
    "message VisibleTypeSet {\n"
    "}\n"
    "\n"
    "enum Type {\n"
    "  reserved 13,15;\n"
    '  reserved "MARKET_ITEM_SETTINGS","PROMO";\n'
    "  ITEM = 0;\n"
    "  PAGE = 1;\n"
    "  ITEM_IMAGE = 2;\n"
    "}\n"
    "\n"
    "\n"
    "\n"
    "enum ItemsVisibleTypeSet {\n"
    "  // This is for all clients before register 4.1.2.  The items service will set "
    "this to clients where it is not set already\n"
    "  // When native clients need to support more objects, create a new enum value\n"
    "  LEGACY = 1 [\n"
    "    (acme.api.items.visible_types) = {\n"
    "      type: {[type]: ITEM},\n"
    "      type: {[type]: PAGE},\n"
    "      type: {[type]: ITEM_IMAGE}\n"
    "    }\n"
    "  ];\n"
    "}\n"
    "\n"
    "extend VisibleTypeSet {\n"
    "  optional ItemsVisibleTypeSet items_visible_type_set = 10;\n"
    "}\n"
    "\n"
    "extend ObjectType {\n"
    "  optional Type type = 101;\n"
    "}\n"
    "\n"
    "\n"
)

# ProtobufSchemaTest.testComplexEnum: canonicalString
COMPLEX_ENUM_CANONICAL = (
    'syntax = "proto3";\n'
    "package acme.api.items;\n"
    "\n"
    'option java_package = "com.acme.api.items";\n'
    "\n"
    "message VisibleTypeEnumValueOption {\n"
    "  repeated ObjectType type = 1;\n"
    "}\n"
    "message ObjectType {}\n"
    "message VisibleTypeSet {}\n"
    "enum Type {\n"
    "  reserved 13, 15;\n"
    '  reserved "MARKET_ITEM_SETTINGS", "PROMO";\n'
    "  ITEM = 0;\n"
    "  PAGE = 1;\n"
    "  ITEM_IMAGE = 2;\n"
    "}\n"
    "enum ItemsVisibleTypeSet {\n"
    "  LEGACY = 1 [(acme.api.items.visible_types) = {\n"
    "    type: [\n"
    "      {\n"
    "        [type]: ITEM\n"
    "      },\n"
    "      {\n"
    "        [type]: PAGE\n"
    "      },\n"
    "      {\n"
    "        [type]: ITEM_IMAGE\n"
    "      }\n"
    "    ]\n"
    "  }];\n"
    "}\n"
    "\n"
    "extend google.protobuf.EnumValueOptions {\n"
    "  optional VisibleTypeEnumValueOption visible_types = 24000;\n"
    "}\n"
    "extend VisibleTypeSet {\n"
    "  optional ItemsVisibleTypeSet items_visible_type_set = 10;\n"
    "}\n"
    "extend ObjectType {\n"
    "  optional Type type = 101;\n"
    "}\n"
)

# ProtobufSchemaTest.testComplexEnum: normalized
COMPLEX_ENUM_NORMALIZED = (
    'syntax = "proto3";\n'
    "package acme.api.items;\n"
    "\n"
    'option java_package = "com.acme.api.items";\n'
    "\n"
    "message VisibleTypeEnumValueOption {\n"
    "  repeated .acme.api.items.ObjectType type = 1;\n"
    "}\n"
    "message ObjectType {}\n"
    "message VisibleTypeSet {}\n"
    "enum Type {\n"
    "  reserved 13;\n"
    "  reserved 15;\n"
    '  reserved "MARKET_ITEM_SETTINGS";\n'
    '  reserved "PROMO";\n'
    "  ITEM = 0;\n"
    "  PAGE = 1;\n"
    "  ITEM_IMAGE = 2;\n"
    "}\n"
    "enum ItemsVisibleTypeSet {\n"
    "  LEGACY = 1 [(acme.api.items.visible_types) = {\n"
    "    type: [\n"
    "      {\n"
    "        [acme.api.items.type]: ITEM\n"
    "      },\n"
    "      {\n"
    "        [acme.api.items.type]: PAGE\n"
    "      },\n"
    "      {\n"
    "        [acme.api.items.type]: ITEM_IMAGE\n"
    "      }\n"
    "    ]\n"
    "  }];\n"
    "}\n"
    "\n"
    "extend .google.protobuf.EnumValueOptions {\n"
    "  optional .acme.api.items.VisibleTypeEnumValueOption visible_types = 24000;\n"
    "}\n"
    "extend .acme.api.items.VisibleTypeSet {\n"
    "  optional .acme.api.items.ItemsVisibleTypeSet items_visible_type_set = 10;\n"
    "}\n"
    "extend .acme.api.items.ObjectType {\n"
    "  optional .acme.api.items.Type type = 101;\n"
    "}\n"
)

# ProtobufSchemaTest.testNormalization: schemaString
NORMALIZATION_SCHEMA_STRING = (
    'syntax = "proto3";\n'
    "package my.package;\n"
    "\n"
    'import "google/protobuf/timestamp.proto";\n'
    'import "confluent/type/decimal.proto";\n'
    "\n"
    'option java_package = "my.package";\n'
    'option java_outer_classname = "Outer";\n'
    "option java_multiple_files = true;\n"
    "option java_string_check_utf8 = true;\n"
    "option optimize_for = CODE_SIZE;\n"
    'option go_package = "go.package";\n'
    "option cc_generic_services = false;\n"
    "option java_generic_services = true;\n"
    "option py_generic_services = false;\n"
    "option cc_enable_arenas = true;\n"
    'option objc_class_prefix = "objc";\n'
    'option csharp_namespace = "csharp";\n'
    'option swift_prefix = "swift";\n'
    'option php_class_prefix = "php";\n'
    'option php_namespace = "php_ns";\n'
    'option php_metadata_namespace = "php_md_ns";\n'
    'option ruby_package = "ruby";\n'
    "\n"
    "message Nested {\n"
    "  confluent.type.Decimal test_cflt_decimal = 1 [(confluent.field_meta) = {\n"
    "    params: [\n"
    "      {\n"
    '        value: "8",\n'
    '        key: "precision"\n'
    "      },\n"
    "      {\n"
    '        value: "3",\n'
    '        key: "scale"\n'
    "      }\n"
    "    ],\n"
    '    doc: "test decimal"\n'
    "  }];\n"
    "  google.protobuf.Timestamp test_timestamp = 2;\n"
    "  map<string, InnerMessage> test_map = 3;\n"
    "\n"
    "  message InnerMessage {\n"
    '    reserved "foo", "bar";\n'
    "    reserved 14, 15, 9 to 11;\n"
    "    reserved 1, 20, 29 to 31;\n"
    "  \n"
    "    option no_standard_descriptor_accessor = true;\n"
    "    option deprecated = true;\n"
    "  \n"
    "    InnerMessage.DeepMessage deep2 = 4;\n"
    "    Nested.InnerMessage.DeepMessage deep3 = 5;\n"
    "    my.package.Nested.InnerMessage.DeepMessage deep4 = 6;\n"
    "    .my.package.Nested.InnerMessage.DeepMessage deep5 = 7;\n"
    '    string id = 1 [json_name = "id"];\n'
    "    repeated int32 ids = 2 [packed = true];\n"
    "    DeepMessage deep1 = 3;\n"
    "  \n"
    "    oneof some_val {\n"
    "      string one_id = 12;\n"
    "      int32 other_id = 11;\n"
    "    }\n"
    "    oneof some_val2 {\n"
    "      string one_id2 = 13;\n"
    "      int32 other_id2 = 10 [\n"
    "        deprecated = true,\n"
    "        ctype = CORD,\n"
    "        jstype = JS_STRING,\n"
    '        json_name = "otherId2"\n'
    "      ];\n"
    "    }\n"
    "  \n"
    "    message DeepMessage {\n"
    "      string id = 1;\n"
    "    }\n"
    "    enum InnerEnum {\n"
    "      reserved 100 to 110;\n"
    "      option allow_alias = true;\n"
    "      TWO = 2;\n"
    "      ONE = 1;\n"
    "      ZERO = 0 [deprecated = true];\n"
    "      ALSO_ZERO = 0;\n"
    "    }\n"
    "  }\n"
    "}\n"
    "enum Status {\n"
    "  INACTIVE = 1;\n"
    "  ACTIVE = 0;\n"
    "}\n"
    "\n"
    "service MyService {\n"
    "  option deprecated = true;\n"
    "\n"
    "  rpc MyMethod2 (stream Nested) returns (Nested.InnerMessage);\n"
    "  rpc MyMethod1 (Nested.InnerMessage) returns (stream Nested) {\n"
    "    option idempotency_level = NO_SIDE_EFFECTS;\n"
    "    option deprecated = true;\n"
    "  };\n"
    "}\n"
)

# ProtobufSchemaTest.testNormalization: normalized
NORMALIZATION_NORMALIZED = (
    'syntax = "proto3";\n'
    "package my.package;\n"
    "\n"
    'import "confluent/type/decimal.proto";\n'
    'import "google/protobuf/timestamp.proto";\n'
    "\n"
    "option cc_enable_arenas = true;\n"
    "option cc_generic_services = false;\n"
    'option csharp_namespace = "csharp";\n'
    'option go_package = "go.package";\n'
    "option java_generic_services = true;\n"
    "option java_multiple_files = true;\n"
    'option java_outer_classname = "Outer";\n'
    'option java_package = "my.package";\n'
    "option java_string_check_utf8 = true;\n"
    'option objc_class_prefix = "objc";\n'
    "option optimize_for = CODE_SIZE;\n"
    'option php_class_prefix = "php";\n'
    'option php_metadata_namespace = "php_md_ns";\n'
    'option php_namespace = "php_ns";\n'
    "option py_generic_services = false;\n"
    'option ruby_package = "ruby";\n'
    'option swift_prefix = "swift";\n'
    "\n"
    "message Nested {\n"
    "  .confluent.type.Decimal test_cflt_decimal = 1 [(confluent.field_meta) = {\n"
    '    doc: "test decimal",\n'
    "    params: [\n"
    "      {\n"
    '        key: "precision",\n'
    '        value: "8"\n'
    "      },\n"
    "      {\n"
    '        key: "scale",\n'
    '        value: "3"\n'
    "      }\n"
    "    ]\n"
    "  }];\n"
    "  .google.protobuf.Timestamp test_timestamp = 2;\n"
    "  map<string, .my.package.Nested.InnerMessage> test_map = 3;\n"
    "\n"
    "  message InnerMessage {\n"
    "    reserved 1;\n"
    "    reserved 9 to 11;\n"
    "    reserved 14;\n"
    "    reserved 15;\n"
    "    reserved 20;\n"
    "    reserved 29 to 31;\n"
    '    reserved "bar";\n'
    '    reserved "foo";\n'
    "  \n"
    "    option deprecated = true;\n"
    "    option no_standard_descriptor_accessor = true;\n"
    "  \n"
    '    string id = 1 [json_name = "id"];\n'
    "    repeated int32 ids = 2 [packed = true];\n"
    "    .my.package.Nested.InnerMessage.DeepMessage deep1 = 3;\n"
    "    .my.package.Nested.InnerMessage.DeepMessage deep2 = 4;\n"
    "    .my.package.Nested.InnerMessage.DeepMessage deep3 = 5;\n"
    "    .my.package.Nested.InnerMessage.DeepMessage deep4 = 6;\n"
    "    .my.package.Nested.InnerMessage.DeepMessage deep5 = 7;\n"
    "  \n"
    "    oneof some_val2 {\n"
    "      int32 other_id2 = 10 [\n"
    "        ctype = CORD,\n"
    "        deprecated = true,\n"
    '        json_name = "otherId2",\n'
    "        jstype = JS_STRING\n"
    "      ];\n"
    "      string one_id2 = 13;\n"
    "    }\n"
    "    oneof some_val {\n"
    "      int32 other_id = 11;\n"
    "      string one_id = 12;\n"
    "    }\n"
    "  \n"
    "    message DeepMessage {\n"
    "      string id = 1;\n"
    "    }\n"
    "    enum InnerEnum {\n"
    "      reserved 100 to 110;\n"
    "      option allow_alias = true;\n"
    "      ALSO_ZERO = 0;\n"
    "      ZERO = 0 [deprecated = true];\n"
    "      ONE = 1;\n"
    "      TWO = 2;\n"
    "    }\n"
    "  }\n"
    "}\n"
    "enum Status {\n"
    "  ACTIVE = 0;\n"
    "  INACTIVE = 1;\n"
    "}\n"
    "\n"
    "service MyService {\n"
    "  option deprecated = true;\n"
    "\n"
    "  rpc MyMethod2 (stream .my.package.Nested) returns (.my.package.Nested.InnerMes"
    "sage);\n"
    "  rpc MyMethod1 (.my.package.Nested.InnerMessage) returns (stream .my.package.Ne"
    "sted) {\n"
    "    option deprecated = true;\n"
    "    option idempotency_level = NO_SIDE_EFFECTS;\n"
    "  };\n"
    "}\n"
)

# ProtobufSchemaTest.testComplexCustomOptions3: schemaString
COMPLEX_CUSTOM_OPTIONS3_SCHEMA_STRING = (
    'syntax = "proto3";\n'
    "package com.example.mynamespace;\n"
    'import "confluent/meta.proto";\n'
    'import "confluent/type/decimal.proto";\n'
    'option java_package = "io.confluent.kafka.serializers.protobuf.test";\n'
    'option java_outer_classname = "ComplexProto";\n'
    "message SampleRecord {\n"
    "  int32 my_field1 = 2 [(confluent.field_meta) = {\n"
    "    value1: -2.0,\n"
    "    value4: 10 value5: 20,\n"
    "    value6: 10,value7: 20,\n"
    "    value8: 10[com.foo.value9]: 20,\n"
    "    value10: 10f,\n"
    "    value11: 1.0f,\n"
    "    value12: 1.23,\n"
    "    value13: 1.23f,\n"
    "    value14: \n"
    '      "When we got into office, the thing that surprised me most was to find "\n'
    '      "that things were just as bad as we\'d been saying they were.\\n\\n"\n'
    '      "  -- John F. Kennedy",\n'
    '    value15: "first part" \'second part\'\n'
    '      "third part",\n'
    '    value16: "first""second"\'third\'\'fourth\',\n'
    '    value17: { foo: "bar" },\n'
    "    [com.foo.value18]: 10,\n"
    '    [com.foo.value19]: { foo: "bar" },\n'
    '    value21 { foo: "bar" },\n'
    '    value22: [{ foo: "bar" }],\n'
    "    value25: 1,\n"
    "    value25: 2,\n"
    "    value25: [3, 4, 5],\n"
    "    value25: 6,\n"
    "    value25: [7, 8, 9],\n"
    '    value26: { key: "entry1", value: 1 },\n'
    '    value26: { key: "entry2", value: 2 },\n'
    '    value26: [      { key: "entry3", value: 3 },\n'
    '      { key: "entry4", value: 4 }\n'
    "    ]  }];\n"
    "}"
)

# ProtobufSchemaTest.testComplexCustomOptions3: canonicalString
COMPLEX_CUSTOM_OPTIONS3_CANONICAL = (
    'syntax = "proto3";\n'
    "package com.example.mynamespace;\n"
    "\n"
    'import "confluent/meta.proto";\n'
    'import "confluent/type/decimal.proto";\n'
    "\n"
    'option java_package = "io.confluent.kafka.serializers.protobuf.test";\n'
    'option java_outer_classname = "ComplexProto";\n'
    "\n"
    "message SampleRecord {\n"
    "  int32 my_field1 = 2 [(confluent.field_meta) = {\n"
    "    value1: -2.0,\n"
    "    value4: 10,\n"
    "    value5: 20,\n"
    "    value6: 10,\n"
    "    value7: 20,\n"
    "    value8: 10,\n"
    "    [com.foo.value9]: 20,\n"
    "    value10: 10f,\n"
    "    value11: 1.0f,\n"
    "    value12: 1.23,\n"
    "    value13: 1.23f,\n"
    '    value14: "When we got into office, the thing that surprised me most was to f'
    "ind that things were just as bad as we\\'d been saying they were.\\n\\n  -- John F."
    ' Kennedy",\n'
    '    value15: "first partsecond partthird part",\n'
    '    value16: "firstsecondthirdfourth",\n'
    "    value17: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    [com.foo.value18]: 10,\n"
    "    [com.foo.value19]: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    value21: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    value22: [\n"
    "      {\n"
    '        foo: "bar"\n'
    "      }\n"
    "    ],\n"
    "    value25: [\n"
    "      1,\n"
    "      2,\n"
    "      3,\n"
    "      4,\n"
    "      5,\n"
    "      6,\n"
    "      7,\n"
    "      8,\n"
    "      9\n"
    "    ],\n"
    "    value26: [\n"
    "      {\n"
    '        key: "entry1",\n'
    "        value: 1\n"
    "      },\n"
    "      {\n"
    '        key: "entry2",\n'
    "        value: 2\n"
    "      },\n"
    "      {\n"
    '        key: "entry3",\n'
    "        value: 3\n"
    "      },\n"
    "      {\n"
    '        key: "entry4",\n'
    "        value: 4\n"
    "      }\n"
    "    ]\n"
    "  }];\n"
    "}\n"
)

# ProtobufSchemaTest.testComplexCustomOptions3: normalized
COMPLEX_CUSTOM_OPTIONS3_NORMALIZED = (
    'syntax = "proto3";\n'
    "package com.example.mynamespace;\n"
    "\n"
    'import "confluent/meta.proto";\n'
    'import "confluent/type/decimal.proto";\n'
    "\n"
    'option java_outer_classname = "ComplexProto";\n'
    'option java_package = "io.confluent.kafka.serializers.protobuf.test";\n'
    "\n"
    "message SampleRecord {\n"
    "  int32 my_field1 = 2 [(confluent.field_meta) = {\n"
    "    [com.foo.value18]: 10,\n"
    "    [com.foo.value19]: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    [com.foo.value9]: 20,\n"
    "    value1: -2,\n"
    "    value10: 10,\n"
    "    value11: 1,\n"
    "    value12: 1.23,\n"
    "    value13: 1.23,\n"
    '    value14: "When we got into office, the thing that surprised me most was to f'
    "ind that things were just as bad as we\\'d been saying they were.\\n\\n  -- John F."
    ' Kennedy",\n'
    '    value15: "first partsecond partthird part",\n'
    '    value16: "firstsecondthirdfourth",\n'
    "    value17: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    value21: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    value22: {\n"
    '      foo: "bar"\n'
    "    },\n"
    "    value25: [\n"
    "      1,\n"
    "      2,\n"
    "      3,\n"
    "      4,\n"
    "      5,\n"
    "      6,\n"
    "      7,\n"
    "      8,\n"
    "      9\n"
    "    ],\n"
    "    value26: [\n"
    "      {\n"
    '        key: "entry1",\n'
    "        value: 1\n"
    "      },\n"
    "      {\n"
    '        key: "entry2",\n'
    "        value: 2\n"
    "      },\n"
    "      {\n"
    '        key: "entry3",\n'
    "        value: 3\n"
    "      },\n"
    "      {\n"
    '        key: "entry4",\n'
    "        value: 4\n"
    "      }\n"
    "    ],\n"
    "    value4: 10,\n"
    "    value5: 20,\n"
    "    value6: 10,\n"
    "    value7: 20,\n"
    "    value8: 10\n"
    "  }];\n"
    "}\n"
)

# ProtobufSchemaTest.testNormalizationWithComplexCustomOptions: schemaString
NORMALIZATION_WITH_COMPLEX_CUSTOM_OPTIONS_SCHEMA_STRING = (
    "package acme.common;\n"
    "\n"
    'import "google/protobuf/descriptor.proto";\n'
    "\n"
    'option java_outer_classname = "ExternalMetadata";\n'
    'option java_package = "com.acme.protos.common";\n'
    "\n"
    "message ExternalMetadata {\n"
    "  /** The content type of the blob contained in metadata **/\n"
    "  optional string content_type = 1;\n"
    "  /** The arbitrary encoding of bytes **/\n"
    "  optional bytes metadata = 2 [\n"
    "    default = 0, (length).min = 1.0, (length).max = 1024.0];\n"
    "}\n"
    "\n"
    "/** Field level validation options */\n"
    "extend google.protobuf.FieldOptions {\n"
    "  optional Range length = 22301;\n"
    "}\n"
    "\n"
    "/** A range of numeric values */\n"
    "message Range {\n"
    "  /** The minimum allowable value */\n"
    "  optional double min = 1 [default = -inf];\n"
    ";\n"
    "\n"
    "  /** The maximum allowable value */\n"
    "  optional double max = 2 [default = nan];\n"
    ";\n"
    "}\n"
)

# ProtobufSchemaTest.testNormalizationWithComplexCustomOptions: normalized
NORMALIZATION_WITH_COMPLEX_CUSTOM_OPTIONS_NORMALIZED = (
    "package acme.common;\n"
    "\n"
    'import "google/protobuf/descriptor.proto";\n'
    "\n"
    'option java_outer_classname = "ExternalMetadata";\n'
    'option java_package = "com.acme.protos.common";\n'
    "\n"
    "message ExternalMetadata {\n"
    "  optional string content_type = 1;\n"
    "  optional bytes metadata = 2 [\n"
    "    (acme.common.length) = {\n"
    "      max: 1024,\n"
    "      min: 1\n"
    "    },\n"
    "    default = 0\n"
    "  ];\n"
    "}\n"
    "message Range {\n"
    "  optional double min = 1 [default = -inf];\n"
    "  optional double max = 2 [default = nan];\n"
    "}\n"
    "\n"
    "extend .google.protobuf.FieldOptions {\n"
    "  optional .acme.common.Range length = 22301;\n"
    "}\n"
)

# ProtobufSchemaTest.testNormalizationWithRepeatedNestedCustomOptions: schemaString
NORMALIZATION_WITH_REPEATED_NESTED_CUSTOM_OPTIONS_SCHEMA_STRING = (
    "package acme.common;\n"
    "\n"
    'import "google/protobuf/descriptor.proto";\n'
    "\n"
    "message Container {\n"
    "  optional string value = 1 [\n"
    '    (wrapper).tags.name = "a", (wrapper).tags.name = "b"];\n'
    "}\n"
    "\n"
    "extend google.protobuf.FieldOptions {\n"
    "  optional Wrapper wrapper = 22303;\n"
    "}\n"
    "\n"
    "message Wrapper {\n"
    "  repeated Tag tags = 1;\n"
    "}\n"
    "\n"
    "message Tag {\n"
    "  optional string name = 1;\n"
    "}\n"
)

# ProtobufSchemaTest.testNormalizationWithRepeatedNestedCustomOptions: normalized
NORMALIZATION_WITH_REPEATED_NESTED_CUSTOM_OPTIONS_NORMALIZED = (
    "package acme.common;\n"
    "\n"
    'import "google/protobuf/descriptor.proto";\n'
    "\n"
    "message Container {\n"
    "  optional string value = 1 [(acme.common.wrapper) = {\n"
    "    tags: [\n"
    "      {\n"
    '        name: "a"\n'
    "      },\n"
    "      {\n"
    '        name: "b"\n'
    "      }\n"
    "    ]\n"
    "  }];\n"
    "}\n"
    "message Wrapper {\n"
    "  repeated .acme.common.Tag tags = 1;\n"
    "}\n"
    "message Tag {\n"
    "  optional string name = 1;\n"
    "}\n"
    "\n"
    "extend .google.protobuf.FieldOptions {\n"
    "  optional .acme.common.Wrapper wrapper = 22303;\n"
    "}\n"
)
