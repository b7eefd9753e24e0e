"""``charter diff``: a readable structural diff of two schemas (files, or two registered versions).

Both schemas are parsed and outlined by their format (:mod:`charter.compat.outline`: Avro fields
and JSON Schema properties by name, Protobuf fields by message, name and number), the outlines
compared, and every value printed: ``+`` added, ``-`` removed, ``~`` changed. Exit code 0 when the
schemas are structurally equal, 1 when they differ (as diff(1)).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from charter.cli.common import (
    EXIT_REGISTRY,
    EXIT_USAGE,
    TYPE_HELP,
    CliError,
    Loader,
    SchemaEntry,
    infer_type,
    parse_text,
    working_tree,
)
from charter.cli.registryopts import add_registry_options, call, make_client
from charter.clients import Schema, SchemaRegistryError
from charter.compat import ParsedSchema
from charter.compat.formats import get_format
from charter.compat.outline import diff_outlines, dotted, leaf_changes

EPILOG = """examples:
  charter diff old/user.avsc schemas/user.avsc
  charter diff --subject user-value --versions 1 3 --registry http://registry:8081

exit codes:
  0  no structural difference
  1  the schemas differ
  2  usage error or a schema that does not parse
  3  registry unreachable, or authentication refused"""


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "diff", help="show a readable structural diff of two schemas (files or registered versions)",
        description="Compare two schemas field by field: + added, - removed, ~ changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", metavar="FILE", help="the two schema files A and B")
    parser.add_argument("--type", dest="schema_type", metavar="TYPE", help=TYPE_HELP)
    parser.add_argument("--subject", help="compare two versions of this registry subject instead of files")
    parser.add_argument("--versions", nargs=2, metavar=("A", "B"), help="the two versions (numbers or latest)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    add_registry_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        (label_a, schema_a), (label_b, schema_b), kind = _inputs(args)
        fmt = get_format(kind)
        changes = [(op, dotted(path), old, new) for op, path, old, new in
                   leaf_changes(diff_outlines(fmt.outline(schema_a), fmt.outline(schema_b)))]
    except CliError as exc:
        print(f"charter diff: error: {exc}", file=sys.stderr)
        return exc.code
    if args.format == "json":
        print(json.dumps({"a": label_a, "b": label_b, "type": kind,
                          "changes": [{"op": op, "path": p, "old": o, "new": n} for op, p, o, n in changes]}, indent=2))
    else:
        print(f"--- {label_a}\n+++ {label_b}")
        for op, path, old, new in changes:
            print({"+": f"+ {path}: {new}", "-": f"- {path}: {old}", "~": f"~ {path}: {old} -> {new}"}[op])
        if not changes:
            print("(no structural difference)")
    return 1 if changes else 0


Input = tuple[str, ParsedSchema]


def _inputs(args: argparse.Namespace) -> tuple[Input, Input, str]:
    if args.subject:
        if args.files or not args.versions:
            raise CliError("with --subject, give --versions A B and no files")
        return _registry_inputs(args)
    if len(args.files) != 2:
        raise CliError("give two schema files: charter diff A B (or --subject S --versions A B)")
    kind = infer_type(args.files[1], args.schema_type)
    parsed = []
    for file in args.files:
        path = Path(file)
        if not path.is_file():
            raise CliError(f"{file}: no such file")
        entry = SchemaEntry(path.stem, path.name, kind)
        parsed.append((file, Loader(working_tree(path.parent), validate=False).parse(entry)))
    return parsed[0], parsed[1], kind


def _registry_inputs(args: argparse.Namespace) -> tuple[Input, Input, str]:
    url = args.registry
    client = make_client(args, url)
    found = []
    with client:
        for version in args.versions:
            v: int | str = int(version) if version.isdigit() else version
            got = _get_version(client, url, args.subject, v)
            found.append((f"{args.subject} version {got.version}", got.schema))
        kind = get_format(found[1][1].schema_type).schema_type.value
        parsed = [(label, _parse_registered(client, url, label, schema, {})) for label, schema in found]
    return parsed[0], parsed[1], kind


def _get_version(client: Any, url: str, subject: str, version: int | str) -> Any:
    try:
        return call(lambda: client.get_version(subject, version), url)
    except SchemaRegistryError as exc:
        raise CliError(f"{subject} version {version}: {exc.error_message}",
                       EXIT_REGISTRY if exc.http_status_code < 0 else EXIT_USAGE) from None


def _parse_registered(client: Any, url: str, label: str, schema: Schema,
                      seen: dict[tuple[str, int], ParsedSchema]) -> ParsedSchema:
    """Parse a registered schema with its references, fetched from the registry (each once)."""
    deps: dict[str, ParsedSchema] = {}
    for ref in schema.references:
        key = (ref.subject, ref.version)
        if key not in seen:
            got = _get_version(client, url, ref.subject, ref.version)
            seen[key] = _parse_registered(client, url, f"{ref.subject} version {ref.version}", got.schema, seen)
        deps[ref.name] = seen[key]
    return parse_text(label, schema.schema_str, schema.schema_type, deps, validate=False)
