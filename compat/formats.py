"""The table of schema formats: schema type -> its :class:`SchemaFormat` implementation.

Callers outside ``charter.compat`` ask this table about a format (by ``schemaType`` or by file
extension) instead of naming formats themselves."""

from __future__ import annotations

from charter.compat.avro import AVRO_FORMAT
from charter.compat.jsonschema import JSON_FORMAT
from charter.compat.model import DEFAULT_SCHEMA_TYPE, SchemaFormat, SchemaType
from charter.compat.protobuf import PROTOBUF_FORMAT

FORMATS: dict[SchemaType, SchemaFormat] = {
    SchemaType.AVRO: AVRO_FORMAT,
    SchemaType.PROTOBUF: PROTOBUF_FORMAT,
    SchemaType.JSON: JSON_FORMAT,
}


def supported_types() -> list[str]:
    """Type names in the order Confluent lists them in ``GET /schemas/types``."""
    order = [SchemaType.JSON, SchemaType.PROTOBUF, SchemaType.AVRO]
    return [t.value for t in order if t in FORMATS]


def get_format(schema_type: str | None) -> SchemaFormat:
    """The format for a ``schemaType`` value (absent means AVRO); ``KeyError`` if unsupported."""
    name = (schema_type or DEFAULT_SCHEMA_TYPE.value).upper()
    try:
        return FORMATS[SchemaType(name)]
    except ValueError:
        raise KeyError(name) from None


def format_for_file(path: str) -> SchemaFormat | None:
    """The format whose extensions include the file's (case-insensitive), or None."""
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return next((f for f in FORMATS.values() if suffix in f.extensions), None)


def all_extensions() -> list[str]:
    """Every schema file extension, in the table's order."""
    return [ext for f in FORMATS.values() for ext in f.extensions]
