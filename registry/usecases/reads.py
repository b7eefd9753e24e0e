"""Reading subjects and schemas: versions by number, schemas by id or GUID, listings.

Reads answer from the in-memory state; a schema in another ``format`` (e.g. Avro ``resolved``) is
parsed in a worker thread. A subject name is first resolved through its ``alias``
(:mod:`.aliases`) wherever Confluent does so.

With access control on, the API edge passes a ``readable`` predicate (may the caller read this
subject?) to the reads that reach subjects other than the one asked for: a schema is readable when
some subject using it is (:meth:`Reads.schema_readable`), and a schema's references must all be
readable for it to be shown resolved or checked (:meth:`Reads.unreadable_reference`). ``None``
means every subject is readable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from charter.compat import ParsedSchema
from charter.registry import errors
from charter.registry.contexts import DEFAULT_CONTEXT, context_of, matches_prefix, reference_subject
from charter.registry.store.state import LATEST, Reference, RegistryState, SchemaContent, SubjectVersion
from charter.registry.usecases.aliases import resolve_alias
from charter.registry.usecases.contracts import matches_properties
from charter.registry.usecases.parsing import SchemaParser, resolve_references

Readable = Callable[[str], bool]


class Reads:
    """Subject, version and schema reads."""

    def __init__(self, state: RegistryState, parser: SchemaParser) -> None:
        self.state = state
        self.parser = parser

    def resolve_subject(self, subject: str) -> str:
        """The subject a name stands for in schema reads and writes (its ``alias``, see aliases)."""
        return resolve_alias(self.state.configs, subject)

    def subjects(self, prefix: str, *, deleted: bool, deleted_only: bool) -> list[str]:
        """``GET /subjects``: subjects matching the prefix with live versions (``deleted``: or only
        soft-deleted ones; ``deleted_only``: only those), sorted."""
        out = []
        for subject, versions in self.state.subjects.items():
            if not versions or not matches_prefix(subject, prefix):
                continue
            live = any(not v.deleted for v in versions.values())
            if deleted_only:
                if not live:
                    out.append(subject)
            elif live or deleted:
                out.append(subject)
        return sorted(out)

    def versions(self, subject: str, *, deleted: bool, deleted_only: bool) -> list[SubjectVersion]:
        """``GET /subjects/{s}/versions``: live versions (``deleted``: and soft-deleted ones;
        ``deleted_only``: only those); 40401 when there is none and only live ones were asked for."""
        subject = self.resolve_subject(subject)
        versions = self.state.versions(subject, include_deleted=deleted or deleted_only)
        if deleted_only:
            return [v for v in versions if v.deleted]
        if not versions:
            raise errors.subject_not_found(subject)
        return versions

    def resolve_version(self, subject: str, version: int, *, include_deleted: bool) -> SubjectVersion:
        """A subject's version by number or LATEST; 40401/40402 (or 40406 when soft-deleted)."""
        versions = self.state.versions(subject, include_deleted=include_deleted)
        if not versions:
            if include_deleted or not self.state.subjects.get(subject):
                raise errors.subject_not_found(subject)
            if version == LATEST:
                raise errors.subject_not_found(subject)
            raise errors.version_not_found(version)
        if version == LATEST:
            return versions[-1]
        for sv in versions:
            if sv.version == version:
                return sv
        raise errors.version_not_found(version)

    def referenced_by(
        self, subject: str, version: int, *, deleted: bool, readable: Readable | None = None
    ) -> list[int]:
        """The ids of the schemas that reference a version (``referencedby``), sorted; only those of
        ``readable`` subjects when given."""
        subject = self.resolve_subject(subject)
        sv = self.resolve_version(subject, version, include_deleted=True)
        referencing = self.state.referencing(subject, sv.version, include_deleted=deleted)
        return sorted({r.schema.id for r in referencing if readable is None or readable(r.subject)})

    def latest_with_metadata(self, subject: str, wanted: Mapping[str, str], *, deleted: bool) -> SubjectVersion:
        """The latest version whose metadata properties hold every pair of ``wanted``."""
        subject = self.resolve_subject(subject)
        versions = self.state.versions(subject, include_deleted=deleted)
        if not versions:
            raise errors.subject_not_found(subject)
        for sv in reversed(versions):
            if matches_properties(sv.schema.metadata, wanted):
                return sv
        raise errors.metadata_not_found(subject, ", ".join(f"{k}={v}" for k, v in wanted.items()))

    def parse_job(self, *contents: SchemaContent) -> Callable[[], list[ParsedSchema]]:
        """Parsing stored schemas (cached), to run in a worker thread: their references are resolved
        now, on the event loop (a snapshot of the state)."""
        snapshot = [(c, resolve_references(self.state, c.references, c.context)) for c in contents]
        return lambda: [self.parser.parse_stored(c, deps) for c, deps in snapshot]

    async def parsed(self, *contents: SchemaContent) -> list[ParsedSchema]:
        """Stored schemas parsed (cached) in a worker thread (:meth:`parse_job`)."""
        return await asyncio.to_thread(self.parse_job(*contents))

    async def formatted_text(self, content: SchemaContent, fmt: str | None) -> str:
        """The schema text in a requested ``format`` (e.g. Avro ``resolved``); stored text by default."""
        if not fmt or fmt.lower() == "default":
            return content.text
        (parsed,) = await self.parsed(content)
        return parsed.formatted(fmt)

    def schema_by_id(self, schema_id: int, subject: str | None = None) -> SchemaContent:
        """A schema by id in the context of ``subject`` (Confluent's ``?subject=``; default ``.``).

        A subject of the default context whose id is not there is tried in every other context,
        as Confluent does for consumers of schemas linked into a context."""
        context = context_of(self.resolve_subject(subject)) if subject else DEFAULT_CONTEXT
        content = self.state.space(context).schemas_by_id.get(schema_id)
        if content is None and subject and context == DEFAULT_CONTEXT:
            content = next((space.schemas_by_id[schema_id] for _, space in sorted(self.state.id_spaces.items())
                            if schema_id in space.schemas_by_id), None)
        if content is None:
            raise errors.schema_not_found(schema_id)
        return content

    def users_of(self, content: SchemaContent) -> list[SubjectVersion]:
        """Every subject version (soft-deleted ones included) whose schema is ``content``."""
        return [sv for sv in self.state.iter_versions() if sv.schema is content]

    def version_under(
        self, content: SchemaContent, subject: str, readable: Readable | None = None
    ) -> SubjectVersion | None:
        """The subject version ``GET /schemas/ids/{id}?subject=`` reports (Confluent's
        ``getSchemaKeyUsingContexts``): the subject's latest version with this schema, else the first
        subject version that has it (live ones before soft-deleted ones); of ``readable`` subjects."""
        subject = self.resolve_subject(subject)
        holders = sorted(
            (sv for sv in self.users_of(content) if readable is None or readable(sv.subject)),
            key=lambda sv: (sv.deleted, sv.subject != subject, sv.subject, -sv.version),
        )
        return holders[0] if holders else None

    def schema_readable(self, content: SchemaContent, readable: Readable) -> bool:
        """Whether some subject using the schema (in any version, soft-deleted ones included: their
        readers may ask for them with ``deleted=true``) is ``readable``, as Confluent's RBAC asks."""
        return any(readable(sv.subject) for sv in self.users_of(content))

    def unreadable_reference(
        self, refs: tuple[Reference, ...], context: str, readable: Readable
    ) -> str | None:
        """The first subject the references reach (transitively) that is not ``readable``, or None."""
        pending = [(context, ref) for ref in refs]
        seen: set[tuple[str, int]] = set()
        while pending:
            referrer_context, ref = pending.pop()
            subject = reference_subject(referrer_context, ref.subject)
            if (subject, ref.version) in seen:
                continue
            seen.add((subject, ref.version))
            if not readable(subject):
                return subject
            sv = self.state.version(subject, ref.version)
            if sv is not None:
                pending.extend((sv.schema.context, child) for child in sv.schema.references)
        return None

    def schema_by_guid(self, guid: str) -> SchemaContent:
        """The schema with this GUID (the default context's first); 40403 when there is none."""
        content = self.state.schema_by_guid(guid)
        if content is not None:
            return content
        raise errors.guid_not_found(guid)
