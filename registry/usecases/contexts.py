"""Schema contexts as the registry keeps them: listing, deleting, and their CONTEXT records.

A context comes into being the first time a subject of it is registered: the registration writes
Confluent's CONTEXT record (``{"keytype":"CONTEXT","tenant":"default","context":".ctx"}``) in the
same write as the SCHEMA record. ``DELETE /contexts/{ctx}`` refuses with 42211 while the context
has subjects (soft-deleted ones included) and otherwise tombstones that record.
"""

from __future__ import annotations

from typing import Any

from charter.registry import errors
from charter.registry.contexts import DEFAULT_CONTEXT, check_context, context_of
from charter.registry.store.records import DEFAULT_TENANT, RecordKey, context_key
from charter.registry.store.state_writer import StateWriter


class Contexts:
    """Listing and deleting contexts, and the CONTEXT record a registration may need."""

    def __init__(self, writer: StateWriter) -> None:
        self.writer = writer
        self.state = writer.state

    def list(self, prefix: str = "") -> list[str]:
        """``GET /contexts``: the default context and every other one, sorted."""
        return [c for c in self.state.context_names() if c.startswith(prefix)]

    def new_context_records(self, subject: str) -> list[tuple[RecordKey, dict[str, Any] | None]]:
        """The CONTEXT record to write with a registration, when the subject's context is new."""
        context = context_of(subject)
        if context == DEFAULT_CONTEXT or context in self.state.contexts:
            return []
        return [(context_key(context), {"tenant": DEFAULT_TENANT, "context": context})]

    def subjects_of(self, context: str) -> list[str]:
        """Every subject of the context that has versions (soft-deleted ones included)."""
        return [s for s, versions in self.state.subjects.items() if versions and context_of(s) == context]

    async def delete(self, context: str) -> None:
        """``DELETE /contexts/{ctx}``: 42211 while it has subjects, 404 when it is unknown."""
        check_context(context)
        async with self.writer.lock:
            if self.subjects_of(context):
                raise errors.context_not_empty(context)
            if context not in self.state.context_names():
                raise errors.context_not_found(context)
            if context in self.state.contexts:
                await self.writer.write([(context_key(context), None)])
