"""The table of schema formats: schema type -> its :class:`SchemaFormat` implementation.

Callers outside ``charter.compat`` ask this table about a format (by ``schemaType`` or by file
extension) instead of naming formats themselves. A format's package is imported the first time the
format is asked for: a registry that stores only Avro never loads Protobuf's runtime (about 12 MB of
a server process) nor the JSON Schema libraries (about 6 MB)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping

from charter.compat.model import DEFAULT_SCHEMA_TYPE, SchemaFormat, SchemaType

# schema type -> (package, attribute holding its SchemaFormat), in Confluent's order of the types
_WHERE: dict[SchemaType, tuple[str, str]] = {
    SchemaType.AVRO: ("charter.compat.avro", "AVRO_FORMAT"),
    SchemaType.PROTOBUF: ("charter.compat.protobuf", "PROTOBUF_FORMAT"),
    SchemaType.JSON: ("charter.compat.jsonschema", "JSON_FORMAT"),
}


class _Formats(Mapping[SchemaType, SchemaFormat]):
    """Every format, each imported on first use (``KeyError`` for a type that has none)."""

    def __init__(self) -> None:
        self._loaded: dict[SchemaType, SchemaFormat] = {}
        self._lock = threading.Lock()

    def __getitem__(self, schema_type: SchemaType) -> SchemaFormat:
        found = self._loaded.get(schema_type)
        if found is None:
            package, attribute = _WHERE[schema_type]
            with self._lock:
                found = self._loaded[schema_type] = getattr(importlib.import_module(package), attribute)
        return found

    def __iter__(self) -> Iterator[SchemaType]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)

    def loaded(self) -> list[SchemaFormat]:
        """The formats imported so far (by a parse, or a fingerprint of that type)."""
        return list(self._loaded.values())


FORMATS = _Formats()


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
