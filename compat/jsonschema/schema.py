"""The JSON Schema :class:`ParsedSchema` and :class:`SchemaFormat`: what the rest of Charter calls."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from jsonschema_specifications import REGISTRY as METASCHEMAS
from referencing import Resource

from charter.compat.depth import MAX_DEPTH, MAX_JSON_DEPTH, graph_depth, too_deep
from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.diff import compare
from charter.compat.jsonschema.differences import Difference, compatible_changes
from charter.compat.jsonschema.drafts import Draft, check_metaschema, draft_of
from charter.compat.jsonschema.inline_tags import tagged_entities, with_tags
from charter.compat.jsonschema.jsontext import dump_json, dump_sorted, load_json
from charter.compat.jsonschema.loader import Loader
from charter.compat.jsonschema.locate import locate
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

UNSUPPORTED_REFERENCE = "A previous schema version contains an unsupported external reference"


class JsonSchema:
    """A parsed JSON Schema.

    ``document`` is the JSON as read (key order kept, non-integers as ``Decimal``); ``draft``
    the draft it is read with; ``root`` the typed model; ``dependencies`` the referenced
    schemas by reference name; ``unresolved`` the ``$ref`` values that could not be resolved
    (only when parsed with ``validate=False``, as stored versions are).
    """

    __slots__ = ("_canonical", "_normalized", "dependencies", "document", "draft", "root", "unresolved")
    schema_type = SchemaType.JSON

    def __init__(
        self,
        document: Any,
        draft: Draft,
        root: n.Node,
        dependencies: Mapping[str, JsonSchema],
        unresolved: tuple[str, ...] = (),
    ) -> None:
        self.document = document
        self.draft = draft
        self.root = root
        self.dependencies = dict(dependencies)
        self.unresolved = unresolved
        self._canonical: str | None = None
        self._normalized: JsonSchema | None = None

    def canonical(self) -> str:
        if self._canonical is None:
            self._canonical = dump_json(self.document)
        return self._canonical

    def formatted(self, fmt: str) -> str:
        """JSON Schema has no alternative formats: always the canonical text."""
        return self.canonical()

    def normalized(self) -> JsonSchema:
        """Object keys sorted recursively (UTF-16 order); arrays keep their order."""
        if self._normalized is None:
            text = dump_sorted(self.document)
            result = self if text == self.canonical() else JSON_FORMAT.parse(text, self.dependencies, validate=False)
            result._normalized = result
            self._normalized = result
        return self._normalized

    def fingerprint(self) -> tuple[str, tuple[tuple[str, object], ...]]:
        """The canonical text with, recursively, each reference's; equal means identical models."""
        deps = tuple(sorted((name, dep.fingerprint()) for name, dep in self.dependencies.items()))
        return (self.canonical(), deps)

    def field_names(self) -> set[str]:
        """The names under the document's top-level ``properties``."""
        props = self.document.get("properties") if isinstance(self.document, dict) else None
        return set(props) if isinstance(props, dict) else set()

    def tagged_entities(self) -> list[SchemaTags]:
        """Schema objects of the document with ``confluent:tags`` (see :mod:`.tags`)."""
        return tagged_entities(self.root, self.draft)

    def with_tags(self, to_add: TagEdits, to_remove: TagEdits) -> str:
        """The canonical text with the tags edited (see :mod:`charter.compat.jsonschema.inline_tags`)."""
        return with_tags(self.document, to_add, to_remove)

    def differences(self, writer: JsonSchema, *, policy: str = "STRICT") -> list[Difference]:
        """Every difference Confluent finds from ``writer`` (original) to this schema (update)."""
        return compare(writer.root, self.root, policy)

    def incompatibilities(self, writer: ParsedSchema, *, policy: str = "STRICT") -> list[Incompatibility]:
        if not isinstance(writer, JsonSchema):
            raise TypeError(f"a JSON schema cannot be checked against a {writer.schema_type} schema")
        if self.unresolved or writer.unresolved:
            return [Incompatibility("", "", UNSUPPORTED_REFERENCE, None, style="raw",
                                    rule_id="UNSUPPORTED_REFERENCE")]
        if writer is self or writer.fingerprint() == self.fingerprint():
            return []  # the same document with the same references has no differences
        compatible = compatible_changes(policy)
        return [d.to_incompatibility() for d in self.differences(writer, policy=policy) if d.type not in compatible]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JsonSchema):
            return NotImplemented
        return self.canonical() == other.canonical() and self.dependencies.keys() == other.dependencies.keys()

    def __hash__(self) -> int:
        return hash(self.canonical())

    def __repr__(self) -> str:
        return f"JsonSchema({self.canonical()!r})"

    def __str__(self) -> str:
        return self.canonical()


def _all_dependencies(dependencies: Mapping[str, ParsedSchema]) -> dict[str, JsonSchema]:
    """The references and, transitively, theirs (a name given directly wins)."""
    found: dict[str, JsonSchema] = {}
    stack = list(dependencies.items())
    while stack:
        name, dependency = stack.pop(0)
        if name in found:
            continue
        if not isinstance(dependency, JsonSchema):
            raise InvalidSchemaError(
                f"Invalid schema: the reference {name!r} is not a JSON schema, "
                "a JSON schema can only reference JSON schemas"
            )
        found[name] = dependency
        stack.extend(dependency.dependencies.items())
    return found


class JsonFormat:
    """The JSON Schema :class:`SchemaFormat`."""

    schema_type = SchemaType.JSON
    type_tag = b"J"
    text_is_json = True
    extensions = (".json",)

    def outline(self, schema: ParsedSchema) -> Outline:
        """The canonical JSON by key (lists of named objects by name)."""
        return json_outline(json.loads(schema.canonical()))

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
    ) -> JsonSchema:
        document = load_json(text)
        if not isinstance(document, dict | bool):
            raise InvalidSchemaError(
                f"Invalid schema: a JSON schema must be an object or a boolean, not {_json_kind(document)}"
            )
        draft = draft_of(document)
        if validate:
            check_metaschema(document, draft)
        references = _all_dependencies(dependencies)
        resource = draft.specification.create_resource(document)
        base_uri = resource.id() if isinstance(document, dict) else None
        base_uri = base_uri if isinstance(base_uri, str) else ""
        resources: list[tuple[str, Resource[Any]]] = [(base_uri, resource)]
        drafts: dict[str, Draft] = {}
        for name, dependency in references.items():
            dependency_resource = dependency.draft.specification.create_resource(dependency.document)
            uris = {name, urljoin(base_uri, name) if base_uri else name}
            own_id = dependency_resource.id() if isinstance(dependency.document, dict) else None
            if isinstance(own_id, str) and own_id:
                uris.add(own_id)
            for uri in uris:
                resources.append((uri, dependency_resource))
                drafts[uri.rstrip("#")] = dependency.draft
        registry = METASCHEMAS.with_resources(resources)
        loader = Loader(registry, base_uri, draft, drafts, strict_refs=validate)
        try:
            root = loader.load(document)
        except RecursionError:
            raise too_deep("the schema is", MAX_JSON_DEPTH) from None
        if graph_depth(root, n.subschemas, MAX_DEPTH + 1) > MAX_DEPTH + 1:  # levels above the leaves
            raise too_deep("subschemas and $ref chains are")
        return JsonSchema(document, draft, root, dependencies, tuple(loader.unresolved))  # type: ignore[arg-type]


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number"


JSON_FORMAT = JsonFormat()
