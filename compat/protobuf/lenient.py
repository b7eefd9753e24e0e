"""Compile schema text as leniently as Confluent accepts it, still with protoc.

Confluent's registry parses ``.proto`` text with Square Wire's parser and, with its default
``schema.validate.fields=false``, never builds descriptors from it (``ProtobufSchema.validate``
only normalises; ``toDynamicSchema`` skips imports no reference resolves and reads only the
options it knows). protoc refuses some of what that accepts, so :func:`compile_lenient` runs
protoc, reads its diagnostics, repairs the inputs it chokes on and runs it again:

* an option given a list value (``(confluent.field_meta).tags = ["a", "b"]``, which Wire reads
  and protoc does not) is compiled as one assignment per item, which is what it means;
* an option value protoc cannot interpret (of the wrong type, out of range, an aggregate naming
  a field the message lacks, a non-repeated option set twice, a field of a repeated message
  set by name: ``(wrapper).tags.name = "a"``) is carried the same way: Wire
  keeps any value and Confluent interprets only the options it knows;
* an import nothing resolves (``import "validate/validate.proto";`` of protoc-gen-validate)
  is linked against an empty stand-in file; the import stays in the descriptor (as
  ``ProtobufSchema.toDynamicSchema`` keeps only the imports it finds, but prints them all);
* a custom option protoc does not know (``Option "(x)" unknown``) is cut from the compiled
  text and carried in the descriptor as an ``UninterpretedOption`` of the element it was
  written on (the message descriptor.proto keeps for options not yet interpreted);
* a custom option name that protoc resolves inside the package first (``(confluent.field_meta)``
  in package ``io.confluent.x``) is compiled as ``(.confluent.field_meta)``, which is what
  Confluent means (it matches option names as written);
* ``reserved`` statements protoc refuses (a field using a reserved number or name, overlapping
  ranges) are cut and put back on their message or enum after compiling;
* an ``extend`` block naming numbers its message does not declare (Wire does not check; in
  proto3 no message can declare any) is cut and its fields put back after compiling
  (:mod:`charter.compat.protobuf.extendcut`);
* a standard option on a field it does not apply to (``jstype`` on an ``int32``: Wire checks
  no option) is carried uninterpreted like an unknown one;
* an option value protoc cannot even tokenize (``10f``, ``1.0f``: text-format float suffixes)
  is carried uninterpreted the same way;
* a ``default`` protoc cannot read for its field's type (``default = 0`` on ``bytes``; Wire
  keeps any value) is carried as an uninterpreted option ``default``, printed as written;
* a proto3 enum whose first value is not zero (Wire does not check) is compiled with a hidden
  zero value first, removed after compiling (:mod:`charter.compat.protobuf.openenum`);
* extending ``google.protobuf.*Options`` without importing descriptor.proto, or using a type of
  a reference the text does not import (Confluent resolves types from all references:
  ``Context.collectTypeInfo`` walks every dependency), gets the import(s) added at the end of
  the compiled text; they are reported as *implicit* so that they are not printed.

Cut options and statements go back into the descriptor with source locations, and the source
spans of the compiled text are mapped back onto the submitted text
(:mod:`charter.compat.protobuf.restore`), so the printer prints them as written. Everything else
protoc refuses is refused with its own messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from charter.compat.protobuf.compiler import ProtocError, compile_text
from charter.compat.protobuf.extendcut import extend_block_at, restore_extends
from charter.compat.protobuf.openenum import placeholder_at, remove_placeholders
from charter.compat.protobuf.protoscan import name_before_equals, read_option, reserved_items, skip_space, split_list
from charter.compat.protobuf.protoscan import uninterpreted as uninterpreted_options
from charter.compat.protobuf.restore import CutOption, attach, map_spans, restore_reserved
from charter.compat.protobuf.types import FileProto
from charter.compat.protobuf.wellknown import builtin_files

_MAX_ROUNDS = 32
_DESCRIPTOR_FILE = "google/protobuf/descriptor.proto"
_POSITION = r"^schema:(\d+):(\d+): "
_UNKNOWN_OPTION = re.compile(_POSITION + r'Option "([^"]*)" unknown\.')
_INNER_SCOPE = re.compile(_POSITION + r'Option "\(([^"]*)\)" is resolved to "\([^"]*\)", which is not defined\.')
_NOT_FOUND = re.compile(r"^([^:]+\.proto): File not found\.$")
_OPTIONS_UNDEFINED = re.compile(_POSITION + r'"(?:\.?google\.protobuf\.)?(\w+Options)" is not defined\.')
_NOT_IMPORTED = re.compile(r'^schema:\d+:\d+: "[^"]*" seems to be defined in "([^"]+)", which is not imported')
_UNDEFINED = re.compile(r'^schema(?::\d+:\d+)?: "[^"]*" is not defined\.$')
_IMPORT = re.compile(r'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;', re.MULTILINE)
_BAD_VALUE = re.compile(
    _POSITION
    + r'(?:.* for (?:\w+ )?option "[^"]*"\.|Error while parsing option value for |Option "[^"]*" was already set\.'
    + r'|Option field "[^"]*" is a repeated message\.)'
)
_RESERVED_CLASH = re.compile(
    _POSITION + r"(?:.* uses reserved number \d+\.|.* is reserved\.|Reserved range .* overlaps with |"
    r"Extension range .* overlaps with reserved range )"
)
_UNDECLARED_EXTENSION = re.compile(_POSITION + r'"[^"]*" does not declare \d+ as an extension number\.')
_RESERVED_STATEMENT = re.compile(r"(?<![\w.])reserved\s+[^;{}]*;")
_OPEN_ENUM = re.compile(_POSITION + r"The first enum value must be zero for open enums\.")
_MISPLACED_OPTION = re.compile(_POSITION + r"(\w+) is only allowed on ")
_NUMBER_SUFFIX = re.compile(_POSITION + r"Need space between number and identifier\.")
_DEFAULT_TYPE = re.compile(_POSITION + r"Expected (?:string|integer|number|identifier)\.$")
_LIST_VALUE = re.compile(_POSITION + r"Expected option value\.$")
_DEFAULT_BEFORE = re.compile(r"\bdefault\s*=\s*$")


@dataclass
class LenientResult:
    """The compiled descriptor and what was repaired on the way (see the module docstring)."""

    file: FileProto
    implicit_imports: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)
    uninterpreted: int = 0



@dataclass
class _State:
    text: str
    stubs: dict[str, bytes] = field(default_factory=dict)
    implicit: list[str] = field(default_factory=list)
    pending: list[CutOption] = field(default_factory=list)
    reserved: list[list] = field(default_factory=list)  # [start, end, text] of cut reserved statements
    extends: list[list] = field(default_factory=list)  # [start, end, text] of cut extend blocks
    aliased: list[str] = field(default_factory=list)  # enums compiled with an added allow_alias
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
        for statement in [*self.reserved, *self.extends]:
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
        remove_placeholders(file, tuple(state.aliased))
        attach(file, state.text, state.pending)
        restore_reserved(file, state.text, state.reserved)
        linked = [*dependencies.values(), *state.stubs.values(), *builtin_files().values()]
        if not restore_extends(file, state.text, state.extends, linked):
            assert first is not None
            raise first
        map_spans(file, state.text, text, state.original_offset)
        return LenientResult(file, list(state.implicit), list(state.stubs), len(state.pending))
    assert first is not None
    raise first


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
            named = name_before_equals(state.text[:offset]) if offset is not None else None
            if named is not None and state.text[offset : offset + 1] == "[":
                edits.append((named, "list"))
        elif match := _UNDECLARED_EXTENSION.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            block = extend_block_at(state.text, offset) if offset is not None else None
            if block is not None:
                state.extends.append([*block, state.text[block[0] : block[1]]])
                state.text = _blank(state.text, *block)
                state.extends.sort()
                repaired = True
        elif match := _OPEN_ENUM.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            if offset is not None:
                edits.append((offset, "zero"))
        elif match := _MISPLACED_OPTION.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            statement_end = state.text.find(";", offset) if offset is not None else -1
            written = re.compile(rf"\b{match.group(3)}\s*=").search(state.text, offset or 0, statement_end)
            if written is not None:
                edits.append((written.start(), "cut"))
        elif match := _NUMBER_SUFFIX.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            start = _enclosing_option(state.text, offset) if offset is not None else None
            if start is not None:
                edits.append((start, "cut"))
        elif match := _DEFAULT_TYPE.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            named = _DEFAULT_BEFORE.search(state.text[:offset]) if offset is not None else None
            if named is not None:
                edits.append((named.start(), "cut"))
        elif _RESERVED_CLASH.match(error):
            repaired |= _cut_reserved(state)
        elif match := _BAD_VALUE.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            if offset is not None and read_option(state.text, offset) is not None:
                edits.append((offset, "cut"))
            elif offset is not None and (named := name_before_equals(state.text[:offset])) is not None:
                edits.append((named, "cut"))
        elif match := _INNER_SCOPE.match(error):
            offset = _offset(state.text, int(match.group(1)), int(match.group(2)))
            if offset is not None and state.text[offset : offset + 1] == "(" and not match.group(3).startswith("."):
                edits.append((offset, "dot"))
        elif _OPTIONS_UNDEFINED.match(error):
            repaired |= _add_import(state, _DESCRIPTOR_FILE)
        elif match := _NOT_IMPORTED.match(error):
            known = match.group(1) in dependencies or match.group(1) in builtin_files()
            repaired |= known and _add_import(state, match.group(1))
        elif _UNDEFINED.match(error):
            written = set(_IMPORT.findall(state.text))
            for name in dependencies:
                if name not in written:
                    repaired |= _add_import(state, name)
    for offset, kind in sorted(set(edits), reverse=True):
        if kind == "dot":
            state.replace(offset + 1, offset + 1, ".")
            repaired = True
        elif kind == "zero":
            repaired |= _zero_first(state, offset)
        elif kind == "list":
            repaired |= _expand_list(state, offset) or _cut_option(state, offset)
        else:
            repaired |= _cut_option(state, offset)
    return repaired


def _zero_first(state: _State, number_at: int) -> bool:
    """Compile a proto3 enum whose first value is not zero with a hidden zero value first
    (:mod:`charter.compat.protobuf.openenum`), as Wire does not require one."""
    found = placeholder_at(state.text, number_at)
    if found is None:
        return False
    at, insert, alias = found
    if alias is not None:
        state.aliased.append(alias)
    state.replace(at, at, insert)
    return True


def _enclosing_option(text: str, offset: int) -> int | None:
    """Where the custom option whose value holds ``offset`` is written (its ``(``), if any."""
    at = offset
    while (at := text.rfind("(", 0, at)) >= 0:
        parsed = read_option(text, at)
        if parsed is not None and parsed[2] > offset:
            return at
    return None


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


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "".join(c if c == "\n" else " " for c in text[start:end]) + text[end:]


def _context(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """Where the option ``text[start:end]`` is written: ``("list"|"statement", cut start, cut end)``
    with the span that removes it cleanly (its comma, brackets or ``option ...;``)."""
    before = text[:start].rstrip()
    after = skip_space(text, end)
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
    parsed = read_option(state.text, start)
    if parsed is None or not parsed[1].startswith("["):
        return False
    _, value, end = parsed
    items = split_list(value[1:-1])
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
    parsed = read_option(text, start)
    if parsed is None:
        return False
    parts, value, end = parsed
    where = _context(text, start, end)
    if where is None:
        return False
    cut = where[1:]
    options = uninterpreted_options(parts, value)
    if options is None:
        return False
    # the span protoc gives a written option: the whole statement, or ``name = value`` in a list
    span = cut if where[0] == "statement" else (start, end)
    state.pending += [CutOption(*span, option) for option in options]
    state.text = _blank(text, *cut)
    return True


def _cut_reserved(state: _State) -> bool:
    """Blank every ``reserved`` statement (Wire does not check a field against them, nor ranges
    against each other); they are put back into the descriptor after compiling."""
    cut = False
    for match in reversed(list(_RESERVED_STATEMENT.finditer(state.text))):
        line_start = state.text.rfind("\n", 0, match.start()) + 1
        if "//" in state.text[line_start : match.start()] or reserved_items(match.group()) is None:
            continue
        state.text = _blank(state.text, match.start(), match.end())
        state.reserved.append([match.start(), match.end(), match.group()])
        cut = True
    state.reserved.sort()
    return cut

