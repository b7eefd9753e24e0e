"""Protobuf serializer and deserializer, drop-in for confluent-kafka's.

``ProtobufSerializer(msg_type, schema_registry_client, conf=None)`` registers the message's file
(base64 ``FileDescriptorProto``, as confluent-kafka does) and its imports as references, then writes
``magic + id + message indexes + message``. ``ProtobufDeserializer(message_type, conf=None,
schema_registry_client=None)`` decodes into ``message_type``; with ``message_type=None`` it builds
a dynamic message class from the writer's registered FileDescriptor (fetched with
``format=serialized``, references and well-known imports included), cached per schema id.
"""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message import DecodeError, Message
from google.protobuf.message_factory import GetMessageClass

from charter.compat.model import SchemaType

from .errors import RecordValidationError, SchemaRegistryError, SerializationError
from .models import Schema, SchemaReference
from .serde import (
    DESERIALIZER_DEFAULTS,
    SERIALIZER_DEFAULTS,
    BaseDeserializer,
    BaseSerializer,
    is_builtin_strategy,
    reference_subject_name_strategy,
    take_conf,
)
from .serialization import SerializationContext
from .wire import SchemaId, decode_indexes

__all__ = ["ProtobufDeserializer", "ProtobufSerializer", "index_path"]

_BUILTIN_PREFIXES = ("confluent/", "google/protobuf/", "google/type/")


def _is_builtin(name: str) -> bool:
    return name.startswith(_BUILTIN_PREFIXES)


def _b64(file_desc: Any) -> str:
    return base64.standard_b64encode(file_desc.serialized_pb).decode("ascii")


def index_path(desc: Any) -> list[int]:
    """The message-index path of a message descriptor within its file (``[0]`` = first top-level),
    by the registry's own walk (:func:`charter.compat.protobuf.indexes.message_indexes`)."""
    from charter.compat.protobuf.indexes import message_indexes  # loaded on first need, as wellknown

    return message_indexes(descriptor_pb2.FileDescriptorProto.FromString(desc.file.serialized_pb), desc.full_name)


class ProtobufSerializer(BaseSerializer):
    """Protobuf messages of one generated class to Confluent-framed bytes.

    Conf keys (confluent-kafka's): ``auto.register.schemas``, ``normalize.schemas``, ``use.schema.id``,
    ``use.latest.version``, ``use.latest.with.metadata``, ``skip.known.types`` (True),
    ``subject.name.strategy`` (+ ``.type``, ``.conf``), ``reference.subject.name.strategy``,
    ``schema.id.serializer``, ``use.deprecated.format`` (False; True is refused, as in confluent-kafka).
    """

    SCHEMA_TYPE = SchemaType.PROTOBUF.value
    _defaults = {
        **SERIALIZER_DEFAULTS,
        "skip.known.types": True,
        "reference.subject.name.strategy": reference_subject_name_strategy,
        "use.deprecated.format": False,
    }

    def __init__(
        self, msg_type: type[Message], schema_registry_client: Any, conf: dict[str, Any] | None = None
    ) -> None:
        merged = take_conf(self._defaults, conf)
        if merged["use.deprecated.format"]:
            raise ValueError("use.deprecated.format is no longer supported")
        if not isinstance(merged["skip.known.types"], bool):
            raise ValueError("skip.known.types must be a boolean value")
        if not callable(merged["reference.subject.name.strategy"]):
            raise ValueError("reference.subject.name.strategy must be callable")
        self._setup_serializer(schema_registry_client, merged)
        self._skip_known = merged["skip.known.types"]
        self._ref_strategy = merged["reference.subject.name.strategy"]
        self._msg_class = msg_type
        self._desc = msg_type.DESCRIPTOR
        self._index_array = index_path(self._desc)
        self._full_name = self._desc.full_name
        self._subjects: dict[tuple[str, str], str | None] = {}
        self._fixed_strategy = is_builtin_strategy(self._subject_func)

    def _indexes(self) -> list[int] | None:
        return self._index_array

    def _latest_format(self) -> str | None:
        return "serialized"

    def _parse(self, schema: Schema) -> Any:
        return None  # the generated class writes the message; the schema only gives the id

    def _references(self, ctx: SerializationContext | None, file_desc: Any) -> list[SchemaReference]:
        refs = []
        for dep in file_desc.dependencies:
            if self._skip_known and _is_builtin(dep.name):
                continue
            dep_refs = self._references(ctx, dep)
            subject = self._ref_strategy(ctx, dep)
            schema = Schema(_b64(dep), SchemaType.PROTOBUF.value, tuple(dep_refs))
            if self._auto_register:
                self._registry.register_schema(subject, schema, normalize_schemas=self._normalize)
            registered = self._registry.lookup_schema(subject, schema, normalize_schemas=self._normalize)
            refs.append(SchemaReference(dep.name, subject, registered.version))
        return refs

    def _schema_to_register(self, ctx: SerializationContext | None) -> Schema:
        file_desc = self._desc.file
        return Schema(_b64(file_desc), SchemaType.PROTOBUF.value, tuple(self._references(ctx, file_desc)))

    def __call__(self, message: Message, ctx: SerializationContext | None = None) -> bytes | None:  # type: ignore[override]
        if message is None:
            return None
        if not isinstance(message, self._msg_class):
            raise RecordValidationError(f"message must be of type {self._msg_class} not {type(message)}")
        if self._fixed_strategy and ctx is not None:
            key = (ctx.topic, ctx.field)
            subject = self._subjects.get(key)
            if subject is None:
                subject = self._subjects[key] = self._subject(ctx, self._full_name)
        else:
            subject = self._subject(ctx, self._full_name)
        target = self._targets.get(subject) if not self._per_message else None  # type: ignore[arg-type]
        if target is None:
            target = self._target(subject, ctx)
        try:
            payload = message.SerializeToString()
        except Exception as e:  # e.g. missing required fields (proto2)
            raise RecordValidationError(f"message does not serialize: {e}") from e
        if target.prefix is not None:
            return target.prefix + payload
        return self._frame(target, payload, ctx)


class ProtobufDeserializer(BaseDeserializer):
    """Confluent-framed Protobuf bytes to messages of ``message_type`` (or dynamic messages if None).

    Conf keys: ``use.latest.version``, ``use.latest.with.metadata``, ``subject.name.strategy``
    (+ ``.type``, ``.conf``), ``schema.id.deserializer``, ``use.deprecated.format``.
    """

    SCHEMA_TYPE = SchemaType.PROTOBUF.value

    def __init__(self, message_type: type[Message] | None, conf: dict[str, Any] | None = None,
                 schema_registry_client: Any = None) -> None:
        merged = take_conf({**DESERIALIZER_DEFAULTS, "use.deprecated.format": False}, conf)
        if merged["use.deprecated.format"]:
            raise ValueError("use.deprecated.format is no longer supported")
        self._setup_deserializer(schema_registry_client, merged)
        self._msg_class = GetMessageClass(message_type.DESCRIPTOR) if message_type is not None else None
        self._classes: dict[tuple[Any, tuple[int, ...]], Any] = {}
        self._pools: dict[Any, tuple[descriptor_pb2.FileDescriptorProto, Any]] = {}

    # Dynamic classes from the registered FileDescriptor ----------------------------------------
    def _add_file(self, pool: Any, fdp: descriptor_pb2.FileDescriptorProto, schema: Schema) -> None:
        for ref in schema.references:
            try:
                pool.FindFileByName(ref.name)
                continue
            except KeyError:
                pass
            try:
                registered = self._registry.get_version(ref.subject, ref.version, True, "serialized")
            except SchemaRegistryError as e:
                raise SerializationError(f"cannot resolve import {ref.name}: {e.error_message}") from e
            dep = _file_proto(ref.name, registered.schema.schema_str)
            self._add_file(pool, dep, registered.schema)
        for dep_name in fdp.dependency:
            try:
                pool.FindFileByName(dep_name)
            except KeyError:
                _add_builtin(pool, dep_name)
        pool.Add(fdp)

    def _pool_for(self, sid: SchemaId) -> tuple[descriptor_pb2.FileDescriptorProto, Any]:
        key = sid.id if sid.id is not None else sid.guid
        found = self._pools.get(key)
        if found is None:
            schema = self._writer_schema(sid, None, "serialized")
            fdp = _file_proto("default", schema.schema_str)
            pool = descriptor_pool.DescriptorPool()
            self._add_file(pool, fdp, schema)
            found = self._pools[key] = (fdp, pool)
        return found

    def _class_for(self, sid: SchemaId) -> Any:
        indexes = tuple(sid.message_indexes or [0])
        key = (sid.id if sid.id is not None else sid.guid, indexes)
        cls = self._classes.get(key)
        if cls is None:
            fdp, pool = self._pool_for(sid) if self._registry is not None else (None, None)
            if self._msg_class is not None:
                cls = self._msg_class
            else:
                if fdp is None:
                    raise SerializationError("ProtobufDeserializer needs message_type or a schema registry client")
                cls = GetMessageClass(pool.FindMessageTypeByName(_message_name(fdp, list(indexes))))
            self._classes[key] = cls
        return cls

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:  # type: ignore[override]
        if data is None:
            return None
        if self._fast_framing and len(data) >= 6 and data[0] == 0 and (ctx is None or not ctx.headers):
            sid = SchemaId(SchemaType.PROTOBUF.value, int.from_bytes(data[1:5], "big"))
            if data[5] == 0:
                sid.message_indexes, pos = [0], 6
            else:
                sid.message_indexes, pos = decode_indexes(data, 5)
            payload: Any = memoryview(data)[pos:]
        else:
            sid, payload = self._read_framing(data, ctx)
        cls = self._class_for(sid)
        msg = cls()
        try:
            msg.ParseFromString(payload)
        except DecodeError as e:
            raise RecordValidationError(f"payload does not decode as {cls.DESCRIPTOR.full_name}: {e}") from e
        return msg


def _file_proto(name: str, schema_str: str) -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto()
    try:
        fdp.ParseFromString(base64.standard_b64decode(schema_str.encode("ascii")))
    except Exception as e:
        raise SerializationError(f"registry schema is not a serialized FileDescriptorProto: {e}") from e
    fdp.name = name
    return fdp


def _add_builtin(pool: Any, name: str) -> None:
    """Add a well-known import (google/protobuf, google/type, confluent) with its own imports."""
    data = _builtin_file(name)
    for dep in descriptor_pb2.FileDescriptorProto.FromString(data).dependency:
        try:
            pool.FindFileByName(dep)
        except KeyError:
            _add_builtin(pool, dep)
    pool.AddSerializedFile(data)


def _builtin_file(name: str) -> bytes:
    """The serialized descriptor of a well-known import: the registry's own list
    (:mod:`charter.compat.protobuf.wellknown`, Confluent's files shipped with Charter), else a file
    the process's default pool knows (e.g. a google/protobuf file newer than that list)."""
    from charter.compat.protobuf.wellknown import builtin_files  # protoc-backed: loaded on first need

    data = builtin_files().get(name)
    if data is not None:
        return data
    try:
        return descriptor_pool.Default().FindFileByName(name).serialized_pb
    except KeyError:
        raise SerializationError(f"unknown well-known import {name}") from None


def _message_name(fdp: descriptor_pb2.FileDescriptorProto, indexes: list[int]) -> str:
    """The full name of the message at ``indexes`` (:func:`charter.compat.protobuf.indexes.message_at`)."""
    from charter.compat.protobuf.indexes import message_at

    try:
        return message_at(fdp, indexes)[0]
    except IndexError as e:
        raise SerializationError(f"{e}: the schema has no such message") from None
