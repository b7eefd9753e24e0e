"""Deleting subjects and versions, soft (``deleted: true``) and permanent (tombstones), as Confluent does.

A soft delete of a subject writes DELETE_SUBJECT and drops the subject's config and mode; a soft
delete of a version rewrites its SCHEMA record with ``deleted: true``. A permanent delete needs the
soft one first and writes a tombstone per version, newest first. References are checked before
either (42206), and so is the mode. A subject gone for good (permanent delete, or the hard delete
of its last version) loses its associations. :func:`purge_records` is both deletes at once, for
the STRONG lifecycle cascade of associations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from charter.registry import errors
from charter.registry.store.records import RecordKey, config_key, delete_subject_key, mode_key, schema_key
from charter.registry.store.state import LATEST, SubjectVersion

if TYPE_CHECKING:
    from charter.registry.store.state import RegistryState
    from charter.registry.store.state_writer import StateWriter
    from charter.registry.usecases.associations import Associations
    from charter.registry.usecases.modes import ModeRules
    from charter.registry.usecases.reads import Reads

Record = tuple[RecordKey, "dict[str, Any] | None"]  # a record to write (None: a tombstone)


def _soft_delete_records(state: RegistryState, subject: str, versions: list[SubjectVersion]) -> list[Record]:
    """What a soft delete of the subject writes: DELETE_SUBJECT, and its config and mode go."""
    records: list[Record] = [
        (delete_subject_key(subject), {"subject": subject, "version": versions[-1].version})
    ]
    if subject in state.configs:
        records.append((config_key(subject), None))
    if subject in state.modes:
        records.append((mode_key(subject), None))
    return records


def _hard_delete_records(subject: str, versions: list[SubjectVersion]) -> list[Record]:
    return [(schema_key(subject, sv.version), None) for sv in reversed(versions)]


def purge_records(state: RegistryState, subject: str) -> list[Record]:
    """A soft then a hard delete of every version of the subject, as the two deletes write them
    (the lifecycle cascade of associations; the caller checks references and mode)."""
    versions = state.versions(subject, include_deleted=True)
    if not versions:
        return []
    soft = _soft_delete_records(state, subject, versions) if any(not v.deleted for v in versions) else []
    return [*soft, *_hard_delete_records(subject, versions)]


class Deletes:
    """Soft and permanent deletes of subjects and versions."""

    def __init__(self, writer: StateWriter, modes: ModeRules, reads: Reads, associations: Associations) -> None:
        self.writer = writer
        self.state = writer.state
        self.modes = modes
        self.reads = reads
        self.associations = associations

    async def delete_subject(self, subject: str, permanent: bool) -> list[int]:
        async with self.writer.lock:
            versions = self.state.versions(subject, include_deleted=True)
            if not versions:
                raise errors.subject_not_found(subject)
            self.modes.check_writable(subject, self.modes.effective(subject))
            live = [v for v in versions if not v.deleted]
            if not permanent and not live:
                raise errors.subject_soft_deleted(subject)
            # As Confluent: per version, references are checked before the soft-delete rule.
            for sv in versions if permanent else live:
                if self.state.referencing(subject, sv.version, include_deleted=permanent):
                    raise errors.reference_exists(subject, sv.version)
                if permanent and not sv.deleted:
                    raise errors.subject_not_soft_deleted(subject)
            if permanent:
                # gone for good: its associations go too (see associations)
                await self.writer.write([*_hard_delete_records(subject, versions),
                                         *self.associations.tombstones(subject)])
                return [sv.version for sv in versions]
            await self.writer.write(_soft_delete_records(self.state, subject, versions))
            return [sv.version for sv in live]

    async def delete_version(self, subject: str, version: int, permanent: bool) -> int:
        async with self.writer.lock:
            # `latest` of a soft delete means the latest live version; a number may name a
            # soft-deleted version (40406 below), as in Confluent.
            sv = self.reads.resolve_version(subject, version, include_deleted=permanent or version != LATEST)
            self.modes.check_writable(subject, self.modes.effective(subject))
            if permanent:
                if not sv.deleted:
                    raise errors.version_not_soft_deleted(subject, sv.version)
                if self.state.referencing(subject, sv.version, include_deleted=True):
                    raise errors.reference_exists(subject, sv.version)
                records: list[Record] = [(schema_key(subject, sv.version), None)]
                if len(self.state.versions(subject, include_deleted=True)) == 1:  # its last version
                    records.extend(self.associations.tombstones(subject))
                await self.writer.write(records)
                return sv.version
            if sv.deleted:
                raise errors.version_soft_deleted(subject, sv.version)
            if self.state.referencing(subject, sv.version, include_deleted=False):
                raise errors.reference_exists(subject, sv.version)
            value = sv.record_value()
            value["deleted"] = True
            await self.writer.write([(schema_key(subject, sv.version), value)])
            return sv.version
