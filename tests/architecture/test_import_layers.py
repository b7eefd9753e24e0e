"""The layers of docs/architecture.md, enforced: an import that crosses a layer the wrong way fails.

Every module under compat/, clients/, registry/ and cli/ is read with :mod:`ast` (no import is
executed) and each ``charter.*`` import it makes (at any depth, lazy ones included) is checked
against :data:`MAY_IMPORT`: the layers a layer may use. Layers are matched by the longest prefix.
HTTP frameworks (FastAPI, Starlette) may only be imported by the HTTP edge (api, ui) and the
bootstrap that builds the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support.paths import ROOT

# Package directory -> module prefix, as pyproject.toml's package-dir maps them.
SOURCES = {
    "compat": "charter.compat", "clients": "charter.clients", "registry": "charter.registry", "cli": "charter.cli",
}

FOUNDATION = ("charter.registry.errors", "charter.registry.settings", "charter.registry.confluent_config",
              "charter.registry.contexts")
# layer -> the layers it may import (besides itself). Lower layers never import higher ones.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "charter.compat": (),
    "charter.clients": ("charter.compat",),
    "charter.registry.errors": (),
    "charter.registry.settings": ("charter.compat", "charter.registry.confluent_config"),
    "charter.registry.confluent_config": ("charter.registry.settings",),
    "charter.registry.contexts": ("charter.registry.errors",),
    "charter.registry.auth": ("charter.registry.errors",),
    # The Kafka writer commits a NOOP record as its barrier: it encodes that key with the record format.
    "charter.registry.log": (*FOUNDATION, "charter.registry.cluster.term", "charter.registry.store.records"),
    "charter.registry.store": ("charter.compat", *FOUNDATION, "charter.registry.log"),
    "charter.registry.cluster": (*FOUNDATION, "charter.registry.log", "charter.registry.store"),
    "charter.registry.usecases": ("charter.compat", *FOUNDATION, "charter.registry.log", "charter.registry.store"),
    "charter.registry.service": ("charter.compat", *FOUNDATION, "charter.registry.log", "charter.registry.store",
                                 "charter.registry.usecases"),
    "charter.registry.backup": (*FOUNDATION, "charter.registry.log", "charter.registry.store"),
    "charter.registry.api": ("charter.compat", *FOUNDATION, "charter.registry.log", "charter.registry.store",
                             "charter.registry.usecases", "charter.registry.service", "charter.registry.cluster",
                             "charter.registry.auth", "charter.registry.ui"),
    "charter.registry.ui": ("charter.compat", *FOUNDATION, "charter.registry.store", "charter.registry.usecases",
                            "charter.registry.service", "charter.registry.api", "charter.registry.auth"),
    "charter.registry.bootstrap": ("charter.compat", "charter.registry"),
    "charter.cli": ("charter.compat", "charter.clients", "charter.registry"),
}
HTTP_FRAMEWORKS = ("fastapi", "starlette", "uvicorn")
HTTP_EDGE = ("charter.registry.api", "charter.registry.ui", "charter.registry.bootstrap", "charter.cli")


def _layer(module: str) -> str | None:
    matches = [layer for layer in MAY_IMPORT if module == layer or module.startswith(layer + ".")]
    return max(matches, key=len) if matches else None


def _modules() -> list[tuple[str, Path]]:
    found = []
    for folder, prefix in SOURCES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            found.append((".".join((prefix, *parts)), path))
    return found


def _imports(module: str, path: Path) -> list[tuple[int, tuple[str, ...]]]:
    """Each import as (line, the names it may mean): ``from a.b import c`` is ``a.b.c`` or ``a.b``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[tuple[int, tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, (alias.name,)) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.extend((node.lineno, (f"{target}.{alias.name}", target)) for alias in node.names)
    return names


def _allowed(source_layer: str, names: tuple[str, ...]) -> bool:
    def ok(target: str) -> bool:
        target_layer = _layer(target)
        if target_layer is None or target_layer == source_layer:
            return True
        return any(target == allowed or target.startswith(allowed + ".") for allowed in MAY_IMPORT[source_layer])

    return any(ok(name) for name in names)


MODULES = _modules()


def test_every_module_belongs_to_a_layer() -> None:
    orphans = [module for module, _ in MODULES if _layer(module) is None and module not in SOURCES.values()
               and module != "charter.registry"]
    assert not orphans, f"add these to a layer in MAY_IMPORT and docs/architecture.md: {orphans}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_imports_follow_the_layers(module: str, path: Path) -> None:
    layer = _layer(module)
    if layer is None:
        return
    wrong = sorted({f"line {line}: {names[0]}" for line, names in _imports(module, path)
                    if names[0].startswith("charter.") and not _allowed(layer, names)})
    assert not wrong, f"{module} ({layer}) may import only {MAY_IMPORT[layer]}; it imports {wrong}"
    if not module.startswith(HTTP_EDGE):
        http = sorted({f"line {line}: {names[0]}" for line, names in _imports(module, path)
                       if names[0].split(".")[0] in HTTP_FRAMEWORKS})
        assert not http, f"{module} is below the HTTP edge but imports {http}"


def test_a_wrong_way_import_is_caught(tmp_path: Path) -> None:
    """The checker itself: a store module importing the API is refused."""
    bad = tmp_path / "bad.py"
    bad.write_text("from charter.registry.api.app import create_app\n")
    imports = _imports("charter.registry.store.bad", bad)
    assert imports and not all(_allowed("charter.registry.store", names) for _, names in imports)
