"""Helpers of the Protobuf printer: print options, the original source text, option values.

``SourceText`` reads spans of the submitted .proto text back through protoc's source info (so
canonical text keeps type and option names as written); ``OptionDecoder`` turns option
extensions into values through a private descriptor pool; the ``quote``/``number_text`` helpers
print values as Confluent's printer does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from charter.compat.protobuf.types import FieldProto, FileProto


@dataclass
class PrintOptions:
    normalize: bool = False
    ignore_extensions: bool = False


class SourceText:
    """The original text's spans by descriptor path (protoc's ``SourceCodeInfo``)."""

    def __init__(self, file: FileProto, text: str) -> None:
        self.lines = text.split("\n")
        self.spans: dict[tuple[int, ...], list[int]] = {}
        self.all_spans: dict[tuple[int, ...], list[list[int]]] = {}
        for location in file.source_code_info.location:
            self.spans.setdefault(tuple(location.path), list(location.span))
            self.all_spans.setdefault(tuple(location.path), []).append(list(location.span))

    def statement_of(self, path: tuple[int, ...], item: int) -> int:
        """Which statement (by order) declared item ``item`` of the repeated field at ``path``."""
        span = self.spans.get((*path, item))
        statements = self.all_spans.get(path, [])
        if span is None:
            return 0
        start = (span[0], span[1])
        for number, statement in enumerate(statements):
            end = (statement[2], statement[3]) if len(statement) == 4 else (statement[0], statement[2])
            if (statement[0], statement[1]) <= start <= end:
                return number
        return 0

    def has(self, path: tuple[int, ...]) -> bool:
        return path in self.spans

    def text(self, path: tuple[int, ...]) -> str | None:
        span = self.spans.get(path)
        if span is None:
            return None
        if len(span) == 3:
            return self.lines[span[0]][span[1] : span[2]]
        start_line, start_col, end_line, end_col = span
        parts = [self.lines[start_line][start_col:]]
        parts += self.lines[start_line + 1 : end_line]
        parts.append(self.lines[end_line][:end_col])
        return "\n".join(parts)

    def statements_under(self, prefix: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int, int]]]:
        """Paths (relative to ``prefix``) of the option statements below ``prefix``, in text order.

        protoc records one location per written option: ``(number,)`` for ``(opt) = ...``,
        ``(number, index)`` for an item of a repeated option, ``(number, sub, ...)`` for a dotted
        ``(opt).sub = ...``.
        """
        found = []
        size = len(prefix)
        for path, spans in self.all_spans.items():
            if len(path) > size and path[:size] == prefix:
                found += [(path[size:], (span[0], span[1])) for span in spans]
        return sorted(found, key=lambda item: item[1])

    def statement_text(self, path: tuple[int, ...]) -> str | None:
        """The text of the option statement starting where ``path``'s span starts, up to its
        ``;``, or the ``,``/``]`` closing it in a field's option list (protoc's own span of an
        option set with a list literal stops inside the list)."""
        span = self.spans.get(path)
        if span is None:
            return None
        text = "\n".join(self.lines[span[0] :])
        start = span[1]
        depth = 0
        quote: str | None = None
        i = start
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = None
            elif text.startswith("//", i):
                i = text.find("\n", i) if "\n" in text[i:] else len(text)
                continue
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                i = end + 2 if end >= 0 else len(text)
                continue
            elif ch in "\"'":
                quote = ch
            elif ch in "{[(":
                depth += 1
            elif ch in ")}" or (ch == "]" and depth > 0):
                depth -= 1
            elif depth == 0 and ch in ";,]":
                break
            i += 1
        return text[start:i]

    def position(self, path: tuple[int, ...]) -> tuple[int, int]:
        span = self.spans.get(path)
        return (span[0], span[1]) if span else (1 << 30, 0)


def _fields_by_path(file: FileProto) -> Iterator[tuple[tuple[int, ...], FieldProto]]:
    """Every field and extension of a file with its descriptor path."""

    def messages(items, path: tuple[int, ...], number: int) -> Iterator[tuple[tuple[int, ...], FieldProto]]:  # type: ignore[no-untyped-def]
        for i, message in enumerate(items):
            here = (*path, number, i)
            yield from (((*here, 2, j), f) for j, f in enumerate(message.field))
            yield from (((*here, 6, j), f) for j, f in enumerate(message.extension))
            yield from messages(message.nested_type, here, 3)

    yield from (((7, j), f) for j, f in enumerate(file.extension))
    yield from messages(file.message_type, (), 4)


def drop_unwritten_json_names(file: FileProto) -> None:
    """Clear the ``json_name`` protoc fills in for every field where the text did not write one
    (Confluent's descriptor of a text schema, built from Wire's elements, has only the written
    ones; a descriptor carrying them all prints them all, as ``ProtobufSchema.toField`` does)."""
    written = {tuple(location.path) for location in file.source_code_info.location}
    for path, field in _fields_by_path(file):
        if (*path, 10) not in written:
            field.ClearField("json_name")


def keep_json_names_of(linked: FileProto, given: FileProto) -> None:
    """Clear the ``json_name`` linking filled in where the descriptor as given had none."""
    had = {path for path, field in _fields_by_path(given) if field.HasField("json_name")}
    for path, field in _fields_by_path(linked):
        if path not in had:
            field.ClearField("json_name")


class OptionDecoder:
    """Reads custom options (extensions of descriptor.proto's option messages) by name.

    ``files`` are serialized descriptors in dependency order; a private descriptor pool is
    built on first use only. Custom options need ``google/protobuf/descriptor.proto`` among
    the imports (``enabled``); without it, options are read as they are.
    """

    def __init__(self, files: Callable[[], list[bytes]], enabled: bool = True) -> None:
        self._files = files
        self.enabled = enabled
        self._pool: descriptor_pool.DescriptorPool | None = None
        self._classes: dict[str, type[Message]] = {}

    def has_extension(self, full_name: str) -> bool:
        """Whether an extension of that full name is defined in the schema or its imports."""
        if not self.enabled:
            return False
        try:
            self._load().FindExtensionByName(full_name)
        except KeyError:
            return False
        return True

    def extension(self, full_name: str) -> FieldDescriptor | None:
        """The extension of that full name defined in the schema or its imports, if any."""
        if not self.enabled:
            return None
        try:
            return self._load().FindExtensionByName(full_name)
        except KeyError:
            return None

    def _load(self) -> descriptor_pool.DescriptorPool:
        if self._pool is None:
            pool = descriptor_pool.DescriptorPool()
            for data in self._files():
                try:
                    pool.AddSerializedFile(data)
                except Exception:  # a clash in a dependency: decode what we can
                    continue
            self._pool = pool
        return self._pool

    def decode(self, options: Message) -> Message:
        if not self.enabled or options.ByteSize() == 0:
            return options
        self._load()
        assert self._pool is not None
        name = options.DESCRIPTOR.full_name
        cls = self._classes.get(name)
        if cls is None:
            try:
                cls = message_factory.GetMessageClass(self._pool.FindMessageTypeByName(name))
            except KeyError:
                return options
            self._classes[name] = cls
        return cls.FromString(options.SerializeToString())


def quote(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def quote_bytes(data: bytes) -> str:
    return quote(data.decode("latin-1"))


def number_text(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if math.isnan(value):
        return "nan"
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def indent(text: str, depth: int = 1) -> str:
    """Every line padded, blank ones too (ProtobufSchemaUtils.appendIndented: a blank line
    inside a nested message is printed as the indent alone)."""
    pad = "  " * depth
    return "".join(pad + line + "\n" for line in text.rstrip("\n").split("\n"))

def range_text(start: int, end: int, maximum: int, collapse: bool = True) -> str:
    """``start to end`` (``max`` from ``maximum`` up), or the one number when ``collapse``."""
    if collapse and start == end:
        return str(start)
    return f"{start} to {'max' if end >= maximum else end}"

def edition_name(edition: int) -> str:
    name = descriptor_pb2.Edition.Name(edition)
    return name.removeprefix("EDITION_")

def default_json_name(name: str) -> str:
    out = []
    upper = False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)
