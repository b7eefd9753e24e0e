"""The `charter` command line: help texts, the documented settings table, clear start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.paths import ROOT

from charter.registry.settings import OPTIONS, defaults_from_env


def charter(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter.cli.main", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )


def test_help_lists_serve_and_its_options() -> None:
    top = charter("--help")
    assert top.returncode == 0 and "serve" in top.stdout
    serve = charter("serve", "--help")
    assert serve.returncode == 0
    for opt in OPTIONS:
        assert opt.flag in serve.stdout and opt.env in serve.stdout


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    for opt in OPTIONS:
        row = next((line for line in readme.splitlines() if f"`{opt.flag}`" in line), None)
        assert row is not None, f"README has no row for {opt.flag}"
        assert f"`{opt.env}`" in row and f"`{opt.default}`" in row


def test_environment_overrides_defaults() -> None:
    values = defaults_from_env({"CHARTER_PORT": "9999", "SCHEMA_REGISTRY_SCHEMA_COMPATIBILITY_LEVEL": "full"})
    assert values["port"] == 9999 and values["compatibility"] == "full"


def test_bad_settings_fail_with_a_clear_message(tmp_path: Path) -> None:
    bad_env = charter("serve", "--data-dir", str(tmp_path), env={"CHARTER_PORT": "eighty"})
    assert bad_env.returncode == 2 and "CHARTER_PORT='eighty' is not a valid int" in bad_env.stderr
    bad_level = charter("serve", "--data-dir", str(tmp_path), "--compatibility", "SIDEWAYS")
    assert bad_level.returncode == 2 and "unknown compatibility level" in bad_level.stderr


def test_no_command_prints_help_and_fails() -> None:
    result = charter()
    assert result.returncode == 2 and "serve" in result.stdout
