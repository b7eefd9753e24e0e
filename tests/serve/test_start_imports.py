"""What ``charter serve`` imports before it serves on the embedded log: the serve command's module
and not the CI tools' (their format, HTTP and terminal libraries), and neither argon2 (the users
module hashes a dummy password when imported) nor httpx (forwarding) without a users file or Kafka.
``charter --help`` still lists every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from charter.cli.main import COMMANDS, build_parser

SERVE_START = """
import sys
from charter.cli.main import build_parser
build_parser("serve")
from charter.registry import bootstrap
from charter.registry.settings import resolve
registry = bootstrap.build(resolve({"data_dir": sys.argv[1]}).settings)
registry.replay()
registry.app()
print(" ".join(sorted(m for m in sys.modules if m.startswith(("charter.cli.", "argon2", "httpx")))))
"""


def test_serve_imports_only_what_an_open_standalone_server_uses(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", SERVE_START, str(tmp_path)], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.split() == ["charter.cli.main", "charter.cli.serve"]


def test_the_full_parser_has_every_command() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    assert set(commands.choices) == set(COMMANDS)  # type: ignore[arg-type]
