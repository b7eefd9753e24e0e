"""Confluent's own schema files, which every Protobuf schema may import without a reference.

``confluent/meta.proto`` (the ``confluent.*_meta`` options: doc, params, tags, rules),
``confluent/type/decimal.proto`` and ``confluent/type/variant.proto`` are the files Confluent's
Protobuf provider resolves itself; ``confluent/types/decimal.proto`` is confluent-kafka-python's
public-import stub of the decimal, which its serdes never register either. They ship as
``.proto`` text in this package (``proto/``) and are compiled by protoc, once, on first use:
no client library is needed. The serialized descriptors are byte-for-byte those of
confluent-kafka-python's generated ``_pb2`` modules (a test compares them).

:func:`meta_options` gives the option classes with the ``Meta`` extensions, from a private
descriptor pool (the process-wide default pool is left alone).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from charter.compat.protobuf.protoc import run_protoc
from charter.compat.protobuf.types import FieldProto, MessageProto

CONFLUENT_FILES = (
    "confluent/meta.proto",
    "confluent/type/decimal.proto",
    "confluent/type/variant.proto",
    "confluent/types/decimal.proto",
)
"""Import paths of the shipped files, each after the files it imports."""

_DESCRIPTOR_PROTO = descriptor_pb2.DESCRIPTOR.serialized_pb  # google/protobuf/descriptor.proto


def proto_text(name: str) -> str:
    """The shipped ``.proto`` text of one of :data:`CONFLUENT_FILES`."""
    return resources.files(__package__).joinpath("proto", *name.split("/")).read_text(encoding="utf-8")


@cache
def confluent_files() -> MappingProxyType[str, bytes]:
    """Import path -> serialized ``FileDescriptorProto`` (no source info) of every shipped file."""
    directory = tempfile.mkdtemp(prefix="charter-confluent-")
    try:
        for name in CONFLUENT_FILES:
            path = os.path.join(directory, *name.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(proto_text(name))
        deps = os.path.join(directory, "descriptor.pb")
        with open(deps, "wb") as handle:
            handle.write(descriptor_pb2.FileDescriptorSet(
                file=[descriptor_pb2.FileDescriptorProto.FromString(_DESCRIPTOR_PROTO)]).SerializeToString())
        out = os.path.join(directory, "out.pb")
        code, errors = run_protoc(
            ["protoc", f"--descriptor_set_in={deps}", f"--proto_path={directory}",
             f"--descriptor_set_out={out}", *CONFLUENT_FILES],
            os.path.join(directory, "stderr.txt"),
        )
        if code != 0 or not os.path.exists(out):
            raise RuntimeError(f"the shipped Confluent .proto files do not compile: {errors.strip()}")
        with open(out, "rb") as handle:
            compiled = descriptor_pb2.FileDescriptorSet.FromString(handle.read())
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    for file in compiled.file:
        _drop_json_names(file.extension, file.message_type)
    return MappingProxyType({file.name: file.SerializeToString() for file in compiled.file})


def _drop_json_names(fields: Iterable[FieldProto], messages: Iterable[MessageProto]) -> None:
    """Clear the ``json_name`` protoc fills in for every field: generated code (what clients
    hold) has it only when the source sets it, which the shipped files never do."""
    for field in fields:
        field.ClearField("json_name")
    for message in messages:
        _drop_json_names([*message.field, *message.extension], message.nested_type)


@dataclass(frozen=True)
class MetaOptions:
    """descriptor.proto's option classes that know the ``confluent.*_meta`` extensions."""

    message_options: type[Message]
    field_options: type[Message]
    message_meta: FieldDescriptor
    field_meta: FieldDescriptor
    meta: type[Message]


@cache
def meta_options() -> MetaOptions:
    """Option classes and ``Meta`` extensions from a private pool of descriptor.proto + meta.proto."""
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(_DESCRIPTOR_PROTO)
    pool.AddSerializedFile(confluent_files()["confluent/meta.proto"])

    def cls(name: str) -> type[Message]:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))

    return MetaOptions(
        message_options=cls("google.protobuf.MessageOptions"),
        field_options=cls("google.protobuf.FieldOptions"),
        message_meta=pool.FindExtensionByName("confluent.message_meta"),
        field_meta=pool.FindExtensionByName("confluent.field_meta"),
        meta=cls("confluent.Meta"),
    )
