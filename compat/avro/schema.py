"""The Avro :class:`ParsedSchema` and :class:`SchemaFormat`: what the rest of Charter calls."""

from __future__ import annotations

import json
from collections.abc import Mapping

from charter.compat.avro.inline_tags import tagged_entities, with_tags
from charter.compat.avro.jsontext import load_json
from charter.compat.avro.locate import locate
from charter.compat.avro.normalize import normalize
from charter.compat.avro.parser import Parser
from charter.compat.avro.printer import schema_to_json
from charter.compat.avro.resolution import incompatibilities
from charter.compat.avro.types import AvroType, Named, Record
from charter.compat.locate import Location
from charter.compat.model import (
    Incompatibility,
    InvalidSchemaError,
    ParsedSchema,
    SchemaTags,
    SchemaType,
    TagEdits,
)
from charter.compat.outline import Outline, json_outline


class AvroSchema:
    """A parsed Avro schema.

    ``root`` is the type model; ``names`` every named type visible to the schema (its own and
    those of its references) by full name; ``defined`` the named types its own text defines;
    ``reference_roots`` the full names of the referenced schemas' top-level types, which the
    canonical text writes by name (as Confluent passes them to ``Schema.toString``).
    """

    __slots__ = ("_canonical", "_normalized", "defined", "names", "reference_roots", "root")
    schema_type = SchemaType.AVRO

    def __init__(
        self,
        root: AvroType,
        names: dict[str, Named],
        defined: dict[str, Named],
        reference_roots: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self.names = names
        self.defined = defined
        self.reference_roots = reference_roots
        self._canonical: str | None = None
        self._normalized: AvroSchema | None = None

    def canonical(self) -> str:
        if self._canonical is None:
            self._canonical = schema_to_json(self.root, self.reference_roots)
        return self._canonical

    def inlined(self) -> str:
        """The text with referenced types written out in full (Java ``Schema.toString()``)."""
        return schema_to_json(self.root)

    def formatted(self, fmt: str) -> str:
        """Confluent's ``format`` query parameter: ``resolved`` inlines referenced types."""
        return self.inlined() if fmt.lower() == "resolved" else self.canonical()

    def normalized(self) -> AvroSchema:
        if self._normalized is None:
            root, copies = normalize(self.root, self.defined)
            defined = {name: copies.get(id(t), t) for name, t in self.defined.items()}
            names = {**self.names, **defined}
            result = AvroSchema(root, names, defined, self.reference_roots)
            result._normalized = result
            self._normalized = result
        return self._normalized

    def field_names(self) -> set[str]:
        """The top-level record's field names (none for other root types)."""
        return {f.name for f in self.root.fields} if isinstance(self.root, Record) else set()

    def tagged_entities(self) -> list[SchemaTags]:
        """Records and fields reachable from the root with ``confluent:tags`` (see avro.inline_tags)."""
        return tagged_entities(self.root)

    def with_tags(self, to_add: TagEdits, to_remove: TagEdits) -> str:
        """The canonical text with the tags edited (see :mod:`charter.compat.avro.inline_tags`)."""
        return with_tags(self.canonical(), to_add, to_remove)

    def incompatibilities(self, writer: ParsedSchema, *, policy: str = "STRICT") -> list[Incompatibility]:
        if not isinstance(writer, AvroSchema):
            raise TypeError(f"an Avro schema cannot be checked against a {writer.schema_type} schema")
        return incompatibilities(self.root, writer.root)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AvroSchema):
            return NotImplemented
        return self.canonical() == other.canonical() and self.reference_roots == other.reference_roots

    def __hash__(self) -> int:
        return hash(self.canonical())

    def __repr__(self) -> str:
        return f"AvroSchema({self.canonical()!r})"

    def __str__(self) -> str:
        return self.canonical()




class AvroFormat:
    """The Avro :class:`SchemaFormat`."""

    schema_type = SchemaType.AVRO
    type_tag = b"A"
    text_is_json = True
    extensions = (".avsc", ".avro")

    def outline(self, schema: ParsedSchema) -> Outline:
        """The canonical JSON by key, fields by name, under the root type's simple name."""
        document = json.loads(schema.canonical())
        name = document.get("name") if isinstance(document, dict) else None
        return json_outline(document, str(name).split(".")[-1] if name else None)

    def locate(self, path: str, new_text: str | None, old_text: str | None, direction: str) -> Location:
        return locate(path, new_text, old_text, direction)

    def message_indexes(self, schema: ParsedSchema, full_name: str) -> list[int] | None:
        return None  # the wire framing has no message indexes

    def parse(
        self,
        text: str,
        dependencies: Mapping[str, ParsedSchema],
        *,
        validate: bool = True,
    ) -> AvroSchema:
        known: dict[str, Named] = {}
        roots: dict[str, None] = {}
        for reference, dependency in dependencies.items():
            if not isinstance(dependency, AvroSchema):
                raise InvalidSchemaError(
                    f"Invalid schema: the reference {reference!r} is not an Avro schema, "
                    "an Avro schema can only reference Avro schemas"
                )
            known.update(dependency.names)
            roots.update(dict.fromkeys(dependency.reference_roots))
            if isinstance(dependency.root, Named):
                roots[dependency.root.full_name] = None
        parser = Parser(known, validate)
        try:
            root = parser.parse_document(load_json(text))
        except RecursionError:
            raise InvalidSchemaError("Invalid schema: the schema is nested too deeply") from None
        return AvroSchema(root, parser.names, parser.defined, tuple(roots))


AVRO_FORMAT = AvroFormat()
