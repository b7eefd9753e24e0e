"""JSON in and out, the way Avro Java (through Jackson) reads and writes it.

Reading keeps key order, the difference between integers and floating point numbers and
integers of any size; a duplicated key keeps its first position and its last value (as
Jackson's ``ObjectNode``). Writing is compact and byte-for-byte what Jackson's default
generator prints: strings escaped with Jackson's table (short escapes for ``\\b \\t \\n \\f \\r``,
``\\u00XX`` with upper-case hex for other control characters, non-ASCII kept as is), integers as
is, floating point numbers as Java's ``Double.toString`` and non-finite ones quoted.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from charter.compat.jsontext import decode, dump_tree, quote, reject_constant

__all__ = ["dump_json", "java_double", "load_json", "parse_java_double", "quote"]

_DECODER = json.JSONDecoder(parse_constant=reject_constant)


_QUOTE_OR_SLASH = re.compile(r'["/]')
_NOT_NEWLINE = re.compile(r"[^\n]")
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # after the opening quote


def blank_comments(text: str) -> str:
    """``text`` with each ``//`` and ``/* */`` comment outside strings turned into spaces (newlines
    kept, so error positions stay right), in one left-to-right pass: linear in the text's length.

    An unterminated string or block comment stops the pass (the decoder then reports the text as
    invalid JSON); a lone ``/`` is left for the decoder too.
    """
    out: list[str] = []
    done = 0  # text[:done] is copied to out
    at = 0
    while (found := _QUOTE_OR_SLASH.search(text, at)) is not None:
        start = found.start()
        if text[start] == '"':
            string = _STRING_REST.match(text, start + 1)
            if string is None:
                break
            at = string.end()
            continue
        following = text[start + 1 : start + 2]
        if following == "/":
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
        elif following == "*":
            end = text.find("*/", start + 2)
            if end < 0:
                break
            end += 2
        else:
            at = start + 1
            continue
        out.append(text[done:start])
        out.append(_blank(text[start:end]))
        done = at = end
    out.append(text[done:])
    return "".join(out)


def _blank(comment: str) -> str:
    return _NOT_NEWLINE.sub(" ", comment)


def load_json(text: str) -> Any:
    """Parse JSON text; raises :class:`InvalidSchemaError` saying where the text is wrong.

    Comments (``//`` and ``/* */``) are allowed, as Avro Java enables Jackson's ``ALLOW_COMMENTS``.
    """

    def parse() -> Any:
        try:
            return _DECODER.decode(text)
        except json.JSONDecodeError:
            if "/" not in text:
                raise
            return _DECODER.decode(blank_comments(text))

    return decode(parse)



def java_double(value: float) -> str:
    """Java's ``Double.toString`` (shortest digits that round-trip, JDK 19+ algorithm)."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0.0"
    magnitude = abs(value)
    text = repr(magnitude)
    if sum(c in "123456789" for c in text.partition("e")[0]) == 1:
        # One significant digit: Java picks the closest decimal with one *or two* digits.
        two = f"{magnitude:.1e}"
        if float(two) == magnitude:
            text = two
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    raw = whole + fraction
    digits = raw.lstrip("0")
    # value = 0.<digits> * 10**point
    point = len(whole) + (int(exponent) if exponent else 0) - (len(raw) - len(digits))
    digits = digits.rstrip("0") or "0"
    if 1e-3 <= magnitude < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def _number(value: Any) -> str:
    if isinstance(value, float):
        text = java_double(value)
        return text if math.isfinite(value) else f'"{text}"'
    raise TypeError(f"not a JSON value: {value!r}")


def dump_json(value: Any) -> str:
    """Compact JSON for a value read by :func:`load_json`, as Jackson's ``writeTree`` prints it."""
    return dump_tree(value, _number)


_JAVA_DOUBLE = re.compile(
    r"[+-]?(NaN|Infinity|((\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?)|(0[xX][0-9a-fA-F]*(?:\.[0-9a-fA-F]*)?[pP][+-]?\d+))[fFdD]?"
)


_JAVA_TRIM = "".join(chr(i) for i in range(33))


def parse_java_double(text: str) -> float | None:
    """``Double.valueOf(text)`` (surrounding whitespace allowed), or None when Java would throw."""
    stripped = text.strip(_JAVA_TRIM)
    if not _JAVA_DOUBLE.fullmatch(stripped):
        return None
    if stripped[-1] in "fFdD":
        stripped = stripped[:-1]
    if "x" in stripped or "X" in stripped:
        number = float.fromhex(stripped.lstrip("+-"))
        return -number if stripped.startswith("-") else number
    return float(stripped)
