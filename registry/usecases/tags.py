"""Schema tags: edit a version's inline tags into a new version, and list them (``findTags``).

``POST /subjects/{s}/versions/{v}/tags`` takes Confluent's ``TagSchemaRequest``::

    {"newVersion": 3, "tagsToAdd": [{"schemaEntity": {"entityPath": "com.acme.User.email",
     "entityType": "sr_field"}, "tags": ["PII"]}], "tagsToRemove": [...], "metadata": {...},
     "ruleSet": {...}, "rulesToMerge": {...}, "rulesToRemove": ["ruleName"]}

``entityType`` is ``sr_record`` or ``sr_field`` (Jackson's names of Confluent's enum; other
spellings are refused); entity paths are each format's, as Confluent writes them (see
``charter.compat.<format>.inline_tags``). It edits the inline tags of that version's schema (each format's
``with_tags``, see :mod:`charter.compat.inline_tags`: additions first, then removals) and registers the
result as a new version of the same subject through :meth:`Schemas.register
<charter.registry.usecases.schemas.Schemas.register>`, as Confluent's
``AbstractSchemaRegistry.modifySchemaTags`` does: mode, compatibility, the config's
default/override contracts and identity rules apply as to any registration (the same schema,
metadata and rule set as a live version give that version back). The new version keeps the
version's references. Its metadata is the request's ``metadata`` when given, else the tagged
version's, with ``confluent:version`` (which the registration sets to the version's number, so
tagging again registers a new version). Its rule set (``maybeModifyPreviousRuleSet``): with
``rulesToMerge`` or ``rulesToRemove``, the rule set of version ``newVersion - 1`` (the latest
without ``newVersion``) with ``rulesToMerge`` merged in by rule name (``mergeRuleSets``) and the
rules named in ``rulesToRemove`` dropped (the request's ``ruleSet`` is then ignored); otherwise the
request's ``ruleSet`` (``{}``: none), and without one the registration inherits the latest
version's as any registration does. ``newVersion``, when given, must be the version the
registration gets (checked under the write lock; 422/42202 otherwise). Body shape errors are 400
(the bodies are read by :mod:`charter.registry.api.bodies`); an unknown entity is 422/42201.

``POST /subjects/{s}/versions`` honours ``schemaTagsToAdd``/``schemaTagsToRemove`` of Confluent's
``RegisterSchemaRequest`` (same ``[SchemaTags]`` shape): the schema's tags are edited before it is
registered (``AbstractSchemaRegistry.toSchemaWithTags``), see :meth:`Tags.with_register_tags`.

``findTags`` (on ``GET /subjects/{s}/versions/{v}`` and ``GET /schemas/ids/{id}``) names tags,
one per (repeated) parameter, ``*`` for all: the answer gets ``schemaTags``, the tagged entities
having one of those tags, each with all its tags (Confluent's ``extractSchemaTags``; left out when
none matches, as Confluent omits empty fields).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from charter.compat import InvalidSchemaError, SchemaEntity, SchemaTags
from charter.compat.formats import get_format
from charter.registry import errors
from charter.registry.contexts import context_of
from charter.registry.store.state import RegistryState, SchemaContent, SubjectVersion
from charter.registry.usecases.contracts import RULE_LISTS, merge_rule_sets, with_confluent_version
from charter.registry.usecases.parsing import Dependencies, SchemaParser, SchemaRequest, resolve_references
from charter.registry.usecases.workers import SERVING

if TYPE_CHECKING:
    from charter.registry.usecases.reads import Reads
    from charter.registry.usecases.schemas import Schemas

EntityTags = dict[SchemaEntity, tuple[str, ...]]  # tags to add or remove, per schema entity


@dataclass(frozen=True)
class TagRequest:
    """A validated ``TagSchemaRequest`` body (read by :func:`charter.registry.api.bodies.read_tag_request`)."""

    new_version: int | None = None
    to_add: EntityTags = field(default_factory=dict)
    to_remove: EntityTags = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None
    rules_to_merge: dict[str, Any] | None = None  # None: not given ({} is given)
    rules_to_remove: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RegisterTags:
    """A register body's ``schemaTagsToAdd``/``schemaTagsToRemove`` and ``propagateSchemaTags``."""

    to_add: EntityTags = field(default_factory=dict)
    to_remove: EntityTags = field(default_factory=dict)
    propagate: bool = False


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


# ---- schemaTagsToAdd / schemaTagsToRemove on register ---------------------------------------


def _edit_text(parser: SchemaParser, request: SchemaRequest, deps: Dependencies,
               to_add: EntityTags, to_remove: EntityTags) -> str:
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


# ---- findTags --------------------------------------------------------------------------------


def wanted_tags(values: list[str]) -> frozenset[str] | None:
    """The ``findTags`` values (one tag each, repeated: Jersey's ``List<String>``, no splitting at
    commas); None when not asked."""
    if not values:
        return None
    return frozenset(values)


def matching(found: list[SchemaTags], wanted: frozenset[str]) -> list[SchemaTags]:
    """Confluent's ``extractSchemaTags``: each entity having one of the ``wanted`` tags (``*``:
    every entity), with all its tags."""
    every = "*" in wanted
    return [item for item in found if every or not wanted.isdisjoint(item.tags)]


def _tagged(parser: SchemaParser, content: SchemaContent, deps: Dependencies) -> list[SchemaTags]:
    try:
        return parser.parse_stored(content, deps).tagged_entities()
    except InvalidSchemaError as exc:
        raise errors.invalid_schema(str(exc)) from None


class Tags:
    """The tag use cases: ``POST .../tags``, tags on register, ``findTags``."""

    def __init__(self, state: RegistryState, parser: SchemaParser, reads: Reads, schemas: Schemas,
                 max_schema_bytes: int) -> None:
        self.state = state
        self.parser = parser
        self.reads = reads
        self.schemas = schemas
        self.max_schema_bytes = max_schema_bytes

    def _check_size(self, text: str) -> None:
        errors.check_schema_size(text, self.max_schema_bytes)

    async def tag_schema(self, subject: str, version: int, request: TagRequest) -> SubjectVersion:
        """Register the version's schema with its tags edited as the subject's new version (not
        normalised: Confluent's route registers with ``normalize`` false)."""
        subject = self.reads.resolve_subject(subject)
        source = self.reads.resolve_version(subject, version, include_deleted=False)
        if _edits_rules(request) and request.rule_set is not None:  # SubjectVersionsResource.modifyTags
            raise errors.invalid_rule_set("ruleSet should be omitted if specifying rulesToMerge or rulesToRemove")
        content = source.schema
        text = content.text
        if request.to_add or request.to_remove:
            deps = resolve_references(self.state, content.references, content.context)  # on the loop: a snapshot
            text = await SERVING.run(_retag, self.parser, content, deps, request)
        self._check_size(text)
        previous = None
        if _edits_rules(request):
            if request.new_version:  # Confluent reads version newVersion - 1, else the latest
                before = self.state.version(subject, request.new_version - 1)
            else:
                live = self.state.versions(subject)
                before = live[-1] if live else None
            previous = before.schema.rule_set if before is not None and not before.deleted else None
        metadata, rule_set = new_contract(content, request, previous)
        # modifySchemaTags marks the metadata with confluent:version (newVersion, else 0); the
        # registration then sets it to the version the schema gets.
        metadata = with_confluent_version(metadata, request.new_version or 0)
        schema_request = SchemaRequest(content.schema_type, text, content.references, metadata, rule_set)
        created, _new = await self.schemas.register(subject, schema_request, new_version=request.new_version)
        return created

    async def with_register_tags(self, subject: str, request: SchemaRequest, edits: RegisterTags) -> SchemaRequest:
        """``request`` with ``schemaTagsToAdd``/``schemaTagsToRemove`` applied to its schema text
        (Confluent's ``AbstractSchemaRegistry.toSchemaWithTags``: additions first, then removals)
        and, with ``propagateSchemaTags: true``, the latest version's inline tags added
        (``maybePropagateSchemaTags``); the request unchanged when neither is asked for."""
        to_add, to_remove = edits.to_add, edits.to_remove
        live = self.state.versions(self.reads.resolve_subject(subject)) if edits.propagate else []
        if not to_add and not to_remove and not live:
            return request
        deps = resolve_references(self.state, request.references, context_of(subject))  # on the loop: a snapshot
        text = request.text
        if to_add or to_remove:
            text = await SERVING.run(_edit_text, self.parser, request, deps, to_add, to_remove)
        if live:
            previous = live[-1].schema
            previous_deps = resolve_references(self.state, previous.references, previous.context)
            edited = dataclasses.replace(request, text=text)
            text = await SERVING.run(_propagated_text, self.parser, edited, deps, previous, previous_deps)
        self._check_size(text)
        if (to_add or to_remove) and request.version is None:
            # toSchemaWithTags: no version is -1 (the latest or a new one), so confluent:version is set
            return dataclasses.replace(request, text=text, version=-1)
        return dataclasses.replace(request, text=text)

    async def find_tags(self, content: SchemaContent, values: list[str]) -> list[SchemaTags]:
        """``findTags``: the schema's tagged entities having one of the tags asked for (``*``: any),
        each with all its tags (Confluent's ``extractSchemaTags``); empty when not asked."""
        wanted = wanted_tags(values)
        if wanted is None:
            return []
        deps = resolve_references(self.state, content.references, content.context)
        return matching(await SERVING.run(_tagged, self.parser, content, deps), wanted)
