"""Read schema files at git revisions: ``git show REF:path`` and the file's history (``--follow``).

Paths handed to these functions are relative to the repository root (see :func:`repo_path`).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from charter.cli.common import CliError


@dataclass(frozen=True)
class Revision:
    """One commit in which the file existed: its sha, path at that commit and subject line."""

    sha: str
    path: str
    summary: str

    @property
    def label(self) -> str:
        return f"{self.sha[:10]} ({self.summary})" if self.summary else self.sha[:10]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise CliError("git is not installed (needed for --against REF); install git or use --against DIR") from None


def repo_root(cwd: Path) -> Path:
    """The top of the git work tree containing ``cwd``; exit 2 when there is none."""
    result = _git(["rev-parse", "--show-toplevel"], cwd)
    if result.returncode != 0:
        raise CliError(f"{cwd} is not inside a git repository: run in a checkout or use --against DIR")
    return Path(result.stdout.strip())


def repo_path(root: Path, path: Path) -> str:
    """``path`` relative to the repository root, with forward slashes."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise CliError(f"{path} is outside the git repository at {root}") from None


def resolve_ref(root: Path, ref: str) -> str:
    """The commit sha ``ref`` names; an unknown revision is a usage error (exit 2)."""
    result = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if result.returncode != 0:
        raise CliError(f"unknown git revision {ref!r}: check the branch/tag/sha (in CI, fetch it first, "
                       "e.g. actions/checkout with fetch-depth: 0)")
    return result.stdout.strip()


def show(root: Path, sha: str, path: str) -> str | None:
    """The text of ``path`` at commit ``sha``; None when the file does not exist there."""
    result = _git(["show", f"{sha}:{path}"], root)
    if result.returncode != 0:
        return None
    return result.stdout


def history(root: Path, sha: str, path: str) -> list[Revision]:
    """Every commit reachable from ``sha`` that changed ``path`` (following renames), newest first."""
    result = _git(["log", "--follow", "--name-only", "--format=%x00%H%x01%s", sha, "--", path], root)
    if result.returncode != 0:
        raise CliError(f"git log failed for {path}: {result.stderr.strip()}")
    revisions: list[Revision] = []
    for chunk in result.stdout.split("\x00")[1:]:
        head, _, rest = chunk.partition("\n")
        commit, _, summary = head.partition("\x01")
        names = [line for line in rest.splitlines() if line.strip()]
        revisions.append(Revision(commit, names[0] if names else path, summary))
    return revisions
