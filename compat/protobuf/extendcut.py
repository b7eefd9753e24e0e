"""``extend`` blocks protoc refuses, carried past it (see :mod:`charter.compat.protobuf.lenient`).

Square Wire reads ``extend O { optional T t = 101; }`` whether or not ``O`` declares 101 as an
extension number (in proto3 it cannot declare any), and Confluent's registry accepts it
(ProtobufSchemaTest.testComplexEnum). protoc refuses it, so such a block is blanked before
compiling and its fields are put back afterwards (:func:`restore_extends`): names resolved in
the block's scope as protoc would, with the source locations protoc gives an extension field
(the printer prints them as written). Such an extension cannot link in a descriptor pool, so the
descriptor clients load leaves it out (:func:`drop_undeclared_extensions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from charter.compat.protobuf.protoscan import balanced_end, line_column, read_option, split_list
from charter.compat.protobuf.protoscan import uninterpreted as uninterpreted_options
from charter.compat.protobuf.restore import UNINTERPRETED, add_location, element
from charter.compat.protobuf.types import SCALAR_NAMES, FieldProto, FileProto, MessageProto, TypeIndex

_EXTEND = re.compile(r"(?<![\w.])extend\s+(\.?[\w.]+)\s*\{")
_FIELD = re.compile(
    r"(?<![\w.])(?:(optional|required|repeated)\s+)?(\.?[\w.]+)\s+(\w+)\s*=\s*(0[xX][0-9a-fA-F]+|\d+)\s*(\[[^;]*\])?\s*;"
)
_SCALARS = {name: number for number, name in SCALAR_NAMES.items()}
_LABELS = {
    "optional": FieldProto.LABEL_OPTIONAL,
    "required": FieldProto.LABEL_REQUIRED,
    "repeated": FieldProto.LABEL_REPEATED,
}


def extend_block_at(text: str, offset: int) -> tuple[int, int] | None:
    """``[start, end)`` of the ``extend X { ... }`` block holding ``offset``, if any."""
    for match in _EXTEND.finditer(text):
        end = balanced_end(text, match.end() - 1)
        if match.start() <= offset < end:
            return match.start(), end
    return None


def _resolve(index: TypeIndex, name: str, scope: str) -> str | None:
    """The full name ``name`` means in ``scope`` (innermost scope first, as protoc looks)."""
    if name.startswith("."):
        return name[1:] if index.get(name) else None
    parts = scope.split(".") if scope else []
    for size in range(len(parts), -1, -1):
        candidate = ".".join([*parts[:size], name])
        if index.get(candidate):
            return candidate
    return None


def _scope_of(file: FileProto, path: tuple[int, ...]) -> str:
    """The full name of the message at ``path`` (the package for the file itself)."""
    names = [file.package] if file.package else []
    node = file
    for number, index in zip(path[::2], path[1::2], strict=True):
        node = (node.message_type if number == 4 else node.nested_type)[index]
        names.append(node.name)
    return ".".join(names)


def restore_extends(
    file: FileProto, text: str, blocks: list[list], dependencies: Iterable[bytes]
) -> bool:
    """Put the fields of the cut ``extend`` blocks back (``blocks``: ``[start, end, text]`` in
    the compiled text's offsets). ``False`` if a name in them resolves to nothing."""
    if not blocks:
        return True
    index = TypeIndex()
    index.add_file(file, ("self",))
    for data in dependencies:
        index.add_file(FileProto.FromString(data), ("dependency",))
    owners: list[tuple[tuple[int, ...], tuple[int, int], tuple[int, int]]] = []
    for location in file.source_code_info.location:
        path = tuple(location.path)
        if isinstance(element(file, path), MessageProto) and all(n in (3, 4) for n in path[::2]):
            span = list(location.span)
            owners.append((path, (span[0], span[1]), (span[0], span[2]) if len(span) == 3 else (span[2], span[3])))
    for start, _, block in blocks:
        at = line_column(text, start)
        inside = [o for o in owners if o[1] <= at < o[2]]
        owner = max(inside, key=lambda o: len(o[0]))[0] if inside else ()
        if not _restore_block(file, text, start, block, owner, index):
            return False
    return True


def _restore_block(
    file: FileProto, text: str, start: int, block: str, owner: tuple[int, ...], index: TypeIndex
) -> bool:
    header = _EXTEND.match(block)
    if header is None:
        return False
    scope = _scope_of(file, owner)
    extendee = _resolve(index, header.group(1), scope)
    if extendee is None:
        return False
    node = element(file, owner) if owner else file
    container = node.extension
    number = 6 if owner else 7
    for match in _FIELD.finditer(block, header.end()):
        label, type_written, name, field_number, options = match.groups()
        field = FieldProto(
            name=name,
            number=int(field_number, 0),
            label=_LABELS.get(label or "optional", FieldProto.LABEL_OPTIONAL),
            extendee="." + extendee,
            json_name=_json_name(name),
        )
        if label == "optional" and file.syntax == "proto3":
            field.proto3_optional = True  # as protoc marks an extension written ``optional``
        if type_written in _SCALARS:
            field.type = _SCALARS[type_written]  # type: ignore[assignment]
        else:
            resolved = _resolve(index, type_written, scope)
            entry = index.get(resolved) if resolved else None
            if entry is None:
                return False
            field.type = FieldProto.TYPE_MESSAGE if entry.kind == "message" else FieldProto.TYPE_ENUM
            field.type_name = "." + resolved
        container.add().CopyFrom(field)
        path = (*owner, number, len(container) - 1)
        add_location(file, text, path, start + match.start(), start + match.end())
        add_location(file, text, (*path, 2), start + header.start(1), start + header.end(1))
        if label:
            add_location(file, text, (*path, 4), start + match.start(1), start + match.end(1))
        add_location(file, text, (*path, 6), start + match.start(2), start + match.end(2))
        add_location(file, text, (*path, 1), start + match.start(3), start + match.end(3))
        add_location(file, text, (*path, 3), start + match.start(4), start + match.end(4))
        if options and not _restore_options(file, text, container[-1], path, start + match.start(5), options):
            return False
    return True


def _restore_options(
    file: FileProto, text: str, field: FieldProto, path: tuple[int, ...], at: int, options: str
) -> bool:
    """The ``[...]`` options of a restored extension field, kept uninterpreted."""
    inner = options[1:-1]
    offset = 1
    for item in split_list(inner):
        item_at = inner.index(item, offset - 1)
        offset = item_at + len(item) + 1
        parsed = read_option(item, 0)
        values = uninterpreted_options(parsed[0], parsed[1]) if parsed else None
        if values is None:
            return False
        for value in values:
            field.options.uninterpreted_option.add().CopyFrom(value)
            position = len(field.options.uninterpreted_option) - 1
            item_start = at + 1 + item_at
            add_location(file, text, (*path, 8, UNINTERPRETED, position), item_start, item_start + len(item))
    return True


def _json_name(name: str) -> str:
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def drop_undeclared_extensions(file: FileProto) -> None:
    """Remove (in place) the extensions of this file's own messages at numbers those messages
    do not declare: no descriptor pool links them."""
    messages: dict[str, MessageProto] = {}

    def collect(scope: str, items: Iterable[MessageProto]) -> None:
        for message in items:
            messages[f"{scope}.{message.name}"] = message
            collect(f"{scope}.{message.name}", message.nested_type)

    collect("." + file.package if file.package else "", file.message_type)

    def declared(field: FieldProto) -> bool:
        target = messages.get(field.extendee)
        if target is None:
            return True
        return any(r.start <= field.number < r.end for r in target.extension_range)

    def prune(container) -> None:  # type: ignore[no-untyped-def]
        kept = [field for field in container if declared(field)]
        if len(kept) != len(container):
            copies = [FieldProto.FromString(field.SerializeToString()) for field in kept]
            del container[:]
            container.extend(copies)

    prune(file.extension)
    for message in messages.values():
        prune(message.extension)

