"""Confluent's modes (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT) and what each allows.

- READWRITE: normal operation.
- READONLY: no schema writes (register, delete) in that scope; a subject-level mode can
  override a global READONLY.
- READONLY_OVERRIDE: set globally, makes every subject read-only whatever its own mode.
- IMPORT: registrations carry an explicit ``id`` (and may carry ``version``), keep them, and skip
  the compatibility check; it can only be entered on an empty registry (globally) or an empty
  subject, unless ``force=true``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from charter.registry import errors
from charter.registry.contexts import context_of, context_scope, is_context_scope

if TYPE_CHECKING:
    from charter.registry.schemas import Candidate
    from charter.registry.store.state import RegistryState, SubjectVersion


class Mode(StrEnum):
    READWRITE = "READWRITE"
    READONLY = "READONLY"
    READONLY_OVERRIDE = "READONLY_OVERRIDE"
    IMPORT = "IMPORT"

    @classmethod
    def parse(cls, value: Any) -> Mode:
        if not isinstance(value, str):
            raise errors.invalid_mode(value)
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise errors.invalid_mode(value) from None


def scopes(subject: str | None) -> tuple[str | None, ...]:
    """Where a subject's settings are looked up, most specific first: the subject, its context
    (``:.ctx:``, for subjects of a non-default context), then the global scope (None)."""
    if subject is None:
        return (None,)
    context = context_scope(subject)
    return (subject, None) if context is None else (subject, context, None)


class ModeRules:
    def __init__(self, state: RegistryState) -> None:
        self.state = state

    def _stored(self, subject: str | None) -> Mode | None:
        raw = self.state.modes.get(subject)
        if raw is None:
            return None
        try:
            return Mode(raw)
        except ValueError:
            return None

    def effective(self, subject: str | None) -> Mode:
        """The mode that applies to a subject: global override, subject, context, global, READWRITE."""
        global_mode = self._stored(None)
        if global_mode is Mode.READONLY_OVERRIDE:
            return global_mode
        for scope in scopes(subject)[:-1]:
            own = self._stored(scope)
            if own is not None:
                return own
        return global_mode or Mode.READWRITE

    def check_writable(self, subject: str, mode: Mode) -> None:
        if mode in (Mode.READONLY, Mode.READONLY_OVERRIDE):
            raise errors.operation_not_permitted(
                f"Subject {subject} is in read-only mode; change it with PUT /mode/{subject} "
                "or PUT /mode to allow writes"
            )

    def check_can_set(self, subject: str | None, mode: Mode, force: bool) -> None:
        if mode is not Mode.IMPORT or force:
            return
        if subject is None:
            if any(self.state.subjects.values()):
                raise errors.operation_not_permitted(
                    "Cannot import since found existing subjects; use force=true to switch anyway"
                )
        elif is_context_scope(subject):
            context = context_of(subject)
            if any(v and context_of(s) == context for s, v in self.state.subjects.items()):
                raise errors.operation_not_permitted(
                    f"Cannot import since found existing subjects in context {context}; "
                    "use force=true to switch anyway"
                )
        elif self.state.subjects.get(subject):
            raise errors.operation_not_permitted(
                f"Cannot import since found existing versions of subject {subject}; "
                "use force=true to switch anyway"
            )

    def import_target(
        self, subject: str, candidate: Candidate, all_versions: list[SubjectVersion]
    ) -> tuple[int, int]:
        """The (id, version) an IMPORT-mode registration writes, or a 42205/42207 refusal."""
        request = candidate.request
        if request.schema_id is None or request.schema_id < 0:
            raise errors.operation_not_permitted(
                f"Subject {subject} is in IMPORT mode: the request must give the schema's 'id'"
            )
        schema_id = request.schema_id
        holder = self.state.space(context_of(subject)).schemas_by_id.get(schema_id)
        if holder is not None and holder.fingerprint != candidate.fingerprint:
            raise errors.RegistryError(
                42207,
                f"Overwrite new schema with id {schema_id} is not permitted: that id is already "
                "taken by a different schema",
            )
        version = request.version if request.version not in (None, 0, -1) else None
        if version is None:
            version = (all_versions[-1].version + 1) if all_versions else 1
        elif version < 1:
            raise errors.invalid_version(str(version))
        else:
            existing = self.state.version(subject, version)
            if existing is not None and existing.schema.fingerprint != candidate.fingerprint:
                raise errors.operation_not_permitted(
                    f"Version {version} of subject {subject} already holds a different schema"
                )
        return schema_id, version
