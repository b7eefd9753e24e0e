"""The ``charter`` command: ``serve`` runs the registry; ``check``, ``register`` and ``diff`` are the CI
tools for schema files, ``rules`` lists the compatibility rules they report (more commands plug in here).

Each command lives in its own module of :mod:`charter.cli`, imported only when needed: ``charter
serve`` imports ``serve`` alone (the CI tools' format and HTTP libraries would delay the server's
start), ``charter --help`` and an unknown command import them all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

# command -> the module of charter.cli that adds it (in the order `charter --help` lists them)
COMMANDS = {
    "serve": "serve",
    "check": "check",
    "register": "register",
    "diff": "diff",
    "rules": "rules",
    "passwd": "passwd",
    "backup": "backup",
    "restore": "backup",
    "repair": "repair",
    "migrate": "migrate",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"charter.cli.{name}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of ``command`` (one of :data:`COMMANDS`)."""
    parser = argparse.ArgumentParser(
        prog="charter",
        description=(
            "Charter: a schema registry for Kafka that speaks the Confluent Schema Registry API. "
            "Stores Avro, Protobuf and JSON Schema schemas with global ids and enforces compatibility "
            "levels; checks schema files in CI."
        ),
        epilog="Run 'charter COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_module('serve').package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = dict.fromkeys(COMMANDS.values()) if command is None else {COMMANDS[command]: None}
    for name in modules:
        _module(name).add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    chosen = argv[0] if argv and argv[0] in COMMANDS else None  # else: help, --version, or an error
    parser = build_parser(chosen)
    args = parser.parse_args(argv)
    args.argv = argv  # what a pool's workers are started with
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
