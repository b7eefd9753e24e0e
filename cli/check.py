"""``charter check``: fail a CI build when a schema change would break consumers.

Two modes: against the registry (``--registry``: the server's own check, ``verbose=true``, at the
subject's configured level) or offline (``--against GIT_REF`` or ``--against DIR``: the same
``charter.compat`` library the server runs, no registry needed). With no FILE, every subject of
the manifest is checked.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from charter.cli import gitrev
from charter.cli.common import (
    EXIT_CODES_HELP,
    TYPE_HELP,
    CliError,
    Loader,
    Reference,
    SchemaEntry,
    SchemaFileError,
    Source,
    infer_type,
    progress,
    working_tree,
)
from charter.cli.explain import Break, explain, from_incompatibility, from_message
from charter.cli.manifest import Manifest, find_manifest, load_manifest
from charter.cli.registryopts import (
    INVALID_SCHEMA,
    SUBJECT_NOT_FOUND,
    add_registry_options,
    call,
    make_client,
    registry_schema,
)
from charter.cli.report import FORMATS, Outcome, Violation, exit_code, render
from charter.clients import SchemaRegistryError
from charter.compat import CompatibilityLevel, ParsedSchema
from charter.compat.levels import DIFFERENT_TYPE_MESSAGE, directions, versions_to_check

EPILOG = f"""examples:
  charter check schemas/user.avsc --against origin/main
  charter check schemas/user.avsc --against origin/main --level FULL_TRANSITIVE
  charter check schemas/user.avsc --against previous-release/schemas/
  charter check schemas/user.avsc --subject user-value --registry http://registry:8081
  charter check --against origin/main --format github      # every subject of the manifest

manifest (charter.toml, or the same keys under [tool.charter] in pyproject.toml):
  level = "BACKWARD"
  [subjects]
  user-value = "schemas/user.avsc"
  order-value = {{ file = "protos/order.proto", references = ["protos/common/money.proto"] }}
  "{{stem}}-value" = {{ file = "events/*.json", level = "FULL" }}

every break names the rule it breaks ([READER_FIELD_MISSING_DEFAULT_VALUE], ...): 'charter rules' lists
them with their category and how to fix a break (docs/compatibility-rules.md).

{EXIT_CODES_HELP}"""


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "check", help="check schema files for compatibility (against git, a directory or the registry)",
        description=(
            "Check that schema files stay compatible with their earlier versions. Offline with --against "
            "(a git revision, or a directory of schemas) using the same checker the registry runs, or on the "
            "registry with --registry/--subject at the subject's configured level. Without FILE, every "
            "subject of the manifest (charter.toml or [tool.charter] in pyproject.toml) is checked."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", metavar="FILE", help="schema file (.avsc, .proto, .json); default: manifest")
    parser.add_argument("--subject", help="registry subject of FILE (required with --registry for a single file)")
    parser.add_argument("--type", dest="schema_type", metavar="TYPE", help=TYPE_HELP)
    parser.add_argument("--against", metavar="REF|DIR", help="offline: a git revision (branch, tag, sha) or a "
                        "directory holding the earlier schemas")
    parser.add_argument("--level", help="offline compatibility level (default: the manifest's, else BACKWARD); "
                        "a _TRANSITIVE level checks every earlier git revision of the file")
    parser.add_argument("--policy", default="STRICT", help="compatibilityPolicy for JSON Schema: STRICT or LENIENT")
    parser.add_argument("--ref", action="append", default=[], metavar="[NAME=]FILE",
                        help="a local file that resolves an import/$ref/named type of FILE (repeatable)")
    parser.add_argument("--manifest", metavar="PATH", help="manifest file (default: ./charter.toml or "
                        "./pyproject.toml)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_registry_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        outcomes = _check(args)
    except CliError as exc:
        print(f"charter check: error: {exc}", file=sys.stderr)
        return exc.code
    sys.stdout.write(render(outcomes, args.format))
    return exit_code(outcomes)


def _single_entry(args: argparse.Namespace, manifest: Manifest | None, cwd: Path) -> SchemaEntry:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{args.file}: no such file")
    if manifest is not None:
        try:
            rel = path.resolve().relative_to(manifest.base.resolve()).as_posix()
        except ValueError:
            rel = None
        found = manifest.find(rel) if rel else None
        if found is not None and not args.ref:
            return found
    file = Path(path.resolve().relative_to(cwd.resolve())).as_posix() if path.resolve().is_relative_to(
        cwd.resolve()) else str(path)
    refs = []
    for item in args.ref:
        name, sep, ref_file = item.rpartition("=")
        ref_file = ref_file if sep else item
        if not Path(ref_file).is_file():
            raise CliError(f"--ref {item}: no such file")
        refs.append(Reference(name or Path(ref_file).name, Path(ref_file).as_posix(), name or None))
    subject = args.subject or Path(file).stem
    return SchemaEntry(subject, file, infer_type(file, args.schema_type), refs)


def _check(args: argparse.Namespace) -> list[Outcome]:
    cwd = Path.cwd()
    manifest_path = find_manifest(cwd, args.manifest)
    manifest = load_manifest(manifest_path) if manifest_path else None
    if args.file:
        entries = [_single_entry(args, manifest, cwd)]
        if args.subject:
            entries[0].subject = args.subject
        base = manifest.base if manifest and entries[0].file in manifest.by_file() else cwd
    elif manifest is None:
        raise CliError("nothing to check: give a schema FILE, or add a manifest (charter.toml or [tool.charter] "
                       "in pyproject.toml; see 'charter check --help')")
    else:
        entries, base = manifest.entries, manifest.base
    by_file = manifest.by_file() if manifest and base == manifest.base else {e.file: e for e in entries}
    policy = args.policy.upper()
    if args.against:
        default_level = args.level or (manifest.level if manifest else None) or "BACKWARD"
        try:
            CompatibilityLevel.parse(default_level)
        except ValueError:
            raise CliError(f"unknown level {default_level!r}: use BACKWARD, FORWARD, FULL (optionally "
                           "_TRANSITIVE) or NONE") from None
        return Offline(args.against, base, by_file, policy).check_all(entries, args.level, default_level)
    url = args.registry or (manifest.registry if manifest else None)
    if not url:
        raise CliError("say what to compare with: --against REF|DIR (offline) or --registry URL")
    if args.file and not args.subject and not (manifest and entries[0].file in by_file):
        raise CliError("--registry needs --subject for a single file (or list the file in the manifest)")
    return _check_registry(args, url, entries, base, by_file)


class Offline:
    """Offline checks against a git revision or a directory, with the ``charter.compat`` library."""

    def __init__(self, against: str, base: Path, by_file: dict[str, SchemaEntry], policy: str) -> None:
        self.base, self.by_file, self.policy = base, by_file, policy
        self.current = Loader(working_tree(base), by_file)
        self.directory = Path(against) if Path(against).is_dir() else None
        self.against = against
        if self.directory is None:
            self.root = gitrev.repo_root(base)
            self.sha = gitrev.resolve_ref(self.root, against.removeprefix("git:"))
            self.prefix = gitrev.repo_path(self.root, base)
            self.prefix = "" if self.prefix == "." else self.prefix + "/"

    def check_all(self, entries: list[SchemaEntry], forced: str | None, default: str) -> list[Outcome]:
        outcomes = []
        for n, entry in enumerate(entries, 1):
            if len(entries) > 1:
                progress(f"[{n}/{len(entries)}] {entry.subject} ({entry.file})")
            level = CompatibilityLevel.parse(forced or entry.level or default)
            outcomes.append(self.check(entry, level))
        return outcomes

    def _earlier(self, entry: SchemaEntry, level: CompatibilityLevel) -> list[tuple[str, str, Source]]:
        """(label, text, source for references) of every earlier version to compare with."""
        if self.directory is not None:
            directory = self.directory
            for candidate in (entry.file, Path(entry.file).name):
                text = working_tree(directory)(candidate)
                if text is not None:
                    return [(str(directory / candidate), text, working_tree(directory))]
            return []
        path = self.prefix + entry.file
        if not level.transitive:
            text = gitrev.show(self.root, self.sha, path)
            label = f"git {self.against} ({self.sha[:10]})"
            return [] if text is None else [(label, text, self._git_source(self.sha))]
        found = []
        seen: set[str] = set()
        for rev in gitrev.history(self.root, self.sha, path):
            text = gitrev.show(self.root, rev.sha, rev.path)
            if text is None or text in seen:
                continue
            seen.add(text)
            found.append((f"git revision {rev.label}", text, self._git_source(rev.sha)))
        return found

    def _git_source(self, sha: str) -> Source:
        return lambda p: gitrev.show(self.root, sha, self.prefix + p)

    def check(self, entry: SchemaEntry, level: CompatibilityLevel) -> Outcome:
        outcome = Outcome(entry.subject, entry.file, entry.schema_type, level.value, "compatible")
        text = self.current.text(entry.file)
        try:
            new = self.current.parse(entry, text)
        except SchemaFileError as exc:
            outcome.status, outcome.note, outcome.error_line = "invalid", str(exc), exc.line
            return outcome
        earlier = self._earlier(entry, level)
        where = self.directory if self.directory is not None else f"git {self.against}"
        if not earlier:
            outcome.status = "first"
            outcome.note = f"not in {where}: a new schema, nothing to compare (compatible)"
            return outcome
        outcome.against = earlier[0][0] if len(earlier) == 1 else f"{len(earlier)} earlier revisions"
        if level is CompatibilityLevel.NONE:
            return outcome
        for label, old_text, source in versions_to_check(level, earlier):
            try:
                old = Loader(source, self.by_file, validate=False).parse(entry, old_text)
            except (SchemaFileError, CliError) as exc:
                progress(f"skipping {label} of {entry.file}: it does not parse ({exc})")
                continue
            breaks = self._breaks(level, new, old, entry.schema_type, text, old_text)
            if breaks:
                outcome.status = "incompatible"
                outcome.violations.append(Violation(label, breaks))
        return outcome

    def _breaks(self, level: CompatibilityLevel, new: ParsedSchema, old: ParsedSchema, kind: str,
                new_text: str | None, old_text: str) -> list[Break]:
        if new.schema_type != old.schema_type:
            return [explain("DIFFERENT_SCHEMA_TYPE", "", DIFFERENT_TYPE_MESSAGE, "backward", kind, new_text, old_text)]
        return [from_incompatibility(i, direction, kind, new_text, old_text)
                for direction, reader, writer in directions(level, new, old)
                for i in reader.incompatibilities(writer, policy=self.policy)]


_VERSION = re.compile(r"^\{oldSchemaVersion: (\d+)\}$")
_OLD_SCHEMA = re.compile(r"^\{oldSchema: (?:<truncated> )?'(.*)'\}$", re.S)
_LEVEL = re.compile(r"compatibility: '(\w+)'")


def _check_registry(args: argparse.Namespace, url: str, entries: list[SchemaEntry], base: Path,
                    by_file: dict[str, SchemaEntry]) -> list[Outcome]:
    client = make_client(args, url)
    source = working_tree(base)
    loader = Loader(source, by_file)
    outcomes = []
    with client:
        for n, entry in enumerate(entries, 1):
            if len(entries) > 1:
                progress(f"[{n}/{len(entries)}] {entry.subject} ({entry.file}) on {url}")
            outcomes.append(_registry_one(client, url, entry, source, loader, by_file))
    return outcomes


def _registry_one(client: Any, url: str, entry: SchemaEntry, source: Source, loader: Loader,
                  by_file: dict[str, SchemaEntry]) -> Outcome:
    outcome = Outcome(entry.subject, entry.file, entry.schema_type, "?", "compatible")
    text = source(entry.file)
    try:
        loader.parse(entry, text)  # a local parse gives file:line for a schema that does not parse
    except SchemaFileError as exc:
        outcome.status, outcome.note, outcome.error_line = "invalid", str(exc), exc.line
        return outcome
    try:
        config = call(lambda: client.get_config(entry.subject, default_to_global=True), url)
        outcome.level = config.compatibility_level or "BACKWARD"
    except SchemaRegistryError:
        outcome.level = call(lambda: client.get_config(), url).compatibility_level or "BACKWARD"
    try:
        versions = call(lambda: client.get_versions(entry.subject), url)
    except SchemaRegistryError as exc:
        if exc.error_code != SUBJECT_NOT_FOUND:
            raise CliError(f"{entry.subject}: the registry answered {exc}") from None
        versions = []
    if not versions:
        outcome.status = "first"
        outcome.note = f"subject {entry.subject} not found on the registry: this is its first version (compatible)"
        return outcome
    schema = registry_schema(client, url, entry, source, by_file, text)
    try:
        result = call(lambda: client.check_compatibility(entry.subject, schema, None, verbose=True), url)
    except SchemaRegistryError as exc:
        if exc.error_code == SUBJECT_NOT_FOUND:
            outcome.status = "first"
            outcome.note = f"subject {entry.subject} not found on the registry: this is its first version (compatible)"
            return outcome
        if exc.error_code == INVALID_SCHEMA:
            outcome.status, outcome.note = "invalid", f"{entry.file}: {exc.error_message}"
            return outcome
        raise CliError(f"{entry.subject}: the registry answered {exc}") from None
    outcome.against = f"{entry.subject} (versions {versions[0]}..{versions[-1]} at level {outcome.level})"
    if result.is_compatible:
        return outcome
    version, old_text = "?", None
    for message in result.messages:
        if (m := _VERSION.match(message)) is not None:
            version = m.group(1)
        elif (m := _OLD_SCHEMA.match(message)) is not None:
            old_text = m.group(1)
        elif (m := _LEVEL.search(message)) is not None and message.startswith("{validateFields"):
            outcome.level = m.group(1)
    breaks = [b for m in result.messages if (b := from_message(m, entry.schema_type, text, old_text))]
    outcome.status = "incompatible"
    outcome.violations.append(Violation(f"version {version} of {entry.subject}", breaks))
    return outcome
