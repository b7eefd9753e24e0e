"""Pure schema logic for Charter: parse, canonicalise, normalise and compare schemas.

Nothing in this package does I/O or keeps global mutable state: a schema goes in, a verdict
comes out. The registry service, the CLI and anyone's tests call the same code.

Entry points:
- :func:`charter.compat.formats.get_format` returns the :class:`SchemaFormat` for a schema type
  (parse, type tag, file extensions, outline, locate): callers outside this package ask it rather
  than naming formats;
- :func:`charter.compat.outline.diff_outlines` compares two schemas' outlines (``charter diff``,
  the console's compare page);
- :mod:`charter.compat.rules` is the catalogue of compatibility rules (ID, category, formats);
- :func:`charter.compat.levels.check_compatibility` applies a compatibility level to a candidate
  and its previous versions and renders Confluent's verbose messages.
"""

from charter.compat.model import (
    DEFAULT_SCHEMA_TYPE,
    CompatibilityLevel,
    CompatibilityResult,
    EntityType,
    Incompatibility,
    InvalidSchemaError,
    ParsedSchema,
    SchemaEntity,
    SchemaFormat,
    SchemaTags,
    SchemaType,
    TagEdits,
    UnknownEntityError,
)

__all__ = [
    "DEFAULT_SCHEMA_TYPE",
    "CompatibilityLevel",
    "CompatibilityResult",
    "EntityType",
    "Incompatibility",
    "InvalidSchemaError",
    "ParsedSchema",
    "SchemaEntity",
    "SchemaFormat",
    "SchemaTags",
    "SchemaType",
    "TagEdits",
    "UnknownEntityError",
]
