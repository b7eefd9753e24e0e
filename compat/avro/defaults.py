"""Default-value validation for new schemas (Avro Java ``Schema.isValidDefault``, 1.12 rules).

int/long: an integral JSON number in range; float/double: any number; string/bytes/enum/fixed:
a JSON string (an enum default is not checked against the symbols); arrays and maps element by
element; records field by field (a missing field falls back to that field's own default);
unions: any branch may match; null: null; boolean: true/false.
"""

from __future__ import annotations

from typing import Any

from charter.compat.avro.types import NO_DEFAULT, Array, AvroType, Enum, Fixed, Map, Primitive, Record, Union

_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)


def _integral(value: Any, bounds: tuple[int, int]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def is_valid_default(schema: AvroType, value: Any) -> bool:
    """Whether JSON ``value`` is an acceptable default for ``schema``."""
    if value is NO_DEFAULT:
        return False
    if isinstance(schema, Primitive):
        name = schema.name
        if name in ("string", "bytes"):
            return isinstance(value, str)
        if name == "int":
            return _integral(value, _INT_RANGE)
        if name == "long":
            return _integral(value, _LONG_RANGE)
        if name in ("float", "double"):
            return isinstance(value, int | float) and not isinstance(value, bool)
        if name == "boolean":
            return isinstance(value, bool)
        return value is None  # null
    if isinstance(schema, Enum | Fixed):
        return isinstance(value, str)
    if isinstance(schema, Array):
        return isinstance(value, list) and all(is_valid_default(schema.items, v) for v in value)
    if isinstance(schema, Map):
        return isinstance(value, dict) and all(is_valid_default(schema.values, v) for v in value.values())
    if isinstance(schema, Union):
        return any(is_valid_default(branch, value) for branch in schema.branches)
    if isinstance(schema, Record):
        if not isinstance(value, dict):
            return False
        return all(is_valid_default(f.type, value.get(f.name, f.default)) for f in schema.fields)
    return False
