"""``POST /associations:batchGet`` and ``POST /associations:batchMutate``.

Confluent lists both calls (CSR #4032) but no client we can reach sends them and the reference
gives no shapes, so these are Charter's: the batch forms of the single calls.

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

from typing import Any

from charter.registry import errors
from charter.registry.association_requests import Selector, Upsert, choice, parse_selector, parse_upsert, text
from charter.registry.associations import AssociationService, Plan

OPS = ("CREATE", "UPSERT", "DELETE")


def _entries(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        raise errors.bad_request('The body must be a JSON object {"requests": [...]}')
    entries = body.get("requests")
    if not isinstance(entries, list):
        raise errors.invalid_association("'requests' must be a list of entries")
    return entries


def _at(index: int, exc: errors.RegistryError, code: int | None = None) -> errors.RegistryError:
    return errors.RegistryError(code or exc.error_code, f"requests[{index}]: {exc.message}")


def batch_get(associations: AssociationService, body: Any) -> dict[str, Any]:
    selectors: list[Selector] = []
    for index, entry in enumerate(_entries(body)):
        try:
            selectors.append(parse_selector(entry, deleting=False))
        except errors.RegistryError as exc:
            raise _at(index, exc, 42212) from None
    return {"responses": [{"associations": associations.views(associations.find(**s.filters))}
                          for s in selectors]}


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


async def batch_mutate(associations: AssociationService, body: Any) -> dict[str, Any]:
    limit = associations.service.settings.max_schema_bytes
    mutations: list[tuple[str, Selector | Upsert]] = []
    for index, entry in enumerate(_entries(body)):
        try:
            mutations.append(_mutation(entry, limit))
        except errors.RegistryError as exc:
            raise _at(index, exc) from None
    writer = associations.writer
    async with writer.lock:
        plan = Plan(associations.state)
        responses: list[dict[str, Any]] = []
        for index, (op, request) in enumerate(mutations):
            try:
                if isinstance(request, Selector):
                    responses.append({"deleted": associations.plan_delete(plan, request.filters,
                                                                          cascade=request.cascade)})
                else:
                    associations.plan_upsert(plan, request, replace=op == "UPSERT")
                    responses.append(request.response())
            except errors.RegistryError as exc:
                raise _at(index, exc) from None
        if plan.records:
            await writer.write(plan.records)
    return {"responses": responses}
