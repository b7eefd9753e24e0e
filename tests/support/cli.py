"""Helpers for the CLI tests: run ``charter`` in a subprocess and build throw-away git repositories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AVRO_V1 = """{"type": "record", "name": "User", "namespace": "com.example",
 "fields": [
   {"name": "id", "type": "int"},
   {"name": "name", "type": "string"}
 ]}
"""
AVRO_COMPATIBLE = """{"type": "record", "name": "User", "namespace": "com.example",
 "fields": [
   {"name": "id", "type": "int"},
   {"name": "name", "type": "string"},
   {"name": "email", "type": ["null", "string"], "default": null}
 ]}
"""
AVRO_BREAKING = """{"type": "record", "name": "User", "namespace": "com.example",
 "fields": [
   {"name": "id", "type": "int"},
   {"name": "name", "type": "string"},
   {"name": "age", "type": "int"}
 ]}
"""
PROTO_V1 = """syntax = "proto3";
package shop;

message Order {
  int32 id = 1;
  string item = 2;
}
"""
PROTO_COMPATIBLE = PROTO_V1.replace("  string item = 2;\n", "  string item = 2;\n  int64 quantity = 3;\n")
PROTO_BREAKING = PROTO_V1.replace("  int32 id = 1;", "  string id = 1;")
JSON_V1 = """{
  "type": "object",
  "properties": {
    "kind": {"type": "string"},
    "at": {"type": "integer"}
  },
  "additionalProperties": false
}
"""
_AT = '"at": {"type": "integer"}'
JSON_COMPATIBLE = JSON_V1.replace(_AT, _AT + ',\n    "note": {"type": "string"}')
JSON_BREAKING = JSON_V1.replace(_AT, _AT + ',\n    "source": {"type": "string"}').replace(
    '  "additionalProperties"', '  "required": ["source"],\n  "additionalProperties"')


def charter(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (``python -m charter.cli.main``) and capture its output."""
    return subprocess.run([sys.executable, "-m", "charter.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "SCHEMA_REGISTRY_URL": ""})


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "ci@example.com")
    git(path, "config", "user.name", "CI")
    git(path, "config", "commit.gpgsign", "false")
    return path


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)
