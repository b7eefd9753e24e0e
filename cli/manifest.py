"""The manifest: which files are which subjects, with type, references and level.

Read from ``charter.toml`` (top-level keys, or a ``[tool.charter]`` table) or from the
``[tool.charter]`` table of ``pyproject.toml``, in the working directory (or ``--manifest``)::

    [tool.charter]
    level = "BACKWARD"                      # default level for offline checks
    registry = "http://localhost:8081"      # default --registry

    [tool.charter.subjects]
    customer-value = "schemas/customer.avsc"            # shorthand: just the file
    order-value = { file = "schemas/order.avsc", references = ["schemas/customer.avsc"] }
    money = { file = "protos/common/money.proto" }
    payment-value = { file = "protos/payment.proto", level = "FULL",
                      references = [{ name = "common/money.proto", file = "protos/common/money.proto" }] }
    "{stem}-value" = { file = "events/*.json" }         # a glob: one subject per file

Paths are relative to the manifest's directory. ``type`` is inferred from the extension when
absent. A reference's ``name`` (the import path / ``$ref`` / any key for Avro) defaults to its
path relative to the referencing file's directory; its registry ``subject`` defaults to the
manifest subject of that file, else the name.
"""

from __future__ import annotations

import glob
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charter.cli.common import CliError, Reference, SchemaEntry, infer_type
from charter.compat import CompatibilityLevel


@dataclass
class Manifest:
    """The parsed manifest: entries (file paths relative to ``base``), defaults."""

    path: Path
    base: Path
    entries: list[SchemaEntry] = field(default_factory=list)
    level: str | None = None
    registry: str | None = None

    def by_file(self) -> dict[str, SchemaEntry]:
        return {e.file: e for e in self.entries}

    def find(self, file: str) -> SchemaEntry | None:
        return self.by_file().get(file)


def find_manifest(cwd: Path, explicit: str | None) -> Path | None:
    """``--manifest``, else ``charter.toml``, else a ``pyproject.toml`` with ``[tool.charter]``."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise CliError(f"manifest {explicit} not found")
        return path
    if (cwd / "charter.toml").is_file():
        return cwd / "charter.toml"
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError:
            return None
        if "charter" in data.get("tool", {}):
            return pyproject
    return None


def _bad(path: Path, message: str) -> CliError:
    return CliError(f"manifest {path}: {message}")


def _level(path: Path, value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        return CompatibilityLevel.parse(str(value)).value
    except ValueError:
        names = ", ".join(level.value for level in CompatibilityLevel)
        raise _bad(path, f"{where}: unknown level {value!r} (one of {names})") from None


def load_manifest(path: Path) -> Manifest:
    """Parse and validate the manifest at ``path``; every problem is a :class:`CliError` (exit 2)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _bad(path, f"not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("charter") if "tool" in data else data
    if not isinstance(table, dict):
        raise _bad(path, "no [tool.charter] table")
    manifest = Manifest(path, path.parent, level=_level(path, table.get("level"), "level"),
                        registry=table.get("registry"))
    subjects = table.get("subjects")
    if not isinstance(subjects, dict) or not subjects:
        raise _bad(path, "no subjects: add a [tool.charter.subjects] table (subject = \"path/to/schema\")")
    raw_refs: dict[str, list[Any]] = {}
    for key, spec in subjects.items():
        if isinstance(spec, str):
            spec = {"file": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("file"), str):
            raise _bad(path, f"subject {key!r}: needs a file (subject = \"path\" or {{ file = \"path\" }})")
        unknown = set(spec) - {"file", "type", "references", "level"}
        if unknown:
            raise _bad(path, f"subject {key!r}: unknown keys {sorted(unknown)} (file, type, references, level)")
        files = _expand(manifest.base, spec["file"])
        if not files:
            raise _bad(path, f"subject {key!r}: no file matches {spec['file']!r}")
        if len(files) > 1 and "{stem}" not in key and "{name}" not in key:
            raise _bad(path, f"subject {key!r}: {spec['file']!r} matches {len(files)} files; use a subject "
                       "template with {stem} or {name}, e.g. \"{stem}-value\"")
        refs = spec.get("references", [])
        if not isinstance(refs, list):
            raise _bad(path, f"subject {key!r}: references must be a list")
        for file in files:
            stem = Path(file).stem
            subject = key.replace("{stem}", stem).replace("{name}", Path(file).name)
            try:
                kind = infer_type(file, spec.get("type"))
            except CliError as exc:
                raise _bad(path, f"subject {subject!r}: {exc}") from None
            entry = SchemaEntry(subject, file, kind, [], _level(path, spec.get("level"), f"subject {subject!r}"))
            manifest.entries.append(entry)
            raw_refs[subject] = refs
    by_file = manifest.by_file()
    for entry in manifest.entries:
        entry.references = [_reference(path, manifest.base, entry, ref, by_file) for ref in raw_refs[entry.subject]]
    return manifest


def _expand(base: Path, pattern: str) -> list[str]:
    if any(ch in pattern for ch in "*?["):
        found = sorted(glob.glob(pattern, root_dir=base, recursive=True))
        return [Path(f).as_posix() for f in found if (base / f).is_file()]
    return [Path(pattern).as_posix()] if (base / pattern).is_file() else []


def _reference(path: Path, base: Path, entry: SchemaEntry, ref: Any, by_file: dict[str, SchemaEntry]) -> Reference:
    if isinstance(ref, str):
        ref = {"file": ref}
    if not isinstance(ref, dict) or not isinstance(ref.get("file"), str):
        raise _bad(path, f"subject {entry.subject!r}: a reference is a path or {{ name, file, subject }}")
    file = Path(ref["file"]).as_posix()
    if not (base / file).is_file():
        raise _bad(path, f"subject {entry.subject!r}: reference file {file} not found")
    name = ref.get("name") or Path(os.path.relpath(base / file, (base / entry.file).parent)).as_posix()
    owner = by_file.get(file)
    subject = ref.get("subject") or (owner.subject if owner else name)
    return Reference(str(name), file, str(subject))


def dependency_order(entries: list[SchemaEntry]) -> list[SchemaEntry]:
    """``entries`` with every referenced entry before the entries that reference it."""
    by_file = {e.file: e for e in entries}
    ordered: list[SchemaEntry] = []
    state: dict[str, int] = {}

    def visit(entry: SchemaEntry) -> None:
        mark = state.get(entry.file)
        if mark == 2:
            return
        if mark == 1:
            raise CliError(f"circular references through {entry.file}")
        state[entry.file] = 1
        for ref in entry.references:
            dep = by_file.get(ref.file)
            if dep is not None:
                visit(dep)
        state[entry.file] = 2
        ordered.append(entry)

    for entry in entries:
        visit(entry)
    return ordered
