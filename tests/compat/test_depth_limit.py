"""One nesting limit for every format (issue 17, item 10): a schema nesting MAX_DEPTH levels is
accepted and every operation on it works; one level more is refused with a message naming it."""

from __future__ import annotations

import json

import pytest

from charter.compat import InvalidSchemaError
from charter.compat.depth import MAX_DEPTH, graph_depth, json_depth
from charter.compat.formats import get_format
from charter.compat.levels import check_compatibility
from charter.compat.model import CompatibilityLevel
from charter.compat.outline import diff_outlines


def _avro(depth: int) -> str:
    schema: dict = {"type": "record", "name": "L0", "fields": [{"name": "v", "type": "int"}]}
    for level in range(1, depth):
        schema = {"type": "record", "name": f"L{level}", "fields": [{"name": "inner", "type": schema}]}
    return json.dumps(schema)


def _avro_arrays(depth: int) -> str:
    return '{"type":"array","items":' * depth + '"int"' + "}" * depth


def _json_nesting(depth: int) -> str:
    schema: dict = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return json.dumps(schema)


def _json_refs(depth: int) -> str:
    """``depth`` levels: the root's ``$ref``, depth - 2 definitions that are ``$ref``s, an object."""
    defs = {f"d{i}": {"$ref": f"#/definitions/d{i + 1}"} for i in range(depth - 2)}
    defs[f"d{depth - 2}"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    return json.dumps({"definitions": defs, "$ref": "#/definitions/d0"})


def _protobuf_chain(depth: int) -> str:
    messages = [f"message M{i} {{ M{i + 1} next = 1; int32 v = 2; }}" for i in range(depth - 1)]
    return 'syntax = "proto3";\n' + "\n".join([*messages, f"message M{depth - 1} {{ int32 v = 1; }}"])


CASES = {
    "avro-records": ("AVRO", _avro),
    "avro-arrays": ("AVRO", _avro_arrays),
    "json-nesting": ("JSON", _json_nesting),
    "json-ref-chain": ("JSON", _json_refs),
    "protobuf-field-chain": ("PROTOBUF", _protobuf_chain),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_limit_is_accepted_and_usable(case: str) -> None:
    kind, make = CASES[case]
    fmt = get_format(kind)
    deepest = fmt.parse(make(MAX_DEPTH), {}, validate=True)
    other = fmt.parse(make(MAX_DEPTH - 1), {}, validate=True)
    deepest.canonical(), deepest.normalized().canonical(), deepest.formatted("resolved")
    deepest.tagged_entities()
    check_compatibility(CompatibilityLevel.FULL_TRANSITIVE, deepest, [(1, other)])
    diff_outlines(fmt.outline(other), fmt.outline(deepest))


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("validate", [True, False])
def test_one_level_more_is_refused(case: str, validate: bool) -> None:
    kind, make = CASES[case]
    with pytest.raises(InvalidSchemaError, match=f"nested deeper than {MAX_DEPTH} levels"):
        get_format(kind).parse(make(MAX_DEPTH + 1), {}, validate=validate)


def test_depths_are_counted_without_recursion() -> None:
    assert json_depth([[[]]]) == 3 and json_depth(1) == 0
    assert json_depth(json.loads("[" * 900 + "]" * 900)) > 256
    chain = {i: [i + 1] for i in range(5000)} | {5000: []}
    assert graph_depth(0, lambda i: chain[i], stop=10_000) == 5001
    cycle = {1: [2], 2: [3], 3: [1]}  # a recursive type: the edge back adds nothing
    assert graph_depth(1, lambda i: cycle[i]) == 3
