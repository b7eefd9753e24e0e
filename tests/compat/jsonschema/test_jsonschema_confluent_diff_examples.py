"""Our JSON Schema diff cases mirroring Confluent's ``SchemaDiffTest`` resource files
(``diff-schema-examples*.json``, ``diff-combined-schema-examples*.json``): content models opened by
``additionalProperties``/``additionalItems``, partially open models, and the order differences are
listed in (``ObjectSchemaDiff``/``ArraySchemaDiff``). The cases and where each comes from are in
``data/confluent_json_diff`` (see its README for why they are ours, not copies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from charter.compat.jsonschema import JSON_FORMAT, JsonSchema
from charter.compat.jsonschema.differences import COMPATIBLE_LENIENT, COMPATIBLE_STRICT
from charter.compat.levels import check_compatibility
from charter.compat.model import CompatibilityLevel as L

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "confluent_json_diff" / "cases.json").read_text(encoding="utf-8")
)


def _parse(schema: Any) -> JsonSchema:
    return JSON_FORMAT.parse(json.dumps(schema), {})


@pytest.mark.parametrize("case", CASES, ids=[c["mirrors"] for c in CASES])
def test_changes_listed_in_confluents_order(case: dict[str, Any]) -> None:
    """SchemaDiffTest.checkJsonSchemaCompatibility: the difference list, type and path, in order."""
    original, update = _parse(case["original"]), _parse(case["update"])
    changes = [f"{d.type} {d.path}" for d in update.differences(original, policy="STRICT")]
    assert changes == case["changes"]


@pytest.mark.parametrize("case", CASES, ids=[c["mirrors"] for c in CASES])
def test_strict_and_lenient_verdicts(case: dict[str, Any]) -> None:
    """SchemaDiffTest.checkJsonSchemaCompatibility: compatible iff no difference outside the set."""
    original, update = _parse(case["original"]), _parse(case["update"])
    differences = update.differences(original, policy="STRICT")
    assert all(d.type in COMPATIBLE_STRICT for d in differences) is case["compatible"]
    lenient = case.get("compatible_lenient", case["compatible"])
    assert all(d.type in COMPATIBLE_LENIENT for d in differences) is lenient
    assert (update.incompatibilities(original, policy="LENIENT") == []) is lenient


@pytest.mark.parametrize("case", CASES, ids=[c["mirrors"] for c in CASES])
def test_backward_and_forward_levels(case: dict[str, Any]) -> None:
    """The case as a level check: ``update`` registered after ``original`` under BACKWARD, and
    ``original`` registered after ``update`` under FORWARD (the same writer/reader pair)."""
    original, update = _parse(case["original"]), _parse(case["update"])
    backward = check_compatibility(L.BACKWARD, update, [(1, original)])
    forward = check_compatibility(L.FORWARD, original, [(1, update)])
    assert backward.is_compatible is case["compatible"]
    assert forward.is_compatible is case["compatible"]
    if not case["compatible"]:
        # FULL fails as soon as one direction does
        assert not check_compatibility(L.FULL, update, [(1, original)]).is_compatible
