"""Typed results of the registry client: schemas, references, registered versions, config.

Field names follow confluent-kafka's ``confluent_kafka.schema_registry`` classes (``schema_str``,
``schema_type``, ``schema_id``, ...), so code written against those reads the same. ``metadata`` and
``rule_set`` are kept as the plain JSON objects the server returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from charter.compat.model import DEFAULT_SCHEMA_TYPE


@dataclass(frozen=True)
class SchemaReference:
    """A reference from one schema to a subject version (``{"name","subject","version"}``)."""

    name: str
    subject: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SchemaReference:
        return cls(d["name"], d["subject"], int(d["version"]))


@dataclass(frozen=True)
class Schema:
    """A schema as sent to or returned by the registry. Hashable: usable as a cache key."""

    schema_str: str
    schema_type: str = DEFAULT_SCHEMA_TYPE.value
    references: tuple[SchemaReference, ...] = ()
    metadata: dict[str, Any] | None = field(default=None, compare=False)
    rule_set: dict[str, Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.references, tuple):
            object.__setattr__(self, "references", tuple(self.references or ()))
        if self.schema_type is None:
            object.__setattr__(self, "schema_type", DEFAULT_SCHEMA_TYPE.value)

    def __hash__(self) -> int:
        return hash((self.schema_str, self.schema_type, self.references))

    def to_dict(self) -> dict[str, Any]:
        """The request body of register, lookup and compatibility calls."""
        body: dict[str, Any] = {"schema": self.schema_str}
        if self.schema_type and self.schema_type != DEFAULT_SCHEMA_TYPE:
            body["schemaType"] = self.schema_type
        if self.references:
            body["references"] = [r.to_dict() for r in self.references]
        if self.metadata is not None:
            body["metadata"] = self.metadata
        if self.rule_set is not None:
            body["ruleSet"] = self.rule_set
        return body

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Schema:
        return cls(
            schema_str=d.get("schema", ""),
            schema_type=d.get("schemaType") or DEFAULT_SCHEMA_TYPE.value,
            references=tuple(SchemaReference.from_dict(r) for r in d.get("references") or ()),
            metadata=d.get("metadata"),
            rule_set=d.get("ruleSet"),
        )


@dataclass(frozen=True)
class RegisteredSchema:
    """A schema with its registry coordinates: id, optional guid, subject and version."""

    schema_id: int | None
    schema: Schema
    subject: str | None = None
    version: int | None = None
    guid: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any], schema: Schema | None = None) -> RegisteredSchema:
        if schema is None or "schema" in d:
            schema = Schema.from_dict(d)
        return cls(
            schema_id=d.get("id"),
            schema=schema,
            subject=d.get("subject"),
            version=d.get("version"),
            guid=d.get("guid"),
        )


@dataclass(frozen=True)
class SchemaVersion:
    """One ``{"subject","version"}`` pair of ``GET /schemas/ids/{id}/versions``."""

    subject: str
    version: int


@dataclass(frozen=True)
class CompatibilityResult:
    """The answer of a compatibility check; ``messages`` is filled when ``verbose`` was asked."""

    is_compatible: bool
    messages: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.is_compatible


@dataclass(frozen=True)
class ServerConfig:
    """A config resource: ``compatibility_level`` plus any other fields the server returned."""

    compatibility_level: str | None = None
    normalize: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ServerConfig:
        extra = {k: v for k, v in d.items() if k not in ("compatibilityLevel", "compatibility", "normalize")}
        level = d.get("compatibilityLevel", d.get("compatibility"))
        return cls(compatibility_level=level, normalize=d.get("normalize"), extra=extra)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.extra)
        if self.compatibility_level is not None:
            body["compatibility"] = self.compatibility_level
        if self.normalize is not None:
            body["normalize"] = self.normalize
        return body
