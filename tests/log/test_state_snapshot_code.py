"""A state snapshot is used only by the same code that built it: its header carries a digest of the
modules in ``snapshot.STATE_CODE``. This test keeps that list whole: every module of ours that a
listed module imports is listed too, or is named below with why it has no say in the state a log's
records build. A new import into the state's code fails here until someone decides which it is."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from charter.registry.store.snapshot import STATE_CODE

NO_SAY = {
    "charter.registry": "a package: its modules are imported by name",
    "charter.registry.store": "a package: its modules are imported by name",
    "charter.registry.errors": "the error vocabulary of answers, not of the state",
    "charter.registry.log.file": "where and how the snapshot file is written (fsync, rename)",
    "charter.compat.formats": "the schema types' tags, which the snapshot's header checks one by one",
    "charter.compat.locate": "compatibility verdicts (compat.model's types), not the state",
    "charter.compat.outline": "compatibility verdicts (compat.model's types), not the state",
    "charter.compat.rules": "compatibility verdicts (compat.model's types), not the state",
}


def imported(module: str) -> set[str]:
    """The ``charter.*`` modules ``module`` imports (``from package import module`` included)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    found = set()
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("charter"):
            found.add(node.module)
            package = importlib.util.find_spec(node.module)
            if package is not None and package.submodule_search_locations:
                found |= {f"{node.module}.{a.name}" for a in node.names
                          if importlib.util.find_spec(f"{node.module}.{a.name}") is not None}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("charter")}
    return found


def test_every_module_the_state_code_imports_is_in_the_digest_or_has_no_say() -> None:
    undecided = {(module, name) for module in STATE_CODE for name in imported(module)
                 if name not in STATE_CODE and name not in NO_SAY}
    assert not undecided, f"add to snapshot.STATE_CODE, or to NO_SAY with a reason: {sorted(undecided)}"


def test_the_digest_list_names_real_modules() -> None:
    assert all(importlib.util.find_spec(name) is not None for name in STATE_CODE)
    assert len(set(STATE_CODE)) == len(STATE_CODE)
