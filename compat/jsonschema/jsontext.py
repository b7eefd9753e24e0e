"""JSON text in and out the way Confluent's JSON Schema provider (Jackson) reads and writes it.

Reading keeps key order and the difference between integers and other numbers: integers become
``int`` (any size), numbers with a fraction or an exponent become :class:`decimal.Decimal`
(Jackson's ``USE_BIG_DECIMAL_FOR_FLOATS``). A duplicated key keeps its first position and its
last value (as Jackson's ``ObjectNode``). Writing is compact: strings escaped as Jackson does,
decimals as Java's ``BigDecimal.toString()`` (``1e2`` -> ``1E+2``, ``1.50`` stays ``1.50``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from charter.compat.jsontext import decode, dump_tree, quote, reject_constant

__all__ = ["dump_json", "dump_sorted", "load_json", "quote", "value_key"]


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=reject_constant)


def load_json(text: str) -> Any:
    """Parse JSON text; raises :class:`InvalidSchemaError` saying where the text is wrong."""
    return decode(lambda: _DECODER.decode(text))


def big_decimal(value: Decimal) -> str:
    """Java's ``BigDecimal.toString()``: the same scientific-string rules as Python's ``str``,
    except that Java has no negative zero."""
    if value.is_zero():
        value = value.copy_abs()
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return big_decimal(value)
    if isinstance(value, float):  # only from callers that built values by hand
        return big_decimal(Decimal(repr(value)))
    raise TypeError(f"not a JSON value: {value!r}")


def dump_json(value: Any, *, sort_keys: bool = False) -> str:
    """Compact JSON, as Jackson's ``JsonNode.toString()`` prints a tree read by :func:`load_json`.

    ``sort_keys`` orders object keys as Java compares strings (UTF-16 code units).
    """
    return dump_tree(value, _number, utf16_key if sort_keys else None)


def utf16_key(text: str) -> bytes:
    """Sort key giving Java's ``String.compareTo`` order (UTF-16 code units)."""
    return text.encode("utf-16-be", "surrogatepass")


def dump_sorted(value: Any) -> str:
    """Compact JSON with every object's keys sorted (Confluent's ``normalize``)."""
    return dump_json(value, sort_keys=True)


def value_key(value: Any) -> Any:
    """A hashable key with JSON equality: numbers compare by value, ``true`` is not ``1``,
    objects ignore key order."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        return ("d", number.normalize() if number.is_finite() else number)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(value_key(v) for v in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, value_key(v)) for k, v in value.items()))
    return ("?", repr(value))
