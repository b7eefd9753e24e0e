"""Associations between subjects and resources (Kafka topics): Confluent's ``/associations``.

An association says "the ``value`` (or ``key``) of topic T in cluster C uses subject S". It is an
ASSOC record keyed by (tenant, resourceName, resourceNamespace, resourceType, associationType,
subject); a tombstone removes it. confluent-kafka's default ASSOCIATED subject-name strategy asks
``GET /associations/resources/{cluster or -}/{topic}`` and falls back to the topic strategy on 404.

A resource has at most one association per type. ``POST`` creates (409 40902 when the type is
already associated with another subject), ``PUT`` creates or replaces (409 40903 when the existing
one is frozen). A request may carry a ``schema`` to register under the subject first; otherwise
the subject must exist (40401).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from charter.registry import errors
from charter.registry.records import DEFAULT_TENANT, RecordKey, assoc_key
from charter.registry.schemas import read_schema_request

if TYPE_CHECKING:
    from charter.registry.service import RegistryService

RESOURCE_TYPES = ("topic",)
ASSOCIATION_TYPES = ("key", "value")
LIFECYCLES = ("STRONG", "WEAK")
WILDCARD = "-"


def _text(body: dict[str, Any], name: str, *, required: bool, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is None:
        if required:
            raise errors.invalid_association(f"'{name}' is required")
        return None
    if not isinstance(value, str) or not value:
        raise errors.invalid_association(f"'{name}' must be a non-empty string")
    return value


def _choice(value: str, name: str, allowed: tuple[str, ...], *, upper: bool = False) -> str:
    norm = value.upper() if upper else value.lower()
    if norm not in allowed:
        raise errors.invalid_association(f"invalid {name} '{value}'; use one of {', '.join(allowed)}")
    return norm


def view(value: dict[str, Any], guid: str | None) -> dict[str, Any]:
    """The ``Association`` entity of a stored value."""
    out = {
        "subject": value["subject"],
        "resourceName": value["resourceName"],
        "resourceNamespace": value["resourceNamespace"],
        "resourceId": value.get("resourceId"),
        "resourceType": value["resourceType"],
        "associationType": value["associationType"],
        "lifecycle": value.get("lifecycle", "WEAK"),
        "frozen": bool(value.get("frozen")),
    }
    if guid is not None:
        out["guid"] = guid
    return out


class AssociationService:
    def __init__(self, service: RegistryService) -> None:
        self.service = service
        self.state = service.state
        self.writer = service.writer

    # ---- reads ----------------------------------------------------------------------------

    def _guid(self, subject: str) -> str | None:
        live = self.state.versions(subject)
        return live[-1].schema.guid if live else None

    def _all(self) -> list[dict[str, Any]]:
        return [v for k, v in sorted(self.state.associations.items()) if k[0] == DEFAULT_TENANT]

    def find(
        self,
        *,
        subject: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        resource_id: str | None = None,
        resource_type: str | None = None,
        association_types: list[str] | None = None,
        lifecycle: str | None = None,
    ) -> list[dict[str, Any]]:
        """Stored association values matching every given filter (namespace ``-`` matches any)."""
        types = {t.lower() for t in association_types or []}
        out = []
        for v in self._all():
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

    def views(self, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [view(v, self._guid(v["subject"])) for v in values]

    # ---- writes ---------------------------------------------------------------------------

    async def create_or_update(self, body: Any, *, replace: bool) -> dict[str, Any]:
        """``POST /associations`` (replace=False) or ``PUT /associations`` (replace=True)."""
        if not isinstance(body, dict):
            raise errors.bad_request("The body must be a JSON object with resourceName, resourceNamespace "
                                     "and associations")
        name = _text(body, "resourceName", required=True)
        namespace = _text(body, "resourceNamespace", required=True)
        rtype = _choice(_text(body, "resourceType", required=False, default="topic") or "topic",
                        "resourceType", RESOURCE_TYPES)
        assert name is not None and namespace is not None
        if namespace == WILDCARD:
            raise errors.invalid_association("resourceNamespace '-' is a lookup wildcard; give the cluster id")
        resource_id = _text(body, "resourceId", required=False) or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"charter:{rtype}:{namespace}:{name}")
        )
        items = body.get("associations")
        if not isinstance(items, list) or not items:
            raise errors.invalid_association("'associations' must be a non-empty list of {subject, associationType}")
        wanted: list[dict[str, Any]] = []
        for item in items:
            wanted.append(await self._read_item(item, wanted))
        async with self.writer.lock:
            records: list[tuple[RecordKey, dict[str, Any] | None]] = []
            for item in wanted:
                subject = item["subject"]
                if not self.state.versions(subject):
                    raise errors.subject_not_found(subject)
                current = self.find(namespace=namespace, name=name, resource_type=rtype,
                                    association_types=[item["associationType"]])
                value = {
                    "tenant": DEFAULT_TENANT, "resourceName": name, "resourceNamespace": namespace,
                    "resourceId": resource_id, "resourceType": rtype,
                    "associationType": item["associationType"], "subject": subject,
                    "lifecycle": item["lifecycle"], "frozen": item["frozen"],
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
                    if old["subject"] != subject:
                        records.append((self._key(old), None))
                if value not in current:
                    records.append((self._key(value), value))
            if records:
                await self.writer.write(records)
        return {
            "resourceName": name, "resourceNamespace": namespace, "resourceId": resource_id,
            "resourceType": rtype,
            "associations": [
                {k: item[k] for k in ("subject", "associationType", "lifecycle", "frozen")} for item in wanted
            ],
        }

    async def _read_item(self, item: Any, seen: list[dict[str, Any]]) -> dict[str, Any]:
        """One entry of ``associations``; registers its ``schema`` under the subject when given."""
        if not isinstance(item, dict):
            raise errors.invalid_association("each entry of 'associations' must be an object with a subject")
        subject = _text(item, "subject", required=True)
        assert subject is not None
        atype = _choice(_text(item, "associationType", required=False, default="value") or "value",
                        "associationType", ASSOCIATION_TYPES)
        if any(s["associationType"] == atype for s in seen):
            raise errors.invalid_association(f"the request has more than one '{atype}' association")
        lifecycle = _choice(_text(item, "lifecycle", required=False, default="WEAK") or "WEAK",
                            "lifecycle", LIFECYCLES, upper=True)
        frozen = item.get("frozen", False)
        if frozen is None:
            frozen = False
        if not isinstance(frozen, bool):
            raise errors.invalid_association("'frozen' must be true or false")
        if item.get("schema") is not None:
            request = read_schema_request(item["schema"], self.service.settings.max_schema_bytes)
            await self.service.register(subject, request, normalize=item.get("normalize") is True)
        return {"subject": subject, "associationType": atype, "lifecycle": lifecycle, "frozen": frozen}

    @staticmethod
    def _key(value: dict[str, Any]) -> RecordKey:
        return assoc_key(value["resourceName"], value["resourceNamespace"], value["resourceType"],
                         value["associationType"], value["subject"], value.get("tenant", DEFAULT_TENANT))

    async def delete(self, **filters: Any) -> int:
        """Delete the associations matching the filters (see :meth:`find`); 40410 when none do."""
        async with self.writer.lock:
            found = self.find(**filters)
            if not found:
                raise errors.association_not_found(_not_found_message(filters))
            await self.writer.write([(self._key(v), None) for v in found])
            return len(found)


def _not_found_message(filters: dict[str, Any]) -> str:
    if filters.get("subject") is not None:
        return f"No associations found for subject '{filters['subject']}'"
    if filters.get("resource_id") is not None:
        return f"No associations found for resource id '{filters['resource_id']}'"
    return (f"No associations found for resource '{filters.get('name')}' in namespace "
            f"'{filters.get('namespace')}'")
