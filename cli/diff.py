"""``charter diff``: a readable structural diff of two schemas (files, or two registered versions).

Schemas are flattened into ``path -> value`` lines (Avro fields and JSON Schema properties by
name, Protobuf fields by message, name and number) and compared: ``+`` added, ``-`` removed,
``~`` changed. Exit code 0 when the schemas are structurally equal, 1 when they differ (as diff(1)).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from charter.cli.common import EXIT_REGISTRY, EXIT_USAGE, CliError, Loader, SchemaEntry, infer_type, working_tree
from charter.cli.registryopts import add_registry_options, call, make_client
from charter.clients import SchemaRegistryError

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
    parser.add_argument("--type", dest="schema_type", metavar="TYPE", help="AVRO, PROTOBUF or JSON (default: "
                        "from the extension)")
    parser.add_argument("--subject", help="compare two versions of this registry subject instead of files")
    parser.add_argument("--versions", nargs=2, metavar=("A", "B"), help="the two versions (numbers or latest)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    add_registry_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        (label_a, text_a), (label_b, text_b), kind = _inputs(args)
        changes = diff(flatten(text_a, kind), flatten(text_b, kind))
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


def _inputs(args: argparse.Namespace) -> tuple[tuple[str, str], tuple[str, str], str]:
    if args.subject:
        if args.files or not args.versions:
            raise CliError("with --subject, give --versions A B and no files")
        return _registry_inputs(args)
    if len(args.files) != 2:
        raise CliError("give two schema files: charter diff A B (or --subject S --versions A B)")
    kind = infer_type(args.files[1], args.schema_type)
    texts = []
    for file in args.files:
        path = Path(file)
        if not path.is_file():
            raise CliError(f"{file}: no such file")
        entry = SchemaEntry(path.stem, path.name, kind)
        Loader(working_tree(path.parent), validate=False).parse(entry)  # file:line when it does not parse
        texts.append((file, path.read_text(encoding="utf-8")))
    return texts[0], texts[1], kind


def _registry_inputs(args: argparse.Namespace) -> tuple[tuple[str, str], tuple[str, str], str]:
    url = args.registry
    client = make_client(args, url)
    found = []
    with client:
        for version in args.versions:
            v: int | str = int(version) if version.isdigit() else version
            try:
                got = call(lambda v=v: client.get_version(args.subject, v), url)
            except SchemaRegistryError as exc:
                raise CliError(f"{args.subject} version {version}: {exc.error_message}",
                               EXIT_REGISTRY if exc.http_status_code < 0 else EXIT_USAGE) from None
            found.append((f"{args.subject} version {got.version}", got.schema.schema_str, got.schema.schema_type))
    return found[0][:2], found[1][:2], found[1][2] or "AVRO"


def flatten(text: str, kind: str) -> dict[str, str]:
    """``readable path -> value`` for every leaf of the schema."""
    if kind == "PROTOBUF":
        return _flatten_proto(text)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise CliError(f"not JSON: {exc}", EXIT_USAGE) from None
    out: dict[str, str] = {}
    root = doc.get("name", "").split(".")[-1] if kind == "AVRO" and isinstance(doc, dict) else ""
    _walk(doc, root, out)
    return out


def _walk(node: Any, path: str, out: dict[str, str]) -> None:
    def join(key: object) -> str:
        return f"{path}.{key}" if path else str(key)

    if isinstance(node, dict):
        if not node:
            out[path or "(root)"] = "{}"
        for key, value in node.items():
            _walk(value, join(key), out)
    elif isinstance(node, list) and node and all(isinstance(x, dict) and "name" in x for x in node):
        for item in node:
            _walk({k: v for k, v in item.items() if k != "name"}, join(item["name"]), out)
    elif isinstance(node, list) and any(isinstance(x, dict | list) for x in node):
        for i, item in enumerate(node):
            _walk(item, join(f"[{i}]"), out)
    else:
        out[path or "(root)"] = json.dumps(node)


_BLOCK = re.compile(r"^\s*(message|enum|oneof|service)\s+(\w+)\s*\{")
_FIELD = re.compile(r"^\s*((?:optional|repeated|required)\s+)?([\w.<>, ]+?)\s+(\w+)\s*=\s*(-?\d+)\s*(\[.*\])?\s*;")
_ENUM_VALUE = re.compile(r"^\s*(\w+)\s*=\s*(-?\d+)\s*(\[.*\])?\s*;")
_TOP = re.compile(r"^\s*(syntax|package|import|option)\b\s*(.*?);")


def _flatten_proto(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    stack: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.split("//")[0]
        if (m := _BLOCK.match(line)) is not None:
            stack.append((m.group(1), m.group(2)))
            path = ".".join(n for _, n in stack)
            out[path] = m.group(1)
            continue
        scope = ".".join(n for _, n in stack)
        in_enum = bool(stack) and stack[-1][0] == "enum"
        if in_enum and (m := _ENUM_VALUE.match(line)) is not None:
            out[f"{scope}.{m.group(1)}"] = m.group(2)
        elif (m := _FIELD.match(line)) is not None and stack:
            label = (m.group(1) or "").strip()
            value = " ".join(x for x in (label, m.group(2).strip(), m.group(5) or "") if x)
            out[f"{scope}.{m.group(3)} (field {m.group(4)})"] = value
        elif not stack and (m := _TOP.match(line)) is not None:
            key = m.group(1) if m.group(1) in ("syntax", "package") else f"{m.group(1)} {m.group(2)}"
            out[key] = m.group(2)
        for _ in range(line.count("}")):
            if stack:
                stack.pop()
    return out


def diff(a: dict[str, str], b: dict[str, str]) -> list[tuple[str, str, str | None, str | None]]:
    """(op, path, old, new) for every difference, sorted by path."""
    changes: list[tuple[str, str, str | None, str | None]] = []
    for path, value in b.items():
        if path not in a:
            changes.append(("+", path, None, value))
        elif a[path] != value:
            changes.append(("~", path, a[path], value))
    changes += [("-", path, value, None) for path, value in a.items() if path not in b]
    return sorted(changes, key=lambda c: c[1])
