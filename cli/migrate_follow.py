"""``charter migrate --follow``: keep the target in step with the source until SIGINT/SIGTERM.

Every ``--interval`` the source is asked for its highest id in each context
(``GET /schemas/ids/{id}?fetchMaxId=true``, one request per context); the new ids are read
(``GET /schemas/ids/{id}/versions?deleted=true`` then each version) and copied at once. Every
``--resync`` seconds, and on every poll for a registry that does not answer ``maxId``, the whole
listing is compared instead, which also brings soft-deletes and versions that reuse an existing
id. Configs and modes are read in the background every ``--settings-interval`` seconds and the
changes written. Conflicts are logged once and skipped; the target stays in IMPORT mode until
the follow stops (the caller restores it).
"""

from __future__ import annotations

import signal
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from charter.cli.migrate_plan import make_plan
from charter.cli.migrate_read import Snapshot, Version, enc, read_settings, setting_scopes
from charter.clients import SchemaRegistryError

if TYPE_CHECKING:
    from charter.cli.migrate import Migration


class Follower:
    def __init__(self, migration: Migration) -> None:
        self.m = migration
        self.args = migration.args
        self.source = Snapshot()
        self.max_ids: dict[str, tuple[int, str]] = {}  # context -> (highest id seen, a subject holding it)
        self.reported: set[str] = set()
        self.settings_job: Future[Snapshot] | None = None

    def run(self) -> None:
        stop = self.m.stop
        handlers = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.m.log(f"following {self.m.source.url} every {self.args.interval}s (Ctrl-C to stop)")
        last_full = last_settings = time.monotonic()
        self.full_pass()
        try:
            with ThreadPoolExecutor(1) as background:
                while not stop.wait(self.args.interval):
                    now = time.monotonic()
                    if now - last_full >= self.args.resync or not self.fast_pass():
                        self.full_pass()
                        last_full = now
                    if self.settings_job is None and now - last_settings >= self.args.settings_interval:
                        self.settings_job = background.submit(self.read_settings, self.source)
                    if self.settings_job is not None and self.settings_job.done():
                        sent = self.m.writer.settings(self.settings_job.result(), copy_global=not self.m.partial)
                        self.settings_job, last_settings = None, time.monotonic()
                        if sent:
                            self.m.log(f"follow: {sent} setting(s) written")
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        self.m.log("follow: stopped")

    def read_settings(self, source: Snapshot) -> Snapshot:
        snap = Snapshot(versions=source.versions, aliases=source.aliases, contexts=source.contexts)
        read_settings(self.m.source, snap, setting_scopes(snap), with_global=not self.m.partial)
        return snap

    def full_pass(self) -> None:
        self.source, _ = self.m.read_source(settings=False)
        self.max_ids = {}
        for v in self.source.versions.values():
            if v.id > self.max_ids.get(v.context, (0, ""))[0]:
                self.max_ids[v.context] = (v.id, v.subject)
        self.apply(self.source)

    def fast_pass(self) -> bool:
        """Copy the versions of ids above the highest known; False when the source cannot say."""
        if not self.max_ids:
            return False
        found = Snapshot()
        for context, (known, subject) in list(self.max_ids.items()):
            try:
                answer = self.m.source.request("GET", f"/schemas/ids/{known}",
                                               {"subject": subject, "fetchMaxId": "true"})
            except SchemaRegistryError as exc:
                if exc.http_status_code == 404:  # that id went away: fall back to the listing
                    return False
                raise
            highest = answer.get("maxId")
            if not isinstance(highest, int):
                return False
            for schema_id in range(known + 1, highest + 1):
                for v in self.versions_of(schema_id, subject):
                    found.add(v)
                    self.source.add(v)
            if highest > known:
                self.max_ids[context] = (highest, subject)
        if found.versions:
            self.apply(found)
        return True

    def versions_of(self, schema_id: int, subject: str) -> list[Version]:
        """The versions using ``schema_id`` in ``subject``'s context (selection applied)."""
        try:
            pairs = self.m.source.request("GET", f"/schemas/ids/{schema_id}/versions",
                                          {"subject": subject, "deleted": "true"})
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:  # a hole in the ids (or deleted since): nothing to copy
                return []
            raise
        out = []
        for pair in pairs:
            name, number = pair["subject"], pair["version"]
            if not self.m.scope.wants(name):
                continue
            body = self.m.source.request("GET", f"/subjects/{enc(name)}/versions/{number}", {"deleted": "true"})
            out.append(Version.parse(body, name))
        return out

    def apply(self, source: Snapshot) -> None:
        plan = make_plan(source, self.m.target_snap, self.m.confirm)
        for conflict in plan.conflicts:
            if conflict not in self.reported:
                self.reported.add(conflict)
                self.m.log(f"CONFLICT (skipped) {conflict}")
        if plan.empty:
            return
        registered, deleted, _, warnings = self.m.writer.apply(plan, self.m.target_snap)
        self.m.log(f"follow: {registered} version(s) registered, {deleted} soft-deleted")
        for warning in warnings:
            self.m.log(f"warning: {warning}")
