"""``charter migrate``: writing a plan to the target registry.

The target is put in IMPORT mode (``PUT /mode?force=true``) for the copy and its own mode is
restored afterwards; a subject or context whose own mode refuses the import (42205) is switched
to IMPORT for the time of its writes and set back. Registrations carry the source's ``id`` and
``version``; a group of versions whose references are all written goes out a few requests at a
time. Soft-deletes follow (referrers first), then configs and modes of every scope, sent only
when they differ from what was last written (a ``--follow`` pass sends only the changes).
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from charter.cli.common import EXIT_REGISTRY, CliError, progress
from charter.cli.migrate_plan import Plan
from charter.cli.migrate_read import WORKERS, Api, Snapshot, Version, config_body, enc
from charter.clients import SchemaRegistryError

OPERATION_NOT_PERMITTED = 42205
REFERENCE_EXISTS = 42206


class Progress:
    """A bar with counts and rate on a terminal (stderr), plain log lines otherwise."""

    def __init__(self, total: int, what: str, quiet: bool = False) -> None:
        self.total, self.what, self.quiet = total, what, quiet
        self.done = 0
        self.started = self.last = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()

    def step(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            now = time.monotonic()
            if self.quiet or (now - self.last < (0.1 if self.tty else 5.0) and self.done < self.total):
                return
            self.last = now
            rate = self.done / max(now - self.started, 1e-6)
            if self.tty:
                filled = int(30 * self.done / max(self.total, 1))
                bar = "#" * filled + "." * (30 - filled)
                print(f"\r[{bar}] {self.done}/{self.total} {self.what} {rate:.0f}/s", end="", file=sys.stderr,
                      flush=True)
            else:
                progress(f"{self.done}/{self.total} {self.what} ({rate:.0f}/s)")

    def close(self) -> float:
        elapsed = time.monotonic() - self.started
        if self.tty and not self.quiet and self.total:
            print(file=sys.stderr)
        return elapsed


class Writer:
    """Writes plans to the target, keeping its IMPORT mode and the settings last sent."""

    def __init__(self, api: Api, quiet: bool = False, final_mode: str | None = None) -> None:
        self.api = api
        self.quiet = quiet
        self.final_mode = final_mode
        self.saved_mode: str | None = None
        self.forced: dict[str, str | None] = {}  # scope -> its own mode before we forced IMPORT
        self.sent_configs: dict[str | None, dict[str, Any]] = {}
        self.sent_modes: dict[str, str] = {}
        self.lock = threading.Lock()

    # -- IMPORT mode -----------------------------------------------------------------------------

    def enter_import(self) -> None:
        """IMPORT mode on the target; the mode to restore is ``final_mode``, else the one found,
        READWRITE for IMPORT (a target left so by an interrupted run: the usual reason)."""
        if self.saved_mode is None:
            found = (self.api.optional("/mode") or {}).get("mode", "READWRITE")
            self.saved_mode = self.final_mode or ("READWRITE" if found == "IMPORT" else found)
            if found != "IMPORT":
                self.api.request("PUT", "/mode", {"force": "true"}, {"mode": "IMPORT"})

    def leave_import(self) -> None:
        """The forced scopes and the global mode as they were (or as the source has them)."""
        for scope, before in list(self.forced.items()):
            wanted = self.sent_modes.get(scope, before)
            self._set_mode(scope, wanted)
        self.forced.clear()
        if self.saved_mode is not None:
            self.api.request("PUT", "/mode", {"force": "true"}, {"mode": self.saved_mode})
        self.saved_mode = None

    def _set_mode(self, scope: str, mode: str | None) -> None:
        if mode is None:
            try:
                self.api.request("DELETE", f"/mode/{enc(scope)}")
            except SchemaRegistryError as exc:
                if exc.http_status_code != 404:
                    raise
        else:
            self.api.request("PUT", f"/mode/{enc(scope)}", {"force": "true"}, {"mode": mode})

    def _force_import(self, subject: str) -> None:
        with self.lock:
            if subject in self.forced:
                return
            self.forced[subject] = (self.api.optional(f"/mode/{enc(subject)}") or {}).get("mode")
            self.api.request("PUT", f"/mode/{enc(subject)}", {"force": "true"}, {"mode": "IMPORT"})

    def _write(self, subject: str, method: str, path: str, body: Any = None) -> Any:
        try:
            return self.api.request(method, path, None, body)
        except SchemaRegistryError as exc:
            if exc.error_code != OPERATION_NOT_PERMITTED:
                raise
        self._force_import(subject)  # once per subject (another thread may be doing it): then one retry
        return self.api.request(method, path, None, body)

    # -- schemas ---------------------------------------------------------------------------------

    def register(self, v: Version) -> None:
        try:
            answer = self._write(v.subject, "POST", f"/subjects/{enc(v.subject)}/versions", v.body())
        except SchemaRegistryError as exc:
            raise CliError(f"registering subject {v.subject!r} version {v.version} (id {v.id}) on the target "
                           f"failed: {exc}", EXIT_REGISTRY) from None
        got = (answer or {}).get("id"), (answer or {}).get("version", v.version)
        if got != (v.id, v.version):
            raise CliError(f"the target registered subject {v.subject!r} version {v.version} as id {got[0]} "
                           f"version {got[1]}, not id {v.id}: is it in IMPORT mode?", EXIT_REGISTRY)

    def soft_delete(self, v: Version) -> str | None:
        """Soft-delete a version; a refusal because other versions reference it is returned."""
        try:
            self._write(v.subject, "DELETE", f"/subjects/{enc(v.subject)}/versions/{v.version}")
        except SchemaRegistryError as exc:
            if exc.error_code == REFERENCE_EXISTS or exc.http_status_code == 404:
                return f"subject {v.subject!r} version {v.version} not soft-deleted: {exc.error_message}"
            raise
        return None

    def apply(self, plan: Plan, target: Snapshot | None = None) -> tuple[int, int, float, list[str]]:
        """Write ``plan``: (registered, deleted, seconds, warnings). ``target`` learns what was written."""
        warnings: list[str] = []
        regs = plan.registrations
        bar = Progress(len(regs), "versions", self.quiet)
        if not plan.empty:
            self.enter_import()
        pool = ThreadPoolExecutor(WORKERS)
        try:
            for level in plan.levels:
                for v in pool.map(self._register_one, level):
                    bar.step()
                    if target is not None:
                        target.add(replace(v, deleted=False))
            for wave in plan.delete_waves():
                for v, warning in zip(wave, pool.map(self.soft_delete, wave), strict=True):
                    if warning:
                        warnings.append(warning)
                    elif target is not None:
                        target.add(v)
        finally:  # interrupted (Ctrl-C, SIGTERM, a refusal): the queued writes are dropped, not sent
            pool.shutdown(wait=True, cancel_futures=True)
        return len(regs), len(plan.deletes), bar.close(), warnings

    def _register_one(self, v: Version) -> Version:
        self.register(v)
        return v

    # -- settings --------------------------------------------------------------------------------

    def settings(self, source: Snapshot, copy_global: bool = True) -> int:
        """Send the configs and modes of ``source`` that differ from what was last sent; a scope
        whose config or mode went away on the source loses it on the target. Returns the count."""
        sent = 0
        for scope, config in source.configs.items():
            if scope is None and not copy_global:
                continue
            body = config_body(config)
            if self.sent_configs.get(scope) != body:
                path = "/config" if scope is None else f"/config/{enc(scope)}"
                self.api.request("PUT", path, None, body)
                self.sent_configs[scope] = body
                sent += 1
        for scope in [s for s in self.sent_configs if s not in source.configs]:
            self.api.request("DELETE", f"/config/{enc(scope)}")
            del self.sent_configs[scope]
            sent += 1
        for scope, mode in source.modes.items():
            if scope is None or self.sent_modes.get(scope) == mode:
                continue
            self.sent_modes[scope] = mode
            if scope not in self.forced:  # a forced scope gets it when the import ends
                self._set_mode(scope, mode)
            sent += 1
        for scope in [s for s in self.sent_modes if s not in source.modes]:
            del self.sent_modes[scope]
            if scope not in self.forced:
                self._set_mode(scope, None)
            else:
                self.forced[scope] = None
            sent += 1
        return sent
