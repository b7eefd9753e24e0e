"""``charter rules``: list the compatibility rules the checker applies (ID, category, formats).

The catalogue is :mod:`charter.compat.rules`; ``charter check`` names the rule of every break by
its ID, which is also the ``errorType`` of the registry's verbose messages.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from charter.cli.common import TYPES_TEXT, CliError, parse_type
from charter.compat.rules import markdown_table, rules_for

EPILOG = """examples:
  charter rules                      # every rule, as a table
  charter rules --type PROTOBUF      # the rules Protobuf schemas are checked with
  charter rules --format json        # for tools
  charter rules --format markdown    # the table of docs/compatibility-rules.md"""


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "rules", help="list the compatibility rules (ID, category, formats) that check reports breaks of",
        description=("List the compatibility rules: each has a stable ID (the errorType of the registry's verbose "
                     "messages and of 'charter check' findings), a category, the schema formats that report it, "
                     "what a break means and how to fix it."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--type", dest="schema_type", metavar="TYPE",
                        help=f"only the rules of one format: {TYPES_TEXT}")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="output format (default: text)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        schema_type = parse_type(args.schema_type) if args.schema_type else None
    except CliError as exc:
        print(f"charter rules: error: {exc}", file=sys.stderr)
        return exc.code
    rules = rules_for(schema_type)
    if args.format == "markdown":
        sys.stdout.write(markdown_table(schema_type))
    elif args.format == "json":
        print(json.dumps([{"id": r.id, "category": r.category.value, "formats": [f.value for f in r.formats],
                           "summary": r.summary, "hint": r.hint, "lenient": r.lenient} for r in rules], indent=2))
    else:
        width = max(len(r.id) for r in rules)
        for rule in rules:
            formats = ",".join(f.value for f in rule.formats)
            print(f"{rule.id:<{width}}  {rule.category.value:<13}  {formats:<20}  {rule.summary}")
    return 0
