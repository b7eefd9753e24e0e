"""The registry's in-memory state: a pure function of the `_schemas` records applied so far.

:meth:`RegistryState.apply` takes one decoded record at a time, in log order, exactly as
Confluent's and Karapace's readers do: SCHEMA (a version, soft-deleted with ``deleted:true``,
hard-deleted by a tombstone), CONFIG and MODE (per subject or global; a tombstone removes),
DELETE_SUBJECT (soft-deletes versions up to the given one), CLEAR_SUBJECT, ASSOC (subject to
resource associations) and CONTEXT (a schema context exists; a tombstone deletes it). Schema ids
are unique per context (see :mod:`charter.registry.contexts`): each context has its own
:class:`IdSpace`. Each distinct schema content is kept once per context, shared by every subject
and version of that context that uses it, so memory does not grow with duplicates; its identity
(fingerprint, MD5, GUID) is computed by :mod:`.identity`. Records it cannot use are reported to the
caller, never fatal.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from charter.compat.model import DEFAULT_SCHEMA_TYPE
from charter.registry.contexts import DEFAULT_CONTEXT, context_of, reference_subject, valid_subject
from charter.registry.store.contents import IdTable, Reference, SchemaContent, SubjectVersion, Versions
from charter.registry.store.identity import fingerprint, guid_md5, is_plain, md5_of, tags_in_use
from charter.registry.store.records import KeyType, RecordFormatError, RecordKey, md5_text, stored_md5

log = logging.getLogger(__name__)

LATEST = -1  # "the newest version" where a version number is expected
MAX_VERSION = 2**31 - 1


def parse_references(raw: Any) -> tuple[Reference, ...]:
    """References from their JSON (Confluent's ``SchemaReference`` list), as a SCHEMA record value
    holds them; raises ValueError on a bad shape. The one reader of that shape: the API reads a
    request body's with it too (:func:`charter.registry.api.bodies.read_references`)."""
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
        refs.append(Reference(sys.intern(name), sys.intern(subject), version))
    return tuple(refs)


@dataclass
class IdSpace:
    """The schema ids of one context: contents by id, ids by fingerprint, the largest id seen."""

    schemas_by_id: IdTable = field(default_factory=IdTable)
    ids_by_fingerprint: dict[bytes, int] = field(default_factory=dict)
    # MD5 (GUID) -> id of the contents a GUID cannot find by fingerprint: not plain (see is_plain),
    # or with a record's md5 that differs from ours (SchemaContent.foreign_md5)
    ids_by_md5: dict[bytes, int] = field(default_factory=dict)
    max_id: int = 0


@dataclass
class RegistryState:
    # context -> its ids; the default context "." always exists
    id_spaces: dict[str, IdSpace] = field(default_factory=lambda: {DEFAULT_CONTEXT: IdSpace()})
    # contexts created by CONTEXT records (Confluent writes one per new context)
    contexts: set[str] = field(default_factory=set)
    # subject -> version -> SubjectVersion, versions kept in ascending order
    subjects: dict[str, Versions] = field(default_factory=dict)
    configs: dict[str | None, dict[str, Any]] = field(default_factory=dict)
    modes: dict[str | None, str] = field(default_factory=dict)
    # (subject, version) -> versions that reference it, as (subject, version)
    referrers: dict[tuple[str, int], set[tuple[str, int]]] = field(default_factory=dict)
    # ASSOC records: (tenant, resourceName, resourceNamespace, resourceType, associationType,
    # subject) -> the record value
    associations: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)
    offset: int = -1
    skipped: int = 0
    # context -> the largest id this process saw before the log went backwards (see replace_with)
    id_floors: dict[str, int] = field(default_factory=dict)

    # ---- ids per context ----------------------------------------------------------------

    @property
    def schemas_by_id(self) -> IdTable:
        """The default context's schemas by id."""
        return self.id_spaces[DEFAULT_CONTEXT].schemas_by_id

    @property
    def ids_by_fingerprint(self) -> dict[bytes, int]:
        """The default context's ids by fingerprint."""
        return self.id_spaces[DEFAULT_CONTEXT].ids_by_fingerprint

    @property
    def max_id(self) -> int:
        """The largest id of the default context."""
        return self.id_spaces[DEFAULT_CONTEXT].max_id

    def space(self, context: str) -> IdSpace:
        """A context's ids (empty when the context has none yet; not created by reading)."""
        return self.id_spaces.get(context) or IdSpace()

    def next_id(self, context: str) -> int:
        """The id a new schema of ``context`` gets: above every id of the log and above every id
        this process saw before the log went backwards (an id the log lost was acknowledged to a
        client, so it is never issued again for another schema)."""
        return max(self.space(context).max_id, self.id_floors.get(context, 0)) + 1

    def replace_with(self, fresh: RegistryState) -> list[str]:
        """Become ``fresh`` (a state rebuilt from the log) in one step, keeping the id floors; returns
        the versions this state held that ``fresh`` lacks, as ``subject vN (id I)``: what the log lost.
        Call it where readers cannot interleave (the event loop)."""
        lost = []
        for sv in self.iter_versions():
            kept = fresh.version(sv.subject, sv.version)
            if kept is None or kept.schema.key != sv.schema.key:
                lost.append(f"{sv.subject} v{sv.version} (id {sv.schema.id})")
        floors = dict(self.id_floors)
        for context, space in self.id_spaces.items():
            floors[context] = max(floors.get(context, 0), space.max_id)
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))
        self.id_floors = floors
        return lost

    def all_schemas(self) -> Iterator[SchemaContent]:
        """Every distinct schema content of every context."""
        for space in list(self.id_spaces.values()):
            yield from list(space.schemas_by_id.values())

    def schema_count(self) -> int:
        return sum(len(space.schemas_by_id) for space in self.id_spaces.values())

    def context_names(self) -> list[str]:
        """The default context, every context with a CONTEXT record, every context with subjects."""
        names = {DEFAULT_CONTEXT} | self.contexts | {context_of(s) for s in self.subjects if s.startswith(":")}
        return sorted(names)

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
        elif kt is KeyType.CONTEXT:
            context = key.field("context")
            if value is None:
                self.contexts.discard(context or "")
            elif context:
                self.contexts.add(context)
        # NOOP and CLEAR_SUBJECT carry nothing kept here.

    def _put_version(self, subject: str, version: int, value: dict[str, Any], ts: int) -> None:
        schema_id, text = value.get("id"), value.get("schema")
        if isinstance(schema_id, bool) or not isinstance(schema_id, int) or not isinstance(text, str):
            raise RecordFormatError("SCHEMA value without an integer id and a schema string")
        try:
            refs = parse_references(value.get("references"))
        except ValueError as exc:
            raise RecordFormatError(str(exc)) from None
        schema_type = value.get("schemaType") or DEFAULT_SCHEMA_TYPE
        metadata, rule_set = value.get("metadata"), value.get("ruleSet")
        if not valid_subject(subject):  # a malformed qualified name written by another registry
            raise RecordFormatError(f"subject {subject!r} names an invalid context")
        context = DEFAULT_CONTEXT if not subject.startswith(":") else sys.intern(context_of(subject))
        space = self.id_spaces.get(context)
        if space is None:
            space = self.id_spaces[context] = IdSpace()
        content = space.schemas_by_id.get(schema_id)
        if content is None:
            fp = fingerprint(schema_type, text, refs, metadata, rule_set)
            if type(schema_type) is str:  # not the SchemaType default, nor a malformed value
                schema_type = sys.intern(schema_type)  # one copy of the type name for all its schemas
            content = SchemaContent(schema_id, schema_type, text, refs, metadata, rule_set, fp, 0, context)
            space.schemas_by_id[schema_id] = content
            space.ids_by_fingerprint.setdefault(fp, schema_id)
            if value.get("md5") != md5_text(md5_of(fp)):  # decoded only when it may differ
                foreign = stored_md5(value)
                if foreign is not None and foreign != md5_of(fp):
                    content.foreign_md5 = foreign
            if content.foreign_md5 or not is_plain(fp):
                space.ids_by_md5.setdefault(content.md5, schema_id)
        elif content.schema_type != schema_type or content.references != refs or not content.has_text(text):
            raise RecordFormatError(
                f"id {schema_id} is already taken by a different schema; ignoring {subject} v{version}"
            )
        space.max_id = max(space.max_id, schema_id)
        versions = self.subjects.get(subject)
        if versions is None:
            versions = self.subjects[subject] = Versions()
        elif versions:  # one copy of the name for all its versions (not sys.intern: its table grows)
            subject = versions.values()[0].subject
        content.users += 1  # before unlinking the old version, which may share this content
        old = versions.put(SubjectVersion(subject, version, content, bool(value.get("deleted")), ts))
        if old is not None:
            self._unlink(old)
        for ref in refs:
            referred = (reference_subject(context, ref.subject), ref.version)
            self.referrers.setdefault(referred, set()).add((subject, version))

    def _unlink(self, old: SubjectVersion) -> None:
        content = old.schema
        content.users -= 1
        for ref in content.references:
            referred = (reference_subject(content.context, ref.subject), ref.version)
            users = self.referrers.get(referred)
            if users is not None:
                users.discard((old.subject, old.version))
                if not users:
                    del self.referrers[referred]
        if content.users <= 0:
            space = self.space(content.context)
            space.schemas_by_id.pop(content.id, None)
            if space.ids_by_fingerprint.get(content.fingerprint) == content.id:
                del space.ids_by_fingerprint[content.fingerprint]
            if space.ids_by_md5.get(content.md5) == content.id:
                del space.ids_by_md5[content.md5]

    def _drop_version(self, subject: str, version: int) -> None:
        versions = self.subjects.get(subject)
        old = versions.pop(version) if versions else None
        if old is None:
            return
        self._unlink(old)
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
        """The schema with this GUID (content-derived, so global): the default context's first, lowest id."""
        found = self.schemas_by_guid(guid)
        return found[0] if found else None

    def schemas_by_guid(self, guid: str) -> list[SchemaContent]:
        """The schema with this GUID in every context that holds it, default context first."""
        md5 = guid_md5(guid)
        if md5 is None:
            return []
        out = []
        for context in sorted(self.id_spaces):
            space = self.id_spaces[context]
            schema_id = space.ids_by_md5.get(md5)
            for tag in tags_in_use() if schema_id is None else ():
                schema_id = space.ids_by_fingerprint.get(md5 + tag)
                if schema_id is not None:
                    break
            content = None if schema_id is None else space.schemas_by_id.get(schema_id)
            if content is not None:
                out.append(content)
        return out

    def referencing(self, subject: str, version: int, *, include_deleted: bool) -> list[SubjectVersion]:
        """Versions whose schema references ``subject`` version ``version``."""
        out = []
        for s, v in self.referrers.get((subject, version), ()):
            sv = self.version(s, v)
            if sv is not None and (include_deleted or not sv.deleted):
                out.append(sv)
        return out
