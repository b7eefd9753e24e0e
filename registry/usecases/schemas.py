"""The schema use cases: register, look up, and check compatibility under a subject.

Every write is one or more `_schemas` records: built under the write lock from the current state,
appended durably to the log, then applied to the state, and only then acknowledged; a refused
write appends nothing. Parsing and compatibility checks run in worker threads so a large schema
never stalls the event loop for other requests: read-only compatibility checks in
:data:`workers.CHECKS`, the rest (registrations, lookups) in :data:`workers.SERVING`, so that
expensive checks never delay writes or lookups; one check's size is bounded (``--max-check-chars``,
:func:`workers.check_budget`). Which earlier versions a level checks is decided by
:func:`charter.compat.levels.versions_to_check`, here and in the check itself.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from charter.compat import CompatibilityLevel, CompatibilityResult, ParsedSchema
from charter.compat.levels import check_compatibility, versions_to_check
from charter.registry import errors
from charter.registry.contexts import context_of, is_context_scope
from charter.registry.settings import Settings
from charter.registry.store.identity import md5_of
from charter.registry.store.records import schema_key, schema_value
from charter.registry.store.state import LATEST, SchemaContent, SubjectVersion
from charter.registry.store.state_writer import StateWriter
from charter.registry.usecases.aliases import resolve_alias
from charter.registry.usecases.config import Config
from charter.registry.usecases.contexts import Contexts
from charter.registry.usecases.contracts import (
    confluent_version_text,
    effective_contract,
    group_value,
    validate_metadata,
    validate_rule_set,
    with_confluent_version,
)
from charter.registry.usecases.modes import Mode
from charter.registry.usecases.parsing import (
    CONTRACT_CONFIGS,
    Candidate,
    Dependencies,
    SchemaParser,
    SchemaRequest,
    can_look_up,
    fill_empty,
    pin_latest_references,
    resolve_references,
)
from charter.registry.usecases.reserved import reserved_messages
from charter.registry.usecases.workers import CHECKS, SERVING, Pool, check_budget

log = logging.getLogger(__name__)

# Schemas up to this many characters are parsed on the event loop; larger ones in a thread.
INLINE_PARSE_CHARS = 4 * 1024

History = list[tuple[int, SchemaContent, Dependencies]]  # newest first: (version, content, dependencies)


class Schemas:
    """Register, look up and check schemas under a subject."""

    def __init__(
        self, writer: StateWriter, parser: SchemaParser, config: Config, contexts: Contexts,
        max_check_chars: int = Settings.max_check_chars,
    ) -> None:
        self.writer = writer
        self.max_check_chars = max_check_chars
        self.state = writer.state
        self.parser = parser
        self.config = config
        self.modes = config.modes
        self.contexts = contexts

    def resolve_subject(self, subject: str) -> str:
        """The subject a name stands for in schema reads and writes (its ``alias``, see aliases)."""
        return resolve_alias(self.state.configs, subject)

    def _normalize(self, subject: str | None, requested: bool) -> bool:
        return requested or self.config.config_flag(subject, "normalize")

    async def prepare(self, subject: str, request: SchemaRequest, normalize: bool, pool: Pool = SERVING) -> Candidate:
        """Parse a candidate for ``subject`` (whose context its references are read in): small ones
        on the event loop (cheaper than a thread hop), large ones in a ``pool`` thread so they never
        stall other requests."""
        deps = resolve_references(self.state, request.references, context_of(subject))
        cached = self.parser.cached_candidate(request, deps, normalize=normalize)
        if cached is not None:
            return cached
        if len(request.text) <= INLINE_PARSE_CHARS and not deps.roots:
            return self.parser.parse_candidate(request, deps, normalize=normalize)
        return await pool.run(self.parser.parse_candidate, request, deps, normalize=normalize)

    def known_fingerprint(self, subject: str, request: SchemaRequest, normalize: bool) -> bytes | None:
        """The fingerprint of a request seen before, without parsing (None if not remembered)."""
        deps = resolve_references(self.state, request.references, context_of(subject))
        return self.parser.cached_fingerprint(request, deps, normalize=normalize)

    def with_contract(self, subject: str, request: SchemaRequest, *, inherit: bool = True) -> SchemaRequest:
        """The request with the metadata and rule set a new version would get (see contracts)."""
        latest = next((v for v in reversed(self.state.subjects.get(subject, {}).values()) if not v.deleted), None)
        previous = (latest.schema.metadata, latest.schema.rule_set) if latest and inherit else None
        config = {name: self.config.config_value(subject, name) for name in CONTRACT_CONFIGS}
        metadata, rule_set = effective_contract(request.metadata, request.rule_set, previous, config)
        if metadata == request.metadata and rule_set == request.rule_set:
            return request
        return dataclasses.replace(request, metadata=metadata, rule_set=rule_set)

    def _registered_contract(self, subject: str, request: SchemaRequest, mode: Mode) -> SchemaRequest:
        """The request as a new version would store it: :meth:`with_contract`, then, as Confluent's
        ``AbstractSchemaRegistry.maybeSetMetadataRuleSet`` does, ``confluent:version`` set to the
        version it would get when a version was asked for (``-1`` too) or the metadata names one."""
        merged = self.with_contract(subject, request)
        if mode is Mode.IMPORT or (not request.version and confluent_version_text(merged.metadata) is None):
            return merged
        every = self.state.subjects.get(subject)
        next_version = next(reversed(every)) + 1 if every else 1  # deleted versions count
        return dataclasses.replace(merged, metadata=with_confluent_version(merged.metadata, next_version))

    async def _look_up_as_given(
        self, subject: str, request: SchemaRequest, normalize: bool, *, latest_only: bool
    ) -> SubjectVersion | None:
        """Confluent's ``registerOrForward`` look-up before registering (only without configured
        default or override metadata and rules): the request as sent, against every live version
        newest first, or only the latest for version -1."""
        if any(self.config.config_value(subject, name) is not None for name in CONTRACT_CONFIGS):
            return None
        live = self.state.versions(subject)
        if not live:
            return None
        candidate = await self.prepare(subject, request, normalize)
        targets = live[-1:] if latest_only else list(reversed(live))
        exact = next((sv for sv in targets if sv.schema.fingerprint == candidate.fingerprint), None)
        return exact or next((sv for sv in targets if can_look_up(candidate, sv)), None)

    def _in_group(self, subject: str, versions: list[SubjectVersion], metadata: Any) -> list[SubjectVersion]:
        """With a ``compatibilityGroup`` configured: only the versions in the candidate's group."""
        group = self.config.config_value(subject, "compatibilityGroup")
        if not isinstance(group, str) or not group:
            return versions
        mine = group_value(metadata, group)
        return [sv for sv in versions if group_value(sv.schema.metadata, group) == mine]

    def _previous(self, versions: list[SubjectVersion]) -> History:
        """Newest-first (version, content, dependencies) snapshots of ``versions`` (ascending)."""
        return [
            (sv.version, sv.schema, resolve_references(self.state, sv.schema.references, sv.schema.context))
            for sv in reversed(versions)
        ]

    async def _compatibility(
        self, level: CompatibilityLevel, candidate: Candidate, versions: list[SubjectVersion], subject: str,
        metadata: Any, pool: Pool,
    ) -> CompatibilityResult:
        """Check ``candidate`` against the ``versions`` (ascending) the level checks
        (:func:`versions_to_check`: only those are parsed), after the reserved-field checks against
        the newest when ``validateFields`` is on (see :mod:`charter.registry.usecases.reserved`);
        in a ``pool`` thread, within the work budget (:func:`check_budget`)."""
        newest_first = list(reversed(versions))
        chosen = self._previous(list(reversed(versions_to_check(level, newest_first))))
        sizes = [len(c.text) + sum(len(r.text) for r in d.contents.values()) for _, c, d in chosen]  # with references
        check_budget(subject, len(candidate.text), sizes, self.max_check_chars)
        latest = newest_first[0].schema.metadata if newest_first else None
        return await pool.run(self._check, level, candidate.parsed, chosen, subject, metadata, latest)

    def _check(
        self, level: CompatibilityLevel, candidate: ParsedSchema, previous: History, subject: str, metadata: Any,
        latest_metadata: Any,
    ) -> CompatibilityResult:
        """Runs in a worker thread: parse the versions to check (cached) and apply the level."""
        parsed = [(v, self.parser.parse_stored(c, d)) for v, c, d in previous]
        policy = self.config.compatibility_policy(subject)
        fields = self.config.config_flag(subject, "validateFields")
        leading = reserved_messages(candidate, metadata, latest_metadata) if fields else []
        return check_compatibility(level, candidate, parsed, policy=policy, validate_fields=fields, leading=leading)

    # ---- schemas: register -----------------------------------------------------------------

    async def register(
        self, subject: str, request: SchemaRequest, *, normalize: bool = False, new_version: int | None = None
    ) -> tuple[SubjectVersion, bool]:
        """Register (or find) the schema under the subject; returns (version, created).
        ``new_version``, when given, must be the version a new registration gets (else 42202).

        Ids are allocated in the subject's context (see :mod:`charter.registry.contexts`)."""
        if is_context_scope(subject):
            raise errors.invalid_subject(subject)
        subject = self.resolve_subject(subject)
        space_of = context_of(subject)
        mode = self.modes.effective(subject)
        self.modes.check_writable(subject, mode)
        request = pin_latest_references(self.state, fill_empty(self.state.versions(subject), request), space_of)
        validate_metadata(request.metadata)
        validate_rule_set(request.rule_set)
        explicit_id = request.schema_id is not None and request.schema_id >= 0
        normalize = self._normalize(subject, normalize)
        # Confluent's Schema(subject, request): no version is version 0, "any new version";
        # -1 is "the latest, or a new one"; another number must be the next version.
        wanted = request.version or 0
        given, request = request, self._registered_contract(subject, request, mode)
        fingerprint = self.known_fingerprint(subject, request, normalize)
        if fingerprint is not None and not explicit_id and mode is not Mode.IMPORT and wanted == 0:
            # The common re-registration of a known schema: answered without parsing.
            for sv in reversed(self.state.versions(subject)):
                if sv.schema.fingerprint == fingerprint:
                    return sv, False
        if mode is not Mode.IMPORT and not explicit_id and wanted in (0, LATEST):
            found = await self._look_up_as_given(subject, given, normalize, latest_only=wanted == LATEST)
            if found is not None:
                return found, False
        candidate = await self.prepare(subject, request, normalize)
        async with self.writer.lock:
            mode = self.modes.effective(subject)
            self.modes.check_writable(subject, mode)
            merged = self._registered_contract(subject, given, mode)
            if merged != request:  # the history changed while parsing (parse cache hit: cheap)
                request = merged
                candidate = await self.prepare(subject, request, normalize)
            all_versions = self.state.versions(subject, include_deleted=True)
            live = [v for v in all_versions if not v.deleted]
            # Confluent reuses an existing version only when no version was asked for (IMPORT: any)
            reusable = live if wanted == 0 or mode is Mode.IMPORT else []
            same = next((sv for sv in reversed(reusable) if sv.schema.fingerprint == candidate.fingerprint), None)
            if same is None and normalize and reusable:
                # A version stored without normalisation still matches its normalised form.
                found = await SERVING.run(self._match_normalized, candidate, self._previous(reusable))
                same = next((sv for sv in reusable if sv.version == found), None)
            if same is None and mode is not Mode.IMPORT:
                same = next((sv for sv in reversed(reusable) if can_look_up(candidate, sv)), None)
            if same is not None:
                if explicit_id and same.schema.id != request.schema_id:
                    raise errors.id_does_not_match(same.schema.id, request.schema_id or 0)
                return same, False
            space = self.state.space(space_of)
            existing_id = space.ids_by_fingerprint.get(candidate.fingerprint)
            if mode is Mode.IMPORT:
                schema_id, version = self.modes.import_target(subject, candidate, all_versions)
            else:
                if explicit_id:
                    if existing_id is not None and existing_id != request.schema_id:
                        raise errors.id_does_not_match(existing_id, request.schema_id or 0)
                    if existing_id is None:
                        raise errors.operation_not_permitted(
                            f"Subject {subject} is not in import mode: an explicit id can only be "
                            "given in IMPORT mode (PUT /mode/{subject} {\"mode\": \"IMPORT\"})"
                        )
                level = self.config.compatibility_level(subject)
                grouped = self._in_group(subject, live, request.metadata)
                fields = self.config.config_flag(subject, "validateFields")
                if (level is not CompatibilityLevel.NONE and grouped) or fields:
                    result = await self._compatibility(level, candidate, grouped, subject, request.metadata, SERVING)
                    if not result.is_compatible:
                        raise errors.incompatible_schema(subject, result.messages)
                schema_id = existing_id if existing_id is not None else self.state.next_id(space_of)
                version = (all_versions[-1].version + 1) if all_versions else 1
                if new_version is not None and new_version != version:
                    raise errors.invalid_new_version(new_version, version)
                if wanted > 0 and wanted != version:  # KafkaSchemaRegistry.register
                    raise errors.invalid_schema("Version is not one more than previous version")
            value = schema_value(
                subject, version, schema_id, request.schema_type, candidate.text,
                candidate.request.references, request.metadata, request.rule_set, deleted=False,
                md5=md5_of(candidate.fingerprint),
            )
            records = self.contexts.new_context_records(subject)
            await self.writer.write([*records, (schema_key(subject, version), value)])
            created = self.state.version(subject, version)
            if created is None or created.schema.id != schema_id:  # the state did not take the record
                raise errors.write_not_applied(f"{subject} version {version} (id {schema_id})")
            return created, True

    # ---- schemas: lookup and compatibility ------------------------------------------------

    async def lookup(
        self, subject: str, request: SchemaRequest, *, normalize: bool, deleted: bool
    ) -> SubjectVersion:
        subject = self.resolve_subject(subject)
        normalize = self._normalize(subject, normalize)
        if not request.text.strip():  # nothing to look up (SubjectsResource.lookUpSchemaUnderSubject)
            if not self.state.versions(subject, include_deleted=deleted):
                raise errors.subject_not_found(subject)
            raise errors.schema_not_found()
        request = pin_latest_references(self.state, request, context_of(subject))
        fingerprint = self.known_fingerprint(subject, request, normalize)
        candidate = None
        if fingerprint is None:
            candidate = await self.prepare(subject, request, normalize)
            fingerprint = candidate.fingerprint
        versions = self.state.versions(subject, include_deleted=deleted)
        if not versions:
            raise errors.subject_not_found(subject)
        ordered = sorted(versions, key=lambda v: (not v.deleted, v.version), reverse=True)
        for sv in ordered:
            if sv.schema.fingerprint == fingerprint:
                return sv
        candidate = candidate or await self.prepare(subject, request, normalize)
        for sv in ordered:  # Confluent's canLookup: ignoring confluent:version
            if can_look_up(candidate, sv):
                return sv
        merged = self.with_contract(subject, request)
        if merged != request:  # as Confluent: the version it would become, with inherited metadata
            candidate = await self.prepare(subject, merged, normalize)
            request = merged
            for sv in ordered:
                if sv.schema.fingerprint == candidate.fingerprint:
                    return sv
        if normalize:
            candidate = candidate or await self.prepare(subject, request, normalize)
            # Versions stored without normalisation still match their normalised form.
            previous = self._previous(versions)
            found = await SERVING.run(self._match_normalized, candidate, previous)
            if found is not None:
                return next(v for v in versions if v.version == found)
        raise errors.schema_not_found()

    def _match_normalized(
        self, candidate: Candidate, previous: History
    ) -> int | None:
        for version, content, deps in previous:
            if content.schema_type != candidate.request.schema_type:
                continue
            stored = self.parser.parse_stored(content, deps)
            if stored.normalized().canonical() == candidate.text:
                return version
        return None

    async def check(
        self,
        subject: str,
        version: int | None,
        request: SchemaRequest,
        *,
        normalize: bool,
    ) -> CompatibilityResult:
        """Check against one version (``LATEST`` or a number) or, with None, the level's versions."""
        subject = self.resolve_subject(subject)
        live = self.state.versions(subject)
        if version is None:
            targets = live
        elif version == LATEST:
            targets = live[-1:]
        else:
            sv = self.state.version(subject, version)
            if sv is None or sv.deleted:
                raise errors.version_not_found(version)
            targets = [sv]
        if not request.text.strip():  # AbstractSchemaRegistry.isCompatible: "Empty schema"
            raise errors.invalid_schema("Empty schema")
        request = self.with_contract(subject, pin_latest_references(self.state, request, context_of(subject)))
        candidate = await self.prepare(subject, request, self._normalize(subject, normalize), CHECKS)
        level = self.config.compatibility_level(subject)
        if version is None:
            targets = self._in_group(subject, targets, request.metadata)
        if not targets and not self.config.config_flag(subject, "validateFields"):
            return CompatibilityResult(True, [])
        return await self._compatibility(level, candidate, targets, subject, request.metadata, CHECKS)
