"""JSON Schema: parsing (drafts 4, 6, 7, 2019-09, 2020-12), Confluent's canonical string,
normalisation and compatibility checks (Confluent's ``SchemaDiff``, compat-rules §3).

``JSON_FORMAT.parse(text, dependencies, validate=...)`` returns a :class:`JsonSchema`
(a :class:`charter.compat.model.ParsedSchema`). Modules: ``jsontext`` (JSON in/out as
Jackson), ``drafts`` (draft detection, metaschema check), ``nodes`` (the typed model),
``loader`` (document -> model, ``$ref`` resolution), ``differences`` (difference types,
policies, descriptions), ``diff_results`` (diff bookkeeping), ``diff`` and ``content`` (the
comparison), ``schema``.

This package is ``charter.compat.jsonschema``; the third-party validator is imported as
``jsonschema`` (absolute imports only).
"""

from charter.compat.jsonschema.differences import Difference
from charter.compat.jsonschema.schema import JSON_FORMAT, JsonFormat, JsonSchema

__all__ = ["JSON_FORMAT", "Difference", "JsonFormat", "JsonSchema"]
