"""JSON shapes of Confluent's entities and answers, built from the state's and the use cases' values."""

from __future__ import annotations

from typing import Any

from charter.compat import SchemaTags
from charter.registry.store.state import SchemaContent, SubjectVersion
from charter.registry.usecases.associations import Upsert
from charter.registry.usecases.config import ConfigUpdate


def content_fields(content: SchemaContent, out: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    out["guid"] = content.guid
    out["schemaType"] = content.schema_type
    if content.references:
        out["references"] = [r.to_json() for r in content.references]
    if content.metadata is not None:  # Schema's Jackson shows an empty Metadata / RuleSet as {}
        out["metadata"] = content.metadata
    if content.rule_set is not None:
        out["ruleSet"] = content.rule_set
    out["schema"] = content.text if text is None else text
    return out


def schema_string(content: SchemaContent, text: str | None = None, sv: SubjectVersion | None = None) -> dict[str, Any]:
    """``GET /schemas/ids/{id}``: Confluent's ``SchemaString``, the schema text with its type and
    references; asked with ``?subject=``, also the subject version it was found under (subject,
    version, ts and deleted, as ``AbstractSchemaRegistry.get(id, subject, ...)`` fills them)."""
    if sv is None:
        return content_fields(content, {}, text)
    out = content_fields(content, {"subject": sv.subject, "version": sv.version}, text)
    out["ts"] = sv.timestamp_ms
    if sv.deleted:
        out["deleted"] = True
    return out


def register_response(sv: SubjectVersion) -> dict[str, Any]:
    """Confluent's ``RegisterSchemaResponse`` of the version registered (or found): id, version,
    guid, schemaType, references, metadata and ruleSet, but not the schema text. confluent-kafka
    caches a returned text under the id for every format, which would hand its Protobuf
    deserializer canonical text where it asked for ``format=serialized``; without it the client
    caches the text it sent."""
    out = content_fields(sv.schema, {"id": sv.schema.id, "version": sv.version})
    del out["schema"]
    return out


def subject_version(sv: SubjectVersion, text: str | None = None) -> dict[str, Any]:
    """The ``Schema`` entity: subject, version, id, type, references, schema (and deleted, ts)."""
    out = content_fields(sv.schema, {"subject": sv.subject, "version": sv.version, "id": sv.schema.id}, text)
    if sv.deleted:
        out["deleted"] = True
    out["ts"] = sv.timestamp_ms
    return out


def add_schema_tags(body: dict[str, Any], found: list[SchemaTags]) -> None:
    """``findTags``: the matching tagged entities as ``schemaTags``, left out when none matches (as
    Confluent omits empty fields)."""
    if found:
        body["schemaTags"] = [item.to_json() for item in found]


def config_update(update: ConfigUpdate) -> dict[str, Any]:
    """What ``PUT /config`` answers: the level as ``compatibility``, then the other fields given."""
    out: dict[str, Any] = {"compatibility": update.level} if update.level is not None else {}
    out.update(update.fields)
    return out


def association(value: dict[str, Any], guid: str | None) -> dict[str, Any]:
    """The ``Association`` entity of a stored value (``guid``: its subject's latest schema's)."""
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


def association_response(request: Upsert) -> dict[str, Any]:
    """The ``AssociationResponse`` of a create/update: the resource and the associations asked for."""
    return {
        "resourceName": request.name, "resourceNamespace": request.namespace, "resourceId": request.resource_id,
        "resourceType": request.resource_type,
        "associations": [{"subject": i.subject, "associationType": i.association_type,
                          "lifecycle": i.lifecycle, "frozen": i.frozen} for i in request.items],
    }
