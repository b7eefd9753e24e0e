"""``charter register``: register the manifest's schema files, references first.

Each subject is looked up first: a schema already registered is left alone; a new one is checked
for compatibility and registered (or, with ``--dry-run``, only reported). Incompatible schemas
are never registered; the command then exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from charter.cli.common import (
    EXIT_CODES_HELP,
    EXIT_INCOMPATIBLE,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Loader,
    SchemaFileError,
    progress,
    working_tree,
)
from charter.cli.explain import from_message
from charter.cli.manifest import dependency_order, find_manifest, load_manifest
from charter.cli.registryopts import (
    INVALID_SCHEMA,
    SCHEMA_NOT_FOUND,
    SUBJECT_NOT_FOUND,
    add_registry_options,
    call,
    make_client,
    registry_schema,
)
from charter.clients import SchemaRegistryError

EPILOG = f"""examples:
  charter register --registry http://registry:8081 --dry-run     # what would change
  charter register --registry http://registry:8081               # register new versions
  charter register --only order-value --registry ...              # one subject (and its references)

{EXIT_CODES_HELP}"""


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "register", help="register the manifest's schema files (references first; --dry-run to preview)",
        description=(
            "Register every subject of the manifest (charter.toml or [tool.charter] in pyproject.toml) "
            "on the registry, referenced schemas before the schemas that use them. A schema already "
            "registered is left alone; an incompatible one is not registered (exit 1)."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", metavar="PATH", help="manifest file (default: ./charter.toml or "
                        "./pyproject.toml)")
    parser.add_argument("--only", action="append", default=[], metavar="SUBJECT",
                        help="register only this subject and its references (repeatable)")
    parser.add_argument("--dry-run", action="store_true",
                        help="change nothing; show for each subject: new version / already registered / incompatible")
    parser.add_argument("--normalize", action="store_true", help="let the registry normalize the schemas")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    add_registry_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        rows = _register(args)
    except CliError as exc:
        print(f"charter register: error: {exc}", file=sys.stderr)
        return exc.code
    if args.format == "json":
        print(json.dumps({"dry_run": args.dry_run, "results": rows}, indent=2))
    else:
        for row in rows:
            line = f"{row['status']:<20} {row['subject']} ({row['file']})"
            print(line + (f": {row['detail']}" if row.get("detail") else ""))
            for b in row.get("breaks", []):
                print(f"    {b['where']}: {b['summary']}\n      fix: {b['hint']}")
    statuses = {row["status"] for row in rows}
    if "invalid" in statuses:
        return EXIT_USAGE
    return EXIT_INCOMPATIBLE if "incompatible" in statuses else EXIT_OK


def _register(args: argparse.Namespace) -> list[dict[str, Any]]:
    path = find_manifest(Path.cwd(), args.manifest)
    if path is None:
        raise CliError("no manifest: 'charter register' registers the subjects listed in charter.toml or "
                       "[tool.charter] of pyproject.toml (see 'charter check --help')")
    manifest = load_manifest(path)
    url = args.registry or manifest.registry
    entries = dependency_order(manifest.entries)
    if args.only:
        unknown = set(args.only) - {e.subject for e in entries}
        if unknown:
            raise CliError(f"--only: {', '.join(sorted(unknown))} not in the manifest")
        by_file = manifest.by_file()
        wanted: set[str] = set()

        def want(subject: str) -> None:
            wanted.add(subject)
            entry = next(e for e in entries if e.subject == subject)
            for ref in entry.references:
                if ref.file in by_file:
                    want(by_file[ref.file].subject)

        for subject in args.only:
            want(subject)
        entries = [e for e in entries if e.subject in wanted]
    source = working_tree(manifest.base)
    loader = Loader(source, manifest.by_file())
    client = make_client(args, url)
    rows: list[dict[str, Any]] = []
    pending: set[str] = set()  # subjects that would be registered by this dry run
    with client:
        for n, entry in enumerate(entries, 1):
            progress(f"[{n}/{len(entries)}] {entry.subject} ({entry.file})")
            row: dict[str, Any] = {"subject": entry.subject, "file": entry.file, "type": entry.schema_type}
            rows.append(row)
            try:
                loader.parse(entry)
            except SchemaFileError as exc:
                row.update(status="invalid", detail=str(exc))
                continue
            if args.dry_run and any(r.subject in pending for r in entry.references):
                row.update(status="new version", detail="after its references are registered (not checked)")
                pending.add(entry.subject)
                continue
            schema = registry_schema(client, url or "", entry, source, manifest.by_file())
            row.update(_one(client, url or "", entry.subject, schema, args, entry.schema_type, source(entry.file)))
            if row["status"] == "new version":
                pending.add(entry.subject)
    return rows


def _one(client: Any, url: str, subject: str, schema: Any, args: argparse.Namespace, kind: str,
         text: str | None) -> dict[str, Any]:
    try:
        found = call(lambda: client.lookup_schema(subject, schema, normalize_schemas=args.normalize), url)
        return {"status": "already registered", "detail": f"version {found.version} (id {found.schema_id})",
                "version": found.version, "id": found.schema_id}
    except SchemaRegistryError as exc:
        if exc.error_code not in (SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND):
            raise CliError(f"{subject}: the registry answered {exc}") from None
        first = exc.error_code == SUBJECT_NOT_FOUND
    if not first:
        try:
            result = call(lambda: client.check_compatibility(subject, schema, None, normalize=args.normalize,
                                                             verbose=True), url)
        except SchemaRegistryError as exc:
            if exc.error_code == INVALID_SCHEMA:
                return {"status": "invalid", "detail": exc.error_message}
            raise CliError(f"{subject}: the registry answered {exc}") from None
        if not result.is_compatible:
            breaks = [b.to_dict() for m in result.messages if (b := from_message(m, kind, text, None))]
            return {"status": "incompatible", "detail": "not registered", "breaks": breaks}
    if args.dry_run:
        return {"status": "new version", "detail": "new subject, version 1" if first else "would be registered"}
    try:
        done = call(lambda: client.register_schema_full_response(subject, schema, normalize_schemas=args.normalize),
                    url)
    except SchemaRegistryError as exc:
        if exc.error_code == INVALID_SCHEMA:
            return {"status": "invalid", "detail": exc.error_message}
        raise CliError(f"{subject}: registering failed: {exc}") from None
    return {"status": "registered", "detail": f"version {done.version} (id {done.schema_id})",
            "version": done.version, "id": done.schema_id}
