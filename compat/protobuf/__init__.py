"""Protobuf: parsing with protoc, Confluent's canonical text, normalisation and SchemaDiff.

``PROTOBUF_FORMAT.parse(text, dependencies)`` returns a :class:`ProtobufSchema` (a
:class:`charter.compat.model.ParsedSchema`). Text is compiled by the protoc bundled in
``grpcio-tools``; a base64 ``FileDescriptorProto`` is accepted too. Modules: ``wellknown``
(the files imported without a reference), ``confluent`` (Confluent's ``.proto`` files shipped in
``proto/``, compiled on first use), ``protoc`` (running protoc), ``compiler`` (schema text to
descriptor), ``inline_tags`` (inline tags), ``types`` (descriptor helpers and type lookup), ``diff``
(compatibility), ``printer`` (canonical/normalised text), ``indexes`` (serdes message indexes),
``schema``.
"""

from charter.compat.protobuf.diff import COMPATIBLE, INCOMPATIBLE, Difference
from charter.compat.protobuf.schema import PROTOBUF_FORMAT, ProtobufFormat, ProtobufSchema
from charter.compat.protobuf.wellknown import is_builtin

__all__ = [
    "COMPATIBLE",
    "INCOMPATIBLE",
    "PROTOBUF_FORMAT",
    "Difference",
    "ProtobufFormat",
    "ProtobufSchema",
    "is_builtin",
]
