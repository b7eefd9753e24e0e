"""Compile schema text as leniently as Confluent accepts it, still with protoc.

Confluent's registry parses ``.proto`` text with Square Wire's parser and, with its default
``schema.validate.fields=false``, never builds descriptors from it (``ProtobufSchema.validate``
only normalises; ``toDynamicSchema`` skips imports no reference resolves and reads only the
options it knows). protoc refuses some of what that accepts, so :func:`compile_lenient` runs
protoc, reads its diagnostics, repairs the inputs it chokes on and runs it again:

* an option given a list value (``(confluent.field_meta).tags = ["a", "b"]``, which Wire reads
  and protoc does not) is compiled as one assignment per item, which is what it means;
* an option value protoc cannot interpret (of the wrong type, out of range, an aggregate naming
  a field the message lacks, a non-repeated option set twice) is carried the same way: Wire
  keeps any value and Confluent interprets only the options it knows;
* an import nothing resolves (``import "validate/validate.proto";`` of protoc-gen-validate)
  is linked against an empty stand-in file; the import stays in the descriptor (as
  ``ProtobufSchema.toDynamicSchema`` keeps only the imports it finds, but prints them all);
* a custom option protoc does not know (``Option "(x)" unknown``) is cut from the compiled
  text and carried in the descriptor as an ``UninterpretedOption`` of the element it was
  written on (the message descriptor.proto keeps for options not yet interpreted);
* a custom option name that protoc resolves inside the package first (``(confluent.field_meta)``
  in package ``io.confluent.x``) is compiled as ``(.confluent.field_meta)``, which is what
  Confluent means (it matches option names as written).

Source spans of the compiled text are mapped back onto the submitted text.
* extending ``google.protobuf.*Options`` without importing descriptor.proto, or using a type of
  a reference the text does not import (Confluent resolves types from all references:
  ``Context.collectTypeInfo`` walks every dependency), gets the import(s) added at the end of
  the compiled text; they are reported as *implicit* so that they are not printed.

Everything else protoc refuses is refused with its own messages.
"""

from __future__ import annotations

import bisect
import codecs
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from google.protobuf import descriptor_pb2

from charter.compat.protobuf.compiler import ProtocError, compile_text
from charter.compat.protobuf.printparts import number_text, quote_bytes
from charter.compat.protobuf.types import FileProto

UninterpretedOption = descriptor_pb2.UninterpretedOption

_MAX_ROUNDS = 32
_UNINTERPRETED = 999  # the number of uninterpreted_option in every *Options message
_DESCRIPTOR_FILE = "google/protobuf/descriptor.proto"
_POSITION = r"^schema:(\d+):(\d+): "
_UNKNOWN_OPTION = re.compile(_POSITION + r'Option "([^"]*)" unknown\.')
_INNER_SCOPE = re.compile(_POSITION + r'Option "\(([^"]*)\)" is resolved to "\([^"]*\)", which is not defined\.')
_NOT_FOUND = re.compile(r"^([^:]+\.proto): File not found\.$")
_OPTIONS_UNDEFINED = re.compile(_POSITION + r'"(?:\.?google\.protobuf\.)?(\w+Options)" is not defined\.')
_NOT_IMPORTED = re.compile(r'^schema:\d+:\d+: "[^"]*" seems to be defined in "([^"]+)", which is not imported')
_UNDEFINED = re.compile(r'^schema(?::\d+:\d+)?: "[^"]*" is not defined\.$')
_IMPORT = re.compile(r'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;', re.MULTILINE)
_INT = re.compile(r"^[-+]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$")
_FLOAT = re.compile(r"^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan)$", re.IGNORECASE)
_TOKEN = re.compile(r"[-+]?[\w.]+")
_BAD_VALUE = re.compile(
    _POSITION
    + r'(?:.* for (?:\w+ )?option "[^"]*"\.|Error while parsing option value for |Option "[^"]*" was already set\.)'
)
_RESERVED_CLASH = re.compile(
    _POSITION + r"(?:.* uses reserved number \d+\.|.* is reserved\.|Reserved range .* overlaps with |"
    r"Extension range .* overlaps with reserved range )"
)
_RESERVED_STATEMENT = re.compile(r"(?<![\w.])reserved\s+[^;{}]*;")
_RESERVED_ITEM = re.compile(
    r"\s*(?:\"([^\"]*)\"|'([^']*)'|([-+]?(?:0[xX][0-9a-fA-F]+|\d+))(?:\s+to\s+(max|[-+]?(?:0[xX][0-9a-fA-F]+|\d+)))?"
    r"|([A-Za-z_]\w*))\s*(?:,|$)"
)
_LIST_VALUE = re.compile(_POSITION + r"Expected option value\.$")
_NAME_BEFORE = re.compile(r"(\([^()]*\)(?:\s*\.\s*(?:\w+|\([^()]*\)))*|\w+(?:\s*\.\s*\w+)*)\s*=\s*$")


@dataclass
class LenientResult:
    """The compiled descriptor and what was repaired on the way (see the module docstring)."""

    file: FileProto
    implicit_imports: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)
    uninterpreted: int = 0


@dataclass
class _Pending:
    """An option cut from the text: where it was written (offsets into the compiled text)."""

    start: int
    end: int
    option: UninterpretedOption


@dataclass
class _State:
    text: str
    stubs: dict[str, bytes] = field(default_factory=dict)
    implicit: list[str] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    reserved: list[list] = field(default_factory=list)  # [start, end, text] of cut reserved statements
    edits: list[tuple[int, int, int]] = field(default_factory=list)  # (offset, old length, new length)

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` by ``new``, remembering it to map source spans back."""
        self.text = self.text[:start] + new + self.text[end:]
        self.edits.append((start, end - start, len(new)))
        delta = len(new) - (end - start)
        for pending in self.pending:
            if pending.start >= end:
                pending.start += delta
                pending.end += delta
        for statement in self.reserved:
            if statement[0] >= end:
                statement[0] += delta
                statement[1] += delta

    def original_offset(self, offset: int) -> int:
        """Where an offset of the compiled text was in the submitted text."""
        for start, old, new in reversed(self.edits):
            if offset >= start + new:
                offset += old - new
            elif offset > start:
                offset = start + min(offset - start, old)
        return offset


def compile_lenient(text: str, dependencies: Mapping[str, bytes]) -> LenientResult:
    """Compile ``text`` as Confluent would accept it; raise protoc's error for the rest."""
    state = _State(text)
    first: ProtocError | None = None
    for _ in range(_MAX_ROUNDS):
        try:
            file = compile_text(state.text, dependencies, state.stubs)
        except ProtocError as error:
            first = first or error
            if not _repair(state, error.errors, dependencies):
                raise error from None
            continue
        _attach(file, state.text, state.pending)
        _restore_reserved(file, state)
        _map_spans(file, state, text)
        return LenientResult(file, list(state.implicit), list(state.stubs), len(state.pending))
    assert first is not None
    raise first


# -- repairs ---------------------------------------------------------------------------------


def _repair(state: _State, errors: list[str], dependencies: Mapping[str, bytes]) -> bool:
    """Apply the repairs the errors call for; ``False`` if there is none to make.

    Errors with no repair are left for the next run: a parse error can follow from one that is
    repaired (protoc resynchronises after it), and one that stays is raised when no repair is left.
    """
    repaired = False
    edits: list[tuple[int, str]] = []  # (offset, kind) of option texts, applied last first
    for error in errors:
        if match := _NOT_FOUND.match(error):
            name = match.group(1)
            if name not in state.stubs and name not in dependencies:
                state.stubs[name] = FileProto(name=name).SerializeToString()
                repaired = True
        elif match := _UNKNOWN_OPTION.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            if offset is not None and state.text.startswith(match.group(3).split(".")[0], offset):
                edits.append((offset, "cut"))
        elif match := _LIST_VALUE.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            named = _NAME_BEFORE.search(state.text[:offset]) if offset is not None else None
            if named is not None and state.text[offset : offset + 1] == "[":
                edits.append((named.start(), "list"))
        elif _RESERVED_CLASH.match(error):
            repaired |= _cut_reserved(state)
        elif match := _BAD_VALUE.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            if offset is not None and _read_option(state.text, offset) is not None:
                edits.append((offset, "cut"))
            elif offset is not None and (named := _NAME_BEFORE.search(state.text[:offset])) is not None:
                edits.append((named.start(), "cut"))
        elif match := _INNER_SCOPE.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            if offset is not None and state.text[offset : offset + 1] == "(" and not match.group(3).startswith("."):
                edits.append((offset, "dot"))
        elif _OPTIONS_UNDEFINED.match(error):
            repaired |= _add_import(state, _DESCRIPTOR_FILE)
        elif match := _NOT_IMPORTED.match(error):
            repaired |= match.group(1) in dependencies and _add_import(state, match.group(1))
        elif _UNDEFINED.match(error):
            written = set(_IMPORT.findall(state.text))
            for name in dependencies:
                if name not in written:
                    repaired |= _add_import(state, name)
    for offset, kind in sorted(set(edits), reverse=True):
        if kind == "dot":
            state.replace(offset + 1, offset + 1, ".")
            repaired = True
        elif kind == "list":
            repaired |= _expand_list(state, offset) or _cut_option(state, offset)
        else:
            repaired |= _cut_option(state, offset)
    return repaired


def _add_import(state: _State, name: str) -> bool:
    if name in state.implicit:
        return False
    state.implicit.append(name)
    state.text += f'\nimport "{name}";\n'
    return True


def _offset(text: str, line: int, column: int) -> int | None:
    lines = text.split("\n")
    if not 1 <= line <= len(lines) or column < 1 or "\t" in lines[line - 1]:
        return None
    return sum(len(item) + 1 for item in lines[: line - 1]) + column - 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n")
    return line, offset - (before.rfind("\n") + 1)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "".join(c if c == "\n" else " " for c in text[start:end]) + text[end:]


def _context(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """Where the option ``text[start:end]`` is written: ``("list"|"statement", cut start, cut end)``
    with the span that removes it cleanly (its comma, brackets or ``option ...;``)."""
    before = text[:start].rstrip()
    after = _skip_space(text, end)
    if before.endswith(","):
        return "list", len(before) - 1, end
    if before.endswith("["):
        if text[after : after + 1] == ",":
            return "list", start, after + 1
        if text[after : after + 1] == "]":
            return "list", len(before) - 1, after + 1
        return None
    if re.search(r"(?:^|\W)option$", before) and text[after : after + 1] == ";":
        return "statement", len(before) - len("option"), after + 1
    return None


def _expand_list(state: _State, start: int) -> bool:
    """Write ``name = [a, b]`` as ``name = a, name = b`` (or one ``option`` statement each), as
    Wire reads a list value: one value of a repeated option per item. ``False`` if it is empty
    or not where an option can be."""
    parsed = _read_option(state.text, start)
    if parsed is None or not parsed[1].startswith("["):
        return False
    _, value, end = parsed
    items = _split_list(value[1:-1])
    where = _context(state.text, start, end)
    if not items or where is None:
        return False
    name = state.text[start : state.text.index("=", start)].strip()
    separator = ", " if where[0] == "list" else "; option "
    state.replace(start, end, separator.join(f"{name} = {item}" for item in items))
    return True


def _cut_option(state: _State, start: int) -> bool:
    """Blank the unknown option written at ``start`` (its ``(``) and remember it."""
    text = state.text
    parsed = _read_option(text, start)
    if parsed is None:
        return False
    parts, value, end = parsed
    where = _context(text, start, end)
    if where is None:
        return False
    cut = where[1:]
    options = _uninterpreted(parts, value)
    if options is None:
        return False
    # the span protoc gives a written option: the whole statement, or ``name = value`` in a list
    span = cut if where[0] == "statement" else (start, end)
    state.pending += [_Pending(*span, option) for option in options]
    state.text = _blank(text, *cut)
    return True


def _cut_reserved(state: _State) -> bool:
    """Blank every ``reserved`` statement (Wire does not check a field against them, nor ranges
    against each other); they are put back into the descriptor after compiling."""
    cut = False
    for match in reversed(list(_RESERVED_STATEMENT.finditer(state.text))):
        line_start = state.text.rfind("\n", 0, match.start()) + 1
        if "//" in state.text[line_start : match.start()] or _items(match.group()) is None:
            continue
        state.text = _blank(state.text, match.start(), match.end())
        state.reserved.append([match.start(), match.end(), match.group()])
        cut = True
    state.reserved.sort()
    return cut


def _number(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    return sign * (int(digits, 16) if digits[:2].lower() == "0x" else int(digits))


def _items(statement: str) -> list[tuple[int, int, str | tuple[int, str | None]]] | None:
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
        value: str | tuple[int, str | None] = name if name is not None else (_number(match.group(3)), match.group(4))
        token_start = body_start + i + (len(match.group()) - len(match.group().lstrip()))
        token_end = body_start + len(body[: match.end()].rstrip().rstrip(",").rstrip())
        items.append((token_start, token_end, value))
        i = match.end()
    return items


def _restore_reserved(file: FileProto, state: _State) -> None:
    """Put the cut ``reserved`` statements back on their messages and enums, with the source
    locations protoc gives them (statement ``(element, 9|4)``, items ``(element, 9|4, i)``; names
    under 10|5), in text order."""
    if not state.reserved:
        return
    elements: list[tuple[tuple[int, ...], tuple[int, int], tuple[int, int]]] = []
    for location in file.source_code_info.location:
        path = tuple(location.path)
        node = _element(file, path)
        if isinstance(node, (descriptor_pb2.DescriptorProto, descriptor_pb2.EnumDescriptorProto)):
            span = list(location.span)
            end = (span[0], span[2]) if len(span) == 3 else (span[2], span[3])
            elements.append((path, (span[0], span[1]), end))
    for start, end, statement in state.reserved:
        at = _line_column(state.text, start)
        owners = [e for e in elements if e[1] <= at < e[2]]
        if not owners:
            continue
        path = max(owners, key=lambda e: len(e[0]))[0]
        node = _element(file, path)
        enum = isinstance(node, descriptor_pb2.EnumDescriptorProto)
        ranges, names = (4, 5) if enum else (9, 10)
        items = _items(statement) or []
        kinds = {ranges if not isinstance(value, str) else names for _, _, value in items}
        for kind in sorted(kinds):
            _add_location(file, state.text, (*path, kind), start, end)
        for item_start, item_end, value in items:
            if isinstance(value, str):
                node.reserved_name.append(value)
                _add_location(file, state.text, (*path, names, len(node.reserved_name) - 1),
                              start + item_start, start + item_end)
                continue
            first, last = value
            top = (2147483647 if enum else 536870912) if last == "max" else None
            stop = top if top is not None else (_number(last) if last else first) + (0 if enum else 1)
            node.reserved_range.add(start=first, end=stop)
            _add_location(file, state.text, (*path, ranges, len(node.reserved_range) - 1),
                          start + item_start, start + item_end)


def _add_location(file: FileProto, text: str, path: tuple[int, ...], start: int, end: int) -> None:
    first = _line_column(text, start)
    last = _line_column(text, end)
    location = file.source_code_info.location.add(path=list(path))
    location.span.extend([*first, last[1]] if first[0] == last[0] else [*first, *last])


# -- reading an option -------------------------------------------------------------------------


def _skip_space(text: str, i: int) -> int:
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


def _string_end(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _balanced_end(text: str, i: int) -> int:
    """The end of the ``{...}`` or ``[...]`` starting at ``i`` (strings and nesting respected)."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _string_end(text, i)
            continue
        if ch in "{[<":
            depth += 1
        elif ch in "}]>":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _read_option(text: str, start: int) -> tuple[list[tuple[str, bool]], str, int] | None:
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
            match = re.compile(r"\w+").match(text, i)
            if match is None:
                return None
            parts.append((match.group(), False))
            i = match.end()
        i = _skip_space(text, i)
        if not text.startswith(".", i):
            break
        i = _skip_space(text, i + 1)
    if not text.startswith("=", i):
        return None
    i = _skip_space(text, i + 1)
    value_start = i
    end = _value_end(text, i)
    if end < 0:
        return None
    return parts, text[value_start:end], end


def _value_end(text: str, i: int) -> int:
    if i >= len(text):
        return -1
    if text[i] in "{[":
        return _balanced_end(text, i)
    if text[i] in "\"'":
        end = _string_end(text, i)
        while True:  # adjacent string literals concatenate
            nxt = _skip_space(text, end)
            if nxt < len(text) and text[nxt] in "\"'":
                end = _string_end(text, nxt)
            else:
                return end
    match = _TOKEN.match(text, i)
    return match.end() if match else -1


def _split_list(inner: str) -> list[str]:
    items: list[str] = []
    i = start = 0
    while i < len(inner):
        ch = inner[i]
        if ch in "\"'":
            i = _string_end(inner, i)
            continue
        if ch in "{[<":
            i = _balanced_end(inner, i)
            continue
        if ch == ",":
            items.append(inner[start:i].strip())
            start = i + 1
        i += 1
    if inner[start:].strip():
        items.append(inner[start:].strip())
    return items


def _uninterpreted(parts: list[tuple[str, bool]], value: str) -> list[UninterpretedOption] | None:
    """The ``UninterpretedOption``\\ s protoc's parser would make (a list value gives one each)."""
    if value.startswith("["):
        items = _split_list(value[1:-1])
        out: list[UninterpretedOption] = []
        for item in items:
            options = _uninterpreted(parts, item)
            if options is None:
                return None
            out += options
        return out
    option = UninterpretedOption(
        name=[UninterpretedOption.NamePart(name_part=name, is_extension=ext) for name, ext in parts]
    )
    if value.startswith("{"):
        option.aggregate_value = value[1:-1].strip()
    elif value[:1] in "\"'":
        pieces = []
        i = 0
        while i < len(value):
            i = _skip_space(value, i)
            if i >= len(value):
                break
            end = _string_end(value, i)
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


# -- putting the descriptor back together -------------------------------------------------------------


def _element(file: FileProto, path: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """The descriptor element at a source path of (field number, index) pairs, if it has options."""
    if len(path) % 2:
        return None
    node = file
    for number, index in zip(path[::2], path[1::2], strict=True):
        described = node.DESCRIPTOR.fields_by_number.get(number)
        if described is None or described.message_type is None or not described.is_repeated:
            return None
        items = getattr(node, described.name)
        if index >= len(items):
            return None
        node = items[index]
    return node if "options" in node.DESCRIPTOR.fields_by_name else None


def _attach(file: FileProto, text: str, pending: list[_Pending]) -> None:
    """Put each cut option on the innermost element whose source span holds where it was, with
    a source location ``(element, options, 999, i)`` spanning its text (as protoc gives every
    option it reads), so that the printer can print it as written."""
    if not pending:
        return
    spans: list[tuple[tuple[int, ...], tuple[int, int, int, int]]] = []
    for location in file.source_code_info.location:
        span = list(location.span)
        if len(span) == 3:
            span = [span[0], span[1], span[0], span[2]]
        spans.append((tuple(location.path), (span[0], span[1], span[2], span[3])))
    for item in pending:
        at = _line_column(text, item.start)
        best: tuple[int, ...] = ()
        for path, (sl, sc, el, ec) in spans:
            inside = (sl, sc) <= at < (el, ec)
            if inside and len(path) > len(best) and _element(file, path) is not None:
                best = path
        target = _element(file, best) if best else file
        options = target.options.uninterpreted_option
        options.add().CopyFrom(item.option)
        number = target.DESCRIPTOR.fields_by_name["options"].number
        end = _line_column(text, item.end)
        location = file.source_code_info.location.add(path=[*best, number, _UNINTERPRETED, len(options) - 1])
        location.span.extend([*at, end[1]] if at[0] == end[0] else [*at, *end])


def _map_spans(file: FileProto, state: _State, original: str) -> None:
    """Map source spans of the compiled text back onto the submitted text."""
    if not state.edits:
        return
    starts = _line_starts(state.text)
    original_starts = _line_starts(original)

    def back(line: int, column: int) -> tuple[int, int]:
        offset = state.original_offset(starts[min(line, len(starts) - 1)] + column)
        at = bisect.bisect_right(original_starts, offset) - 1
        return at, offset - original_starts[at]

    for location in file.source_code_info.location:
        span = list(location.span)
        end_line = span[0] if len(span) == 3 else span[2]
        start = back(span[0], span[1])
        end = back(end_line, span[-1])
        location.span[:] = [*start, end[1]] if start[0] == end[0] else [*start, *end]


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


def strip_uninterpreted(file: FileProto) -> bool:
    """Remove every ``UninterpretedOption`` from a descriptor (in place); whether there were any.

    What clients load must link in a descriptor pool, which would try to interpret them.
    """
    found = False

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        nonlocal found
        for described, value in node.ListFields():
            if described.message_type is None:
                continue
            if described.name == "uninterpreted_option":
                found = True
                node.ClearField("uninterpreted_option")
                continue
            for item in value if described.is_repeated else [value]:
                walk(item)

    walk(file)
    return found
