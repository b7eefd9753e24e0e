"""Confluent's schema files shipped with Charter (compat/protobuf/proto/confluent/*.proto).

Their compiled descriptors must be byte-for-byte what confluent-kafka-python's generated
modules hold (a client registers or skips them by these bytes), the tags code must decode the
``Meta`` options from them alone, and importing them must work with no reference.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from google.protobuf import descriptor_pb2
from support.paths import ROOT

from charter.compat.protobuf import PROTOBUF_FORMAT, is_builtin
from charter.compat.protobuf.confluent import CONFLUENT_FILES, confluent_files, meta_options, proto_text
from charter.compat.protobuf.wellknown import builtin_files

# The generated module of each file in confluent-kafka-python (test extra [schemaregistry]).
GENERATED = {
    "confluent/meta.proto": "confluent_kafka.schema_registry.confluent.meta_pb2",
    "confluent/type/decimal.proto": "confluent_kafka.schema_registry.confluent.type.decimal_pb2",
    "confluent/type/variant.proto": "confluent_kafka.schema_registry.confluent.type.variant_pb2",
    "confluent/types/decimal.proto": "confluent_kafka.schema_registry.confluent.types.decimal_pb2",
}

# Confluent's protobuf provider resolves these without a reference (ProtobufSchema's
# KNOWN_DEPENDENCIES, the confluent/ ones); the fourth is confluent-kafka-python's stub.
CONFLUENT_KNOWN = {"confluent/meta.proto", "confluent/type/decimal.proto", "confluent/type/variant.proto"}


def test_every_shipped_file_is_listed_and_confluents_known_files_are_shipped() -> None:
    folder = ROOT / "compat" / "protobuf" / "proto"
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.proto")}
    assert on_disk == set(CONFLUENT_FILES)
    assert set(CONFLUENT_FILES) >= CONFLUENT_KNOWN
    assert list(confluent_files()) == list(CONFLUENT_FILES)
    assert all(is_builtin(name) for name in CONFLUENT_FILES)
    assert "import" in proto_text("confluent/types/decimal.proto")


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_descriptor_is_byte_for_byte_confluent_kafkas(name: str) -> None:
    generated = importlib.import_module(GENERATED[name]).DESCRIPTOR
    assert generated.name == name
    assert confluent_files()[name] == generated.serialized_pb
    assert builtin_files()[name] == generated.serialized_pb


def test_descriptors_are_files_in_dependency_order() -> None:
    seen: set[str] = {"google/protobuf/descriptor.proto"}
    for name, data in confluent_files().items():
        file = descriptor_pb2.FileDescriptorProto.FromString(data)
        assert file.name == name
        assert set(file.dependency) <= seen, f"{name} imports a file listed after it"
        assert not file.HasField("source_code_info")
        seen.add(name)


def test_meta_options_read_and_write_the_extensions() -> None:
    meta = meta_options()
    options = meta.field_options()
    options.Extensions[meta.field_meta].tags.append("PII")
    options.Extensions[meta.field_meta].doc = "x"
    data = options.SerializeToString()
    from confluent_kafka.schema_registry.confluent import meta_pb2

    theirs = descriptor_pb2.FieldOptions.FromString(data)
    assert list(theirs.Extensions[meta_pb2.field_meta].tags) == ["PII"]
    assert theirs.Extensions[meta_pb2.field_meta].doc == "x"
    assert meta.message_meta.number == meta.field_meta.number == 1088
    assert meta.meta.DESCRIPTOR.full_name == "confluent.Meta"


def test_schemas_import_the_files_without_references() -> None:
    schema = PROTOBUF_FORMAT.parse(
        'syntax = "proto3";\npackage p;\nimport "confluent/meta.proto";\nimport "confluent/type/decimal.proto";\n'
        'import "confluent/type/variant.proto";\nimport "confluent/types/decimal.proto";\n'
        'message M {\n  option (confluent.message_meta).tags = "R";\n'
        '  string a = 1 [(confluent.field_meta).doc = "x", (confluent.field_meta).tags = "PII"];\n'
        '  confluent.type.Decimal d = 2;\n  confluent.type.Variant v = 3;\n}\n',
        {},
    )
    assert [(t.entity.path, t.tags) for t in schema.tagged_entities()] == [("M", ("R",)), ("M.a", ("PII",))]
    assert set(schema.dependency_descriptors()) >= {"confluent/meta.proto", "google/protobuf/descriptor.proto"}


def test_compat_works_without_confluent_kafka_installed() -> None:
    """A process where confluent_kafka cannot be imported still parses and tags (runtime-only install)."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'confluent_kafka':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from charter.compat.protobuf import PROTOBUF_FORMAT\n"
        "s = PROTOBUF_FORMAT.parse('syntax = \"proto3\";\\nimport \"confluent/meta.proto\";\\n"
        "message M { string a = 1 [(confluent.field_meta).tags = \"PII\"]; }\\n', {})\n"
        "print([t.entity.path for t in s.tagged_entities()])\n"
        "from google.protobuf import descriptor_pool\n"
        "from charter.clients.protobuf import _add_builtin\n"
        "pool = descriptor_pool.DescriptorPool()\n"
        "_add_builtin(pool, 'confluent/meta.proto')\n"
        "print(pool.FindMessageTypeByName('confluent.Meta').full_name)\n"
        "assert not any(m.startswith('confluent_kafka') for m in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['M.a']", "confluent.Meta"]


def test_clients_resolve_builtins_from_the_same_descriptors() -> None:
    from google.protobuf import descriptor_pool

    from charter.clients.protobuf import _add_builtin

    pool = descriptor_pool.DescriptorPool()
    _add_builtin(pool, "confluent/types/decimal.proto")  # its public import comes first
    for name in ("confluent/type/decimal.proto", "confluent/types/decimal.proto"):
        assert pool.FindFileByName(name).serialized_pb == builtin_files()[name]
    _add_builtin(pool, "confluent/meta.proto")  # with google/protobuf/descriptor.proto
    assert pool.FindFileByName("google/protobuf/descriptor.proto").serialized_pb == (
        descriptor_pb2.DESCRIPTOR.serialized_pb
    )
