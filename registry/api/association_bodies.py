"""The request shapes of ``/associations``, read into the use case's values without touching any state.

- a create/update body (``POST``/``PUT /associations``, and CREATE/UPSERT entries of
  ``:batchMutate``): :func:`parse_upsert`;
- lookup and delete filters: from the query string (:func:`check_filters`, :func:`parse_flag`) or
  from a batch entry (:func:`parse_selector`);
- the batch calls' bodies: :func:`read_batch_get`, :func:`read_batch_mutate`.

Malformed values get 42212 naming the field; a body of the wrong JSON type, or a query flag that
is not ``true``/``false``, gets 400 (as rest-utils answers a JSON or parameter it cannot map).

The batch calls, ``POST /associations:batchGet`` and ``POST /associations:batchMutate``: Confluent
lists both calls (CSR #4032) but no client we can reach sends them and the reference gives no
shapes, so these are Charter's: the batch forms of the single calls.

``:batchGet``::

    {"requests": [{"subject": "s"}
                  | {"resourceId": "id"}
                  | {"resourceName": "t", "resourceNamespace": "lkc-1" or "-"},
                  ...]}

each entry optionally with ``"resourceType"``, ``"associationTypes": ["key", "value"]`` and
``"lifecycle"``, the filters of the single ``GET``. The answer is
``{"responses": [{"associations": [Association, ...]}, ...]}`` in request order; an entry that
matches nothing gets ``{"associations": []}``. A malformed entry fails the whole call with 422
42212 and a message that starts ``requests[i]:``.

``:batchMutate``::

    {"requests": [{"op": "CREATE" | "UPSERT", <the POST/PUT /associations body>}
                  | {"op": "DELETE", <a batchGet entry>, "cascadeLifecycle": true|false},
                  ...]}

CREATE is ``POST /associations``, UPSERT is ``PUT``, DELETE is the ``DELETE`` routes (40410 when
nothing matches; ``cascadeLifecycle`` as there). The answer is ``{"responses": [...]}`` in request
order: the single call's ``AssociationResponse`` for CREATE/UPSERT, ``{"deleted": n}`` for DELETE.
The batch is atomic: every entry is validated, then all are planned in order under the write lock
(each sees the ones before it) and written in one log write; any failure writes nothing and
answers the first failing entry's error, its message prefixed ``requests[i]:``. An entry may not
carry a ``schema`` to register (that registration could not be undone): register it first.
Unknown fields in a batchGet or DELETE entry are refused, so a misspelt filter cannot widen a
delete.
"""

from __future__ import annotations

import uuid
from typing import Any

from charter.registry import errors
from charter.registry.api.bodies import read_schema_request
from charter.registry.contexts import canonical_subject
from charter.registry.usecases.associations import (
    ASSOCIATION_TYPES,
    LIFECYCLES,
    RESOURCE_TYPES,
    WILDCARD,
    Item,
    Selector,
    Upsert,
)

OPS = ("CREATE", "UPSERT", "DELETE")
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


def _entries(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        raise errors.bad_request('The body must be a JSON object {"requests": [...]}')
    entries = body.get("requests")
    if not isinstance(entries, list):
        raise errors.invalid_association("'requests' must be a list of entries")
    return entries


def read_batch_get(body: Any) -> list[Selector]:
    """A ``:batchGet`` body; a malformed entry is 42212 ``requests[i]: ...``."""
    selectors: list[Selector] = []
    for index, entry in enumerate(_entries(body)):
        try:
            selectors.append(parse_selector(entry, deleting=False))
        except errors.RegistryError as exc:
            raise errors.invalid_batch_entry(index, exc) from None
    return selectors


def _mutation(entry: Any, max_schema_bytes: int) -> tuple[str, Selector | Upsert]:
    if not isinstance(entry, dict):
        raise errors.invalid_association("the entry must be a JSON object with an 'op'")
    op = choice(text(entry, "op", required=True) or "", "op", OPS, upper=True)
    if op == "DELETE":
        return op, parse_selector(entry, deleting=True)
    request = parse_upsert({k: v for k, v in entry.items() if k != "op"}, max_schema_bytes)
    if any(item.schema is not None for item in request.items):
        raise errors.invalid_association(
            "batchMutate does not register schemas: register the schema first (or use POST /associations)")
    return op, request


def read_batch_mutate(body: Any, max_schema_bytes: int) -> list[tuple[str, Selector | Upsert]]:
    """A ``:batchMutate`` body: (op, request) per entry; a malformed entry's error is prefixed
    ``requests[i]:``."""
    mutations: list[tuple[str, Selector | Upsert]] = []
    for index, entry in enumerate(_entries(body)):
        try:
            mutations.append(_mutation(entry, max_schema_bytes))
        except errors.RegistryError as exc:
            raise errors.in_batch_entry(index, exc) from None
    return mutations
