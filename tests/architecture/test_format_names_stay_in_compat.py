"""Format names live in charter.compat: product code outside it asks the format table
(``charter.compat.formats``) instead of comparing ``schemaType`` with ``"AVRO"``/``"PROTOBUF"``/``"JSON"``.

The allow-list below names the lines that still do, each with the reason; a new one fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from support.paths import ROOT

PRODUCT = ("cli", "clients", "registry")
LITERAL = re.compile(r"""(?<![\w])["'](AVRO|PROTOBUF|JSON)["']""")
CONSTANT = re.compile(r"\bSchemaType\.(AVRO|PROTOBUF|JSON)\b")

#: file -> (how many lines naming a format it may hold, why).
ALLOWED_LITERALS: dict[str, tuple[int, str]] = {}

#: Serdes name their own format with the compat constant (and the framing reads Protobuf's indexes).
SERDES = {"clients/avro.py", "clients/protobuf.py", "clients/json_schema.py", "clients/serde.py", "clients/wire.py"}


def _product_files() -> list[Path]:
    return sorted(p for d in PRODUCT for p in (ROOT / d).rglob("*.py"))


def test_no_format_name_literals_outside_compat() -> None:
    found: dict[str, list[str]] = {}
    for path in _product_files():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LITERAL.search(line):
                found.setdefault(rel, []).append(f"{rel}:{number}: {line.strip()}")
    unexpected = [hit for rel, hits in found.items() if len(hits) > ALLOWED_LITERALS.get(rel, (0, ""))[0]
                  for hit in hits]
    assert not unexpected, ("format names outside charter.compat: ask charter.compat.formats (get_format, "
                            "format_for_file, supported_types) or use DEFAULT_SCHEMA_TYPE\n" + "\n".join(unexpected))


def test_only_serdes_name_a_format_constant() -> None:
    hits = [f"{path.relative_to(ROOT).as_posix()}: {line.strip()}" for path in _product_files()
            if path.relative_to(ROOT).as_posix() not in SERDES
            for line in path.read_text(encoding="utf-8").splitlines() if CONSTANT.search(line)]
    assert not hits, "\n".join(hits)


def test_allow_list_is_not_stale() -> None:
    """An allowed file that no longer names a format leaves the allow-list."""
    for rel in ALLOWED_LITERALS:
        lines = (ROOT / rel).read_text(encoding="utf-8").splitlines()
        assert any(LITERAL.search(line) for line in lines), f"{rel} names no format now: drop it from the list"
