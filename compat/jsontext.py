"""JSON text as Jackson (the JSON library of Confluent's Java registry) reads and writes it.

Shared by the formats whose schemas are JSON documents (Avro, JSON Schema): the string escaping
Jackson's default generator uses, and decoding with errors that say where the text is wrong.
Each format keeps its own number handling (Avro: doubles; JSON Schema: big decimals).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from charter.compat.depth import MAX_JSON_DEPTH, check_json_depth, too_deep
from charter.compat.model import InvalidSchemaError

_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})
_ESCAPES[ord('"')] = '\\"'
_ESCAPES[ord("\\")] = "\\\\"
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def quote(text: str) -> str:
    """A JSON string literal as Jackson writes it (short escapes, ``\\u00XX`` upper-case, UTF-8 kept)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return f'"{text.translate(_ESCAPES)}"'


def reject_constant(name: str) -> Any:
    """``parse_constant`` for json decoders: NaN and Infinity are not JSON."""
    raise ValueError(f"non-standard number {name}")


def decode(parse: Callable[[], Any]) -> Any:
    """Run a JSON decode; turn its failure into :class:`InvalidSchemaError` with line and column."""
    try:
        return check_json_depth(parse())
    except json.JSONDecodeError as exc:
        raise InvalidSchemaError(
            f"Invalid schema: the text is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except ValueError as exc:  # NaN/Infinity literals
        raise InvalidSchemaError(f"Invalid schema: the text is not valid JSON: {exc}") from None
    except RecursionError:
        raise too_deep("the JSON text is", MAX_JSON_DEPTH) from None


def dump_tree(value: Any, number: Callable[[Any], str], key_order: Callable[[str], Any] | None = None) -> str:
    """Compact JSON of a decoded tree as Jackson prints it; ``number`` prints non-integer numbers
    (each format reads them differently) and ``key_order``, when given, sorts object keys."""

    def dump(v: Any) -> str:
        if isinstance(v, str):
            return quote(v)
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, dict):
            items = sorted(v.items(), key=lambda kv: key_order(kv[0])) if key_order else v.items()
            return "{" + ",".join(f"{quote(k)}:{dump(x)}" for k, x in items) + "}"
        if isinstance(v, list):
            return "[" + ",".join(dump(x) for x in v) + "]"
        return number(v)

    return dump(value)
