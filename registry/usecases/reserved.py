"""Reserved fields (config ``validateFields``), checked before the compatibility level.

A schema version lists reserved field names in its metadata property ``confluent:reserved``
(comma-separated). With ``validateFields=true``, as in Confluent, a candidate is incompatible
when it drops a name the previous version reserved, or has a field whose name is reserved; these
messages come first in the compatibility result. Field names are a schema's own fields (see
``ParsedSchema.field_names``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from charter.compat import ParsedSchema

RESERVED_PROPERTY = "confluent:reserved"
RESERVED_FIELD_REMOVED = (
    "The new schema has reserved field {} removed from its metadata which is present in the old schema's metadata."
)
FIELD_CONFLICTS_WITH_RESERVED = "The new schema has field that conflicts with the reserved field {}."


def reserved_fields(metadata: Mapping[str, Any] | None) -> set[str]:
    """The names in a metadata's ``confluent:reserved`` property (blank entries ignored)."""
    value = ((metadata or {}).get("properties") or {}).get(RESERVED_PROPERTY)
    if not isinstance(value, str):
        return set()
    return {name.strip() for name in value.split(",") if name.strip()}


def reserved_messages(
    candidate: ParsedSchema,
    metadata: Mapping[str, Any] | None,
    previous_metadata: Mapping[str, Any] | None,
) -> list[str]:
    """Confluent's reserved-field messages for a candidate against the latest previous version
    (``previous_metadata`` None when there is none): removed reservations, then conflicts."""
    reserved = reserved_fields(metadata)
    messages = [
        RESERVED_FIELD_REMOVED.format(name)
        for name in sorted(reserved_fields(previous_metadata) - reserved)
    ]
    fields = candidate.field_names()
    messages.extend(FIELD_CONFLICTS_WITH_RESERVED.format(name) for name in sorted(reserved & fields))
    return messages
