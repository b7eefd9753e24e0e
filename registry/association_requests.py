"""The request shapes of ``/associations``, validated without touching any state.

- a create/update body (``POST``/``PUT /associations``, and CREATE/UPSERT entries of
  ``:batchMutate``): :func:`parse_upsert`;
- lookup and delete filters: from the query string (:func:`check_filters`, :func:`parse_flag`) or
  from a batch entry (:func:`parse_selector`).

Malformed values get 42212 naming the field; a body of the wrong JSON type, or a query flag that
is not ``true``/``false``, gets 400 (as rest-utils answers a JSON or parameter it cannot map).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from charter.registry import errors
from charter.registry.contexts import canonical_subject
from charter.registry.schemas import SchemaRequest, read_schema_request

RESOURCE_TYPES = ("topic",)
ASSOCIATION_TYPES = ("key", "value")
LIFECYCLES = ("STRONG", "WEAK")
WILDCARD = "-"
SELECTOR_FIELDS = ("subject", "resourceId", "resourceName", "resourceNamespace", "resourceType",
                   "associationTypes", "lifecycle")


def text(body: dict[str, Any], name: str, *, required: bool, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is None:
        if required:
            raise errors.invalid_association(f"'{name}' is required")
        return None
    if not isinstance(value, str) or not value:
        raise errors.invalid_association(f"'{name}' must be a non-empty string")
    return value


def choice(value: str, name: str, allowed: tuple[str, ...], *, upper: bool = False) -> str:
    norm = value.upper() if upper else value.lower()
    if norm not in allowed:
        raise errors.invalid_association(f"invalid {name} '{value}'; use one of {', '.join(allowed)}")
    return norm


def parse_flag(raw: str, name: str) -> bool:
    """A ``true``/``false`` query value in any case (python sends ``True``, JS ``true``); else 400."""
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise errors.bad_request(f"Query parameter '{name}' must be true or false, got {raw!r}")
    return lowered == "true"


def check_filters(resource_type: str | None, association_types: list[str] | None,
                  lifecycle: str | None) -> dict[str, Any]:
    """The filters of a lookup or delete, validated (42212 naming a bad value)."""
    return {
        "resource_type": choice(resource_type, "resourceType", RESOURCE_TYPES) if resource_type else None,
        "association_types": [choice(t, "associationType", ASSOCIATION_TYPES) for t in association_types]
        if association_types else None,
        "lifecycle": choice(lifecycle, "lifecycle", LIFECYCLES, upper=True) if lifecycle else None,
    }


@dataclass
class Item:
    """One entry of ``associations`` in a create/update body."""

    subject: str
    association_type: str
    lifecycle: str
    frozen: bool
    schema: SchemaRequest | None = None
    normalize: bool = False


@dataclass
class Upsert:
    """A validated ``POST``/``PUT /associations`` body."""

    name: str
    namespace: str
    resource_type: str
    resource_id: str
    items: list[Item]

    def response(self) -> dict[str, Any]:
        return {
            "resourceName": self.name, "resourceNamespace": self.namespace, "resourceId": self.resource_id,
            "resourceType": self.resource_type,
            "associations": [{"subject": i.subject, "associationType": i.association_type,
                              "lifecycle": i.lifecycle, "frozen": i.frozen} for i in self.items],
        }


def parse_upsert(body: Any, max_schema_bytes: int) -> Upsert:
    """Validate a create/update body without touching any state."""
    if not isinstance(body, dict):
        raise errors.bad_request("The body must be a JSON object with resourceName, resourceNamespace "
                                 "and associations")
    name = text(body, "resourceName", required=True)
    namespace = text(body, "resourceNamespace", required=True)
    rtype = choice(text(body, "resourceType", required=False, default="topic") or "topic",
                   "resourceType", RESOURCE_TYPES)
    assert name is not None and namespace is not None
    if namespace == WILDCARD:
        raise errors.invalid_association("resourceNamespace '-' is a lookup wildcard; give the cluster id")
    resource_id = text(body, "resourceId", required=False) or str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"charter:{rtype}:{namespace}:{name}")
    )
    entries = body.get("associations")
    if not isinstance(entries, list) or not entries:
        raise errors.invalid_association("'associations' must be a non-empty list of {subject, associationType}")
    items: list[Item] = []
    for entry in entries:
        item = _parse_item(entry, max_schema_bytes)
        if any(i.association_type == item.association_type for i in items):
            raise errors.invalid_association(f"the request has more than one '{item.association_type}' association")
        items.append(item)
    return Upsert(name, namespace, rtype, resource_id, items)


def _parse_item(entry: Any, max_schema_bytes: int) -> Item:
    if not isinstance(entry, dict):
        raise errors.invalid_association("each entry of 'associations' must be an object with a subject")
    subject = text(entry, "subject", required=True)
    assert subject is not None
    atype = choice(text(entry, "associationType", required=False, default="value") or "value",
                   "associationType", ASSOCIATION_TYPES)
    lifecycle = choice(text(entry, "lifecycle", required=False, default="WEAK") or "WEAK",
                       "lifecycle", LIFECYCLES, upper=True)
    frozen = entry.get("frozen", False)
    if frozen is None:
        frozen = False
    if not isinstance(frozen, bool):
        raise errors.invalid_association("'frozen' must be true or false")
    schema = None if entry.get("schema") is None else read_schema_request(entry["schema"], max_schema_bytes)
    return Item(subject, atype, lifecycle, frozen, schema, entry.get("normalize") is True)




@dataclass
class Selector:
    """Which associations a batch entry names: keyword filters of ``AssociationService.find``."""

    filters: dict[str, Any] = field(default_factory=dict)
    cascade: bool = False


def parse_selector(entry: Any, *, deleting: bool) -> Selector:
    """A batchGet entry, or the filters of a batchMutate DELETE (``deleting``: ``cascadeLifecycle``
    allowed). Exactly one of ``subject``, ``resourceId`` or ``resourceName`` + ``resourceNamespace``;
    unknown fields are refused, so a misspelt filter cannot widen a delete."""
    if not isinstance(entry, dict):
        raise errors.invalid_association("the entry must be a JSON object")
    allowed = SELECTOR_FIELDS + (("op", "cascadeLifecycle") if deleting else ())
    unknown = sorted(k for k in entry if k not in allowed)
    if unknown:
        raise errors.invalid_association(f"unknown field(s) {', '.join(unknown)}; use {', '.join(allowed)}")
    given = [k for k in ("subject", "resourceId", "resourceName") if entry.get(k) is not None]
    if len(given) != 1:
        raise errors.invalid_association(
            "give exactly one of 'subject', 'resourceId' or 'resourceName' (with 'resourceNamespace')")
    filters: dict[str, Any] = {}
    if given == ["subject"]:
        filters["subject"] = canonical_subject(text(entry, "subject", required=True) or "")
    elif given == ["resourceId"]:
        filters["resource_id"] = text(entry, "resourceId", required=True)
    else:
        filters["name"] = text(entry, "resourceName", required=True)
        filters["namespace"] = text(entry, "resourceNamespace", required=True)
    if given != ["resourceName"] and entry.get("resourceNamespace") is not None:
        raise errors.invalid_association("'resourceNamespace' goes with 'resourceName'")
    types = entry.get("associationTypes")
    if types is not None and (not isinstance(types, list) or not all(isinstance(t, str) for t in types)):
        raise errors.invalid_association("'associationTypes' must be a list of strings (key, value)")
    filters |= check_filters(text(entry, "resourceType", required=False), types,
                             text(entry, "lifecycle", required=False))
    cascade = entry.get("cascadeLifecycle", False)
    if not isinstance(cascade, bool):
        raise errors.invalid_association("'cascadeLifecycle' must be true or false")
    return Selector(filters, cascade)
