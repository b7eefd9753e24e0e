"""What the Avro, Protobuf and JSON Schema serdes share: configuration, subject names, schema lookup.

A serializer resolves each subject once (register, look up, ``use.schema.id`` or the latest version)
and keeps a ``Target`` for it: the schema id, its precomputed wire prefix and the parsed schema, so
serializing a record makes no registry call and no per-message allocation beyond the output.
A deserializer keeps the parsed writer schema per schema id (and per GUID). Only the
``use.latest.version`` / ``use.latest.with.metadata`` modes consult the client per message, and
those calls are answered from its latest-version cache (``cache.latest.ttl.sec``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from charter.compat.model import SchemaType

from .errors import SchemaRegistryError, SerializationError, UnknownSchemaError
from .models import RegisteredSchema, Schema, SchemaReference
from .serialization import Deserializer, MessageField, SerializationContext, Serializer
from .wire import SchemaId, dual_schema_id_deserializer, prefix_schema_id_serializer

__all__ = [
    "AssociatedNameStrategy",
    "record_subject_name_strategy",
    "reference_subject_name_strategy",
    "topic_record_subject_name_strategy",
    "topic_subject_name_strategy",
]


def topic_subject_name_strategy(ctx: SerializationContext | None, record_name: str | None) -> str | None:
    """``{topic}-key`` / ``{topic}-value``."""
    if ctx is None:
        raise ValueError("SerializationContext is required for topic_subject_name_strategy")
    return f"{ctx.topic}-{ctx.field}"


def topic_record_subject_name_strategy(ctx: SerializationContext | None, record_name: str | None) -> str | None:
    """``{topic}-{record fullname}``."""
    if ctx is None:
        raise ValueError("SerializationContext is required for topic_record_subject_name_strategy")
    return f"{ctx.topic}-{record_name}" if record_name is not None else None


def record_subject_name_strategy(ctx: SerializationContext | None, record_name: str | None) -> str | None:
    """``{record fullname}``."""
    return record_name


def reference_subject_name_strategy(ctx: SerializationContext | None, schema_ref: Any) -> str | None:
    """The subject of a Protobuf import: its file name (``dep.name``)."""
    return schema_ref.name if schema_ref is not None else None


_STRATEGIES: dict[str, Callable[..., str | None]] = {
    "TOPIC": topic_subject_name_strategy,
    "RECORD": record_subject_name_strategy,
    "TOPIC_RECORD": topic_record_subject_name_strategy,
}


class AssociatedNameStrategy:
    """The subject the registry associates with the topic; on 404 or none, falls back (TOPIC by default).

    Conf (``subject.name.strategy.conf``): ``subject.name.strategy.kafka.cluster.id`` and
    ``subject.name.strategy.fallback.type`` (TOPIC, RECORD, TOPIC_RECORD or NONE). Results are cached.
    """

    def __init__(self, client: Any, conf: dict[str, Any] | None = None) -> None:
        conf = conf or {}
        self._client = client
        self._namespace = conf.get("subject.name.strategy.kafka.cluster.id") or "-"
        fallback = str(conf.get("subject.name.strategy.fallback.type", "TOPIC")).upper().replace("-", "_")
        if fallback not in (*_STRATEGIES, "NONE"):
            raise ValueError(f"Invalid subject.name.strategy.fallback.type: {fallback}")
        self._fallback = fallback
        self._cache: dict[tuple[str, bool, str | None], str] = {}

    def __call__(self, ctx: SerializationContext | None, record_name: str | None) -> str | None:
        if ctx is None:
            raise ValueError("SerializationContext is required for the associated subject name strategy")
        is_key = ctx.field == MessageField.KEY
        key = (ctx.topic, is_key, record_name)
        subject = self._cache.get(key)
        if subject is not None:
            return subject
        found = self._client.get_associations_by_resource_name(
            ctx.topic, self._namespace, "topic", ["key" if is_key else "value"])
        if len(found) > 1:
            raise SerializationError(f"Multiple associated subjects found for topic {ctx.topic}")
        if found:
            subject = found[0]["subject"] if isinstance(found[0], dict) else found[0].subject
        elif self._fallback == "NONE":
            raise SerializationError(f"No associated subject found for topic {ctx.topic}")
        else:
            subject = _STRATEGIES[self._fallback](ctx, record_name)
        if subject is not None:
            self._cache[key] = subject
        return subject


def make_subject_strategy(client: Any, strategy: Any, strategy_type: Any, strategy_conf: Any) -> Callable[..., Any]:
    """Resolve ``subject.name.strategy`` (callable or name) / ``subject.name.strategy.type``."""
    if callable(strategy):
        return strategy
    name = strategy if strategy is not None else strategy_type
    if name is None:
        return AssociatedNameStrategy(client, strategy_conf)  # confluent-kafka's default since 2.14
    key = str(getattr(name, "value", name)).upper().replace("-", "_")
    if key == "ASSOCIATED":
        return AssociatedNameStrategy(client, strategy_conf)
    if key in _STRATEGIES:
        return _STRATEGIES[key]
    raise ValueError(f"Invalid subject.name.strategy: {name!r}; valid: TOPIC, RECORD, TOPIC_RECORD, ASSOCIATED")


def is_builtin_strategy(func: Any) -> bool:
    """True for this module's strategies: their subject depends only on (topic, field, record name)."""
    return isinstance(func, AssociatedNameStrategy) or func in _STRATEGIES.values()


def take_conf(defaults: dict[str, Any], conf: dict[str, Any] | None) -> dict[str, Any]:
    """``defaults`` updated with ``conf``; unknown keys are an error, as in confluent-kafka."""
    merged = dict(defaults)
    if conf:
        unknown = set(conf) - set(defaults)
        if unknown:
            raise ValueError("Unrecognized properties: " + ", ".join(sorted(unknown)))
        merged.update(conf)
    for key in ("auto.register.schemas", "normalize.schemas", "use.latest.version"):
        if key in merged and not isinstance(merged[key], bool):
            raise ValueError(f"{key} must be a boolean value")
    if merged.get("use.schema.id") is not None and not isinstance(merged["use.schema.id"], int):
        raise ValueError("use.schema.id must be an int value")
    if merged.get("use.latest.with.metadata") is not None and not isinstance(merged["use.latest.with.metadata"], dict):
        raise ValueError("use.latest.with.metadata must be a dict value")
    if merged.get("use.latest.version") and merged.get("auto.register.schemas"):
        raise ValueError("cannot enable both use.latest.version and auto.register.schemas")
    return merged


SERIALIZER_DEFAULTS: dict[str, Any] = {
    "auto.register.schemas": True,
    "normalize.schemas": False,
    "use.schema.id": None,
    "use.latest.version": False,
    "use.latest.with.metadata": None,
    "subject.name.strategy": None,
    "subject.name.strategy.type": None,
    "subject.name.strategy.conf": None,
    "schema.id.serializer": prefix_schema_id_serializer,
}

DESERIALIZER_DEFAULTS: dict[str, Any] = {
    "use.latest.version": False,
    "use.latest.with.metadata": None,
    "subject.name.strategy": None,
    "subject.name.strategy.type": None,
    "subject.name.strategy.conf": None,
    "schema.id.deserializer": dual_schema_id_deserializer,
}


@dataclass(slots=True)
class Target:
    """What a serializer writes with, for one subject: id, wire prefix (V0 form) and parsed schema."""

    schema_id: SchemaId
    prefix: bytes | None
    parsed: Any
    schema: Schema
    named: Any = None  # format-specific extra (Avro: fastavro's named schemas for the compiled writer)


def unknown_schema(e: SchemaRegistryError, what: str) -> SerializationError | SchemaRegistryError:
    """A 404 for a schema id/GUID becomes ``UnknownSchemaError``; other registry errors pass through."""
    if e.http_status_code == 404:
        return UnknownSchemaError(f"{what} is not known to the schema registry: {e.error_message}", e)
    return e


class SerdeMixin:
    """Configuration and subject-name handling shared by serializers and deserializers."""

    SCHEMA_TYPE = SchemaType.AVRO.value
    _registry: Any
    _conf: dict[str, Any]

    def _setup(self, client: Any, conf: dict[str, Any]) -> None:
        self._registry = client
        self._conf = conf
        self._use_latest = bool(conf.get("use.latest.version"))
        self._latest_metadata = conf.get("use.latest.with.metadata")
        self._subject_func = make_subject_strategy(
            client, conf["subject.name.strategy"], conf["subject.name.strategy.type"],
            conf["subject.name.strategy.conf"])
        self._lock = threading.Lock()

    def _subject(self, ctx: SerializationContext | None, record_name: str | None) -> str | None:
        return self._subject_func(ctx, record_name)

    def _latest(self, subject: str, fmt: str | None = None) -> RegisteredSchema | None:
        """The schema the ``use.latest.*`` modes read or write with (client-cached, TTL), else None."""
        if self._latest_metadata is not None:
            return self._registry.get_latest_with_metadata(subject, self._latest_metadata, True, fmt)
        if self._use_latest:
            return self._registry.get_latest_version(subject, fmt)
        return None


def referenced_schemas(client: Any, schema: Schema) -> list[tuple[SchemaReference, Schema]]:
    """Every schema ``schema`` references, transitively, each after its own references and
    fetched once; a reference the registry cannot resolve is a SerializationError."""
    found: list[tuple[SchemaReference, Schema]] = []
    seen: set[tuple[str, int]] = set()

    def visit(current: Schema) -> None:
        for ref in current.references:
            if (ref.subject, ref.version) in seen:
                continue
            seen.add((ref.subject, ref.version))
            try:
                referenced = client.get_version(ref.subject, ref.version, True).schema
            except SchemaRegistryError as e:
                raise SerializationError(f"cannot resolve reference {ref.name} ({ref.subject} v{ref.version}): "
                                         f"{e.error_message}") from e
            visit(referenced)
            found.append((ref, referenced))

    visit(schema)
    return found


class BaseSerializer(SerdeMixin, Serializer):
    """Subject → ``Target`` resolution; subclasses parse schemas and encode records."""

    __slots__: list[str] = []

    def _setup_serializer(self, client: Any, conf: dict[str, Any]) -> None:
        self._setup(client, conf)
        self._auto_register = conf["auto.register.schemas"]
        self._normalize = conf["normalize.schemas"]
        self._use_schema_id = conf["use.schema.id"]
        self._id_serializer = conf["schema.id.serializer"]
        if not callable(self._id_serializer):
            raise ValueError("schema.id.serializer must be callable")
        self._prefix_mode = self._id_serializer is prefix_schema_id_serializer or getattr(
            self._id_serializer, "__qualname__", "") == "prefix_schema_id_serializer"
        self._targets: dict[str, Target] = {}
        self._latest_targets: dict[int, Target] = {}
        self._per_message = self._use_latest or self._latest_metadata is not None

    # Hooks -------------------------------------------------------------------------------------
    def _parse(self, schema: Schema) -> Any:
        raise NotImplementedError

    def _schema_to_register(self, ctx: SerializationContext | None) -> Schema:
        """The schema given to the constructor (Protobuf builds its own from the message type)."""
        schema = getattr(self, "_schema", None)
        if schema is None:
            raise SerializationError(
                f"{type(self).__name__} has no schema: give schema_str or set use.latest.version"
            )
        return schema

    def _indexes(self) -> list[int] | None:
        return None

    # Resolution ----------------------------------------------------------------------------------
    def _make_target(self, registered: RegisteredSchema, schema: Schema, parsed: Any = None) -> Target:
        sid = SchemaId(self.SCHEMA_TYPE, registered.schema_id, registered.guid, self._indexes())
        prefix = sid.id_to_bytes() if self._prefix_mode and registered.schema_id is not None else None
        return Target(sid, prefix, parsed if parsed is not None else self._parse(schema), schema)

    def _target(self, subject: str | None, ctx: SerializationContext | None) -> Target:
        if self._per_message:
            if subject is None:
                raise SerializationError("use.latest.version needs a subject name")
            latest = self._latest(subject, self._latest_format())
            assert latest is not None
            target = self._latest_targets.get(latest.schema_id)  # type: ignore[arg-type]
            if target is None:
                target = self._make_target(latest, latest.schema)
                self._latest_targets[latest.schema_id] = target  # type: ignore[index]
            return target
        key = subject or ""
        target = self._targets.get(key)
        if target is not None:
            return target
        with self._lock:
            target = self._targets.get(key)
            if target is None:
                target = self._resolve(subject, ctx)
                self._targets[key] = target
        return target

    def _latest_format(self) -> str | None:
        return None

    def _resolve(self, subject: str | None, ctx: SerializationContext | None) -> Target:
        reg = self._registry
        if self._use_schema_id is not None:
            schema = reg.get_schema(self._use_schema_id, subject, self._latest_format())
            registered = RegisteredSchema(self._use_schema_id, schema, subject)
            return self._make_target(registered, schema)
        if subject is None:
            raise SerializationError("no subject name: the subject name strategy returned None")
        schema = self._schema_to_register(ctx)
        if self._auto_register:
            registered = reg.register_schema_full_response(subject, schema, normalize_schemas=self._normalize)
        else:
            registered = reg.lookup_schema(subject, schema, normalize_schemas=self._normalize)
        return self._make_target(registered, schema)

    def _frame(self, target: Target, payload: bytes, ctx: SerializationContext | None) -> bytes:
        """Frame a payload with the configured ``schema.id.serializer`` (non-prefix modes)."""
        return self._id_serializer(payload, ctx, target.schema_id)


class BaseDeserializer(SerdeMixin, Deserializer):
    """Writer schema lookup by id or GUID, cached; subclasses parse schemas and decode payloads."""

    __slots__: list[str] = []

    def _setup_deserializer(self, client: Any, conf: dict[str, Any]) -> None:
        self._setup(client, conf)
        self._id_deserializer = conf["schema.id.deserializer"]
        if not callable(self._id_deserializer):
            raise ValueError("schema.id.deserializer must be callable")
        self._fast_framing = not self._use_latest and self._latest_metadata is None and (
            self._id_deserializer is dual_schema_id_deserializer
            or getattr(self._id_deserializer, "__qualname__", "") == "dual_schema_id_deserializer")

    def _writer_schema(self, sid: SchemaId, subject: str | None = None, fmt: str | None = None) -> Schema:
        if self._registry is None:
            raise SerializationError("a schema registry client is needed to look up the writer schema")
        try:
            if sid.id is not None:
                return self._registry.get_schema(sid.id, None, fmt)
            if sid.guid is not None:
                return self._registry.get_schema_by_guid(str(sid.guid), fmt)
        except SchemaRegistryError as e:
            raise unknown_schema(e, f"schema {sid.id if sid.id is not None else sid.guid}") from e
        raise SerializationError("the message has neither a schema id nor a GUID")

    def _read_framing(self, data: bytes, ctx: SerializationContext | None) -> tuple[SchemaId, bytes | memoryview]:
        """General path (custom ``schema.id.deserializer``, headers): the id and the payload."""
        sid = SchemaId(self.SCHEMA_TYPE)
        if self._fast_framing:
            from .wire import find_header

            header = find_header(ctx)
            if header is not None:
                sid.parse(header)
                return sid, data
            pos = sid.parse(data)
            return sid, memoryview(data)[pos:]
        try:
            rest = self._id_deserializer(data, ctx, sid)
        except SerializationError:
            raise
        except Exception as e:  # a custom deserializer's struct.error, EOFError, ...
            raise SerializationError(f"cannot read the schema id framing: {e}") from e
        return sid, rest.read() if hasattr(rest, "read") else rest
