"""Proto3 enums whose first value is not zero (see :mod:`charter.compat.protobuf.lenient`).

Wire (``ProtobufSchema`` of Confluent) accepts ``enum E { LEGACY = 1; }`` in proto3 and Java's
``Descriptors`` build it; protoc and upb refuse it ("The first enum value must be zero for open
enums"). Such an enum is compiled with a hidden first value ``CHARTER_ZERO_OF_<E> = 0`` (and
``option allow_alias = true`` when the enum has a zero value of its own), both removed from the
descriptor after compiling, source locations renumbered.

The descriptor clients load (``format=serialized``) must link in a standard pool, so there the
enum's first zero value is moved to the front, or, if it has none, the placeholder is put back
first; a descriptor registered with that placeholder loses it again (:func:`remove_placeholders`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from charter.compat.protobuf.types import EnumProto, FileProto, syntax_of

PREFIX = "CHARTER_ZERO_OF_"
_ENUM_HEAD = re.compile(r"\benum\s+(\w+)\s*\{")
_VALUE_BEFORE = re.compile(r"(?<!\w)(\w+)\s*=\s*$")  # tried at word starts only: linear
_ZERO_VALUE = re.compile(r"\b\w+\s*=\s*0+\s*[;\[]")
_ALLOW_ALIAS = 2  # EnumOptions.allow_alias
_VALUE = 2  # EnumDescriptorProto.value
_OPTIONS = 3  # EnumDescriptorProto.options


def placeholder_at(text: str, number_at: int) -> tuple[int, str, str | None] | None:
    """Where to insert the placeholder for the enum whose first value's number is written at
    ``number_at``: ``(offset, text to insert, the enum's name if allow_alias is added)``."""
    value = _VALUE_BEFORE.search(text[:number_at])
    heads = list(_ENUM_HEAD.finditer(text[:number_at]))
    if value is None or not heads:
        return None
    head = heads[-1]
    body_end = text.find("}", number_at)
    body = text[head.end() : body_end if body_end >= 0 else len(text)]
    alias = _ZERO_VALUE.search(body) is not None and "allow_alias" not in body
    insert = f"{PREFIX}{head.group(1)} = 0; " + ("option allow_alias = true; " if alias else "")
    return value.start(), insert, head.group(1) if alias else None


def _enums(file: FileProto) -> Iterator[tuple[tuple[int, ...], EnumProto]]:
    for i, enum in enumerate(file.enum_type):
        yield (5, i), enum

    def nested(path: tuple[int, ...], message) -> Iterator[tuple[tuple[int, ...], EnumProto]]:  # type: ignore[no-untyped-def]
        for i, enum in enumerate(message.enum_type):
            yield (*path, 4, i), enum
        for i, inner in enumerate(message.nested_type):
            yield from nested((*path, 3, i), inner)

    for i, message in enumerate(file.message_type):
        yield from nested((4, i), message)


def _is_placeholder(enum: EnumProto) -> bool:
    return bool(enum.value) and enum.value[0].name == PREFIX + enum.name and enum.value[0].number == 0


def remove_placeholders(file: FileProto, added_alias: tuple[str, ...] = ()) -> None:
    """Remove (in place) each enum's placeholder first value and, for the enums named in
    ``added_alias``, the ``allow_alias`` compiled with it, with their source locations."""
    for path, enum in _enums(file):
        if not _is_placeholder(enum):
            continue
        del enum.value[0]
        alias = enum.name in added_alias
        if alias:
            enum.options.ClearField("allow_alias")
            if not enum.options.ListFields():
                enum.ClearField("options")
        kept = []
        for location in file.source_code_info.location:
            tail = tuple(location.path[len(path) :])
            if tuple(location.path[: len(path)]) != path or not tail:
                kept.append(location)
            elif tail[0] == _VALUE and len(tail) > 1:
                if tail[1] > 0:
                    location.path[len(path) + 1] -= 1
                    kept.append(location)
            elif not (alias and tail[0] == _OPTIONS and (len(tail) == 1 or tail[1] == _ALLOW_ALIAS)):
                kept.append(location)
        if len(kept) != len(file.source_code_info.location):
            copies = [type(location).FromString(location.SerializeToString()) for location in kept]
            del file.source_code_info.location[:]
            file.source_code_info.location.extend(copies)


def zero_first(file: FileProto) -> None:
    """Make (in place) every proto3 enum start with a zero value, as pools require: its first
    zero value moved to the front, else the placeholder added there."""
    if syntax_of(file) != "proto3":
        return
    for _, enum in _enums(file):
        if not enum.value or enum.value[0].number == 0:
            continue
        zero = next((i for i, value in enumerate(enum.value) if value.number == 0), None)
        values = [type(value).FromString(value.SerializeToString()) for value in enum.value]
        placeholder = type(values[0])(name=PREFIX + enum.name, number=0)
        first = placeholder if zero is None else values.pop(zero)
        del enum.value[:]
        enum.value.extend([first, *values])
