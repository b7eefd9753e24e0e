"""Parsing stays linear on hostile texts (issue 17, item 8): each input below made a backtracking
regex take seconds to hours; each is now read in well under a second, with the same answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from charter.compat import InvalidSchemaError
from charter.compat.avro.jsontext import blank_comments, load_json, parse_java_double
from charter.compat.jsonschema.content import _finds
from charter.compat.protobuf.compiler import decode_descriptor
from charter.compat.protobuf.extendcut import _FIELD
from charter.compat.protobuf.openenum import _VALUE_BEFORE
from charter.compat.protobuf.protoscan import _FLOAT, name_before_equals

BUDGET_S = 0.5


def _quick(call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    assert time.perf_counter() - start < BUDGET_S
    return result


def test_avro_comments_are_blanked_outside_strings_only() -> None:
    text = '{"a/*": "//x", /* c\n */ "b": [1, // x\n 2]}'
    assert load_json(text) == {"a/*": "//x", "b": [1, 2]}
    assert blank_comments('"a" /* x */ 1') == '"a"         1'
    assert blank_comments("x/*\n*/y") == "x  \n  y"  # same length and lines: error positions stay


@pytest.mark.parametrize("text", ["/* " * 1_400_000, '"' + "\\a" * 1_000_000, "// x\n" * 800_000, "/" * 4_000_000])
def test_avro_comment_scanning_is_linear(text: str) -> None:
    with pytest.raises(InvalidSchemaError):
        _quick(lambda: load_json(text))


def test_the_protobuf_base64_check_is_linear() -> None:
    assert _quick(lambda: decode_descriptor("a" + " " * 4_000_000 + "!")) is None
    assert decode_descriptor("syntax = 'proto3';") is None


def test_a_catastrophic_json_schema_pattern_is_bounded() -> None:
    assert _quick(lambda: _finds("^(a+)+$", "a" * 27 + "!")) is False
    assert _quick(lambda: _finds("(x+x+)+y", "x" * 5000)) is False  # times out: matches nothing
    assert _finds("^a", "ab") and not _finds("(", "x")


def test_number_literals_are_read_in_linear_time() -> None:
    assert _quick(lambda: parse_java_double("1" * 50_000 + "x")) is None
    assert parse_java_double("1.5e3") == 1500.0 and parse_java_double("0x1.8p1") == 3.0
    assert _quick(lambda: _FLOAT.match("1" * 50_000 + "x")) is None


@pytest.mark.parametrize(("text", "start"), [
    ("option a = ", 7), ("a.b =", 0), ("(x).b = ", 0), ("a.(b).c =", 2), ("..b =", 2), ("x (a.b) . c  =  ", 2),
    ("=", None), ("a", None), ("(a)(b)=", 3),
])
def test_the_option_name_before_equals(text: str, start: int | None) -> None:
    assert name_before_equals(text) == start


def test_scans_before_an_equals_sign_are_linear() -> None:
    assert _quick(lambda: name_before_equals("a ." * 100_000 + "a =")) == 0
    assert _quick(lambda: _VALUE_BEFORE.search("a" * 100_000 + " x")) is None
    assert _quick(lambda: list(_FIELD.finditer("a" * 100_000 + " "))) == []
