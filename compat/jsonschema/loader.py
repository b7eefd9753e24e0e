"""Read a JSON Schema document into the typed model of :mod:`charter.compat.jsonschema.nodes`.

This follows Confluent's loader (everit-json-schema, with ``SchemaTranslator`` mapping 2019-09
and 2020-12 onto the same model), compat-rules §3.1:

- ``$ref`` gives a :class:`Reference` and nothing else (draft 4-7); in 2019-09/2020-12 a
  ``$ref`` with assertion siblings becomes a synthetic ``allOf[ref, rest]``;
- otherwise facets are collected in order: ``enum``, each of ``allOf``/``anyOf``/``oneOf``,
  ``not``, ``const`` (not draft 4), ``type`` (a list of types is an ``anyOf`` with one typed
  node per type), then the keyword families ``type`` did not consume (array, object, number,
  string) and ``if``/``then``/``else``; none gives :class:`Empty`, one gives itself, more a
  synthetic ``allOf``.

References are resolved with ``referencing`` (JSON pointers, ``$defs``/``definitions``,
``$id``-based URIs and anchors) against the document and its dependencies; targets are built
once per JSON object, so recursive schemas become cyclic graphs.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from referencing import Registry
from referencing.exceptions import Unresolvable

from charter.compat.jsonschema import nodes as n
from charter.compat.jsonschema.drafts import Draft, json_pointer
from charter.compat.model import InvalidSchemaError

if TYPE_CHECKING:
    from referencing._core import Resolver

ARRAY_KEYWORDS = frozenset(
    {"items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"}
)
ARRAY_KEYWORDS_2019 = ARRAY_KEYWORDS | {"unevaluatedItems"}
ARRAY_KEYWORDS_2020 = ARRAY_KEYWORDS_2019 | {"prefixItems"}
OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "required",
        "minProperties",
        "maxProperties",
        "dependencies",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
    }
)
OBJECT_KEYWORDS_2019 = OBJECT_KEYWORDS | {"dependentRequired", "dependentSchemas", "unevaluatedProperties"}
NUMBER_KEYWORDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
STRING_KEYWORDS = frozenset({"minLength", "maxLength", "pattern", "format"})
CONDITIONAL_KEYWORDS = frozenset({"if", "then", "else"})
# Keywords that may sit beside a 2019-09/2020-12 "$ref" without turning it into an allOf.
REF_NEIGHBOURS = frozenset(
    {
        "$ref",
        "$id",
        "id",
        "$schema",
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$vocabulary",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
COMBINATORS = ("allOf", "anyOf", "oneOf")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(value)


class Loader:
    """Builds the model of one document; ``dependency_drafts`` maps document URIs to drafts."""

    def __init__(
        self,
        registry: Registry[Any],
        base_uri: str,
        draft: Draft,
        dependency_drafts: dict[str, Draft],
        *,
        strict_refs: bool = True,
    ) -> None:
        self.registry = registry
        self.base_uri = base_uri
        self.draft = draft
        self.dependency_drafts = dependency_drafts
        self.strict_refs = strict_refs
        self.unresolved: list[str] = []
        self._targets: dict[int, n.Node] = {}
        self._pending: list[tuple[n.Reference, Any, Resolver[Any], Draft, tuple[Any, ...]]] = []
        self._keep: list[Any] = []  # keeps resolved contents alive while their id() is a cache key

    def load(self, document: Any) -> n.Node:
        resolver = self.registry.resolver(base_uri=self.base_uri)
        root = self._node(document, resolver, self.draft, ())
        self._targets[id(document)] = root
        while self._pending:
            ref_node, contents, target_resolver, draft, where = self._pending.pop()
            target = self._targets.get(id(contents))
            if target is None:
                target = self._node(contents, target_resolver, draft, where)
                self._targets[id(contents)] = target
                self._keep.append(contents)
            ref_node.target = target
        return root

    # -- one schema ------------------------------------------------------------------------

    def _node(self, schema: Any, resolver: Resolver[Any], draft: Draft, where: tuple[Any, ...]) -> n.Node:
        if schema is True:
            return n.TrueSchema(raw=True)
        if schema is False:
            return n.FalseSchema(raw=False)
        if not isinstance(schema, dict):
            return n.Empty(raw=schema)  # only reachable with validate=False
        if ("$id" in schema or "id" in schema) and "$ref" not in schema:
            resolver = resolver.in_subresource(draft.specification.create_resource(schema))
        node = self._facets(schema, resolver, draft, where)
        node.id = schema.get("id" if draft is Draft.DRAFT_4 else "$id")
        node.title = schema.get("title")
        node.description = schema.get("description")
        node.default = schema.get("default", n.MISSING)
        return node

    def _facets(self, schema: dict[str, Any], resolver: Resolver[Any], draft: Draft, where: tuple[Any, ...]) -> n.Node:
        def sub(value: Any, *path: Any) -> n.Node:
            return self._node(value, resolver, draft, where + path)

        if "$ref" in schema and isinstance(schema["$ref"], str):
            ref = self._reference(schema, resolver, draft, where)
            if draft < Draft.DRAFT_2019_09 or all(k in REF_NEIGHBOURS for k in schema):
                return ref
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return n.Combined(raw=schema, criterion="allOf", subschemas=[ref, sub(rest)], synthetic=True)
        facets: list[n.Node] = []
        if isinstance(schema.get("enum"), list):
            facets.append(n.Enum(raw=schema, values=schema["enum"]))
        for criterion in COMBINATORS:
            members = schema.get(criterion)
            if isinstance(members, list):
                subschemas = [sub(m, criterion, i) for i, m in enumerate(members)]
                facets.append(n.Combined(raw=schema, criterion=criterion, subschemas=subschemas))
        if "not" in schema:
            facets.append(n.Not(raw=schema, must_not_match=sub(schema["not"], "not")))
        if "const" in schema and draft is not Draft.DRAFT_4:
            facets.append(n.Const(raw=schema, value=schema["const"]))
        consumed: set[str] = set()
        types = schema.get("type")
        if isinstance(types, str):
            facets.append(self._typed(types, schema, sub, draft))
            consumed.add(_family(types))
        elif isinstance(types, list):
            typed = [self._typed(t, schema, sub, draft) for t in types if isinstance(t, str)]
            facets.append(n.Combined(raw=schema, criterion="anyOf", subschemas=typed, synthetic=True))
            consumed.update(_family(t) for t in types if isinstance(t, str))
        array_keys, object_keys = _family_keywords(draft)
        if "array" not in consumed and not array_keys.isdisjoint(schema):
            facets.append(self._array(schema, sub, draft))
        if "object" not in consumed and not object_keys.isdisjoint(schema):
            facets.append(self._object(schema, sub, draft))
        if "number" not in consumed and not NUMBER_KEYWORDS.isdisjoint(schema):
            facets.append(self._number(schema, draft, requires_integer=False))
        if "string" not in consumed and not STRING_KEYWORDS.isdisjoint(schema):
            facets.append(self._string(schema))
        if draft >= Draft.DRAFT_7 and not CONDITIONAL_KEYWORDS.isdisjoint(schema):
            facets.append(n.Conditional(raw=schema))
        if not facets:
            return n.Empty(raw=schema)
        if len(facets) == 1:
            return facets[0]
        return n.Combined(raw=schema, criterion="allOf", subschemas=facets, synthetic=True)

    def _reference(
        self, schema: dict[str, Any], resolver: Resolver[Any], draft: Draft, where: tuple[Any, ...]
    ) -> n.Reference:
        ref = schema["$ref"]
        node = n.Reference(raw={"$ref": ref}, ref=ref)
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            if self.strict_refs:
                raise InvalidSchemaError(
                    f"Invalid schema: the $ref '{ref}' at {json_pointer(where)} cannot be resolved: "
                    f"{_reason(exc)}; a reference to another schema must be given as a schema reference"
                ) from None
            self.unresolved.append(ref)
            return node
        document_uri = _document_uri(resolver, ref)
        target_draft = self.dependency_drafts.get(document_uri, draft)
        self._pending.append((node, resolved.contents, resolved.resolver, target_draft, (*where, "$ref")))
        return node

    # -- typed nodes ---------------------------------------------------------------------------

    def _typed(self, name: str, schema: dict[str, Any], sub: Callable[..., n.Node], draft: Draft) -> n.Node:
        if name == "string":
            return self._string(schema)
        if name in ("number", "integer"):
            return self._number(schema, draft, requires_integer=name == "integer")
        if name == "object":
            return self._object(schema, sub, draft)
        if name == "array":
            return self._array(schema, sub, draft)
        if name == "boolean":
            return n.Boolean(raw=schema)
        if name == "null":
            return n.Null(raw=schema)
        return n.Empty(raw=schema)  # unknown type name, only with validate=False

    @staticmethod
    def _string(schema: dict[str, Any]) -> n.String:
        pattern = schema.get("pattern")
        return n.String(
            raw=schema,
            max_length=_number(schema.get("maxLength")),
            min_length=_number(schema.get("minLength")),
            pattern=pattern if isinstance(pattern, str) else None,
        )

    @staticmethod
    def _number(schema: dict[str, Any], draft: Draft, *, requires_integer: bool) -> n.Number:
        node = n.Number(
            raw=schema,
            requires_integer=requires_integer,
            maximum=_number(schema.get("maximum")),
            minimum=_number(schema.get("minimum")),
            multiple_of=_decimal(schema.get("multipleOf")),
        )
        if draft is not Draft.DRAFT_4:  # draft 4's boolean exclusive* are not compared
            node.exclusive_maximum = _number(schema.get("exclusiveMaximum"))
            node.exclusive_minimum = _number(schema.get("exclusiveMinimum"))
        return node

    @staticmethod
    def _object(schema: dict[str, Any], sub: Callable[..., n.Node], draft: Draft) -> n.Object:
        node = n.Object(
            raw=schema,
            max_properties=_number(schema.get("maxProperties")),
            min_properties=_number(schema.get("minProperties")),
        )
        properties = schema.get("properties")
        if isinstance(properties, dict):
            node.properties = {k: sub(v, "properties", k) for k, v in properties.items()}
        required = schema.get("required")
        if isinstance(required, list):
            node.required = [r for r in required if isinstance(r, str)]
        additional = schema.get("additionalProperties")
        if additional is False:
            node.permits_additional = False
        elif isinstance(additional, dict):
            node.additional = sub(additional, "additionalProperties")
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            node.pattern_properties = [(k, sub(v, "patternProperties", k)) for k, v in patterns.items()]
        if draft >= Draft.DRAFT_2019_09 and "unevaluatedProperties" in schema:
            node.unevaluated = sub(schema["unevaluatedProperties"], "unevaluatedProperties")
        dependencies = [("dependencies", schema.get("dependencies"))]
        if draft >= Draft.DRAFT_2019_09:
            dependencies += [("dependentRequired", schema.get("dependentRequired"))]
            dependencies += [("dependentSchemas", schema.get("dependentSchemas"))]
        for keyword, value in dependencies:
            if not isinstance(value, dict):
                continue
            for key, dependency in value.items():
                if isinstance(dependency, list):
                    node.property_dependencies[key] = [d for d in dependency if isinstance(d, str)]
                else:
                    node.schema_dependencies[key] = sub(dependency, keyword, key)
        return node

    @staticmethod
    def _array(schema: dict[str, Any], sub: Callable[..., n.Node], draft: Draft) -> n.Array:
        node = n.Array(
            raw=schema,
            max_items=_number(schema.get("maxItems")),
            min_items=_number(schema.get("minItems")),
            max_contains=_number(schema.get("maxContains")),
            min_contains=_number(schema.get("minContains")),
            unique_items=schema.get("uniqueItems") is True,
        )
        items = schema.get("items")
        if draft >= Draft.DRAFT_2020_12:
            # Confluent's SchemaTranslator.visitItemsSchema: ``items: false`` closes the array,
            # ``items: true`` adds nothing, a schema is the all-items schema without prefixItems
            # and plays additionalItems beside them.
            prefix = schema.get("prefixItems")
            if isinstance(prefix, list):
                node.item_schemas = [sub(s, "prefixItems", i) for i, s in enumerate(prefix)]
            if isinstance(items, dict) and not prefix:
                node.all_items = sub(items, "items")
                additional_keyword = ""
            else:
                additional_keyword = "items"
        else:
            if isinstance(items, list):
                node.item_schemas = [sub(s, "items", i) for i, s in enumerate(items)]
            elif items is not None:
                node.all_items = sub(items, "items")
            additional_keyword = "additionalItems"
        additional = schema.get(additional_keyword) if additional_keyword else None
        if additional is False:
            node.permits_additional_items = False
        elif isinstance(additional, dict):
            node.additional_items = sub(additional, additional_keyword)
        if draft >= Draft.DRAFT_2019_09 and "unevaluatedItems" in schema:
            node.unevaluated = sub(schema["unevaluatedItems"], "unevaluatedItems")
        return node


def _family(type_name: str) -> str:
    return "number" if type_name == "integer" else type_name


def _family_keywords(draft: Draft) -> tuple[frozenset[str], frozenset[str]]:
    if draft >= Draft.DRAFT_2020_12:
        return ARRAY_KEYWORDS_2020, OBJECT_KEYWORDS_2019
    if draft >= Draft.DRAFT_2019_09:
        return ARRAY_KEYWORDS_2019, OBJECT_KEYWORDS_2019
    return ARRAY_KEYWORDS, OBJECT_KEYWORDS


def _document_uri(resolver: Resolver[Any], ref: str) -> str:
    base = getattr(resolver, "_base_uri", "")
    return urldefrag(urljoin(base, ref) if base else ref).url


def _reason(exc: Unresolvable) -> str:
    name = type(exc).__name__
    return {
        "PointerToNowhere": "the JSON pointer points to nothing",
        "NoSuchAnchor": "no such anchor",
        "NoSuchResource": "no such schema",
        "InvalidAnchor": "invalid anchor",
    }.get(name, "it is neither in this schema nor in its schema references")
