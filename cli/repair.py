"""``charter repair``: make a damaged embedded log startable again, keeping a backup of it.

``charter serve`` refuses a log with damage in the middle (a flipped bit, a bad sector) rather than
drop the intact records after it. ``charter repair --data-dir DIR`` copies the damaged
``schemas.log`` byte for byte to ``schemas.log.damaged-<UTC time>`` beside it, then rewrites the log
with every frame that verifies by its length and CRC, dropping only the bytes that do not, and
prints the byte ranges it dropped and how many records it kept. ``--dry-run`` only reports. It takes
the log's lock, so it refuses while a server (or a restore) owns the directory. The records in the
dropped bytes are lost: restore them from a ``charter backup`` if you have one.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from charter.registry.settings import SettingsError, add_arguments, given_flags, resolve


def add_command(commands: Any) -> None:
    parser = commands.add_parser("repair", help="drop only the damaged bytes of an embedded log (after a backup)",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, ("config", "data_dir"))
    parser.add_argument("--dry-run", action="store_true", help="report what would be dropped; write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from charter.registry.log.base import LogError
    from charter.registry.log.repair import repair_log

    try:
        settings = resolve(given_flags(args)).settings
        report = repair_log(settings.data_path, dry_run=args.dry_run)
    except (LogError, SettingsError, OSError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0
