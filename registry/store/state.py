"""The registry's in-memory state: a pure function of the `_schemas` records applied so far.

:meth:`RegistryState.apply` takes one decoded record at a time, in log order, exactly as
Confluent's and Karapace's readers do: SCHEMA (a version, soft-deleted with ``deleted:true``,
hard-deleted by a tombstone), CONFIG and MODE (per subject or global; a tombstone removes),
DELETE_SUBJECT (soft-deletes versions up to the given one), CLEAR_SUBJECT and ASSOC (subject to
resource associations). Each distinct
schema content is kept once, shared by every subject and version that uses it, so memory does
not grow with duplicates. Records it cannot use are reported to the caller, never fatal.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from charter.registry.records import KeyType, RecordFormatError, RecordKey

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(slots=True, eq=False)
class SchemaContent:
    """One distinct schema, with its global id. Shared by every version that uses it."""

    id: int
    schema_type: str
    text: str
    references: tuple[Reference, ...]
    metadata: dict[str, Any] | None
    rule_set: dict[str, Any] | None
    fingerprint: bytes
    users: int = 0  # how many live versions point here

    @property
    def guid(self) -> str:
        """The schema's GUID: a UUID made of its content fingerprint (same content, same GUID)."""
        return str(uuid.UUID(bytes=self.fingerprint))


@dataclass(slots=True, eq=False)
class SubjectVersion:
    subject: str
    version: int
    schema: SchemaContent
    deleted: bool
    timestamp_ms: int


def fingerprint(
    schema_type: str,
    text: str,
    references: Iterable[Reference],
    metadata: dict[str, Any] | None = None,
    rule_set: dict[str, Any] | None = None,
) -> bytes:
    """The identity of a schema's content: same fingerprint, same global id."""
    h = hashlib.md5(usedforsecurity=False)
    h.update(schema_type.encode())
    h.update(b"\x00")
    h.update(text.encode())
    for ref in references:
        h.update(f"\x00{ref.name}\x00{ref.subject}\x00{ref.version}".encode())
    if metadata:
        h.update(b"\x00m" + orjson.dumps(metadata, option=orjson.OPT_SORT_KEYS))
    if rule_set:
        h.update(b"\x00r" + orjson.dumps(rule_set, option=orjson.OPT_SORT_KEYS))
    return h.digest()


def parse_references(raw: Any) -> tuple[Reference, ...]:
    """References from a record value or request body; raises ValueError on a bad shape."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("references must be a list")
    refs = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError("each reference must be an object with name, subject and version")
        name, subject, version = item.get("name"), item.get("subject"), item.get("version")
        if not isinstance(name, str) or not isinstance(subject, str):
            raise ValueError("a reference needs a string name and subject")
        if isinstance(version, bool) or not isinstance(version, int):
            raise ValueError(f"reference {name!r} needs an integer version")
        refs.append(Reference(name, subject, version))
    return tuple(refs)


@dataclass
class RegistryState:
    schemas_by_id: dict[int, SchemaContent] = field(default_factory=dict)
    ids_by_fingerprint: dict[bytes, int] = field(default_factory=dict)
    # subject -> version -> SubjectVersion, versions kept in ascending order
    subjects: dict[str, dict[int, SubjectVersion]] = field(default_factory=dict)
    configs: dict[str | None, dict[str, Any]] = field(default_factory=dict)
    modes: dict[str | None, str] = field(default_factory=dict)
    # (subject, version) -> versions that reference it, as (subject, version)
    referrers: dict[tuple[str, int], set[tuple[str, int]]] = field(default_factory=dict)
    # ASSOC records: (tenant, resourceName, resourceNamespace, resourceType, associationType,
    # subject) -> the record value
    associations: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)
    max_id: int = 0
    offset: int = -1
    skipped: int = 0

    # ---- applying records -------------------------------------------------------------

    def apply(self, key: RecordKey, value: dict[str, Any] | None, offset: int, timestamp_ms: int) -> None:
        """Apply one record. Raises RecordFormatError for a value this reader cannot use."""
        self.offset = offset
        kt = key.keytype
        if kt is KeyType.SCHEMA:
            assert key.subject is not None and key.version is not None
            if value is None:
                self._drop_version(key.subject, key.version)
            else:
                self._put_version(key.subject, key.version, value, timestamp_ms)
        elif kt is KeyType.CONFIG:
            if value is None:
                self.configs.pop(key.subject, None)
            else:
                self.configs[key.subject] = {k: v for k, v in value.items() if k != "subject"}
        elif kt is KeyType.MODE:
            if value is None:
                self.modes.pop(key.subject, None)
            else:
                mode = value.get("mode")
                if not isinstance(mode, str):
                    raise RecordFormatError("MODE value without a mode")
                self.modes[key.subject] = mode
        elif kt is KeyType.DELETE_SUBJECT and value is not None and key.subject is not None:
            upto = value.get("version")
            for v in self.subjects.get(key.subject, {}).values():
                if not isinstance(upto, int) or v.version <= upto:
                    v.deleted = True
        elif kt is KeyType.ASSOC:
            assoc = (*(v for _, v in key.fields), key.subject or "")
            if value is None:
                self.associations.pop(assoc, None)
            else:
                self.associations[assoc] = value
        # NOOP, CLEAR_SUBJECT and CONTEXT (contexts are not supported yet) carry nothing kept here.

    def _put_version(self, subject: str, version: int, value: dict[str, Any], ts: int) -> None:
        schema_id, text = value.get("id"), value.get("schema")
        if isinstance(schema_id, bool) or not isinstance(schema_id, int) or not isinstance(text, str):
            raise RecordFormatError("SCHEMA value without an integer id and a schema string")
        try:
            refs = parse_references(value.get("references"))
        except ValueError as exc:
            raise RecordFormatError(str(exc)) from None
        schema_type = value.get("schemaType") or "AVRO"
        metadata, rule_set = value.get("metadata"), value.get("ruleSet")
        content = self.schemas_by_id.get(schema_id)
        if content is None:
            fp = fingerprint(schema_type, text, refs, metadata, rule_set)
            content = SchemaContent(schema_id, schema_type, text, refs, metadata, rule_set, fp)
            self.schemas_by_id[schema_id] = content
            self.ids_by_fingerprint.setdefault(fp, schema_id)
        elif content.text != text or content.schema_type != schema_type or content.references != refs:
            raise RecordFormatError(
                f"id {schema_id} is already taken by a different schema; ignoring {subject} v{version}"
            )
        self.max_id = max(self.max_id, schema_id)
        subject = sys.intern(subject)
        versions = self.subjects.setdefault(subject, {})
        content.users += 1  # before unlinking the old version, which may share this content
        old = versions.get(version)
        if old is not None:
            self._unlink(old)
        in_order = old is not None or not versions or version > next(reversed(versions))
        versions[version] = SubjectVersion(subject, version, content, bool(value.get("deleted")), ts)
        if not in_order:  # keep each subject's versions in ascending order (IMPORT may go back)
            self.subjects[subject] = dict(sorted(versions.items()))
        for ref in refs:
            self.referrers.setdefault((ref.subject, ref.version), set()).add((subject, version))

    def _unlink(self, old: SubjectVersion) -> None:
        content = old.schema
        content.users -= 1
        for ref in content.references:
            users = self.referrers.get((ref.subject, ref.version))
            if users is not None:
                users.discard((old.subject, old.version))
                if not users:
                    del self.referrers[(ref.subject, ref.version)]
        if content.users <= 0:
            self.schemas_by_id.pop(content.id, None)
            if self.ids_by_fingerprint.get(content.fingerprint) == content.id:
                del self.ids_by_fingerprint[content.fingerprint]

    def _drop_version(self, subject: str, version: int) -> None:
        versions = self.subjects.get(subject)
        if not versions or version not in versions:
            return
        self._unlink(versions.pop(version))
        if not versions:
            del self.subjects[subject]

    # ---- queries ------------------------------------------------------------------------

    def versions(self, subject: str, *, include_deleted: bool = False) -> list[SubjectVersion]:
        """The subject's versions in ascending order."""
        versions = self.subjects.get(subject)
        if not versions:
            return []
        if include_deleted:
            return list(versions.values())
        return [v for v in versions.values() if not v.deleted]

    def version(self, subject: str, version: int) -> SubjectVersion | None:
        versions = self.subjects.get(subject)
        return versions.get(version) if versions else None

    def iter_versions(self) -> Iterator[SubjectVersion]:
        for subject in sorted(self.subjects):
            yield from self.versions(subject, include_deleted=True)

    def schema_by_guid(self, guid: str) -> SchemaContent | None:
        try:
            fp = uuid.UUID(guid).bytes
        except ValueError:
            return None
        schema_id = self.ids_by_fingerprint.get(fp)
        return None if schema_id is None else self.schemas_by_id.get(schema_id)

    def referencing(self, subject: str, version: int, *, include_deleted: bool) -> list[SubjectVersion]:
        """Versions whose schema references ``subject`` version ``version``."""
        out = []
        for s, v in self.referrers.get((subject, version), ()):
            sv = self.version(s, v)
            if sv is not None and (include_deleted or not sv.deleted):
                out.append(sv)
        return out
