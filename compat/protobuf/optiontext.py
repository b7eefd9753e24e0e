"""Options as written: read an option statement's text and print it the way Confluent does.

Confluent keeps a text schema's options as Square Wire reads them (``OptionElement``: the name
as written, dotted ``(opt).sub`` included, and the value's own shape: a list literal stays a
list, a repeated key in a message literal becomes a list, numbers and identifiers stay as
written) and prints them with ``ProtobufSchemaUtils.toString(OptionElement)``,
``formatOptionMap`` and ``formatOptionMapOrListValue``. :func:`read_option` is that reading
(of the text protoc's source info gives for one option) and :func:`format_option` that printing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from charter.compat.protobuf.printparts import indent

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<punct>[{}\[\]:,;=()])
      | (?P<word>[-+]?[\w.]+(?:[eE][-+]?\d+)?)
    )""",
    re.VERBOSE,
)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_PRINT_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
    "\\": "\\\\", "'": "\\'", '"': '\\"',
}  # fmt: skip


@dataclass(frozen=True)
class Raw:
    """A number, boolean or identifier, printed as written (Wire's ``OptionPrimitive``)."""

    text: str


Value = str | Raw | dict | list  # str is a string literal's content


class OptionSyntaxError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip().rstrip(";")
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise OptionSyntaxError(text[position:])
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "xX":
            digits = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2 :])
            out.append(chr(int(digits.group(0), 16)) if digits else nxt)
            i += 2 + (len(digits.group(0)) if digits else 0)
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[i + 1 :])
            assert digits is not None
            out.append(chr(int(digits.group(0), 8)))
            i += 1 + len(digits.group(0))
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise OptionSyntaxError("unexpected end")
        self.at += 1
        return self.tokens[self.at - 1]

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise OptionSyntaxError(f"expected {text}")

    def name(self) -> str:
        """``(a.b).c.d`` as written, whitespace dropped: everything before the ``=``."""
        parts: list[str] = []
        while self.peek() not in ("=", None):
            parts.append(self.take()[1])
        return "".join(parts)

    def value(self) -> Value:
        token = self.peek()
        if token == "{":
            return self.message()
        if token == "[":
            return self.list()
        kind, text = self.take()
        if kind == "string":
            parts = [_unquote(text)]
            while self.at < len(self.tokens) and self.tokens[self.at][0] == "string":
                parts.append(_unquote(self.take()[1]))
            return "".join(parts)
        if kind != "word":
            raise OptionSyntaxError(text)
        return Raw(text)

    def list(self) -> list:
        self.expect("[")
        items: list = []
        while self.peek() != "]":
            items.append(self.value())
            if self.peek() == ",":
                self.take()
        self.take()
        return items

    def message(self) -> dict:
        """A message literal; a key given twice collects its values in a list (Wire's readMap)."""
        self.expect("{")
        result: dict = {}
        while self.peek() != "}":
            if self.peek() == "[":
                self.take()
                key = "[" + self.take()[1] + "]"
                self.expect("]")
            else:
                key = self.take()[1]
            if self.peek() == ":":
                self.take()
            value = self.value()
            if key not in result:
                result[key] = value
            else:
                previous = result[key]
                merged = previous if isinstance(previous, list) else [previous]
                result[key] = merged + (value if isinstance(value, list) else [value])
            if self.peek() in (",", ";"):
                self.take()
        self.take()
        return result


def read_option(text: str) -> tuple[str, Value]:
    """The name (as written) and value of one option: ``[option ](name) = value[;]``."""
    reader = _Reader(re.sub(r"^\s*option\b", "", text))
    name = reader.name()
    reader.expect("=")
    value = reader.value()
    if reader.peek() is not None:
        raise OptionSyntaxError("trailing text")
    return name, value


def escape(text: str) -> str:
    """ProtobufSchemaUtils.escapeChars."""
    return "".join(_PRINT_ESCAPES.get(ch, ch) for ch in text)


def decimal_text(value: float) -> str:
    """A number as Java's default ``DecimalFormat`` (no grouping) prints it: plain digits, at most
    three decimals rounded half-even (ProtobufSchemaUtils.FormatContext.formatNumber)."""
    if math.isinf(value) or math.isnan(value):
        return "inf" if value > 0 else "-inf" if value < 0 else "nan"
    number = Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    text = format(number, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def _number(text: str) -> str:
    """formatNumber when normalising: a number token as DecimalFormat prints it (others kept);
    a type suffix (``10f``, ``1L``) is read as NumberUtils.createNumber reads it."""
    body = text.lstrip("+-")
    sign = "-" if text.startswith("-") else ""
    if not re.match(r"0[xX]", body):
        body = re.sub(r"(?<=[\d.])[fFdDlL]$", "", body)
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", body):
            return sign + str(int(body, 16))
        if re.fullmatch(r"0[0-7]+", body):
            return sign + str(int(body, 8))
        if re.fullmatch(r"\d+", body):
            return sign + str(int(body))
        return decimal_text(float(sign + body))
    except ValueError:
        return text


def format_value(value: Value, normalize: bool = False) -> str:
    """formatOptionMapOrListValue: a list keeps its brackets (normalising, one element prints
    bare); normalising also sorts message keys, drops empty lists and reprints numbers."""
    if isinstance(value, str):
        return f'"{escape(value)}"'
    if isinstance(value, Raw):
        return _number(value.text) if normalize else value.text
    if isinstance(value, dict):
        return "{\n" + _format_map(value, normalize) + "}"
    if normalize and len(value) == 1:
        return format_value(value[0], normalize)
    items = [format_value(item, normalize) + ("," if i < len(value) - 1 else "") for i, item in enumerate(value)]
    return "[\n" + "".join(indent(item) for item in items) + "]"


def _format_map(values: dict, normalize: bool = False) -> str:
    if normalize:
        values = {k: v for k, v in sorted(values.items()) if not (isinstance(v, list) and not v)}
    last = len(values) - 1
    lines = [
        f"{key}: {format_value(value, normalize)}{',' if i != last else ''}"
        for i, (key, value) in enumerate(values.items())
    ]
    return "".join(indent(line) for line in lines)


def format_option(name: str, value: Value, normalize: bool = False) -> str:
    """``name = value`` as ProtobufSchemaUtils.toString(OptionElement) prints it."""
    if isinstance(value, dict):
        return f"{name} = {{\n{_format_map(value, normalize)}}}"
    if isinstance(value, list):
        if len(value) == 1:  # appendOptions: one element on the bracket's line
            return f"{name} = [{format_value(value[0], normalize)}]"
        items = [format_value(item, normalize) + ("," if i < len(value) - 1 else "") for i, item in enumerate(value)]
        return f"{name} = [\n" + "".join(indent(item) for item in items) + "]"
    return f"{name} = {format_value(value, normalize)}"


def tags_in(value: Value, name: str = "") -> list[str]:
    """The strings under ``tags`` keys of an option's value (what tag edits change); ``name``
    the option's written name, whose dotted part leads into the value (``(opt).tags = "x"``)."""
    for part in reversed(name.rsplit(")", 1)[-1].split(".")[1:] if ")" in name else []):
        value = {part: value}
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "tags":
                found += [t for t in (item if isinstance(item, list) else [item]) if isinstance(t, str)]
            else:
                found += tags_in(item)
    elif isinstance(value, list):
        for item in value:
            found += tags_in(item)
    return found
