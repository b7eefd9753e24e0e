"""Helpers of the Avro unit tests: parse a schema given as text or as a JSON value."""

from __future__ import annotations

import json
from typing import Any

from charter.compat.avro import AVRO_FORMAT, AvroSchema


def parse(schema: Any, deps: dict[str, AvroSchema] | None = None, validate: bool = True) -> AvroSchema:
    """Parse ``schema`` (text as is, any other value as its JSON) with the given dependencies."""
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return AVRO_FORMAT.parse(text, deps or {}, validate=validate)


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}
