"""`charter check --registry`, `charter register` and `charter diff` against a live Charter server.

The real CLI runs in a subprocess; the registry is the session's `charter serve` (fixture
``registry``); exit codes 0/1/2/3 are asserted (3 with a port nobody listens on).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
from support.cli import AVRO_BREAKING, AVRO_COMPATIBLE, AVRO_V1, PROTO_V1, charter, line_of, write
from support.process import V1, RegistryProcess, free_port


def _register(registry: RegistryProcess, subject: str, text: str, schema_type: str = "AVRO") -> int:
    body = {"schema": text, "schemaType": schema_type}
    response = httpx.post(f"{registry.url}/subjects/{subject}/versions", json=body, headers={"Content-Type": V1})
    response.raise_for_status()
    return int(response.json()["id"])


def test_registry_check_missing_subject_is_first_version(registry: RegistryProcess, subject: str,
                                                         tmp_path: Path) -> None:
    write(tmp_path, {"user.avsc": AVRO_BREAKING})
    result = charter("check", "user.avsc", "--subject", subject, "--registry", registry.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "first version" in result.stdout and subject in result.stdout


def test_registry_check_breaking_and_compatible(registry: RegistryProcess, subject: str, tmp_path: Path) -> None:
    _register(registry, subject, AVRO_V1)
    write(tmp_path, {"user.avsc": AVRO_BREAKING})
    bad = charter("check", "user.avsc", "--subject", subject, "--registry", registry.url, cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert f"version 1 of {subject}" in bad.stdout and "BACKWARD" in bad.stdout
    assert "User.fields.age: added field without a default" in bad.stdout
    github = charter("check", "user.avsc", "--subject", subject, "--registry", registry.url, "--format", "github",
                     cwd=tmp_path)
    assert github.stdout.startswith(f"::error file=user.avsc,line={line_of(AVRO_BREAKING, 'age')},")
    write(tmp_path, {"user.avsc": AVRO_COMPATIBLE})
    ok = charter("check", "user.avsc", "--subject", subject, "--registry", registry.url, "--format", "json",
                 cwd=tmp_path)
    assert ok.returncode == 0 and json.loads(ok.stdout)["results"][0]["status"] == "compatible"


def test_registry_check_uses_the_subject_level(registry: RegistryProcess, subject: str, tmp_path: Path) -> None:
    _register(registry, subject, AVRO_V1)
    httpx.put(f"{registry.url}/config/{subject}", json={"compatibility": "FORWARD"},
              headers={"Content-Type": V1}).raise_for_status()
    write(tmp_path, {"user.avsc": AVRO_BREAKING})
    result = charter("check", "user.avsc", "--subject", subject, "--registry", registry.url, cwd=tmp_path)
    assert result.returncode == 0 and "FORWARD" in result.stdout


def test_registry_unreachable_exits_3(tmp_path: Path) -> None:
    write(tmp_path, {"user.avsc": AVRO_V1})
    dead = f"http://127.0.0.1:{free_port()}"
    result = charter("check", "user.avsc", "--subject", "s", "--registry", dead, cwd=tmp_path)
    assert result.returncode == 3 and "registry unreachable" in result.stderr
    assert charter("diff", "--subject", "s", "--versions", "1", "2", "--registry", dead).returncode == 3


def test_registry_check_needs_a_subject_and_rejects_invalid_files(registry: RegistryProcess, tmp_path: Path) -> None:
    write(tmp_path, {"user.avsc": AVRO_V1, "bad.avsc": '{"type": "record",\n "name": 1}'})
    assert charter("check", "user.avsc", "--registry", registry.url, cwd=tmp_path).returncode == 2
    bad = charter("check", "bad.avsc", "--subject", "x", "--registry", registry.url, cwd=tmp_path)
    assert bad.returncode == 2 and "Invalid schema" in bad.stdout


def _manifest(tmp_path: Path, prefix: str) -> None:
    write(tmp_path, {
        "charter.toml": (
            f'[subjects]\n"{prefix}-order-value" = {{ file = "protos/order.proto", '
            'references = ["protos/common/money.proto"] }\n'
            f'"{prefix}-money" = "protos/common/money.proto"\n'
            f'"{prefix}-user-value" = "schemas/user.avsc"\n'),
        "protos/common/money.proto": 'syntax = "proto3";\npackage common;\n\nmessage Money {\n  int64 cents = 1;\n}\n',
        "protos/order.proto": PROTO_V1.replace('package shop;\n', 'package shop;\nimport "common/money.proto";\n')
        .replace("  string item = 2;\n", "  string item = 2;\n  common.Money price = 3;\n"),
        "schemas/user.avsc": AVRO_V1,
    })


def test_register_dry_run_then_register_in_dependency_order(registry: RegistryProcess, tmp_path: Path) -> None:
    prefix = uuid.uuid4().hex[:8]
    _manifest(tmp_path, prefix)
    dry = charter("register", "--dry-run", "--registry", registry.url, "--format", "json", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    rows = json.loads(dry.stdout)["results"]
    assert [r["subject"] for r in rows][:2] == [f"{prefix}-money", f"{prefix}-order-value"]  # references first
    assert {r["status"] for r in rows} == {"new version"}
    assert httpx.get(f"{registry.url}/subjects/{prefix}-money/versions").status_code == 404  # nothing changed

    done = charter("register", "--registry", registry.url, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("registered") == 3
    refs = httpx.get(f"{registry.url}/subjects/{prefix}-order-value/versions/1").json()["references"]
    assert refs == [{"name": "common/money.proto", "subject": f"{prefix}-money", "version": 1}]

    again = charter("register", "--dry-run", "--registry", registry.url, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.count("already registered") == 3

    write(tmp_path, {"schemas/user.avsc": AVRO_BREAKING})
    broken = charter("register", "--registry", registry.url, cwd=tmp_path)
    assert broken.returncode == 1 and "incompatible" in broken.stdout and "User.fields.age" in broken.stdout
    assert httpx.get(f"{registry.url}/subjects/{prefix}-user-value/versions").json() == [1]

    checked = charter("check", "--registry", registry.url, cwd=tmp_path)  # the manifest, on the registry
    assert checked.returncode == 1 and f"{prefix}-order-value" in checked.stdout


def test_diff_files(tmp_path: Path) -> None:
    write(tmp_path, {"a.avsc": AVRO_V1, "b.avsc": AVRO_BREAKING, "c.avsc": AVRO_V1.replace("\n", " ")})
    result = charter("diff", "a.avsc", "b.avsc", cwd=tmp_path)
    assert result.returncode == 1
    assert '+ User.fields.age.type: "int"' in result.stdout
    same = charter("diff", "a.avsc", "c.avsc", cwd=tmp_path)
    assert same.returncode == 0 and "no structural difference" in same.stdout
    write(tmp_path, {"a.proto": PROTO_V1, "b.proto": PROTO_V1.replace("int32 id", "string id")})
    proto = charter("diff", "a.proto", "b.proto", "--format", "json", cwd=tmp_path)
    assert json.loads(proto.stdout)["changes"] == [
        {"op": "~", "path": "Order.id (field 1)", "old": "int32", "new": "string"}]
    write(tmp_path, {"bad.avsc": "{\n\n oops"})
    bad = charter("diff", "a.avsc", "bad.avsc", cwd=tmp_path)
    assert bad.returncode == 2 and "bad.avsc:3" in bad.stderr


def test_diff_registry_versions(registry: RegistryProcess, subject: str) -> None:
    _register(registry, subject, AVRO_V1)
    _register(registry, subject, AVRO_COMPATIBLE)
    result = charter("diff", "--subject", subject, "--versions", "1", "2", "--registry", registry.url)
    assert result.returncode == 1, result.stderr
    assert "+ User.fields.email.default: null" in result.stdout
    missing = charter("diff", "--subject", subject, "--versions", "1", "9", "--registry", registry.url)
    assert missing.returncode == 2 and "version 9" in missing.stderr
