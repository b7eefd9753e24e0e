"""The files every Protobuf schema may import without a reference.

Confluent resolves ``google/protobuf/*.proto``, ``google/type/*.proto`` and the Confluent
files (``confluent/meta.proto``, ``confluent/type/decimal.proto``, ...) itself: the serdes skip
registering them (``skip.known.types``). Their descriptors come from the generated ``_pb2``
modules of the ``protobuf``, ``googleapis-common-protos`` and ``confluent-kafka`` packages, so
they are byte-for-byte the descriptors a client's descriptor pool holds.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import MappingProxyType

_GOOGLE_PROTOBUF = (
    "any",
    "api",
    "descriptor",
    "duration",
    "empty",
    "field_mask",
    "source_context",
    "struct",
    "timestamp",
    "type",
    "wrappers",
    "compiler.plugin",
    "cpp_features",
    "java_features",
    "go_features",
)
_CONFLUENT = (
    "confluent_kafka.schema_registry.confluent.meta_pb2",
    "confluent_kafka.schema_registry.confluent.type.decimal_pb2",
    "confluent_kafka.schema_registry.confluent.type.variant_pb2",
    "confluent_kafka.schema_registry.confluent.types.decimal_pb2",
)


def _module_names() -> list[str]:
    names = [f"google.protobuf.{name}_pb2" for name in _GOOGLE_PROTOBUF]
    try:
        google_type = importlib.import_module("google.type")
        names += [
            f"google.type.{info.name}"
            for info in pkgutil.iter_modules(google_type.__path__)
            if info.name.endswith("_pb2")
        ]
    except ImportError:  # googleapis-common-protos is not installed
        pass
    return names + list(_CONFLUENT)


@cache
def builtin_files() -> MappingProxyType[str, bytes]:
    """Import path -> serialized ``FileDescriptorProto`` of every bundled file (read-only)."""
    files: dict[str, bytes] = {}
    for module_name in _module_names():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        descriptor = module.DESCRIPTOR
        files[descriptor.name] = descriptor.serialized_pb
    return MappingProxyType(files)


def is_builtin(name: str) -> bool:
    """Whether an import path is one the registry resolves without a reference."""
    return name in builtin_files()
