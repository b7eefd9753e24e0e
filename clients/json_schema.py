"""JSON Schema serializer and deserializer, drop-in for confluent-kafka's.

``JSONSerializer(schema_str, schema_registry_client, to_dict=None, conf=None, json_encode=None)`` and
``JSONDeserializer(schema_str, from_dict=None, schema_registry_client=None, conf=None,
json_decode=None)``. Records are validated on both sides (``validate``, default True) with a
validator compiled once per schema and cached (jsonschema-rs, see json_validators.py); references
are resolved through the registry. The
payload is the compact JSON text confluent-kafka writes (orjson when installed), so the bytes match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from charter.compat.model import SchemaType

from .errors import RecordValidationError
from .json_validators import Validators
from .models import Schema
from .serde import (
    DESERIALIZER_DEFAULTS,
    SERIALIZER_DEFAULTS,
    BaseDeserializer,
    BaseSerializer,
    is_builtin_strategy,
    take_conf,
)
from .serialization import SerializationContext
from .wire import SchemaId


def _dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)


_loads: Callable[[Any], Any] = orjson.loads

__all__ = ["JSONDeserializer", "JSONSerializer"]


def _to_schema(schema_str: str | Schema | None) -> Schema | None:
    if schema_str is None or isinstance(schema_str, Schema):
        return schema_str
    if isinstance(schema_str, str):
        return Schema(schema_str, SchemaType.JSON.value)
    raise TypeError("schema_str must be a str or a Schema")


class JSONSerializer(BaseSerializer):
    """Dicts (or objects through ``to_dict``) to Confluent-framed JSON, validated against the schema.

    Conf keys (confluent-kafka's): ``auto.register.schemas``, ``normalize.schemas``, ``use.schema.id``,
    ``use.latest.version``, ``use.latest.with.metadata``, ``subject.name.strategy`` (+ ``.type``,
    ``.conf``), ``schema.id.serializer``, ``validate`` (True).
    """

    SCHEMA_TYPE = SchemaType.JSON.value

    def __init__(self, schema_str: str | Schema | None, schema_registry_client: Any,
                 to_dict: Callable[[object, SerializationContext], dict] | None = None,
                 conf: dict[str, Any] | None = None, json_encode: Callable[[Any], Any] | None = None) -> None:
        if to_dict is not None and not callable(to_dict):
            raise ValueError("to_dict must be callable with the signature to_dict(object, SerializationContext)->dict")
        merged = take_conf({**SERIALIZER_DEFAULTS, "validate": True}, conf)
        self._setup_serializer(schema_registry_client, merged)
        self._validate = bool(merged["validate"])
        self._to_dict = to_dict
        self._encode = json_encode or _dumps
        self._validators = Validators(schema_registry_client)
        self._schema = _to_schema(schema_str)
        self._schema_name = None
        if self._schema is not None:
            parsed, _ = self._validators.get(self._schema)
            self._schema_name = parsed.get("title") if isinstance(parsed, dict) else None
        self._subjects: dict[tuple[str, str], str | None] = {}
        self._fixed_strategy = is_builtin_strategy(self._subject_func)

    def _parse(self, schema: Schema) -> Any:
        return self._validators.get(schema)[1]

    def __call__(self, obj: object, ctx: SerializationContext | None = None) -> bytes | None:  # type: ignore[override]
        if obj is None:
            return None
        if self._fixed_strategy and ctx is not None:
            key = (ctx.topic, ctx.field)
            subject = self._subjects.get(key)
            if subject is None:
                subject = self._subjects[key] = self._subject(ctx, self._schema_name)
        else:
            subject = self._subject(ctx, self._schema_name)
        target = self._targets.get(subject) if not self._per_message else None  # type: ignore[arg-type]
        if target is None:
            target = self._target(subject, ctx)
        value = self._to_dict(obj, ctx) if self._to_dict is not None else obj  # type: ignore[arg-type]
        if self._validate:
            target.parsed(value)
        try:
            payload = self._encode(value)
        except Exception as e:
            raise RecordValidationError(f"record is not JSON-serializable: {e}") from e
        if isinstance(payload, str):
            payload = payload.encode()
        if target.prefix is not None:
            return target.prefix + payload
        return self._frame(target, payload, ctx)


class JSONDeserializer(BaseDeserializer):
    """Confluent-framed JSON to dicts (or objects through ``from_dict``), validated (``validate``).

    Validation uses ``schema_str`` when given, else the writer schema from the registry.
    """

    SCHEMA_TYPE = SchemaType.JSON.value

    def __init__(self, schema_str: str | Schema | None, from_dict: Callable[[dict, SerializationContext], object]
                 | None = None, schema_registry_client: Any = None, conf: dict[str, Any] | None = None,
                 json_decode: Callable[[Any], Any] | None = None) -> None:
        if from_dict is not None and not callable(from_dict):
            raise ValueError("from_dict must be callable with the signature from_dict(dict, SerializationContext)")
        merged = take_conf({**DESERIALIZER_DEFAULTS, "validate": True}, conf)
        self._setup_deserializer(schema_registry_client, merged)
        self._validate = bool(merged["validate"])
        self._from_dict = from_dict
        self._decode = json_decode or _loads
        self._validators = Validators(schema_registry_client)
        self._schema = _to_schema(schema_str)
        self._reader_check = self._validators.get(self._schema)[1] if self._schema is not None else None
        self._checks: dict[Any, Callable[[Any], None] | None] = {}

    def _check_for(self, sid: SchemaId, ctx: SerializationContext | None) -> Callable[[Any], None] | None:
        key = sid.id if sid.id is not None else sid.guid
        check = self._checks.get(key, False)
        if check is False:
            check = self._reader_check
            if self._registry is not None:
                writer = self._writer_schema(sid)  # also proves the id is known (UnknownSchemaError)
                if self._use_latest or self._latest_metadata is not None:
                    parsed, _ = self._validators.get(writer)
                    title = parsed.get("title") if isinstance(parsed, dict) else None
                    subject = self._subject(ctx, title)
                    latest = self._latest(subject) if subject else None
                    if latest is not None:
                        return self._validators.get(latest.schema)[1]
                if check is None:
                    check = self._validators.get(writer)[1]
            self._checks[key] = check
        return check  # type: ignore[return-value]

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:  # type: ignore[override]
        if data is None:
            return None
        if self._fast_framing and len(data) >= 5 and data[0] == 0 and (ctx is None or not ctx.headers):
            sid = SchemaId(SchemaType.JSON.value, int.from_bytes(data[1:5], "big"))
            payload: Any = memoryview(data)[5:]
        else:
            sid, payload = self._read_framing(data, ctx)
        check = self._check_for(sid, ctx)
        try:
            value = self._decode(payload)
        except Exception as e:
            raise RecordValidationError(f"payload is not valid JSON: {e}") from e
        if self._validate and check is not None:
            check(value)
        if self._from_dict is not None:
            return self._from_dict(value, ctx)  # type: ignore[arg-type]
        return value
