"""``charter migrate``: reading one registry's contents over the Confluent REST API.

A :class:`Snapshot` holds every schema version (subject, version, id, text, type, references,
metadata, rule set, guid, soft-deleted or not) and the config and mode of each scope (global,
context ``:.ctx:``, subject, alias subject). It is read with the bulk ``GET /schemas`` listing
(paged, ``deleted=true`` and ``subjectPrefix=:*:``, every context at once) and, for a registry
that does not serve that listing, subject by subject (``GET /subjects``, ``/versions``,
``/versions/{v}``). Configs and modes are read per scope, several requests at a time.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from charter.cli.registryopts import call
from charter.clients import SchemaRegistryClient, SchemaRegistryError
from charter.compat.model import DEFAULT_SCHEMA_TYPE
from charter.registry.contexts import DEFAULT_CONTEXT, context_of, qualify, reference_subject, split

# Listings are read in pages of this many: a registry answers at most its own cap (Confluent's
# schema.search.max.limit, 1000 by default) and the next page follows; one without a cap (Charter)
# answers everything at once instead of rebuilding its whole list for every small page.
PAGE = 1_000_000
WORKERS = 8

Key = tuple[str, int]  # (subject, version)


def enc(value: object) -> str:
    return quote(str(value), safe="")


class Api:
    """Raw calls through a :class:`SchemaRegistryClient` (its auth, TLS, headers and retries);
    unreachable registries and refused credentials raise the exit-3 ``CliError``."""

    def __init__(self, client: SchemaRegistryClient, url: str) -> None:
        self.client = client
        self.url = url
        self.requests = 0

    def request(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        self.requests += 1
        return call(lambda: self.client.request(method, path, params, body), self.url)

    def optional(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """A GET whose 404 (not configured / not found) is None."""
        try:
            return self.request("GET", path, params)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                return None
            raise

    def paged(self, path: str, params: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        while True:
            chunk = self.request("GET", path, {**params, "offset": len(out), "limit": PAGE}) or []
            if not chunk or (out and chunk == out[:len(chunk)]):  # the end, or a registry that does not page
                return out
            out.extend(chunk)


@dataclass(frozen=True)
class Version:
    """One subject version as a registry holds it."""

    subject: str
    version: int
    id: int
    schema: str
    schema_type: str = DEFAULT_SCHEMA_TYPE
    references: tuple[tuple[str, str, int], ...] = ()
    metadata: Any = None
    rule_set: Any = None
    guid: str | None = None
    deleted: bool = False

    @property
    def key(self) -> Key:
        return (self.subject, self.version)

    @property
    def context(self) -> str:
        return context_of(self.subject)

    def dependencies(self) -> list[Key]:
        """The (subject, version) of each reference, in this version's context."""
        return [(reference_subject(self.context, subj), ver) for _name, subj, ver in self.references]

    def same_content(self, other: Version) -> bool:
        """The same schema (type, references and text, or JSON-equal text)."""
        if (self.schema_type, self.references) != (other.schema_type, other.references):
            return False
        if self.schema == other.schema or (self.guid and self.guid == other.guid):
            return True
        return _json(self.schema) is not None and _json(self.schema) == _json(other.schema)

    def body(self) -> dict[str, Any]:
        """The IMPORT-mode registration body: the schema with its id and version."""
        out: dict[str, Any] = {"schema": self.schema, "schemaType": self.schema_type, "id": self.id,
                               "version": self.version}
        if self.references:
            out["references"] = [{"name": n, "subject": s, "version": v} for n, s, v in self.references]
        if self.metadata is not None:
            out["metadata"] = self.metadata
        if self.rule_set is not None:
            out["ruleSet"] = self.rule_set
        return out

    @classmethod
    def parse(cls, d: dict[str, Any], subject: str | None = None, deleted: bool = False) -> Version:
        refs = tuple((r["name"], r["subject"], int(r["version"])) for r in d.get("references") or ())
        return cls(subject=d.get("subject") or subject or "", version=int(d["version"]), id=int(d["id"]),
                   schema=d.get("schema", ""), schema_type=d.get("schemaType") or DEFAULT_SCHEMA_TYPE, references=refs,
                   metadata=d.get("metadata"), rule_set=d.get("ruleSet"), guid=d.get("guid"),
                   deleted=bool(d.get("deleted", deleted)))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


@dataclass
class Scope:
    """What to take: subject globs and contexts (empty: everything)."""

    globs: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)

    def wants(self, subject: str) -> bool:
        context, name = split(subject)
        if self.contexts and context not in self.contexts:
            return False
        return not self.globs or any(fnmatch.fnmatchcase(subject, g) or fnmatch.fnmatchcase(name, g)
                                     for g in self.globs)

    def wants_context(self, context: str) -> bool:
        return not self.contexts or context in self.contexts


@dataclass
class Snapshot:
    """A registry's versions and settings (``configs``/``modes`` keyed by scope; None is global)."""

    versions: dict[Key, Version] = field(default_factory=dict)
    configs: dict[str | None, dict[str, Any]] = field(default_factory=dict)
    modes: dict[str | None, str] = field(default_factory=dict)
    aliases: set[str] = field(default_factory=set)
    contexts: list[str] = field(default_factory=list)

    def by_id(self) -> dict[tuple[str, int], list[Version]]:
        """The versions holding each (context, id)."""
        out: dict[tuple[str, int], list[Version]] = {}
        for v in self.versions.values():
            out.setdefault((v.context, v.id), []).append(v)
        return out

    def subjects(self) -> list[str]:
        return sorted({s for s, _ in self.versions})

    def add(self, v: Version) -> None:
        self.versions[v.key] = v


def read_versions(api: Api, scope: Scope) -> Snapshot:
    """Every version of the registry in ``scope`` (soft-deleted ones too), with aliases and contexts."""
    snap = Snapshot()
    contexts = api.optional("/contexts")
    snap.contexts = [c for c in (contexts or [DEFAULT_CONTEXT]) if scope.wants_context(c)]
    try:
        every = api.paged("/schemas", {"deleted": "true", "subjectPrefix": ":*:", "aliases": "true"})
        if any("deleted" in e for e in every):  # the registry marks soft-deleted versions itself
            live = {(e["subject"], int(e["version"])) for e in every if not e.get("deleted")}
        else:
            live = {(e["subject"], int(e["version"])) for e in api.paged("/schemas", {"subjectPrefix": ":*:"})}
    except SchemaRegistryError as exc:
        if exc.http_status_code not in (404, 405, 501):
            raise
        return read_by_subject(api, scope, snap)
    if not every and api.request("GET", "/subjects", {"deleted": "true"}):
        return read_by_subject(api, scope, snap)  # a registry whose listing ignores the ':*:' prefix
    for entry in every:
        if not scope.wants(entry["subject"]):
            continue
        version = Version.parse(entry, deleted=(entry["subject"], int(entry["version"])) not in live)
        snap.add(version)
        snap.aliases.update(a for a in entry.get("aliases") or () if scope.wants(a))
    return snap


def read_by_subject(api: Api, scope: Scope, snap: Snapshot) -> Snapshot:
    subjects = [s for s in api.paged("/subjects", {"deleted": "true"}) if scope.wants(s)]

    def one_subject(subject: str) -> list[Version]:
        numbers = api.paged(f"/subjects/{enc(subject)}/versions", {"deleted": "true"})
        try:
            live = set(api.paged(f"/subjects/{enc(subject)}/versions", {}))
        except SchemaRegistryError as exc:
            if exc.http_status_code != 404:  # 404: every version is soft-deleted
                raise
            live = set()
        out = []
        for n in numbers:
            body = api.request("GET", f"/subjects/{enc(subject)}/versions/{n}", {"deleted": "true"})
            out.append(Version.parse(body, subject, deleted=n not in live))
        return out

    for versions in parallel(one_subject, subjects):
        for v in versions:
            snap.add(v)
    return snap


def parallel(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    """``fn`` over ``items``, a few requests at a time, results in order."""
    items = list(items)
    if len(items) < 2:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(fn, items))


def setting_scopes(snap: Snapshot) -> list[str]:
    """The scopes whose config and mode are copied: contexts, subjects and alias subjects."""
    contexts = {c for c in snap.contexts if c != DEFAULT_CONTEXT}
    contexts.update(v.context for v in snap.versions.values() if v.context != DEFAULT_CONTEXT)
    return [qualify(c, "") for c in sorted(contexts)] + sorted(set(snap.subjects()) | snap.aliases)


def read_settings(api: Api, snap: Snapshot, scopes: list[str], with_global: bool = True) -> None:
    """Fill ``snap.configs`` and ``snap.modes`` of ``scopes`` (and the global ones when ``with_global``)."""
    if with_global:
        snap.configs[None] = api.request("GET", "/config") or {}
        snap.modes[None] = (api.optional("/mode") or {}).get("mode", "READWRITE")

    def one(scope: str) -> tuple[str, Any, Any]:
        return scope, api.optional(f"/config/{enc(scope)}"), api.optional(f"/mode/{enc(scope)}")

    for scope, config, mode in parallel(one, scopes):
        if config:
            snap.configs[scope] = config
        if mode and mode.get("mode"):
            snap.modes[scope] = mode["mode"]


def config_body(config: dict[str, Any]) -> dict[str, Any]:
    """A ``GET /config`` answer as a ``PUT /config`` body (``compatibilityLevel`` is ``compatibility``)."""
    body = {k: v for k, v in config.items() if v is not None}
    if "compatibilityLevel" in body:
        body["compatibility"] = body.pop("compatibilityLevel")
    return body
