"""The table of schema formats: schema type -> its :class:`SchemaFormat` implementation."""

from __future__ import annotations

from charter.compat.avro import AVRO_FORMAT
from charter.compat.jsonschema import JSON_FORMAT
from charter.compat.model import SchemaFormat, SchemaType
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
    name = (schema_type or SchemaType.AVRO.value).upper()
    try:
        return FORMATS[SchemaType(name)]
    except ValueError:
        raise KeyError(name) from None
