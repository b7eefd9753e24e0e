"""Helpers for the JSON Schema diff tests: parse, list differences, build objects."""

from __future__ import annotations

import json
from typing import Any

from charter.compat.jsonschema import JSON_FORMAT, JsonSchema


def parse(schema: Any) -> JsonSchema:
    return JSON_FORMAT.parse(json.dumps(schema), {})


def diff(writer: Any, reader: Any, policy: str = "STRICT") -> list[tuple[str, str]]:
    return [(d.type, d.path) for d in parse(reader).differences(parse(writer), policy=policy)]


def bad(writer: Any, reader: Any, policy: str = "STRICT") -> list[tuple[str, str]]:
    return [(i.error_type, i.path) for i in parse(reader).incompatibilities(parse(writer), policy=policy)]


def obj(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, **extra}


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
D2019 = "https://json-schema.org/draft/2019-09/schema"
