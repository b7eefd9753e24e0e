"""Reading ``.proto`` text where protoc will not: option assignments and ``reserved`` statements.

The lenient compile (:mod:`charter.compat.protobuf.lenient`) finds, from a protoc diagnostic's
position, the option or statement it is about: its extent in the text (to cut or rewrite it)
and its value as protoc's parser would hold it (an ``UninterpretedOption``; Square Wire's
``OptionElement`` in Confluent). Offsets are into the text; lines and columns are 0-based.
"""

from __future__ import annotations

import codecs
import math
import re

from google.protobuf import descriptor_pb2

from charter.compat.protobuf.printparts import number_text, quote_bytes

UninterpretedOption = descriptor_pb2.UninterpretedOption
NamePart = UninterpretedOption.NamePart

_INT = re.compile(r"^[-+]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$")
_FLOAT = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan)$", re.IGNORECASE)
_TOKEN = re.compile(r"[-+]?[\w.]+")
_WORD = re.compile(r"\w+")
_RESERVED_ITEM = re.compile(
    r"\s*(?:\"([^\"]*)\"|'([^']*)'|([-+]?(?:0[xX][0-9a-fA-F]+|\d+))(?:\s+to\s+(max|[-+]?(?:0[xX][0-9a-fA-F]+|\d+)))?"
    r"|([A-Za-z_]\w*))\s*(?:,|$)"
)


def line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n")
    return line, offset - (before.rfind("\n") + 1)


def skip_space(text: str, i: int) -> int:
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i):
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = len(text) if close < 0 else close + 2
        else:
            break
    return i


def string_end(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def balanced_end(text: str, i: int) -> int:
    """The end of the ``{...}`` or ``[...]`` starting at ``i`` (strings and nesting respected)."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = string_end(text, i)
            continue
        if ch in "{[<":
            depth += 1
        elif ch in "}]>":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def read_option(text: str, start: int) -> tuple[list[tuple[str, bool]], str, int] | None:
    """``(name parts, value text, end)`` of ``(a.b).c = value`` written at ``start``."""
    parts: list[tuple[str, bool]] = []
    i = start
    while True:
        if text.startswith("(", i):
            close = text.find(")", i)
            if close < 0:
                return None
            parts.append((text[i + 1 : close].strip(), True))
            i = close + 1
        else:
            match = _WORD.match(text, i)
            if match is None:
                return None
            parts.append((match.group(), False))
            i = match.end()
        i = skip_space(text, i)
        if not text.startswith(".", i):
            break
        i = skip_space(text, i + 1)
    if not text.startswith("=", i):
        return None
    i = skip_space(text, i + 1)
    value_start = i
    end = value_end(text, i)
    if end < 0:
        return None
    return parts, text[value_start:end], end


def value_end(text: str, i: int) -> int:
    if i >= len(text):
        return -1
    if text[i] in "{[":
        return balanced_end(text, i)
    if text[i] in "\"'":
        end = string_end(text, i)
        while True:  # adjacent string literals concatenate
            nxt = skip_space(text, end)
            if nxt < len(text) and text[nxt] in "\"'":
                end = string_end(text, nxt)
            else:
                return end
    match = _TOKEN.match(text, i)
    return match.end() if match else -1


def split_list(inner: str) -> list[str]:
    items: list[str] = []
    i = start = 0
    while i < len(inner):
        ch = inner[i]
        if ch in "\"'":
            i = string_end(inner, i)
            continue
        if ch in "{[<":
            i = balanced_end(inner, i)
            continue
        if ch == ",":
            items.append(inner[start:i].strip())
            start = i + 1
        i += 1
    if inner[start:].strip():
        items.append(inner[start:].strip())
    return items


def uninterpreted(parts: list[tuple[str, bool]], value: str) -> list[UninterpretedOption] | None:
    """The ``UninterpretedOption``\\ s protoc's parser would make (a list value gives one each)."""
    if value.startswith("["):
        items = split_list(value[1:-1])
        out: list[UninterpretedOption] = []
        for item in items:
            options = uninterpreted(parts, item)
            if options is None:
                return None
            out += options
        return out
    option = UninterpretedOption(
        name=[NamePart(name_part=name, is_extension=ext) for name, ext in parts]
    )
    if value.startswith("{"):
        option.aggregate_value = value[1:-1].strip()
    elif value[:1] in "\"'":
        pieces = []
        i = 0
        while i < len(value):
            i = skip_space(value, i)
            if i >= len(value):
                break
            end = string_end(value, i)
            pieces.append(value[i + 1 : end - 1])
            i = end
        try:
            option.string_value = codecs.escape_decode("".join(pieces).encode())[0]
        except ValueError:
            return None
    elif _INT.match(value):
        digits = value.lstrip("+-")
        if digits[:2].lower() == "0x":
            number = int(digits, 16)
        else:
            number = int(digits, 8) if digits[:1] == "0" and len(digits) > 1 else int(digits)
        if value.startswith("-"):
            option.negative_int_value = -number
        else:
            option.positive_int_value = number
    elif _FLOAT.match(value) and not value.lstrip("+").isalpha():
        option.double_value = float(value)
    elif value.startswith("-") and value[1:].lower() in {"inf", "nan"}:
        option.double_value = -float(value[1:])
    else:
        option.identifier_value = value
    return [option]


def uninterpreted_text(option: UninterpretedOption) -> tuple[str, str]:
    """``(name, value)`` as written for an ``UninterpretedOption`` (``(a.b).c``, ``5``, ...)."""
    name = ".".join(f"({p.name_part})" if p.is_extension else p.name_part for p in option.name)
    if option.HasField("identifier_value"):
        value = option.identifier_value
    elif option.HasField("positive_int_value"):
        value = str(option.positive_int_value)
    elif option.HasField("negative_int_value"):
        value = str(option.negative_int_value)
    elif option.HasField("double_value"):
        value = number_text(option.double_value) if not math.isnan(option.double_value) else "nan"
    elif option.HasField("string_value"):
        value = quote_bytes(option.string_value)
    else:
        value = "{ " + option.aggregate_value + " }"
    return name, value


def number(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    return sign * (int(digits, 16) if digits[:2].lower() == "0x" else int(digits))


def reserved_items(statement: str) -> list[tuple[int, int, str | tuple[int, str | None]]] | None:
    """``(start, end, name or (number, "to" end))`` of each item of ``reserved ...;``."""
    body_start = len("reserved")
    body = statement[body_start:-1]
    items: list[tuple[int, int, str | tuple[int, str | None]]] = []
    i = 0
    while i < len(body):
        match = _RESERVED_ITEM.match(body, i)
        if match is None or match.end() == i:
            return None if body[i:].strip() else items
        name = match.group(1) if match.group(1) is not None else match.group(2)
        name = name if name is not None else match.group(5)
        value: str | tuple[int, str | None] = name if name is not None else (number(match.group(3)), match.group(4))
        token_start = body_start + i + (len(match.group()) - len(match.group().lstrip()))
        token_end = body_start + len(body[: match.end()].rstrip().rstrip(",").rstrip())
        items.append((token_start, token_end, value))
        i = match.end()
    return items


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts



def name_before_equals(text: str) -> int | None:
    """Where the option name that ``text`` ends with (``name =``, spaces allowed) starts, or None.

    A name is a chain of ``word`` and ``(paren)`` segments joined by dots; a chain starting with a
    word holds words only. Read backwards from the ``=`` once, so linear (a ``$``-anchored regex
    search retries the chain from every offset: quadratic). The leftmost valid start wins.
    """
    at = _space_before(text, len(text))
    if at == 0 or text[at - 1] != "=":
        return None
    at = _space_before(text, at - 1)
    start = None
    words_only = True
    while at > 0:
        if text[at - 1] == ")":
            opening = text.rfind("(", 0, at - 1)
            if opening < 0 or text.find(")", opening + 1, at - 1) >= 0:
                break
            at, words_only = opening, False
        elif _is_word(text[at - 1]):
            while at > 0 and _is_word(text[at - 1]):
                at -= 1
        else:
            break
        if words_only or text[at] == "(":
            start = at
        separator = _space_before(text, at)
        if separator == 0 or text[separator - 1] != ".":
            break
        at = _space_before(text, separator - 1)
    return start


def _space_before(text: str, at: int) -> int:
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"
