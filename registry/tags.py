"""Schema tags: edit a version's inline tags into a new version, and list them (``findTags``).

``POST /subjects/{s}/versions/{v}/tags`` takes Confluent's ``TagSchemaRequest``::

    {"newVersion": 3, "tagsToAdd": [{"schemaEntity": {"entityPath": "com.acme.User.email",
     "entityType": "sr_field"}, "tags": ["PII"]}], "tagsToRemove": [...], "metadata": {...},
     "ruleSet": {...}, "rulesToMerge": {...}, "rulesToRemove": ["ruleName"]}

``entityType`` is ``sr_record`` or ``sr_field`` (Jackson's names of Confluent's enum; other
spellings are refused); entity paths are each format's, as Confluent writes them (see
``charter.compat.<format>.inline_tags``). It edits the inline tags of that version's schema (each
format's ``with_tags``, see :mod:`charter.compat.inline_tags`: additions first, then removals) and
registers the result as a new version of the same subject through
:meth:`RegistryService.register`, as Confluent's ``AbstractSchemaRegistry.modifySchemaTags``
does: mode, compatibility, the config's default/override contracts and identity rules apply as
to any registration (the same schema, metadata and rule set as a live version give that version
back). The new version keeps the version's references. Its metadata is the request's
``metadata`` when given, else the tagged version's, with ``confluent:version`` (which the
registration sets to the version's number, so tagging again registers a new version). Its rule
set (``maybeModifyPreviousRuleSet``): with ``rulesToMerge`` or ``rulesToRemove``, the rule set of
version ``newVersion - 1`` (the latest without ``newVersion``) with ``rulesToMerge`` merged in by
rule name (``mergeRuleSets``) and the rules named in ``rulesToRemove`` dropped (the request's
``ruleSet`` is then ignored); otherwise the request's ``ruleSet`` (``{}``: none), and without one
the registration inherits the latest version's as any registration does. ``newVersion``, when
given, must be the version the registration gets (checked under the write lock; 422/42202
otherwise). Body shape errors are 400; an unknown entity is 422/42201.

``POST /subjects/{s}/versions`` honours ``schemaTagsToAdd``/``schemaTagsToRemove`` of Confluent's
``RegisterSchemaRequest`` (same ``[SchemaTags]`` shape): the schema's tags are edited before it is
registered (``AbstractSchemaRegistry.toSchemaWithTags``), see :func:`with_register_tags`.

``findTags`` (on ``GET /subjects/{s}/versions/{v}`` and ``GET /schemas/ids/{id}``) names tags,
one per (repeated) parameter, ``*`` for all: the answer gets ``schemaTags``, the tagged entities
having one of those tags, each with all its tags (Confluent's ``extractSchemaTags``; left out when
none matches, as Confluent omits empty fields).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from charter.compat import EntityType, InvalidSchemaError, SchemaEntity, SchemaTags
from charter.compat.formats import get_format
from charter.registry import errors
from charter.registry.contexts import context_of
from charter.registry.contracts import RULE_LISTS, as_stored, merge_rule_sets, validate_rule_set, with_confluent_version
from charter.registry.schemas import Dependencies, SchemaParser, SchemaRequest, resolve_references
from charter.registry.service import RegistryService
from charter.registry.store.state import SchemaContent, SubjectVersion

ENTITY_VALUES = frozenset(t.value for t in EntityType)
ENTITY_TYPES = ", ".join(t.value for t in EntityType)


@dataclass(frozen=True)
class TagRequest:
    """A validated ``TagSchemaRequest`` body."""

    new_version: int | None = None
    to_add: dict[SchemaEntity, tuple[str, ...]] = field(default_factory=dict)
    to_remove: dict[SchemaEntity, tuple[str, ...]] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None
    rules_to_merge: dict[str, Any] | None = None  # None: not given ({} is given)
    rules_to_remove: tuple[str, ...] | None = None


def _schema_tags(raw: Any, name: str) -> dict[SchemaEntity, tuple[str, ...]]:
    """A ``[SchemaTags]`` list as entity -> tags (entries for the same entity are combined)."""
    if raw is None:
        return {}
    shape = '{"schemaEntity": {"entityPath": "...", "entityType": "sr_field"}, "tags": ["PII"]}'
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
        if kind not in ENTITY_VALUES:  # Jackson reads only the @JsonProperty names (lower case)
            raise errors.bad_request(f"{where}.schemaEntity.entityType must be one of {ENTITY_TYPES}, got {kind!r}")
        tags = item.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise errors.bad_request(f"{where}.tags must be a list of non-empty tag names (strings)")
        key = SchemaEntity(path, EntityType(kind))
        out[key] = tuple(dict.fromkeys([*out.get(key, ()), *tags]))
    return out


def _object(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise errors.bad_request(f"'{name}' must be an object")
    return as_stored(value)  # {} stays given (non-null in TagSchemaRequest); empty members go


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
        merge,
        None if remove is None else tuple(remove),
    )


def _without_rules(rule_set: Mapping[str, Any] | None, names: set[str]) -> dict[str, Any] | None:
    """``maybeModifyPreviousRuleSet``'s removal: a rule set stays one (``{}`` when every rule went)."""
    if rule_set is None:
        return None
    out: dict[str, Any] = {}
    for key, value in rule_set.items():
        if key in RULE_LISTS and isinstance(value, list):
            value = [r for r in value if not (isinstance(r, dict) and r.get("name") in names)]
            if not value:
                continue
        out[key] = value
    return out


def new_contract(
    content: SchemaContent, request: TagRequest, previous_rule_set: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The metadata and rule set to register, as ``AbstractSchemaRegistry.modifySchemaTags``: with
    rules edited, ``previous_rule_set`` (version ``newVersion - 1``'s, or the latest's) edited; a
    None left (no rule set to edit) is null there too, so the registration inherits the latest's."""
    metadata = request.metadata if request.metadata is not None else content.metadata
    if not _edits_rules(request):
        return metadata, request.rule_set
    rule_set = previous_rule_set
    if request.rules_to_merge is not None:  # a RuleSet there: {} merges too
        rule_set = merge_rule_sets(rule_set, request.rules_to_merge)
    if request.rules_to_remove:
        rule_set = _without_rules(rule_set, set(request.rules_to_remove))
    return metadata, rule_set


def _edits_rules(request: TagRequest) -> bool:
    """``rulesToMerge`` or ``rulesToRemove`` given (even empty: Confluent tests ``!= null``)."""
    return request.rules_to_merge is not None or request.rules_to_remove is not None


def _retag(parser: SchemaParser, content: SchemaContent, deps: Dependencies, request: TagRequest) -> str:
    """Runs in a worker thread: parse the stored schema (cached) and edit its tags."""
    try:
        return parser.parse_stored(content, deps).with_tags(request.to_add, request.to_remove)
    except InvalidSchemaError as exc:
        raise errors.invalid_schema(str(exc)) from None


async def tag_schema(svc: RegistryService, subject: str, version: int, request: TagRequest) -> SubjectVersion:
    """Register the version's schema with its tags edited as the subject's new version (not
    normalised: Confluent's route registers with ``normalize`` false)."""
    subject = svc.resolve_subject(subject)
    source = svc.resolve_version(subject, version, include_deleted=False)
    if _edits_rules(request) and request.rule_set is not None:  # SubjectVersionsResource.modifyTags
        raise errors.invalid_rule_set("ruleSet should be omitted if specifying rulesToMerge or rulesToRemove")
    content = source.schema
    text = content.text
    if request.to_add or request.to_remove:
        deps = resolve_references(svc.state, content.references, content.context)  # on the loop: a snapshot
        text = await asyncio.to_thread(_retag, svc.parser, content, deps, request)
    limit = svc.settings.max_schema_bytes
    if len(text) > limit:
        raise errors.schema_too_large(len(text.encode()), limit)
    previous = None
    if _edits_rules(request):
        if request.new_version:  # Confluent reads version newVersion - 1, else the latest
            before = svc.state.version(subject, request.new_version - 1)
        else:
            live = svc.state.versions(subject)
            before = live[-1] if live else None
        previous = before.schema.rule_set if before is not None and not before.deleted else None
    metadata, rule_set = new_contract(content, request, previous)
    # modifySchemaTags marks the metadata with confluent:version (newVersion, else 0); the
    # registration then sets it to the version the schema gets.
    metadata = with_confluent_version(metadata, request.new_version or 0)
    schema_request = SchemaRequest(content.schema_type, text, content.references, metadata, rule_set)
    created, _new = await svc.register(subject, schema_request, new_version=request.new_version)
    return created


# ---- schemaTagsToAdd / schemaTagsToRemove on register ---------------------------------------


def _edit_text(parser: SchemaParser, request: SchemaRequest, deps: Dependencies,
               to_add: dict[SchemaEntity, tuple[str, ...]], to_remove: dict[SchemaEntity, tuple[str, ...]]) -> str:
    """Runs in a worker thread: parse the requested schema (leniently, as Confluent's
    ``parseSchema``) and edit its tags; 42201 when it does not parse or names an unknown entity."""
    try:
        parsed = get_format(request.schema_type).parse(request.text, parser.parsed_dependencies(deps), validate=False)
        return parsed.with_tags(to_add, to_remove)
    except InvalidSchemaError as exc:
        raise errors.invalid_schema(str(exc)) from None
    except RecursionError:
        raise errors.invalid_schema("Invalid schema: the schema nests too deeply") from None


def _propagated_text(parser: SchemaParser, request: SchemaRequest, deps: Dependencies, previous: SchemaContent,
                     previous_deps: Dependencies) -> str:
    """Runs in a worker thread: the requested schema with the previous version's inline tags
    added (Confluent's ``maybePropagateSchemaTags``); 42201 when an entity is not in it."""
    try:
        tags = parser.parse_stored(previous, previous_deps).tagged_entities()
        if not tags:
            return request.text
        parsed = get_format(request.schema_type).parse(request.text, parser.parsed_dependencies(deps), validate=False)
        return parsed.with_tags({t.entity: t.tags for t in tags}, {})
    except InvalidSchemaError as exc:
        raise errors.invalid_schema(str(exc)) from None


async def with_register_tags(svc: RegistryService, subject: str, body: Any, request: SchemaRequest) -> SchemaRequest:
    """``request`` with the body's ``schemaTagsToAdd``/``schemaTagsToRemove`` applied to its
    schema text (Confluent's ``AbstractSchemaRegistry.toSchemaWithTags``: additions first, then
    removals) and, with ``propagateSchemaTags: true``, the latest version's inline tags added
    (``maybePropagateSchemaTags``); the request unchanged when the body asks for neither."""
    if not isinstance(body, dict):
        return request
    to_add = _schema_tags(body.get("schemaTagsToAdd"), "schemaTagsToAdd")
    to_remove = _schema_tags(body.get("schemaTagsToRemove"), "schemaTagsToRemove")
    propagate = body.get("propagateSchemaTags")
    if propagate is not None and not isinstance(propagate, bool):
        raise errors.bad_request("'propagateSchemaTags' must be true or false")
    live = svc.state.versions(svc.resolve_subject(subject)) if propagate else []
    if not to_add and not to_remove and not live:
        return request
    deps = resolve_references(svc.state, request.references, context_of(subject))  # on the loop: a snapshot
    text = request.text
    if to_add or to_remove:
        text = await asyncio.to_thread(_edit_text, svc.parser, request, deps, to_add, to_remove)
    if live:
        previous = live[-1].schema
        previous_deps = resolve_references(svc.state, previous.references, previous.context)
        edited = dataclasses.replace(request, text=text)
        text = await asyncio.to_thread(_propagated_text, svc.parser, edited, deps, previous, previous_deps)
    limit = svc.settings.max_schema_bytes
    if len(text) > limit:
        raise errors.schema_too_large(len(text.encode()), limit)
    if (to_add or to_remove) and request.version is None:
        # toSchemaWithTags: no version is -1 (the latest or a new one), so confluent:version is set
        return dataclasses.replace(request, text=text, version=-1)
    return dataclasses.replace(request, text=text)


# ---- findTags --------------------------------------------------------------------------------


def wanted_tags(values: list[str]) -> frozenset[str] | None:
    """The ``findTags`` values (one tag each, repeated: Jersey's ``List<String>``, no splitting at
    commas); None when not asked."""
    if not values:
        return None
    return frozenset(values)


def matching(found: list[SchemaTags], wanted: frozenset[str]) -> list[dict[str, Any]]:
    """Confluent's ``extractSchemaTags``: each entity having one of the ``wanted`` tags (``*``:
    every entity), with all its tags."""
    every = "*" in wanted
    return [item.to_json() for item in found if every or not wanted.isdisjoint(item.tags)]


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
