"""Packaging: every source package is installed under the charter.* namespace, every runtime
import is a declared dependency, and the package data the code reads is shipped."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from support.paths import ROOT

from charter.compat.protobuf.confluent import CONFLUENT_FILES, proto_text

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Imports inside ``try: ... except ImportError`` (the module works without them). Each one is
# listed here with why it is optional; an unlisted guarded import, or a stale entry, fails.
OPTIONAL_IMPORTS: dict[tuple[str, str], str] = {
    ("clients/serialization.py", "confluent_kafka.serialization"):
        "uses confluent-kafka's own SerializationContext/SerializationError classes when present so "
        "its serdes and ours interoperate; defines equivalents otherwise (charter.clients alone)",
    ("clients/avro.py", "fastavro._read"): "fastavro's compiled reader; the pure-Python build lacks it",
    ("clients/avro.py", "fastavro._write"): "fastavro's compiled writer; the pure-Python build lacks it",
}

# Submodules that need a distribution's extras, which a runtime install does not have.
NEEDS_EXTRAS = ("confluent_kafka.schema_registry", "confluent_kafka.avro")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _source_files() -> Iterator[tuple[str, Path]]:
    """(path relative to the repository, file) of every module installed as charter.*."""
    for folder in PYPROJECT["tool"]["setuptools"]["package-dir"].values():
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path


def _guarded(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside a ``try`` whose handlers catch ImportError."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
        if any(name in text for text in caught for name in ("ImportError", "ModuleNotFoundError")):
            for statement in node.body:
                ids.update(id(n) for n in ast.walk(statement) if isinstance(n, ast.Import | ast.ImportFrom))
    return ids


def _imports() -> Iterator[tuple[str, str, bool]]:
    """(source file, imported module, guarded) for every absolute third-party import, at any depth."""
    for relative, path in _source_files():
        tree = ast.parse(path.read_text(), str(path))
        guarded = _guarded(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top != "charter" and top not in sys.stdlib_module_names:
                    yield relative, module, id(node) in guarded


@cache
def _distributions(module: str) -> set[str]:
    """The installed distributions providing ``module`` (a namespace like ``google`` is split by
    which distribution holds the subpackage)."""
    parts = module.split(".")
    owners = _packages_distributions().get(parts[0], [])
    if len(owners) > 1 and len(parts) > 1:
        prefix = "/".join(parts[:2])
        owners = [
            owner for owner in owners
            if any(str(f).startswith((prefix + "/", prefix + ".")) for f in metadata.distribution(owner).files or [])
        ]
    return {_canonical(owner) for owner in owners}


@cache
def _packages_distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def _declared() -> set[str]:
    return {_canonical(re.match(r"[A-Za-z0-9._-]+", req).group()) for req in PYPROJECT["project"]["dependencies"]}


def test_every_source_package_is_listed_in_pyproject() -> None:
    config = PYPROJECT["tool"]["setuptools"]
    mapping: dict[str, str] = config["package-dir"]
    listed = set(config["packages"])
    found = set()
    for package, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *relative.parts]))
    assert found == listed, f"pyproject packages differ from the source tree: {sorted(found ^ listed)}"
    assert all(p.startswith("charter.") for p in listed)


def test_every_runtime_import_is_a_declared_dependency() -> None:
    declared = _declared()
    missing = []
    for source, module, guarded in _imports():
        if guarded:
            continue
        owners = _distributions(module)
        if not owners & declared:
            missing.append(f"{source}: import {module} (distribution {sorted(owners) or 'not installed'})")
    assert not missing, "imports not covered by [project].dependencies:\n" + "\n".join(missing)


def test_optional_imports_are_the_listed_ones() -> None:
    guarded = {(source, module) for source, module, is_guarded in _imports() if is_guarded}
    assert guarded == set(OPTIONAL_IMPORTS), (
        f"unlisted guarded imports: {sorted(guarded - set(OPTIONAL_IMPORTS))}; "
        f"stale entries: {sorted(set(OPTIONAL_IMPORTS) - guarded)}"
    )


def test_no_import_needs_a_dependencys_extras() -> None:
    offending = [(s, m) for s, m, _ in _imports() if m.startswith(NEEDS_EXTRAS)]
    assert not offending, f"these need extras a runtime install lacks: {offending}"


def test_compat_never_imports_confluent_kafka() -> None:
    offending = [(s, m) for s, m, _ in _imports() if s.startswith("compat/") and m.split(".")[0] == "confluent_kafka"]
    assert not offending, f"compat/ is the pure layer; it imports confluent_kafka: {offending}"


def test_shipped_proto_files_are_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["charter.compat.protobuf"]
    folder = ROOT / "compat" / "protobuf"
    covered = {p.relative_to(folder).as_posix() for pattern in patterns for p in folder.glob(pattern)}
    assert {f"proto/{name}" for name in CONFLUENT_FILES} == covered
    for name in CONFLUENT_FILES:  # read the way the installed package reads them
        assert "syntax" in proto_text(name)
