"""The ``charter`` command: ``serve`` runs the registry; ``check``, ``register`` and ``diff`` are the CI
tools for schema files, ``rules`` lists the compatibility rules they report (more commands plug in here)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from charter.cli import backup, check, diff, migrate, passwd, register, repair, rules, serve


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="charter",
        description=(
            "Charter: a schema registry for Kafka that speaks the Confluent Schema Registry API. "
            "Stores Avro, Protobuf and JSON Schema schemas with global ids and enforces compatibility "
            "levels; checks schema files in CI."
        ),
        epilog="Run 'charter COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {serve.package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve.add_command(commands)
    check.add_command(commands)
    register.add_command(commands)
    diff.add_command(commands)
    rules.add_command(commands)
    passwd.add_command(commands)
    backup.add_command(commands)
    repair.add_command(commands)
    migrate.add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # what a pool's workers are started with
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
