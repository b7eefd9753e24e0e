"""Turning schema requests into parsed schemas: reference resolution, parsing, caching.

A :class:`SchemaRequest` (read from a register/lookup/compatibility body by the API,
:func:`charter.registry.api.bodies.read_schema_request`) becomes a :class:`Candidate`: the parsed
schema plus the text and fingerprint the registry stores. Referenced schemas are looked up in the
state on the event loop (a snapshot of immutable contents); parsing happens in the caller's thread,
off the loop. Parsed stored schemas are kept in a bounded LRU so compatibility checks do not re-
parse history on every request.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from charter.compat import InvalidSchemaError, ParsedSchema
from charter.compat.depth import MAX_DEPTH, too_deep
from charter.compat.formats import get_format
from charter.registry import errors
from charter.registry.contexts import reference_subject
from charter.registry.store.identity import fingerprint
from charter.registry.store.state import LATEST, Reference, RegistryState, SchemaContent, SubjectVersion
from charter.registry.usecases.contracts import as_stored, metadata_can_look_up

MAX_REFERENCE_DEPTH = MAX_DEPTH  # the one nesting limit (compat.depth), for reference chains too
# The config values that add metadata and rules to a new version (see contracts.effective_contract)
CONTRACT_CONFIGS = ("defaultMetadata", "overrideMetadata", "defaultRuleSet", "overrideRuleSet")
# Each parse cache holds parsed schemas of at most this many characters of text in all (about 13
# times that in memory): 2,000 typical schemas fit, a few hundred large ones do not pile up.
PARSED_TEXT_BUDGET = 4 * 2**20
SchemaKey = tuple[str, int]  # (context, id): a stored schema's identity across contexts


@dataclass(frozen=True, slots=True)
class SchemaRequest:
    """A validated register/lookup body, not yet parsed as a schema."""

    schema_type: str
    text: str
    references: tuple[Reference, ...]
    metadata: dict[str, Any] | None
    rule_set: dict[str, Any] | None
    schema_id: int | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parsed schema ready to be stored: the text to store and its identity."""

    request: SchemaRequest
    parsed: ParsedSchema
    text: str
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class Dependencies:
    """The schemas a candidate references, directly or through other references.

    ``edges`` maps each reachable schema's key (``(context, id)``, see SchemaContent.key) to its
    own references as ``(name, key)``;
    ``roots`` are the candidate's references. A snapshot of immutable contents, so it can
    be handed to a worker thread.
    """

    contents: dict[SchemaKey, SchemaContent]
    edges: dict[SchemaKey, tuple[tuple[str, SchemaKey], ...]]
    roots: tuple[tuple[str, SchemaKey], ...]

    def ordered(self) -> list[tuple[str, SchemaContent]]:
        """Every schema reachable from the roots, each after its own dependencies."""
        out: list[tuple[str, SchemaContent]] = []
        seen: set[SchemaKey] = set()

        def visit(name: str, schema_id: SchemaKey) -> None:
            if schema_id in seen:
                return
            seen.add(schema_id)
            for child in self.edges[schema_id]:
                visit(*child)
            out.append((name, self.contents[schema_id]))

        for name, schema_id in self.roots:
            visit(name, schema_id)
        return out

    def rooted_at(self, schema_id: SchemaKey) -> Dependencies:
        """The same graph seen from one of its schemas: that schema's own references."""
        return Dependencies(self.contents, self.edges, self.edges[schema_id])

    def cache_key(self) -> tuple[tuple[str, SchemaKey], ...]:
        return self.roots


NO_DEPENDENCIES = Dependencies({}, {}, ())


def pin_latest_references(state: RegistryState, request: SchemaRequest, context: str) -> SchemaRequest:
    """The request with each reference to version -1 pinned to the referenced subject's latest
    version, as Confluent's ``AbstractSchemaProvider.resolveReferences`` does before storing it
    (a subject without live versions is left as is: resolving then answers 42201)."""
    if not any(ref.version == LATEST for ref in request.references):
        return request
    refs = []
    for ref in request.references:
        live = state.versions(reference_subject(context, ref.subject)) if ref.version == LATEST else []
        refs.append(Reference(ref.name, ref.subject, live[-1].version) if live else ref)
    return dataclasses.replace(request, references=tuple(refs))


def fill_empty(live: list[SubjectVersion], request: SchemaRequest) -> SchemaRequest:
    """Confluent's ``AbstractSchemaRegistry.maybePopulateFromPrevious``: an empty (or blank, or
    absent) schema takes the latest of the subject's ``live`` versions' schema, type and
    references; a subject without versions makes it 42201 "Empty schema"."""
    if request.text.strip():
        return request
    if not live:
        raise errors.invalid_schema("Empty schema")
    c = live[-1].schema
    return dataclasses.replace(request, schema_type=c.schema_type, text=c.text, references=c.references)


def resolve_references(state: RegistryState, refs: tuple[Reference, ...], context: str) -> Dependencies:
    """Find every (transitively) referenced schema; 42201 when one does not exist. ``context`` is
    the referrer's: an unqualified reference subject is looked up there (see contexts)."""
    if not refs:
        return NO_DEPENDENCIES
    contents: dict[SchemaKey, SchemaContent] = {}
    edges: dict[SchemaKey, tuple[tuple[str, SchemaKey], ...]] = {}

    def lookup(ref: Reference, referrer_context: str) -> SchemaContent:
        sv = state.version(reference_subject(referrer_context, ref.subject), ref.version)
        if sv is None:
            raise errors.invalid_schema(
                f"Invalid schema: reference '{ref.name}' points to subject '{ref.subject}' "
                f"version {ref.version}, which does not exist"
            )
        return sv.schema

    path: list[tuple[str, SchemaKey]] = []  # the references followed to get here: a cycle returns to one
    height: dict[SchemaKey, int] = {}  # a resolved schema's longest chain of references, itself included

    def visit(name: str, content: SchemaContent) -> int:
        if any(key == content.key for _, key in path):
            start = next(i for i, (_, key) in enumerate(path) if key == content.key)
            raise errors.reference_cycle([n for n, _ in path[start:]] + [name])
        below = height.get(content.key, 1)
        if len(path) + below > MAX_REFERENCE_DEPTH:
            raise errors.invalid_schema(str(too_deep("references are", MAX_REFERENCE_DEPTH)))
        if content.key in contents:
            return below
        contents[content.key] = content
        children = [(ref.name, lookup(ref, content.context)) for ref in content.references]
        edges[content.key] = tuple((child_name, child.key) for child_name, child in children)
        path.append((name, content.key))
        height[content.key] = 1 + max((visit(child_name, child) for child_name, child in children), default=0)
        path.pop()
        return height[content.key]

    roots = [(ref.name, lookup(ref, context)) for ref in refs]
    for name, content in roots:
        visit(name, content)
    return Dependencies(contents, edges, tuple((name, c.key) for name, c in roots))


class ParsedCache:
    """A thread-safe LRU of parsed schemas (or other values), bounded by its number of entries and
    by their total weight: the size of the texts they were parsed from (a parsed schema takes about
    13 times the memory of its text, so a count alone lets a few thousand large schemas take
    gigabytes). The newest entry is kept even when it alone weighs more than the budget."""

    def __init__(self, capacity: int, max_weight: int | None = None) -> None:
        self.capacity = capacity
        self.max_weight = max_weight
        self.weight = 0
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def get_or_make(self, key: Any, make: Callable[[], Any], weight: int = 0) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
        value = make()
        with self._lock:
            old = self._items.pop(key, None)
            self.weight += weight - (old[1] if old is not None else 0)
            self._items[key] = (value, weight)
            budget = self.max_weight
            while len(self._items) > self.capacity or (
                    budget is not None and self.weight > budget and len(self._items) > 1):
                self.weight -= self._items.popitem(last=False)[1][1]
        return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.weight = 0


class SchemaParser:
    """Parses candidates and stored schemas (with their dependencies), with caches."""

    def __init__(self, cache_size: int = 2000, identity_cache_size: int = 100_000,
                 cache_text_budget: int = PARSED_TEXT_BUDGET) -> None:
        self.stored = ParsedCache(cache_size, cache_text_budget)
        self.candidates = ParsedCache(cache_size, cache_text_budget)
        # digest of a request -> the fingerprint it parsed to: lookups of a known text skip parsing
        self.fingerprints = ParsedCache(identity_cache_size)

    def parse_stored(self, content: SchemaContent, deps: Dependencies) -> ParsedSchema:
        """A stored schema, parsed leniently (it was validated when it was registered).

        ``deps`` must have the schema's own references as roots (see resolve_references).
        """

        def make() -> ParsedSchema:
            fmt = get_format(content.schema_type)
            try:
                return fmt.parse(content.text, self.parsed_dependencies(deps), validate=False)
            except InvalidSchemaError as exc:  # only a schema written before a limit existed
                raise errors.stored_schema_unusable(content.key, str(exc)) from None
            except RecursionError:
                raise errors.stored_schema_unusable(content.key, "it nests too deeply") from None

        return self.stored.get_or_make(content.key, make, content.text_size)

    def parsed_dependencies(self, deps: Dependencies) -> dict[str, ParsedSchema]:
        """Every schema reachable from deps.roots, parsed, in dependency order."""
        return {
            name: self.parse_stored(c, deps.rooted_at(c.key)) for name, c in deps.ordered()
        }

    @staticmethod
    def _candidate_key(request: SchemaRequest, deps: Dependencies, normalize: bool) -> tuple[Any, ...]:
        return (request.schema_type, request.text, deps.cache_key(), request.references, normalize)

    @staticmethod
    def _request_digest(request: SchemaRequest, deps: Dependencies, normalize: bool) -> bytes:
        key = [request.schema_type, request.text, deps.cache_key(), request.references, normalize,
               request.metadata, request.rule_set]
        return hashlib.md5(orjson.dumps(key, option=orjson.OPT_SORT_KEYS), usedforsecurity=False).digest()

    def cached_fingerprint(self, request: SchemaRequest, deps: Dependencies, *, normalize: bool) -> bytes | None:
        """The fingerprint this exact request parsed to before, if remembered (no parsing at all)."""
        return self.fingerprints.get(self._request_digest(request, deps, normalize))

    def cached_candidate(self, request: SchemaRequest, deps: Dependencies, *, normalize: bool) -> Candidate | None:
        """The candidate if this exact text was parsed recently (cheap: no parsing, no thread hop)."""
        hit = self.candidates.get(self._candidate_key(request, deps, normalize))
        return None if hit is None else self._finish(request, hit, normalize)

    def parse_candidate(self, request: SchemaRequest, deps: Dependencies, *, normalize: bool) -> Candidate:
        """Parse a new schema strictly; 42201 with the parser's message when it is invalid."""

        def make() -> tuple[ParsedSchema | _InvalidMarker, str]:
            fmt = get_format(request.schema_type)
            try:
                parsed = fmt.parse(request.text, self.parsed_dependencies(deps), validate=True)
                if normalize:
                    parsed = parsed.normalized()
                return parsed, parsed.canonical()
            except InvalidSchemaError as exc:
                return _InvalidMarker(str(exc)), ""
            except RecursionError:
                return _InvalidMarker("Invalid schema: the schema nests too deeply"), ""

        hit = self.candidates.get_or_make(self._candidate_key(request, deps, normalize), make, len(request.text))
        candidate = self._finish(request, hit, normalize)
        self.fingerprints.get_or_make(self._request_digest(request, deps, normalize), lambda: candidate.fingerprint)
        return candidate

    @staticmethod
    def _finish(
        request: SchemaRequest, hit: tuple[ParsedSchema | _InvalidMarker, str], normalize: bool
    ) -> Candidate:
        parsed, text = hit
        if isinstance(parsed, _InvalidMarker):
            raise errors.invalid_schema(parsed.message)
        refs = request.references
        if normalize:
            refs = tuple(sorted(set(refs), key=lambda r: (r.name, r.subject, r.version)))
            request = SchemaRequest(
                request.schema_type, request.text, refs, request.metadata, request.rule_set,
                request.schema_id, request.version,
            )
        fp = fingerprint(request.schema_type, text, refs, request.metadata, request.rule_set)
        return Candidate(request, parsed, text, fp)


@dataclass(frozen=True, slots=True)
class _InvalidMarker:
    message: str


def can_look_up(candidate: Candidate, sv: SubjectVersion) -> bool:
    """Confluent's ``ParsedSchema.canLookup``: the same schema, references and rules, with
    metadata equal but for ``confluent:version`` (see contracts.metadata_can_look_up). The text is
    compared last: it is read from the text store (and only when its size matches)."""
    c, asked = sv.schema, candidate.request
    return (
        c.schema_type == asked.schema_type and c.references == asked.references
        and as_stored(c.rule_set) == as_stored(asked.rule_set)  # RuleSet.equals: null is not {}
        and metadata_can_look_up(asked.metadata, c.metadata, sv.version)
        and c.has_text(candidate.text)
    )
