"""What a compatibility level decides, once (charter.compat.levels): which earlier versions it
checks (``versions_to_check``) and which directional checks it runs, in Confluent's order."""

from __future__ import annotations

import json

import pytest

from charter.compat import CompatibilityLevel
from charter.compat.formats import get_format
from charter.compat.levels import directions, versions_to_check

L = CompatibilityLevel


@pytest.mark.parametrize(("level", "expected"), [
    (L.NONE, []), (L.BACKWARD, [3]), (L.FORWARD, [3]), (L.FULL, [3]),
    (L.BACKWARD_TRANSITIVE, [3, 2, 1]), (L.FORWARD_TRANSITIVE, [3, 2, 1]), (L.FULL_TRANSITIVE, [3, 2, 1]),
])
def test_versions_to_check_newest_first(level: CompatibilityLevel, expected: list[int]) -> None:
    assert versions_to_check(level, [3, 2, 1]) == expected
    assert versions_to_check(level, []) == []


def test_directions_forward_half_first() -> None:
    avro = get_format("AVRO")
    new = avro.parse(json.dumps({"type": "record", "name": "R", "fields": []}), {})
    old = avro.parse(json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}), {})
    assert directions(L.FULL, new, old) == [("forward", old, new), ("backward", new, old)]
    assert directions(L.BACKWARD_TRANSITIVE, new, old) == [("backward", new, old)]
    assert directions(L.FORWARD, new, old) == [("forward", old, new)]
    assert directions(L.NONE, new, old) == []
