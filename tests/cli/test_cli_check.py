"""`charter check` offline, end to end: a temporary git repository, the real CLI in a subprocess.

Avro, Protobuf and JSON Schema files are committed, then changed compatibly or not; every output
format and every offline exit code (0, 1, 2) is asserted.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from support.cli import (
    AVRO_BREAKING,
    AVRO_COMPATIBLE,
    AVRO_V1,
    JSON_BREAKING,
    JSON_COMPATIBLE,
    JSON_V1,
    PROTO_BREAKING,
    PROTO_COMPATIBLE,
    PROTO_V1,
    charter,
    commit,
    line_of,
    make_repo,
    write,
)

V1 = {"schemas/user.avsc": AVRO_V1, "protos/order.proto": PROTO_V1, "schemas/event.json": JSON_V1}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "repo")
    commit(path, V1, "v1 schemas")
    return path


def test_compatible_changes_pass_for_all_three_formats(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": AVRO_COMPATIBLE, "protos/order.proto": PROTO_COMPATIBLE,
                 "schemas/event.json": JSON_COMPATIBLE})
    for file in V1:
        result = charter("check", file, "--against", "HEAD", cwd=repo)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "compatible with git HEAD" in result.stdout


def test_avro_break_names_subject_level_revision_path_and_fix(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": AVRO_BREAKING})
    result = charter("check", "schemas/user.avsc", "--against", "main", "--subject", "user-value", cwd=repo)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "user-value" in out and "BACKWARD" in out and "git main" in out
    assert "User.fields.age: added field without a default" in out
    assert "fix: give the new field a default" in out
    age_line = line_of(AVRO_BREAKING, '"age"')
    assert f"schemas/user.avsc:{age_line}" in out


def test_forward_level_accepts_what_backward_rejects(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": AVRO_BREAKING})
    assert charter("check", "schemas/user.avsc", "--against", "HEAD", "--level", "FORWARD", cwd=repo).returncode == 0
    full = charter("check", "schemas/user.avsc", "--against", "HEAD", "--level", "full", cwd=repo)
    assert full.returncode == 1 and "FULL" in full.stdout


def test_protobuf_break_points_at_field_number(repo: Path) -> None:
    write(repo, {"protos/order.proto": PROTO_BREAKING})
    result = charter("check", "protos/order.proto", "--against", "HEAD", cwd=repo)
    assert result.returncode == 1
    assert "Order.id (field 1)" in result.stdout
    assert "keep field number 1's type" in result.stdout
    github = charter("check", "protos/order.proto", "--against", "HEAD", "--format", "github", cwd=repo)
    assert github.returncode == 1
    line = line_of(PROTO_BREAKING, "string id = 1")
    assert github.stdout.startswith(f"::error file=protos/order.proto,line={line},")


def test_json_schema_required_property_break(repo: Path) -> None:
    write(repo, {"schemas/event.json": JSON_BREAKING})
    result = charter("check", "schemas/event.json", "--against", "HEAD", cwd=repo)
    assert result.returncode == 1
    assert "properties.source" in result.stdout
    assert "mark the property optional or set compatibilityPolicy LENIENT" in result.stdout


def test_json_output_parses(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": AVRO_BREAKING})
    result = charter("check", "schemas/user.avsc", "--against", "HEAD", "--format", "json", cwd=repo)
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["compatible"] is False and body["exit_code"] == 1
    [one] = body["results"]
    assert one["status"] == "incompatible" and one["level"] == "BACKWARD"
    [violation] = one["violations"]
    assert violation["breaks"][0]["error_type"] == "READER_FIELD_MISSING_DEFAULT_VALUE"
    assert violation["breaks"][0]["where"] == "User.fields.age"


def test_junit_output_is_xml_with_a_failure(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": AVRO_BREAKING})
    result = charter("check", "schemas/user.avsc", "--against", "HEAD", "--format", "junit", cwd=repo)
    assert result.returncode == 1
    root = ET.fromstring(result.stdout)
    failures = root.findall(".//testcase/failure")
    assert len(failures) == 1 and "User.fields.age" in (failures[0].text or "")
    assert root.get("failures") == "1"


def test_github_output_lines_are_annotations(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": AVRO_BREAKING, "schemas/event.json": JSON_BREAKING})
    for file, needle in (("schemas/user.avsc", '"age"'), ("schemas/event.json", '"source"')):
        result = charter("check", file, "--against", "HEAD", "--format", "github", cwd=repo)
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines and all(line.startswith("::error file=") for line in lines)
        text = (repo / file).read_text()
        assert any(f"line={line_of(text, needle)}," in line for line in lines), lines


def test_transitive_level_checks_every_earlier_revision(repo: Path) -> None:
    without_name = AVRO_V1.replace(',\n   {"name": "name", "type": "string"}', "")
    commit(repo, {"schemas/user.avsc": without_name}, "drop name")
    name_as_int = AVRO_V1.replace('{"name": "name", "type": "string"}', '{"name": "name", "type": "int", "default": 0}')
    write(repo, {"schemas/user.avsc": name_as_int})
    latest_only = charter("check", "schemas/user.avsc", "--against", "HEAD", cwd=repo)
    assert latest_only.returncode == 0, latest_only.stdout
    transitive = charter("check", "schemas/user.avsc", "--against", "HEAD", "--level", "BACKWARD_TRANSITIVE", cwd=repo)
    assert transitive.returncode == 1
    assert "v1 schemas" in transitive.stdout and "drop name" not in transitive.stdout
    assert "User.fields.name.type" in transitive.stdout


def test_against_a_directory(repo: Path, tmp_path: Path) -> None:
    old = tmp_path / "released"
    write(old, {"user.avsc": AVRO_V1})
    write(repo, {"schemas/user.avsc": AVRO_BREAKING})
    result = charter("check", "schemas/user.avsc", "--against", str(old), cwd=repo)
    assert result.returncode == 1 and "released" in result.stdout
    write(repo, {"schemas/user.avsc": AVRO_COMPATIBLE})
    assert charter("check", "schemas/user.avsc", "--against", str(old), cwd=repo).returncode == 0


def test_new_file_is_compatible_and_said_so(repo: Path) -> None:
    write(repo, {"schemas/new.avsc": AVRO_V1})
    result = charter("check", "schemas/new.avsc", "--against", "HEAD", cwd=repo)
    assert result.returncode == 0 and "new schema" in result.stdout


def test_unparsable_file_exits_2_with_file_and_line(repo: Path) -> None:
    write(repo, {"schemas/user.avsc": '{"type": "record",\n "name": "User",\n "fields": [,]}\n'})
    result = charter("check", "schemas/user.avsc", "--against", "HEAD", cwd=repo)
    assert result.returncode == 2
    assert "schemas/user.avsc:3:" in result.stdout and "Invalid schema" in result.stdout
    write(repo, {"protos/order.proto": 'syntax = "proto3";\nmessage A {\n  int32 x = 1\n}\n'})
    proto = charter("check", "protos/order.proto", "--against", "HEAD", "--format", "github", cwd=repo)
    assert proto.returncode == 2 and proto.stdout.startswith("::error file=protos/order.proto,line=4,")


def test_unknown_git_ref_and_usage_errors_exit_2(repo: Path) -> None:
    unknown = charter("check", "schemas/user.avsc", "--against", "no-such-branch", cwd=repo)
    assert unknown.returncode == 2 and "unknown git revision 'no-such-branch'" in unknown.stderr
    assert charter("check", "schemas/user.avsc", cwd=repo).returncode == 2  # nothing to compare with
    assert charter("check", "missing.avsc", "--against", "HEAD", cwd=repo).returncode == 2
    bad_level = charter("check", "schemas/user.avsc", "--against", "HEAD", "--level", "SIDEWAYS", cwd=repo)
    assert bad_level.returncode == 2 and "unknown level" in bad_level.stderr


MANIFEST = """[tool.charter]
level = "BACKWARD"

[tool.charter.subjects]
user-value = "schemas/user.avsc"
event-value = { file = "schemas/event.json" }
money = { file = "protos/common/money.proto" }
"{stem}-value" = { file = "protos/order*.proto", references = ["protos/common/money.proto"] }
"""
MONEY = 'syntax = "proto3";\npackage common;\n\nmessage Money {\n  int64 cents = 1;\n}\n'
ORDER_WITH_IMPORT = PROTO_V1.replace('package shop;\n', 'package shop;\n\nimport "common/money.proto";\n').replace(
    "  string item = 2;\n", "  string item = 2;\n  common.Money price = 3;\n")


def test_manifest_checks_the_whole_repository(repo: Path) -> None:
    commit(repo, {"pyproject.toml": MANIFEST, "protos/common/money.proto": MONEY,
                  "protos/order.proto": ORDER_WITH_IMPORT}, "manifest")
    ok = charter("check", "--against", "HEAD", cwd=repo)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 schemas checked" in ok.stdout and "order-value" in ok.stdout
    assert "[1/4]" in ok.stderr  # progress on stderr
    write(repo, {"protos/common/money.proto": MONEY.replace("int64 cents", "string cents"),
                 "schemas/event.json": JSON_BREAKING})
    bad = charter("check", "--against", "HEAD", "--format", "json", cwd=repo)
    assert bad.returncode == 1
    statuses = {r["subject"]: r["status"] for r in json.loads(bad.stdout)["results"]}
    # order.proto is unchanged, but the Money it imports (resolved from the old revision) changed
    assert statuses == {"user-value": "compatible", "event-value": "incompatible", "money": "incompatible",
                        "order-value": "incompatible"}


def test_manifest_errors_exit_2(repo: Path) -> None:
    write(repo, {"charter.toml": '[subjects]\nuser-value = { file = "schemas/user.avsc", level = "SIDEWAYS" }\n'})
    result = charter("check", "--against", "HEAD", cwd=repo)
    assert result.returncode == 2 and "charter.toml" in result.stderr and "SIDEWAYS" in result.stderr
    write(repo, {"charter.toml": '[subjects]\nuser-value = "schemas/nope.avsc"\n'})
    missing = charter("check", "--against", "HEAD", cwd=repo)
    assert missing.returncode == 2 and "no file matches" in missing.stderr


def test_help_documents_exit_codes() -> None:
    result = charter("check", "--help")
    assert result.returncode == 0
    for code in ("0  compatible", "1  incompatible", "2  usage error", "3  registry unreachable"):
        assert code in result.stdout
