"""Avro serializer and deserializer (fastavro), drop-in for confluent-kafka's.

``AvroSerializer(schema_registry_client, schema_str, to_dict=None, conf=None)`` and
``AvroDeserializer(schema_registry_client, schema_str=None, from_dict=None, return_record_name=False,
conf=None)``, called as ``ser(obj, SerializationContext(topic, MessageField.VALUE))``. The bytes are
the same as confluent-kafka's for the same schema id and record. Parsed schemas are cached per
schema id; named references are fetched once; logical types are fastavro's; when a reader schema is
given, fastavro resolves the writer's data into it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError as _FastavroResolutionError

try:  # fastavro's compiled encode/decode entry points, without schemaless_*'s per-call setup
    from fastavro._read import _read_data
    from fastavro._write import write_data as _write_data

    _COMPILED = True
except ImportError:  # pragma: no cover - pure-Python fastavro
    _COMPILED = False

from charter.compat.model import SchemaType

from .errors import (
    RecordValidationError,
    SchemaResolutionError,
    SerializationError,
    TruncatedMessageError,
)
from .models import Schema
from .serde import (
    DESERIALIZER_DEFAULTS,
    SERIALIZER_DEFAULTS,
    BaseDeserializer,
    BaseSerializer,
    Target,
    is_builtin_strategy,
    referenced_schemas,
    take_conf,
)
from .serialization import SerializationContext
from .wire import SchemaId

__all__ = ["AvroDeserializer", "AvroSerializer"]


def _schema_loads(schema_str: str) -> Schema:
    """A ``Schema`` from Avro text, as confluent-kafka builds it (primitives wrapped as ``{"type":...}``)."""
    text = schema_str.strip()
    if text[:1] not in ("{", "["):
        text = '{"type":' + text + "}"
    return Schema(text, SchemaType.AVRO.value)


def _to_schema(schema_str: str | Schema | None) -> Schema | None:
    if schema_str is None or isinstance(schema_str, Schema):
        return schema_str
    if isinstance(schema_str, str):
        return _schema_loads(schema_str)
    raise TypeError("schema_str must be a str or a Schema")


class _Parser:
    """Parses registry schemas with their named references (fetched once per reference)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._cache: dict[Schema, Any] = {}

    def parse(self, schema: Schema) -> Any:
        parsed = self._cache.get(schema)
        if parsed is None:
            named: dict[str, Any] = {}
            for _, referenced in referenced_schemas(self._client, schema):
                parse_schema(json.loads(referenced.schema_str), named_schemas=named)
            try:
                parsed = parse_schema(json.loads(_schema_loads(schema.schema_str).schema_str), named_schemas=named)
            except Exception as e:
                raise SerializationError(f"invalid Avro schema: {e}") from e
            self._cache[schema] = parsed
        return parsed


_WRITE_OPTIONS = {"strict": False, "strict_allow_default": False, "disable_tuple_notation": False}


def _read_options(return_record_name: bool) -> dict[str, Any]:
    return {"return_record_name": return_record_name, "return_record_name_override": False,
            "handle_unicode_errors": "strict", "return_named_type": False, "return_named_type_override": False}


def _is_bytes(parsed: Any) -> bool:
    return parsed == "bytes" or (isinstance(parsed, dict) and parsed.get("type") == "bytes")


def _record_name(parsed: Any, schema: Schema) -> str | None:
    if isinstance(parsed, dict):
        name = parsed.get("name")
        if name is None:
            raw = json.loads(schema.schema_str)
            name = raw.get("type") if isinstance(raw, dict) else None
        return name
    return None


class AvroSerializer(BaseSerializer):
    """Avro records (dicts, or objects through ``to_dict``) to Confluent-framed bytes.

    Conf keys (confluent-kafka's): ``auto.register.schemas`` (True), ``normalize.schemas``,
    ``use.schema.id``, ``use.latest.version``, ``use.latest.with.metadata``, ``subject.name.strategy``
    (callable, or TOPIC / RECORD / TOPIC_RECORD / ASSOCIATED), ``subject.name.strategy.type``,
    ``subject.name.strategy.conf``, ``schema.id.serializer``, ``validate.strict``,
    ``validate.strict.allow.default``.
    """

    _defaults = {**SERIALIZER_DEFAULTS, "validate.strict": False, "validate.strict.allow.default": False}

    def __init__(self, schema_registry_client: Any, schema_str: str | Schema | None = None,
                 to_dict: Callable[[object, SerializationContext], dict] | None = None,
                 conf: dict[str, Any] | None = None) -> None:
        if to_dict is not None and not callable(to_dict):
            raise ValueError("to_dict must be callable with the signature to_dict(object, SerializationContext)->dict")
        merged = take_conf(self._defaults, conf)
        self._setup_serializer(schema_registry_client, merged)
        self._strict = bool(merged["validate.strict"])
        self._strict_allow_default = bool(merged["validate.strict.allow.default"])
        self._to_dict = to_dict
        self._parser = _Parser(schema_registry_client)
        self._schema = _to_schema(schema_str)
        self._parsed = self._parser.parse(self._schema) if self._schema is not None else None
        self._schema_name = _record_name(self._parsed, self._schema) if self._schema is not None else None
        self._fast_value: dict[str, Target] = {}
        self._fast_key: dict[str, Target] = {}
        self._fixed_strategy = is_builtin_strategy(self._subject_func)
        self._compiled = _COMPILED and not (self._strict or self._strict_allow_default)

    def _parse(self, schema: Schema) -> Any:
        return self._parser.parse(schema)

    def __call__(self, obj: object, ctx: SerializationContext | None = None) -> bytes | None:  # type: ignore[override]
        if obj is None:
            return None
        try:  # hot path: a built-in subject strategy already resolved for this topic and field
            target = (self._fast_value if ctx.field == "value" else self._fast_key)[ctx.topic]  # type: ignore[union-attr]
        except (KeyError, AttributeError):
            target = self._slow_target(ctx)
        value = self._to_dict(obj, ctx) if self._to_dict is not None else obj  # type: ignore[arg-type]
        prefix = target.prefix
        try:
            if prefix is not None and target.named is not None:
                out = bytearray(prefix)
                _write_data(out, value, target.parsed, target.named, "", _WRITE_OPTIONS)
                return bytes(out)
            if _is_bytes(target.parsed):  # confluent-kafka writes a bare "bytes" schema's value unencoded
                payload = value if isinstance(value, bytes) else str(value).encode()
                return prefix + payload if prefix is not None else self._frame(target, payload, ctx)
            stream = io.BytesIO()
            schemaless_writer(stream, target.parsed, value, strict=self._strict,
                              strict_allow_default=self._strict_allow_default)
            payload = stream.getvalue()
        except Exception as e:
            raise RecordValidationError(f"record does not match Avro schema {target.schema_id.id}: {e}") from e
        if prefix is not None:
            return prefix + payload
        return self._frame(target, payload, ctx)

    def _make_target(self, registered: Any, schema: Schema, parsed: Any = None) -> Target:
        target = super()._make_target(registered, schema, parsed)
        if self._compiled and isinstance(target.parsed, dict) and not _is_bytes(target.parsed):
            target.named = target.parsed.get("__named_schemas", {})
        return target

    def _slow_target(self, ctx: SerializationContext | None) -> Target:
        subject = self._subject(ctx, self._schema_name)
        target = self._target(subject, ctx)
        if self._fixed_strategy and not self._per_message and ctx is not None and ctx.field in ("key", "value"):
            (self._fast_value if ctx.field == "value" else self._fast_key)[ctx.topic] = target
        return target


class AvroDeserializer(BaseDeserializer):
    """Confluent-framed Avro bytes to dicts (or objects through ``from_dict``).

    With ``schema_str`` the data is resolved into that reader schema; without it, the writer schema
    is used. Accepts the V0 prefix, the V1 GUID prefix and the ``__value_schema_id`` header form.
    """

    def __init__(self, schema_registry_client: Any, schema_str: str | Schema | None = None,
                 from_dict: Callable[[dict, SerializationContext], object] | None = None,
                 return_record_name: bool = False, conf: dict[str, Any] | None = None) -> None:
        if from_dict is not None and not callable(from_dict):
            raise ValueError("from_dict must be callable with the signature from_dict(dict, SerializationContext)")
        if not isinstance(return_record_name, bool):
            raise ValueError("return_record_name must be a boolean value")
        self._setup_deserializer(schema_registry_client, take_conf(DESERIALIZER_DEFAULTS, conf))
        self._from_dict = from_dict
        self._return_record_name = return_record_name
        self._parser = _Parser(schema_registry_client)
        self._schema = _to_schema(schema_str)
        self._reader = self._parser.parse(self._schema) if self._schema is not None else None
        self._options = _read_options(return_record_name)
        self._by_id: dict[int, tuple[Any, Any, Any]] = {}  # schema id -> (writer, reader or None, named)

    def _schemas_for(self, sid: Any, ctx: SerializationContext | None) -> tuple[Any, Any, Any]:
        writer_schema = self._writer_schema(sid)
        writer = self._parser.parse(writer_schema)
        reader = self._reader
        if self._use_latest or self._latest_metadata is not None:
            name = writer.get("name") if isinstance(writer, dict) else None
            subject = self._subject(ctx, name)
            latest = self._latest(subject) if subject else None
            if latest is not None:
                reader = self._parser.parse(latest.schema)
        if reader is writer or (reader is self._reader and self._schema is not None
                                and writer_schema.schema_str == self._schema.schema_str):
            reader = None  # same schema: no resolution step
        named = None
        if _COMPILED and not _is_bytes(writer) and isinstance(writer, dict):
            named = {"writer": dict(writer.get("__named_schemas", {})), "reader": {}}
            if reader is not None:
                named["reader"] = dict(reader.get("__named_schemas", {})) if isinstance(reader, dict) else {}
                if not isinstance(reader, dict):
                    named = None
        return writer, reader, named

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:  # type: ignore[override]
        if data is None:
            return None
        if self._fast_framing and len(data) >= 5 and data[0] == 0 and (ctx is None or not ctx.headers):
            schema_id = int.from_bytes(data[1:5], "big")
            found = self._by_id.get(schema_id)
            if found is None:
                found = self._by_id[schema_id] = self._schemas_for(SchemaId(SchemaType.AVRO.value, schema_id), ctx)
            stream = io.BytesIO(data)
            stream.seek(5)
        else:
            sid, payload = self._read_framing(data, ctx)
            if sid.id is not None and not self._use_latest and self._latest_metadata is None:
                found = self._by_id.get(sid.id)
                if found is None:
                    found = self._by_id[sid.id] = self._schemas_for(sid, ctx)
            else:
                found = self._schemas_for(sid, ctx)
            stream = io.BytesIO(payload)
        writer, reader, named = found
        try:
            if named is not None:
                record = _read_data(stream, writer, named, reader, self._options)
            elif _is_bytes(writer):
                record = stream.read()
            else:
                record = schemaless_reader(stream, writer, reader, self._return_record_name)
        except _FastavroResolutionError as e:
            raise SchemaResolutionError(f"the reader schema cannot read this writer schema: {e}") from e
        except (EOFError, IndexError) as e:
            raise TruncatedMessageError(f"Avro payload is truncated: {e}") from e
        except Exception as e:
            raise RecordValidationError(f"payload does not decode with the writer schema: {e}") from e
        if self._from_dict is not None:
            return self._from_dict(record, ctx)  # type: ignore[arg-type]
        return record
