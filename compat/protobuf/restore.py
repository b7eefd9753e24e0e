"""Putting a leniently compiled descriptor back together (see :mod:`charter.compat.protobuf.lenient`).

What was cut from the text before protoc ran goes back where it was written: unknown options
as ``uninterpreted_option`` entries of their element, ``reserved`` statements on their message or
enum, each with the source location protoc gives such a statement, so that the printer prints it
as written. Source spans are then mapped from the compiled text back onto the submitted one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

from charter.compat.protobuf.protoscan import (
    UninterpretedOption,
    line_column,
    line_starts,
    number,
    reserved_items,
)
from charter.compat.protobuf.types import FileProto

UNINTERPRETED = 999
"""The number of ``uninterpreted_option`` in every ``*Options`` message."""


@dataclass
class CutOption:
    """An option cut from the text: where it was written (offsets into the compiled text)."""

    start: int
    end: int
    option: UninterpretedOption


def element(file: FileProto, path: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """The descriptor element at a source path of (field number, index) pairs, if it has options."""
    if len(path) % 2:
        return None
    node = file
    for field_number, index in zip(path[::2], path[1::2], strict=True):
        described = node.DESCRIPTOR.fields_by_number.get(field_number)
        if described is None or described.message_type is None or not described.is_repeated:
            return None
        items = getattr(node, described.name)
        if index >= len(items):
            return None
        node = items[index]
    return node if "options" in node.DESCRIPTOR.fields_by_name else None


def attach(file: FileProto, text: str, pending: list[CutOption]) -> None:
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
        at = line_column(text, item.start)
        best: tuple[int, ...] = ()
        best_start = (-1, -1)
        for path, (sl, sc, el, ec) in spans:
            inside = (sl, sc) <= at < (el, ec)
            # the longest path; of equal ones (a oneof and its field) the one starting last
            deeper = (len(path), (sl, sc)) > (len(best), best_start)
            if inside and deeper and element(file, path) is not None:
                best, best_start = path, (sl, sc)
        target = element(file, best) if best else file
        options = target.options.uninterpreted_option
        options.add().CopyFrom(item.option)
        options_number = target.DESCRIPTOR.fields_by_name["options"].number
        end = line_column(text, item.end)
        location = file.source_code_info.location.add(path=[*best, options_number, UNINTERPRETED, len(options) - 1])
        location.span.extend([*at, end[1]] if at[0] == end[0] else [*at, *end])


def restore_reserved(file: FileProto, text: str, statements: list[list]) -> None:
    """Put the cut ``reserved`` statements back on their messages and enums, with the source
    locations protoc gives them (statement ``(element, 9|4)``, items ``(element, 9|4, i)``; names
    under 10|5), in text order."""
    if not statements:
        return
    elements: list[tuple[tuple[int, ...], tuple[int, int], tuple[int, int]]] = []
    for location in file.source_code_info.location:
        path = tuple(location.path)
        node = element(file, path)
        if isinstance(node, (descriptor_pb2.DescriptorProto, descriptor_pb2.EnumDescriptorProto)):
            span = list(location.span)
            end = (span[0], span[2]) if len(span) == 3 else (span[2], span[3])
            elements.append((path, (span[0], span[1]), end))
    for start, end, statement in statements:
        at = line_column(text, start)
        owners = [e for e in elements if e[1] <= at < e[2]]
        if not owners:
            continue
        path = max(owners, key=lambda e: len(e[0]))[0]
        node = element(file, path)
        enum = isinstance(node, descriptor_pb2.EnumDescriptorProto)
        ranges, names = (4, 5) if enum else (9, 10)
        items = reserved_items(statement) or []
        kinds = {ranges if not isinstance(value, str) else names for _, _, value in items}
        for kind in sorted(kinds):
            add_location(file, text, (*path, kind), start, end)
        for item_start, item_end, value in items:
            if isinstance(value, str):
                node.reserved_name.append(value)
                add_location(file, text, (*path, names, len(node.reserved_name) - 1),
                              start + item_start, start + item_end)
                continue
            first, last = value
            top = (2147483647 if enum else 536870912) if last == "max" else None
            stop = top if top is not None else (number(last) if last else first) + (0 if enum else 1)
            node.reserved_range.add(start=first, end=stop)
            add_location(file, text, (*path, ranges, len(node.reserved_range) - 1),
                          start + item_start, start + item_end)


def add_location(file: FileProto, text: str, path: tuple[int, ...], start: int, end: int) -> None:
    first = line_column(text, start)
    last = line_column(text, end)
    location = file.source_code_info.location.add(path=list(path))
    location.span.extend([*first, last[1]] if first[0] == last[0] else [*first, *last])


def map_spans(file: FileProto, compiled: str, original: str, to_original: Callable[[int], int]) -> None:
    """Map source spans of the compiled text back onto the submitted text."""
    if compiled == original:
        return
    starts = line_starts(compiled)
    original_starts = line_starts(original)

    def back(line: int, column: int) -> tuple[int, int]:
        offset = to_original(starts[min(line, len(starts) - 1)] + column)
        at = bisect.bisect_right(original_starts, offset) - 1
        return at, offset - original_starts[at]

    for location in file.source_code_info.location:
        span = list(location.span)
        end_line = span[0] if len(span) == 3 else span[2]
        start = back(span[0], span[1])
        end = back(end_line, span[-1])
        location.span[:] = [*start, end[1]] if start[0] == end[0] else [*start, *end]


def strip_uninterpreted(file: FileProto) -> bool:
    """Remove every ``UninterpretedOption`` from a descriptor (in place); whether there were any.

    What clients load must link in a descriptor pool, which would try to interpret them.
    """
    found = False

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        nonlocal found
        for described, value in node.ListFields():
            if described.message_type is None or described.is_extension:
                continue  # options' extensions (say confluent.field_meta) hold no descriptors
            if described.name == "uninterpreted_option":
                found = True
                node.ClearField("uninterpreted_option")
                continue
            for item in value if described.is_repeated else [value]:
                walk(item)

    walk(file)
    return found


def _reserving(file: FileProto) -> list:  # messages and enums, in one fixed order
    found: list = []

    def messages(items) -> None:  # type: ignore[no-untyped-def]
        for message in items:
            found.append(message)
            found.extend(message.enum_type)
            messages(message.nested_type)

    messages(file.message_type)
    found.extend(file.enum_type)
    return found


def take_reserved(file: FileProto) -> list[tuple[bytes, list[str]]]:
    """Clear (in place) the reserved ranges and names of every message and enum, returned in
    order to put back (:func:`put_reserved`): a descriptor whose fields use reserved numbers
    links too, as Java's ``Descriptors`` (ProtobufSchema(Descriptor)) do not check them."""
    taken = []
    for item in _reserving(file):
        ranges = type(item)(reserved_range=item.reserved_range).SerializeToString()
        taken.append((ranges, list(item.reserved_name)))
        item.ClearField("reserved_range")
        item.ClearField("reserved_name")
    return taken


def put_reserved(file: FileProto, taken: list[tuple[bytes, list[str]]]) -> None:
    """Put back (in place) what :func:`take_reserved` took from the same file."""
    for item, (ranges, names) in zip(_reserving(file), taken, strict=True):
        item.reserved_range.extend(type(item).FromString(ranges).reserved_range)
        item.reserved_name.extend(names)
