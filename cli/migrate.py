"""``charter migrate``: copy a registry into another over the REST API, keeping ids and versions.

For teams that cannot read the old registry's ``_schemas`` topic (Confluent Cloud, a managed
Karapace, Apicurio, Redpanda, another team's registry): every context, subject, version and
schema is copied with the same id and version, references first, soft-deleted versions as
soft-deleted, with configs, modes, metadata, rule sets and aliases, through the target's IMPORT
mode (set for the copy and restored). The plan is made before anything is written: a target
holding a different schema under an id or a version stops the migration, and a re-run skips
what is already there. ``--follow`` then keeps the target in sync until SIGINT/SIGTERM;
``--verify`` compares both sides at the end.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from charter.cli.common import EXIT_INCOMPATIBLE, EXIT_OK, EXIT_REGISTRY, EXIT_USAGE, CliError, progress
from charter.cli.migrate_apply import Writer
from charter.cli.migrate_follow import Follower
from charter.cli.migrate_plan import Plan, make_plan, render_plan, with_references
from charter.cli.migrate_read import (
    Api,
    Scope,
    Snapshot,
    Version,
    enc,
    read_settings,
    read_versions,
    setting_scopes,
)
from charter.cli.migrate_verify import compare, render
from charter.cli.registryopts import client_conf, fatal_registry_error
from charter.clients import SchemaRegistryClient, SchemaRegistryError

EXIT_INTERRUPTED = 130  # as a shell reports a command ended by SIGINT

EXIT_HELP = """exit codes:
  0  copied (and, with --verify, both registries match)
  1  conflicts (the target holds other schemas under the same ids or versions; nothing written),
     or --verify found differences
  2  usage error
  3  a registry unreachable, credentials refused, or a write refused
  130  interrupted by SIGINT/SIGTERM (the target's mode restored; run again to continue)"""


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "migrate", help="copy a registry into another over the REST API (same ids), optionally following it",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_HELP)
    for side, what in (("from", "the registry to copy (source)"), ("to", "the registry to copy into (target)")):
        group = parser.add_argument_group(f"--{side}: {what}")
        group.add_argument(f"--{side}", dest=f"{side}_url", metavar="URL", required=True, help="registry URL(s)")
        group.add_argument(f"--{side}-user", metavar="USER:PASSWORD", help="basic auth (basic.auth.user.info)")
        group.add_argument(f"--{side}-token", metavar="TOKEN", help="bearer token (bearer.auth.token)")
        group.add_argument(f"--{side}-ca", metavar="FILE", help="CA bundle (ssl.ca.location)")
        group.add_argument(f"--{side}-cert", metavar="FILE", help="client certificate (ssl.certificate.location)")
        group.add_argument(f"--{side}-key", metavar="FILE", help="client private key (ssl.key.location)")
        group.add_argument(f"--{side}-header", metavar="NAME:VALUE", action="append", default=[],
                           help="an extra HTTP header (repeatable)")
        group.add_argument(f"--{side}-config", metavar="KEY=VALUE", action="append", default=[],
                           help="any other client setting, e.g. timeout=10 (repeatable)")
    parser.add_argument("--subjects", metavar="GLOB", action="append", default=[],
                        help="only subjects matching GLOB (qualified or not; repeatable); versions they "
                             "reference are copied too")
    parser.add_argument("--context", metavar="CTX", action="append", default=[],
                        help="only subjects of context CTX, e.g. .staging (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan (counts, id ranges, conflicts)")
    parser.add_argument("--verify", action="store_true", help="after copying, compare both registries")
    parser.add_argument("--follow", action="store_true",
                        help="keep copying changes until SIGINT/SIGTERM (the target stays in IMPORT mode)")
    parser.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                        help="--follow: seconds between polls of the source for new ids (default 1)")
    parser.add_argument("--resync", type=float, default=10.0, metavar="SECONDS",
                        help="--follow: seconds between full comparisons of the source's listing, which bring "
                             "soft-deletes and new versions of existing ids (default 10)")
    parser.add_argument("--settings-interval", type=float, default=30.0, metavar="SECONDS",
                        help="--follow: seconds between reads of the source's configs and modes (default 30)")
    parser.add_argument("--final-mode", choices=("READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"),
                        help="the target's global mode when the copy ends (default: the mode it had; READWRITE "
                             "if it was IMPORT, as an interrupted run leaves it)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(run=run)


def side_client(args: argparse.Namespace, side: str) -> Api:
    url = getattr(args, f"{side}_url")
    opts = argparse.Namespace(**{k: getattr(args, f"{side}_{k}") for k in ("user", "token", "ca", "cert", "key")},
                              registry_config=getattr(args, f"{side}_config"))
    conf = client_conf(opts, url)
    headers = {}
    for item in getattr(args, f"{side}_header"):
        name, sep, value = item.partition(":")
        if not sep:
            raise CliError(f"--{side}-header {item!r}: use NAME:VALUE")
        headers[name.strip()] = value.strip()
    if headers:
        conf["http.headers"] = headers
    try:
        return Api(SchemaRegistryClient(conf), url)
    except (ValueError, TypeError, OSError) as exc:
        raise CliError(f"--{side} settings: {exc}", EXIT_USAGE) from None


class Migration:
    """One ``charter migrate`` run: the two registries, the selection and the writer."""

    def __init__(self, args: argparse.Namespace, source: Api, target: Api) -> None:
        self.args = args
        self.source, self.target = source, target
        self.scope = Scope(list(args.subjects), list(args.context))
        self.partial = bool(args.subjects or args.context)
        self.writer = Writer(target, quiet=args.quiet, final_mode=args.final_mode)
        self.target_snap = Snapshot()
        self.stop = threading.Event()

    def log(self, message: str) -> None:
        if not self.args.quiet:
            progress(message)

    def read_source(self, settings: bool = True) -> tuple[Snapshot, list[tuple[str, int]]]:
        """The selected part of the source (with the versions it references) and what those added."""
        full = read_versions(self.source, Scope())
        selected = Snapshot(contexts=[c for c in full.contexts if self.scope.wants_context(c)],
                            aliases={a for a in full.aliases if self.scope.wants(a)})
        for v in full.versions.values():
            if self.scope.wants(v.subject):
                selected.add(v)
        added = with_references(selected, full)
        if settings:
            read_settings(self.source, selected, setting_scopes(selected), with_global=not self.partial)
        return selected, added

    def confirm(self, v: Version, subject: str) -> bool:
        """Whether the target holds ``v``'s schema under ``subject`` with ``v``'s id (a look-up)."""
        body = {k: x for k, x in v.body().items() if k not in ("id", "version")}
        try:
            found = self.target.request("POST", f"/subjects/{enc(subject)}", {"deleted": "true"}, body)
        except SchemaRegistryError as exc:
            if exc.http_status_code in (404, 422):
                return False
            raise
        return found.get("id") == v.id and (subject != v.subject or found.get("version") == v.version)

    def plan(self, source: Snapshot) -> Plan:
        return make_plan(source, self.target_snap, self.confirm)

    def copy(self) -> int:
        """Plan, then (unless --dry-run or a conflict) write; the exit code."""
        started = time.monotonic()
        source, added = self.read_source(settings=False)
        with ThreadPoolExecutor(1) as background:  # the source's settings are read while the target is written
            settings = background.submit(read_settings, self.source, source, setting_scopes(source),
                                         not self.partial)
            try:
                return self._copy(source, added, settings, started)
            finally:
                settings.cancel()

    def _copy(self, source: Snapshot, added: list[tuple[str, int]], settings: Future[None], started: float) -> int:
        self.target_snap = read_versions(self.target, Scope())
        self.log(f"read {len(source.versions)} version(s) from {self.source.url} and "
                 f"{len(self.target_snap.versions)} from {self.target.url} ({time.monotonic() - started:.1f}s)")
        plan = self.plan(source)
        plan.added_refs = added
        if self.args.dry_run:
            settings.result()
            sys.stdout.write(render_plan(plan, source))
            return EXIT_INCOMPATIBLE if plan.conflicts else EXIT_OK
        if plan.conflicts:
            sys.stdout.write("".join(f"CONFLICT {c}\n" for c in plan.conflicts))
            sys.stdout.write(f"migrate: refused, {len(plan.conflicts)} conflict(s) on the target {self.target.url}; "
                             "nothing was written\n")
            return EXIT_INCOMPATIBLE
        registered, deleted, seconds, warnings = self.writer.apply(plan, self.target_snap)
        settings.result()
        sent = self.writer.settings(source, copy_global=not self.partial)
        for warning in warnings:
            self.log(f"warning: {warning}")
        rate = registered / seconds if seconds > 0 else 0.0
        sys.stdout.write(f"migrate: {registered} version(s) registered ({rate:.0f}/s), {deleted} soft-deleted, "
                         f"{plan.present} already there, {sent} setting(s) written, "
                         f"{time.monotonic() - started:.1f}s in all\n")
        return EXIT_OK

    def follow(self) -> None:
        """Keep copying until SIGINT/SIGTERM (see ``migrate_follow``)."""
        Follower(self).run()

    def verify(self) -> int:
        """Compare both registries (the selection, and the target's versions of its subjects)."""
        source, _ = self.read_source()
        target, subjects = Snapshot(), {s for s, _ in source.versions}
        for key, v in read_versions(self.target, Scope()).versions.items():
            if key[0] in subjects or self.scope.wants(key[0]):
                target.add(v)
        read_settings(self.target, target, setting_scopes(source), with_global=not self.partial)
        verdicts = compare(source, target)
        sys.stdout.write(render(verdicts))
        return EXIT_INCOMPATIBLE if any(v.problems for v in verdicts) else EXIT_OK


class Interrupted(BaseException):  # not caught as an ordinary error on the way up
    """SIGINT or SIGTERM during the copy: stop writing, restore the target's mode, exit 130."""


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


def run(args: argparse.Namespace) -> int:
    handlers = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        source, target = side_client(args, "from"), side_client(args, "to")
        migration = Migration(args, source, target)
        try:
            code = migration.copy()
            if code == EXIT_OK and args.follow and not args.dry_run:
                migration.follow()
        finally:
            migration.writer.leave_import()
        if code == EXIT_OK and args.verify and not args.dry_run:
            code = migration.verify()
        return code
    except CliError as exc:
        print(f"charter migrate: {exc}", file=sys.stderr)
        return exc.code
    except SchemaRegistryError as exc:
        fatal = fatal_registry_error(exc, "the registry")
        print(f"charter migrate: {fatal or exc}", file=sys.stderr)
        return EXIT_REGISTRY
    except Interrupted as exc:
        print(f"charter migrate: interrupted ({exc}); the target's mode is restored. Run the same command "
              "again to continue where this one stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
