"""`charter diff` compares the formats' outlines: Protobuf files by message, field name and
number (nested messages, maps and oneofs read from the descriptor), and registered versions parsed
with their references fetched from the registry."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from support.cli import charter, write
from support.process import V1, RegistryProcess

MONEY = 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; }\n'
ORDER = """syntax = "proto3";
package shop;
import "money.proto";
message Order {
  Money total = 1;
  map<string, int32> counts = 2;
  message Line { string sku = 1; }
}
"""


def test_diff_proto_files_nested_and_maps(tmp_path: Path) -> None:
    old = 'syntax = "proto3";\nmessage Order {\n  int32 id = 1;\n  message Line { string sku = 1; }\n}\n'
    new = old.replace("string sku = 1;", "string sku = 1;\n    map<string, int32> counts = 2;")
    write(tmp_path, {"a.proto": old, "b.proto": new})
    result = charter("diff", "a.proto", "b.proto", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["changes"] == [
        {"op": "+", "path": "Order.Line.counts (field 2)", "old": None, "new": "map<string, int32>"}]


def _register(registry: RegistryProcess, subject: str, text: str, references: list[dict[str, object]]) -> None:
    body = {"schema": text, "schemaType": "PROTOBUF", "references": references}
    response = httpx.post(f"{registry.url}/subjects/{subject}/versions", json=body, headers={"Content-Type": V1})
    response.raise_for_status()


def test_diff_registered_versions_with_references(registry: RegistryProcess, subject: str) -> None:
    _register(registry, f"{subject}-money", MONEY, [])
    ref = [{"name": "money.proto", "subject": f"{subject}-money", "version": 1}]
    _register(registry, subject, ORDER, ref)
    httpx.put(f"{registry.url}/config/{subject}", json={"compatibility": "NONE"},
              headers={"Content-Type": V1}).raise_for_status()
    _register(registry, subject, ORDER.replace("Money total = 1;", "Money total = 1;\n  Money tax = 3;"), ref)
    result = charter("diff", "--subject", subject, "--versions", "1", "2", "--registry", registry.url)
    assert result.returncode == 1, result.stderr
    assert "+ Order.tax (field 3): Money" in result.stdout
