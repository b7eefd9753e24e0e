"""The files every Protobuf schema may import without a reference.

Confluent resolves ``google/protobuf/*.proto``, ``google/type/*.proto`` and the Confluent
files (``confluent/meta.proto``, ``confluent/type/decimal.proto``, ...) itself: the serdes skip
registering them (``skip.known.types``). The google descriptors come from the generated ``_pb2``
modules of the ``protobuf`` and ``googleapis-common-protos`` packages (runtime dependencies);
the Confluent ones are compiled from the ``.proto`` files shipped in this package
(:mod:`charter.compat.protobuf.confluent`). Either way they are byte-for-byte the descriptors a
client's descriptor pool holds. This module is the one place that says which files those are:
the registry and ``charter.clients`` both ask it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import MappingProxyType

import google.type  # googleapis-common-protos: google/type/*.proto

from charter.compat.protobuf.confluent import confluent_files

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


def _google_modules() -> list[str]:
    names = [f"google.protobuf.{name}_pb2" for name in _GOOGLE_PROTOBUF]
    names += [
        f"google.type.{info.name}"
        for info in pkgutil.iter_modules(google.type.__path__)
        if info.name.endswith("_pb2")
    ]
    return names


@cache
def builtin_files() -> MappingProxyType[str, bytes]:
    """Import path -> serialized ``FileDescriptorProto`` of every bundled file (read-only)."""
    files: dict[str, bytes] = {}
    for module_name in _google_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a file this protobuf release does not have
            continue
        descriptor = module.DESCRIPTOR
        files[descriptor.name] = descriptor.serialized_pb
    files.update(confluent_files())
    return MappingProxyType(files)


def is_builtin(name: str) -> bool:
    """Whether an import path is one the registry resolves without a reference."""
    return name in builtin_files()
