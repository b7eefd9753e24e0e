"""The vocabulary shared by every schema format: types, levels, parsed schemas, verdicts.

Each format (Avro today; Protobuf and JSON Schema plug in the same way) implements
:class:`SchemaFormat` and returns :class:`ParsedSchema` objects. A directional check
``reader.incompatibilities(writer)`` answers "can ``reader`` read data written with ``writer``?"
as a list of :class:`Incompatibility`; an empty list means yes. How a level (BACKWARD, FULL, ...)
turns into directional checks lives in :mod:`charter.compat.levels`, not in the formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from charter.compat.locate import Location
    from charter.compat.outline import Outline
    from charter.compat.rules import Rule


class SchemaType(StrEnum):
    """The schema languages Confluent's API names in ``schemaType``."""

    AVRO = "AVRO"
    PROTOBUF = "PROTOBUF"
    JSON = "JSON"


#: The type of a schema whose ``schemaType`` is absent (Confluent's default, omitted on the wire).
DEFAULT_SCHEMA_TYPE = SchemaType.AVRO


class CompatibilityLevel(StrEnum):
    """Confluent's compatibility levels."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @classmethod
    def parse(cls, text: str) -> CompatibilityLevel:
        """Level names are case-insensitive, as in Confluent; raises ``ValueError`` otherwise."""
        return cls(text.strip().upper())

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))


class InvalidSchemaError(ValueError):
    """A schema that cannot be parsed or is invalid; the message says what is wrong and where.

    Messages start with ``Invalid schema:`` as Confluent's do; the registry returns them as is.
    """


class UnknownEntityError(InvalidSchemaError):
    """A schema tag names a record or field the schema does not have (or one of the wrong kind)."""


class EntityType(StrEnum):
    """What an inline schema tag is attached to (Confluent's ``SchemaEntity.EntityType``; its
    JSON names are Jackson's ``@JsonProperty`` values, lower case)."""

    SR_RECORD = "sr_record"
    SR_FIELD = "sr_field"


@dataclass(frozen=True)
class SchemaEntity:
    """A record or field of a schema, by its entity path (its syntax is each format's, see
    ``charter.compat.<format>.inline_tags``)."""

    path: str
    entity_type: EntityType


@dataclass(frozen=True)
class SchemaTags:
    """The inline tags of one entity (Confluent's ``SchemaTags``)."""

    entity: SchemaEntity
    tags: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        entity = {"entityPath": self.entity.path, "entityType": self.entity.entity_type.value}
        return {"schemaEntity": entity, "tags": list(self.tags)}


#: Tags to add to (or remove from) entities: entity -> tag names.
TagEdits = Mapping[SchemaEntity, Sequence[str]]


@dataclass(frozen=True)
class Incompatibility:
    """One reason a reader schema cannot read data written with a writer schema.

    ``description`` is a template with the placeholders ``{reader}`` and ``{writer}``: Confluent
    fills them with ``new``/``old`` for the backward half of a check and ``old``/``new`` for the
    forward half. ``render`` gives the exact entry Confluent prints in verbose messages.
    ``rule`` is the entry of :mod:`charter.compat.rules` it breaks (its ID is ``error_type``, or
    ``rule_id`` for a bare message that has no ``errorType``).
    """

    error_type: str
    path: str
    description: str
    additional_info: str | None = None
    # How the entry is quoted differs per format (see compat-rules §1.3): avro, json, protobuf, raw.
    style: str = "avro"
    rule_id: str | None = None

    @property
    def rule(self) -> Rule | None:
        from charter.compat.rules import rule_for

        return rule_for(self.rule_id or self.error_type)

    @property
    def category(self) -> str | None:
        """The rule's category (``field``, ``type``, ``content model``, ...), None when unknown."""
        rule = self.rule
        return rule.category.value if rule else None

    def describe(self, reader: str, writer: str) -> str:
        return self.description.format(reader=reader, writer=writer)

    def render(self, reader: str, writer: str) -> str:
        text = self.describe(reader, writer)
        if self.style == "avro":
            return (
                f"{{errorType:'{self.error_type}', description:'{text}', "
                f"additionalInfo:'{self.additional_info or ''}'}}"
            )
        if self.style == "raw":  # a bare message, e.g. when a checker failed unexpectedly
            return text
        if self.style == "json":
            return f"{{errorType:\"{self.error_type}\", description:\"{text}'}}"
        return f"{{errorType:\"{self.error_type}\", description:\"{text}\"}}"


@runtime_checkable
class ParsedSchema(Protocol):
    """A schema that parsed and validated, with its resolved dependencies."""

    @property
    def schema_type(self) -> SchemaType: ...

    def canonical(self) -> str:
        """The canonical text Confluent stores and returns for this schema."""
        ...

    def formatted(self, fmt: str) -> str:
        """The text in one of the format's alternative forms (Confluent's ``format`` parameter,
        e.g. Avro ``resolved``, Protobuf ``serialized``); the canonical text for unknown names."""
        ...

    def normalized(self) -> ParsedSchema:
        """The normalised form (Confluent's ``normalize=true``); its canonical() is what is stored."""
        ...

    def field_names(self) -> set[str]:
        """The schema's own field names, for Confluent's reserved-field check (``validateFields``):
        Avro a top-level record's fields, Protobuf the first message's fields, JSON the top-level
        ``properties``; empty when the schema has none."""
        ...

    def tagged_entities(self) -> list[SchemaTags]:
        """The schema's own records and fields that carry inline tags (``confluent:tags`` in Avro
        and JSON Schema, the ``confluent.message_meta``/``field_meta`` options in Protobuf)."""
        ...

    def with_tags(self, to_add: TagEdits, to_remove: TagEdits) -> str:
        """The schema text with those inline tags removed, then those added (an entity left with
        no tags loses the tag property). Raises :class:`UnknownEntityError` for an entity the
        schema does not define; never changes this object."""
        ...

    def incompatibilities(self, writer: ParsedSchema, *, policy: str = "STRICT") -> list[Incompatibility]:
        """Reasons why this schema, as reader, cannot read data written with ``writer``.

        ``policy`` is Confluent's ``compatibilityPolicy`` (STRICT, LENIENT, LOGICAL); only
        JSON Schema reads it (LENIENT relaxes the open-content-model rules).
        """
        ...


class SchemaFormat(Protocol):
    """One schema language: everything a caller asks of a format.

    ``schema_type`` is its ``schemaType`` name; ``type_tag`` the byte that starts a stored
    schema's fingerprint (so equal texts of two formats never collide); ``extensions`` the file
    extensions of its schema files, the first the usual one; ``text_is_json`` whether its schema
    text is a JSON document (Avro, JSON Schema) rather than a language of its own (Protobuf).
    ``parse`` reads text; ``outline`` gives the structure ``charter diff`` and the console compare
    (:mod:`charter.compat.outline`); ``locate`` reads the path of one of its findings for
    ``charter check``.
    """

    schema_type: SchemaType
    type_tag: bytes
    extensions: tuple[str, ...]
    text_is_json: bool

    def outline(self, schema: ParsedSchema) -> Outline:
        """The named parts of a schema of this format, for :func:`charter.compat.outline.diff_outlines`."""
        ...

    def message_indexes(self, schema: ParsedSchema, full_name: str) -> list[int] | None:
        """The serdes' message-index path of a named message (Protobuf's wire framing); None for a
        format whose wire framing carries none. ``KeyError`` for a message the schema lacks."""
        ...

    def locate(self, path: str, new_text: str | None, old_text: str | None, direction: str) -> Location:
        """Where a finding's ``path`` points, read in the new (and old) schema text; ``direction`` is
        ``backward`` (the new schema is the reader) or ``forward`` (the old one is)."""
        ...

    def parse(
        self,
        text: str,
        dependencies: Mapping[str, ParsedSchema],
        *,
        validate: bool = True,
    ) -> ParsedSchema:
        """Parse ``text``.

        ``dependencies`` maps each reference name (Avro: the referenced type's full name;
        Protobuf: the import path; JSON Schema: the ``$ref`` URL) to the already parsed
        referenced schema, in dependency order (a dependency comes before what uses it).
        ``validate=True`` applies the strict checks Confluent applies to new schemas (Avro:
        names and defaults); stored versions are re-parsed with ``validate=False``.
        Raises :class:`InvalidSchemaError` with a message a person can act on.
        """
        ...


@dataclass
class CompatibilityResult:
    """The verdict of applying a level: compatible or not, with Confluent's verbose messages."""

    is_compatible: bool
    messages: list[str] = field(default_factory=list)
