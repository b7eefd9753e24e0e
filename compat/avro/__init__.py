"""Avro: parsing, Confluent's canonical string, normalisation and schema-resolution checks.

``AVRO_FORMAT.parse(text, dependencies, validate=...)`` returns an :class:`AvroSchema`
(a :class:`charter.compat.model.ParsedSchema`). Modules: ``jsontext`` (JSON in/out as Jackson),
``names``, ``types`` (the type model), ``parser``, ``defaults`` (default validation),
``printer`` (canonical text), ``inline_tags``, ``normalize``, ``resolution`` (compatibility), ``schema``.
"""

from charter.compat.avro.schema import AVRO_FORMAT, AvroFormat, AvroSchema

__all__ = ["AVRO_FORMAT", "AvroFormat", "AvroSchema"]
