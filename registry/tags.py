"""Schema tags: edit a version's inline tags into a new version, and list them (``findTags``).

``POST /subjects/{s}/versions/{v}/tags`` takes Confluent's ``TagSchemaRequest``::

    {"newVersion": 3, "tagsToAdd": [{"schemaEntity": {"entityPath": "com.acme.User.email",
     "entityType": "SR_FIELD"}, "tags": ["PII"]}], "tagsToRemove": [...], "metadata": {...},
     "ruleSet": {...}, "rulesToMerge": {...}, "rulesToRemove": ["ruleName"]}

It edits the inline tags of that version's schema (each format's ``with_tags``, see
:mod:`charter.compat.tags`; removals first, then additions) and registers the result as a new
version of the same subject through :meth:`RegistryService.register`: mode, compatibility,
the config's default/override contracts and identity rules apply as to any registration (the
same schema, metadata and rule set as a live version give that version back). The new version
keeps the version's references. Its metadata and rule set are the request's ``metadata`` and
``ruleSet`` when given (even ``{}``, which means none), else the tagged version's; then
``rulesToMerge`` is merged in by rule name (Confluent's ``mergeRuleSets``) and the rules named in
``rulesToRemove`` are dropped. ``newVersion``, when given, must be the version the registration
gets (checked under the write lock; 422/42202 otherwise). Body shape errors are 400; an unknown entity is 422/42201.

``findTags`` (on ``GET /subjects/{s}/versions/{v}`` and ``GET /schemas/ids/{id}``) names tags,
repeated or comma-separated, ``*`` for all: the answer gets ``schemaTags``, the tagged entities
with those of their tags that were asked for (left out when none matches, as Confluent omits
empty fields).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from charter.compat import EntityType, InvalidSchemaError, SchemaEntity, SchemaTags
from charter.registry import errors
from charter.registry.contracts import RULE_LISTS, merge_rule_sets, validate_rule_set
from charter.registry.schemas import Dependencies, SchemaParser, SchemaRequest, resolve_references
from charter.registry.service import RegistryService
from charter.registry.store.state import SchemaContent, SubjectVersion

ENTITY_TYPES = ", ".join(t.value for t in EntityType)


@dataclass(frozen=True)
class TagRequest:
    """A validated ``TagSchemaRequest`` body."""

    new_version: int | None = None
    to_add: dict[SchemaEntity, tuple[str, ...]] = field(default_factory=dict)
    to_remove: dict[SchemaEntity, tuple[str, ...]] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None
    rules_to_merge: dict[str, Any] | None = None
    rules_to_remove: tuple[str, ...] = ()


def _schema_tags(raw: Any, name: str) -> dict[SchemaEntity, tuple[str, ...]]:
    """A ``[SchemaTags]`` list as entity -> tags (entries for the same entity are combined)."""
    if raw is None:
        return {}
    shape = '{"schemaEntity": {"entityPath": "...", "entityType": "SR_FIELD"}, "tags": ["PII"]}'
    if not isinstance(raw, list):
        raise errors.bad_request(f"'{name}' must be a list of objects such as {shape}")
    out: dict[SchemaEntity, tuple[str, ...]] = {}
    for i, item in enumerate(raw):
        where = f"'{name}[{i}]'"
        entity = item.get("schemaEntity") if isinstance(item, dict) else None
        if not isinstance(entity, dict):
            raise errors.bad_request(f"{where} must be an object such as {shape}")
        path, kind = entity.get("entityPath"), entity.get("entityType")
        if not isinstance(path, str) or not path:
            raise errors.bad_request(f"{where}.schemaEntity.entityPath must be a non-empty string")
        if not isinstance(kind, str) or kind.upper() not in EntityType.__members__:
            raise errors.bad_request(f"{where}.schemaEntity.entityType must be one of {ENTITY_TYPES}, got {kind!r}")
        tags = item.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise errors.bad_request(f"{where}.tags must be a list of non-empty tag names (strings)")
        key = SchemaEntity(path, EntityType(kind.upper()))
        out[key] = tuple(dict.fromkeys([*out.get(key, ()), *tags]))
    return out


def _object(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise errors.bad_request(f"'{name}' must be an object")
    return value


def read_tag_request(body: Any) -> TagRequest:
    """Validate the JSON shape of a ``TagSchemaRequest`` (HTTP 400 when wrong, 42210 for rules)."""
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object with tagsToAdd, tagsToRemove, ...")
    new_version = body.get("newVersion")
    if new_version is not None and (isinstance(new_version, bool) or not isinstance(new_version, int)):
        raise errors.bad_request("'newVersion' must be an integer")
    remove = body.get("rulesToRemove")
    if remove is not None and not (isinstance(remove, list) and all(isinstance(r, str) for r in remove)):
        raise errors.bad_request("'rulesToRemove' must be a list of rule names")
    merge = _object(body, "rulesToMerge")
    validate_rule_set(merge, "rulesToMerge")
    return TagRequest(
        new_version,
        _schema_tags(body.get("tagsToAdd"), "tagsToAdd"),
        _schema_tags(body.get("tagsToRemove"), "tagsToRemove"),
        _object(body, "metadata"),
        _object(body, "ruleSet"),
        merge or None,
        tuple(remove or ()),
    )


def _without_rules(rule_set: Mapping[str, Any] | None, names: set[str]) -> dict[str, Any] | None:
    if not rule_set:
        return None
    out: dict[str, Any] = {}
    for key, value in rule_set.items():
        if key in RULE_LISTS and isinstance(value, list):
            value = [r for r in value if not (isinstance(r, dict) and r.get("name") in names)]
            if not value:
                continue
        out[key] = value
    return out or None


def new_contract(
    content: SchemaContent, request: TagRequest
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The metadata and rule set to register (``{}``: explicitly none, nothing inherited)."""
    metadata = request.metadata if request.metadata is not None else content.metadata
    rule_set = request.rule_set if request.rule_set is not None else content.rule_set
    if request.rules_to_merge:
        rule_set = merge_rule_sets(rule_set, request.rules_to_merge)
    if request.rules_to_remove:
        rule_set = _without_rules(rule_set, set(request.rules_to_remove))
    touched = request.rule_set is not None or request.rules_to_merge or request.rules_to_remove
    if touched and not rule_set:
        rule_set = {}
    return metadata, rule_set


def _retag(parser: SchemaParser, content: SchemaContent, deps: Dependencies, request: TagRequest) -> str:
    """Runs in a worker thread: parse the stored schema (cached) and edit its tags."""
    try:
        return parser.parse_stored(content, deps).with_tags(request.to_add, request.to_remove)
    except InvalidSchemaError as exc:
        raise errors.invalid_schema(str(exc)) from None


async def tag_schema(
    svc: RegistryService, subject: str, version: int, request: TagRequest, *, normalize: bool = False
) -> SubjectVersion:
    """Register the version's schema with its tags edited as the subject's new version."""
    subject = svc.resolve_subject(subject)
    source = svc.resolve_version(subject, version, include_deleted=False)
    content = source.schema
    text = content.text
    if request.to_add or request.to_remove:
        deps = resolve_references(svc.state, content.references, content.context)  # on the loop: a snapshot
        text = await asyncio.to_thread(_retag, svc.parser, content, deps, request)
    limit = svc.settings.max_schema_bytes
    if len(text) > limit:
        raise errors.schema_too_large(len(text.encode()), limit)
    metadata, rule_set = new_contract(content, request)
    schema_request = SchemaRequest(content.schema_type, text, content.references, metadata, rule_set)
    created, _new = await svc.register(subject, schema_request, normalize=normalize, new_version=request.new_version)
    return created


# ---- findTags --------------------------------------------------------------------------------


def wanted_tags(values: list[str]) -> frozenset[str] | None:
    """The ``findTags`` values (repeated and/or comma-separated); None when not asked."""
    if not values:
        return None
    return frozenset(t.strip() for value in values for t in value.split(",") if t.strip())


def matching(found: list[SchemaTags], wanted: frozenset[str]) -> list[dict[str, Any]]:
    """Confluent's ``schemaTags``: each entity with its tags among ``wanted`` (``*``: all)."""
    every = "*" in wanted
    out = []
    for item in found:
        tags = item.tags if every else tuple(t for t in item.tags if t in wanted)
        if tags:
            out.append(SchemaTags(item.entity, tags).to_json())
    return out


def _tagged(parser: SchemaParser, content: SchemaContent, deps: Dependencies) -> list[SchemaTags]:
    try:
        return parser.parse_stored(content, deps).tagged_entities()
    except InvalidSchemaError as exc:
        raise errors.invalid_schema(str(exc)) from None


async def add_schema_tags(
    svc: RegistryService, content: SchemaContent, values: list[str], body: dict[str, Any]
) -> None:
    """Put ``schemaTags`` into a schema answer when ``findTags`` asked for it and something matches."""
    wanted = wanted_tags(values)
    if wanted is None:
        return
    deps = resolve_references(svc.state, content.references, content.context)
    found = matching(await asyncio.to_thread(_tagged, svc.parser, content, deps), wanted)
    if found:
        body["schemaTags"] = found
