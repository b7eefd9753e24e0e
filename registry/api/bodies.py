"""Request bodies read into the use cases' values: the JSON shapes of Confluent's request classes.

- a register/lookup/compatibility body (``RegisterSchemaRequest``): :func:`read_schema_request`,
  and its ``schemaTagsToAdd``/``schemaTagsToRemove``/``propagateSchemaTags``:
  :func:`read_register_tags`;
- ``ConfigUpdateRequest`` (``PUT /config``): :func:`read_config_update`;
- ``ModeUpdateRequest`` (``PUT /mode``): :func:`read_mode`;
- ``TagSchemaRequest`` (``POST /subjects/{s}/versions/{v}/tags``): :func:`read_tag_request`.

A body of the wrong shape is refused here (400, or Confluent's 422 code for a bad value); the
use cases get validated values. Association bodies are read by :mod:`.association_bodies`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from charter.compat import CompatibilityLevel, EntityType, SchemaEntity
from charter.compat.formats import supported_types
from charter.compat.model import DEFAULT_SCHEMA_TYPE
from charter.registry import errors
from charter.registry.contexts import canonical_subject
from charter.registry.store.state import Reference, parse_references
from charter.registry.usecases.config import POLICIES, ConfigUpdate
from charter.registry.usecases.contracts import as_stored, validate_metadata, validate_rule_set
from charter.registry.usecases.modes import Mode
from charter.registry.usecases.parsing import SchemaRequest
from charter.registry.usecases.tags import EntityTags, RegisterTags, TagRequest

ENTITY_VALUES = frozenset(t.value for t in EntityType)
ENTITY_TYPES = ", ".join(t.value for t in EntityType)


def _optional_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.bad_request(f"'{name}' must be an integer")
    return value


def read_references(raw: Any) -> tuple[Reference, ...]:
    """A body's ``references`` (Confluent's ``SchemaReference`` list); 400 on a bad shape."""
    try:
        return parse_references(raw)
    except ValueError as exc:
        raise errors.bad_request(f"Invalid references: {exc}") from None


def read_schema_request(body: Any, max_schema_bytes: int) -> SchemaRequest:
    """Validate the JSON shape of a register/lookup body (HTTP 400 or 422 when wrong)."""
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object with a 'schema' field")
    text = body.get("schema")
    if text is None:  # Confluent's null schema: empty (a register reuses the latest; see usecases.schemas)
        text = ""
    if not isinstance(text, str):
        raise errors.bad_request("'schema' must be a string holding the schema text")
    errors.check_schema_size(text, max_schema_bytes)
    schema_type = body.get("schemaType") or DEFAULT_SCHEMA_TYPE
    if not isinstance(schema_type, str):
        raise errors.bad_request("'schemaType' must be a string")
    schema_type = schema_type.upper()
    if schema_type not in supported_types():
        raise errors.invalid_schema(
            f"Invalid schema type {schema_type}: this registry supports {', '.join(supported_types())}"
        )
    refs = read_references(body.get("references"))
    metadata, rule_set = body.get("metadata"), body.get("ruleSet")
    if metadata is not None and not isinstance(metadata, dict):
        raise errors.bad_request("'metadata' must be an object")
    if rule_set is not None and not isinstance(rule_set, dict):
        raise errors.bad_request("'ruleSet' must be an object")
    return SchemaRequest(
        schema_type,
        text,
        refs,
        as_stored(metadata),  # {} stays: Confluent's Schema.metadata is then non-null (and hashed)
        as_stored(rule_set),
        _optional_int(body, "id"),
        _optional_int(body, "version"),
    )


def read_config_update(body: Any) -> ConfigUpdate:
    """A ``ConfigUpdateRequest``: the level (42203 when unknown), the policy, contracts (42210)
    and flags validated; every other field kept as given."""
    if not isinstance(body, dict):
        raise errors.bad_request('The body must be a JSON object such as {"compatibility": "FULL"}')
    update = dict(body)
    level = update.pop("compatibility", None)
    if "compatibilityLevel" in update:  # accepted for symmetry with GET
        level = level or update.pop("compatibilityLevel")
    if level is not None:
        if not isinstance(level, str):
            raise errors.invalid_compatibility_level(level)
        try:
            level = CompatibilityLevel.parse(level).value
        except ValueError:
            raise errors.invalid_compatibility_level(level) from None
    policy = update.get("compatibilityPolicy")
    if policy is not None:
        if not isinstance(policy, str) or policy.upper() not in POLICIES:
            raise errors.invalid_compatibility_policy(policy, POLICIES)
        update["compatibilityPolicy"] = policy.upper()
    for name in ("defaultMetadata", "overrideMetadata"):
        validate_metadata(update.get(name), name)
    for name in ("defaultRuleSet", "overrideRuleSet"):
        validate_rule_set(update.get(name), name)
    for name in ("compatibilityGroup", "alias"):
        if update.get(name) is not None and not isinstance(update[name], str):
            raise errors.bad_request(f"'{name}' must be a string")
    if update.get("alias"):
        update["alias"] = canonical_subject(update["alias"])  # 42208 for a malformed context
    for flag in ("normalize", "validateFields", "validateRules"):
        if flag in update and update[flag] is not None and not isinstance(update[flag], bool):
            raise errors.bad_request(f"'{flag}' must be true or false")
    return ConfigUpdate(level, {k: v for k, v in update.items() if v is not None})


def read_mode(body: Any) -> Mode:
    """A ``ModeUpdateRequest``'s mode (42204 when it is none of Confluent's)."""
    if not isinstance(body, dict):
        raise errors.bad_request('The request body must be a JSON object such as {"mode": "READONLY"}')
    return Mode.parse(body.get("mode"))


def _schema_tags(raw: Any, name: str) -> EntityTags:
    """A ``[SchemaTags]`` list as entity -> tags (entries for the same entity are combined)."""
    if raw is None:
        return {}
    shape = '{"schemaEntity": {"entityPath": "...", "entityType": "sr_field"}, "tags": ["PII"]}'
    if not isinstance(raw, list):
        raise errors.bad_request(f"'{name}' must be a list of objects such as {shape}")
    out: EntityTags = {}
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


def read_register_tags(body: Any) -> RegisterTags:
    """A register body's ``schemaTagsToAdd``, ``schemaTagsToRemove`` and ``propagateSchemaTags``."""
    if not isinstance(body, dict):
        return RegisterTags()
    to_add = _schema_tags(body.get("schemaTagsToAdd"), "schemaTagsToAdd")
    to_remove = _schema_tags(body.get("schemaTagsToRemove"), "schemaTagsToRemove")
    propagate = body.get("propagateSchemaTags")
    if propagate is not None and not isinstance(propagate, bool):
        raise errors.bad_request("'propagateSchemaTags' must be true or false")
    return RegisterTags(to_add, to_remove, bool(propagate))
