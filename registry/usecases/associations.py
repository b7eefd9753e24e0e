"""Associations between subjects and resources (Kafka topics): Confluent's ``/associations``.

An association says "the ``value`` (or ``key``) of topic T in cluster C uses subject S". It is an
ASSOC record keyed by (tenant, resourceName, resourceNamespace, resourceType, associationType,
subject); a tombstone removes it. confluent-kafka's default ASSOCIATED subject-name strategy asks
``GET /associations/resources/{cluster or -}/{topic}`` and falls back to the topic strategy on 404.

A resource has at most one association per type. ``POST`` creates (409 40902 when the type is
already associated with another subject), ``PUT`` creates or replaces (409 40903 when the existing
one is frozen). A request may carry a ``schema`` to register under the subject first; otherwise
the subject must exist (40401).

Lifecycles. A ``STRONG`` association ties the subject's life to the resource's: a delete with
``cascadeLifecycle=true`` (on any of the three ``DELETE`` routes) also deletes the subject of every
STRONG association it removes, permanently (a soft then a hard delete of all its versions, the
records the two subject deletes write, with the subject's other associations), all in one write;
42206 and nothing written when another schema references one of its versions. ``WEAK``
associations never delete their subject. The other way round, a subject deleted permanently
(``DELETE /subjects/{s}?permanent=true``, or the hard delete of its last version) loses its
associations, so the ASSOCIATED strategy falls back instead of naming a subject that is gone; a
soft delete keeps them.

Every write is planned in a :class:`Plan` (the records so far, applied to a copy of the
associations) and written at once, which is also how the batch calls (``:batchGet`` and
``:batchMutate``, see :mod:`charter.registry.api.association_bodies` for their shapes) stay
atomic: every entry is planned in order under the write lock (each sees the ones before it) and
written in one log write; any failure writes nothing and answers the first failing entry's error,
its message prefixed ``requests[i]:``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from charter.registry import errors
from charter.registry.store.records import DEFAULT_TENANT, KeyType, RecordKey, assoc_key
from charter.registry.usecases.deletes import Record, purge_records
from charter.registry.usecases.parsing import SchemaRequest

if TYPE_CHECKING:
    from charter.registry.store.state import RegistryState
    from charter.registry.store.state_writer import StateWriter
    from charter.registry.usecases.modes import ModeRules
    from charter.registry.usecases.schemas import Schemas

RESOURCE_TYPES = ("topic",)
ASSOCIATION_TYPES = ("key", "value")
LIFECYCLES = ("STRONG", "WEAK")
WILDCARD = "-"  # a resource namespace that matches any (lookups only)


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


@dataclass
class Selector:
    """Which associations a batch entry names: keyword filters of :meth:`Associations.find`."""

    filters: dict[str, Any] = field(default_factory=dict)
    cascade: bool = False


def key_of(value: dict[str, Any]) -> RecordKey:
    return assoc_key(value["resourceName"], value["resourceNamespace"], value["resourceType"],
                     value["associationType"], value["subject"], value.get("tenant", DEFAULT_TENANT))


@dataclass
class Plan:
    """The records of one write, each applied to a working copy of the associations as it is added,
    so later steps of the same write see the earlier ones."""

    state: RegistryState
    associations: dict[tuple[str, ...], dict[str, Any]] = field(init=False)
    gone: set[str] = field(default_factory=set)  # subjects this plan deletes
    records: list[Record] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.associations = dict(self.state.associations)

    def add(self, key: RecordKey, value: dict[str, Any] | None) -> None:
        self.records.append((key, value))
        if key.keytype is KeyType.ASSOC:
            ident = (*(v for _, v in key.fields), key.subject or "")
            if value is None:
                self.associations.pop(ident, None)
            else:
                self.associations[ident] = value

    def has_subject(self, subject: str) -> bool:
        return subject not in self.gone and bool(self.state.versions(subject))


class Associations:
    """Find, create, replace and delete associations, singly or in atomic batches."""

    def __init__(self, writer: StateWriter, modes: ModeRules, schemas: Schemas) -> None:
        self.writer = writer
        self.state = writer.state
        self.modes = modes
        self.schemas = schemas

    # ---- reads ----------------------------------------------------------------------------

    def guid_of(self, subject: str) -> str | None:
        """The GUID of the subject's latest live version (an association shows it), if any."""
        live = self.state.versions(subject)
        return live[-1].schema.guid if live else None

    def find(
        self,
        *,
        source: dict[tuple[str, ...], dict[str, Any]] | None = None,
        subject: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        resource_id: str | None = None,
        resource_type: str | None = None,
        association_types: list[str] | None = None,
        lifecycle: str | None = None,
    ) -> list[dict[str, Any]]:
        """Stored association values (of ``source``, default the state) matching every given
        filter (namespace ``-`` matches any)."""
        types = {t.lower() for t in association_types or []}
        stored = self.state.associations if source is None else source
        out = []
        for k, v in sorted(stored.items()):
            if k[0] != DEFAULT_TENANT:
                continue
            if subject is not None and v["subject"] != subject:
                continue
            if name is not None and v["resourceName"] != name:
                continue
            if namespace not in (None, WILDCARD) and v["resourceNamespace"] != namespace:
                continue
            if resource_id is not None and v.get("resourceId") != resource_id:
                continue
            if resource_type and v["resourceType"] != resource_type.lower():
                continue
            if types and v["associationType"] not in types:
                continue
            if lifecycle and v.get("lifecycle", "WEAK") != lifecycle.upper():
                continue
            out.append(v)
        return out

    def batch_get(self, selectors: list[Selector]) -> list[list[dict[str, Any]]]:
        """``:batchGet``: the stored values each selector matches, in order (``[]`` when none)."""
        return [self.find(**s.filters) for s in selectors]

    def tombstones(self, subject: str, source: dict[tuple[str, ...], dict[str, Any]] | None = None) -> list[Record]:
        """Tombstones of every association of the subject (written when it is deleted permanently)."""
        return [(key_of(v), None) for v in self.find(source=source, subject=subject)]

    # ---- writes ---------------------------------------------------------------------------

    async def create_or_update(self, request: Upsert, *, replace: bool) -> None:
        """``POST /associations`` (replace=False) or ``PUT /associations`` (replace=True); an
        item's ``schema`` is registered under its subject first."""
        for item in request.items:
            if item.schema is not None:
                await self.schemas.register(item.subject, item.schema, normalize=item.normalize)
        async with self.writer.lock:
            plan = Plan(self.state)
            self.plan_upsert(plan, request, replace=replace)
            if plan.records:
                await self.writer.write(plan.records)

    async def batch_mutate(self, mutations: list[tuple[str, Selector | Upsert]]) -> list[int | None]:
        """``:batchMutate``: every entry (``CREATE``/``UPSERT`` with an :class:`Upsert`, ``DELETE``
        with a :class:`Selector`) planned in order, then written at once; per entry, the count a
        DELETE removed (None for the others). A failing entry's error names it (``requests[i]:``)."""
        async with self.writer.lock:
            plan = Plan(self.state)
            results: list[int | None] = []
            for index, (op, request) in enumerate(mutations):
                try:
                    if isinstance(request, Selector):
                        results.append(self.plan_delete(plan, request.filters, cascade=request.cascade))
                    else:
                        self.plan_upsert(plan, request, replace=op == "UPSERT")
                        results.append(None)
                except errors.RegistryError as exc:
                    raise errors.in_batch_entry(index, exc) from None
            if plan.records:
                await self.writer.write(plan.records)
        return results

    def plan_upsert(self, plan: Plan, request: Upsert, *, replace: bool) -> None:
        name, rtype = request.name, request.resource_type
        for item in request.items:
            if not plan.has_subject(item.subject):
                raise errors.subject_not_found(item.subject)
            current = self.find(source=plan.associations, namespace=request.namespace, name=name,
                                resource_type=rtype, association_types=[item.association_type])
            value = {
                "tenant": DEFAULT_TENANT, "resourceName": name, "resourceNamespace": request.namespace,
                "resourceId": request.resource_id, "resourceType": rtype,
                "associationType": item.association_type, "subject": item.subject,
                "lifecycle": item.lifecycle, "frozen": item.frozen,
            }
            for old in current:
                if old == value:
                    continue
                if not replace:
                    raise errors.association_exists(
                        f"The {rtype} '{name}' already has a {old['associationType']} association "
                        f"with subject '{old['subject']}'; use PUT /associations to change it"
                    )
                if old.get("frozen"):
                    raise errors.association_frozen(
                        f"The {old['associationType']} association of {rtype} '{name}' with subject "
                        f"'{old['subject']}' is frozen and cannot be changed"
                    )
                if old["subject"] != item.subject:
                    plan.add(key_of(old), None)
            if value not in current:
                plan.add(key_of(value), value)

    async def delete(self, *, cascade: bool = False, **filters: Any) -> int:
        """Delete the associations matching the filters (see :meth:`find`); 40410 when none do.
        With ``cascade``, the subjects of the STRONG ones are deleted permanently too."""
        async with self.writer.lock:
            plan = Plan(self.state)
            count = self.plan_delete(plan, filters, cascade=cascade)
            await self.writer.write(plan.records)
            return count

    def plan_delete(self, plan: Plan, filters: dict[str, Any], *, cascade: bool) -> int:
        found = self.find(source=plan.associations, **filters)
        if not found:
            raise errors.association_not_found(_not_found_message(filters))
        for value in found:
            plan.add(key_of(value), None)
        if cascade:
            strong = [v["subject"] for v in found if v.get("lifecycle", "WEAK") == "STRONG"]
            self._plan_subject_deletes(plan, list(dict.fromkeys(strong)))
        return len(found)

    def _plan_subject_deletes(self, plan: Plan, subjects: list[str]) -> None:
        """Delete the subjects permanently: checked all first (mode, references), then planned."""
        doomed = [s for s in subjects if s not in plan.gone and self.state.versions(s, include_deleted=True)]
        leaving = plan.gone | set(doomed)
        for subject in doomed:
            self.modes.check_writable(subject, self.modes.effective(subject))
            for sv in self.state.versions(subject, include_deleted=True):
                users = self.state.referencing(subject, sv.version, include_deleted=True)
                if any(user.subject not in leaving for user in users):
                    raise errors.reference_exists(subject, sv.version)
        for subject in doomed:
            for key, value in purge_records(self.state, subject):
                plan.add(key, value)
            for key, value in self.tombstones(subject, plan.associations):
                plan.add(key, value)
            plan.gone.add(subject)


def _not_found_message(filters: dict[str, Any]) -> str:
    if filters.get("subject") is not None:
        return f"No associations found for subject '{filters['subject']}'"
    if filters.get("resource_id") is not None:
        return f"No associations found for resource id '{filters['resource_id']}'"
    return (f"No associations found for resource '{filters.get('name')}' in namespace "
            f"'{filters.get('namespace')}'")
