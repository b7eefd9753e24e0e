"""The Protobuf :class:`ParsedSchema` and :class:`SchemaFormat`: what the rest of Charter calls."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from charter.compat.depth import MAX_DEPTH, graph_depth, too_deep
from charter.compat.locate import Location
from charter.compat.model import (
    Incompatibility,
    InvalidSchemaError,
    ParsedSchema,
    SchemaTags,
    SchemaType,
    TagEdits,
)
from charter.compat.outline import Outline
from charter.compat.protobuf.compiler import SCHEMA_FILE, decode_descriptor, link_descriptor
from charter.compat.protobuf.diff import Difference, diff
from charter.compat.protobuf.extendcut import drop_undeclared_extensions
from charter.compat.protobuf.indexes import message_at, message_indexes
from charter.compat.protobuf.inline_tags import tag_file, tagged_entities
from charter.compat.protobuf.lenient import compile_lenient
from charter.compat.protobuf.locate import locate
from charter.compat.protobuf.openenum import remove_placeholders, zero_first
from charter.compat.protobuf.outline import outline
from charter.compat.protobuf.printer import print_file
from charter.compat.protobuf.printparts import (
    OptionDecoder,
    PrintOptions,
    SourceText,
    drop_unwritten_json_names,
    keep_json_names_of,
)
from charter.compat.protobuf.restore import strip_uninterpreted
from charter.compat.protobuf.types import FileProto, TypeIndex
from charter.compat.protobuf.wellknown import builtin_files


class ProtobufSchema:
    """A parsed Protobuf schema: its ``FileDescriptorProto`` and those of its dependencies.

    ``dependencies`` maps import paths (reference names) to the serialized descriptors of the
    referenced schemas, flattened transitively in dependency order; bundled well-known files
    are resolved without references. ``text`` is the submitted text (``None`` for a schema given
    as a base64 descriptor); the canonical text reads type names as written from it.

    ``implicit_imports`` are imports the text does not write but the descriptor needs (see
    :mod:`charter.compat.protobuf.lenient`): they are linked against, never printed. Custom
    options nothing defines stay in the descriptor as ``uninterpreted_option`` entries, which
    the printer prints; the serialized descriptor clients load has none of them.
    """

    schema_type = SchemaType.PROTOBUF

    def __init__(
        self,
        file: FileProto,
        dependencies: Mapping[str, bytes],
        text: str | None = None,
        *,
        normalized: bool = False,
        implicit_imports: tuple[str, ...] | list[str] = (),
    ) -> None:
        self._file = file
        self._implicit = tuple(implicit_imports)
        self._serialized = _for_clients(file).SerializeToString()
        self.dependencies: dict[str, bytes] = dict(dependencies)
        self._text = text
        self._is_normalized = normalized
        self._index: TypeIndex | None = None
        self._canonical: str | None = None
        self._normalized: ProtobufSchema | None = None
        self._decoder = OptionDecoder(self._pool_files, "google/protobuf/descriptor.proto" in self._closure())

    # -- descriptors ------------------------------------------------------------------------

    def file_descriptor(self) -> FileProto:
        """A copy of the schema's own ``FileDescriptorProto`` (no source info)."""
        return FileProto.FromString(self._serialized)

    def serialized(self) -> bytes:
        """The serialized ``FileDescriptorProto`` of the schema itself."""
        return self._serialized

    def dependency_descriptors(self) -> dict[str, FileProto]:
        """Import path -> descriptor of every file the schema needs, in dependency order.

        References come under their reference names; bundled well-known files the schema
        (transitively) imports are included, so adding these and then :meth:`file_descriptor`
        to an empty descriptor pool works.
        """
        return {name: FileProto.FromString(data) for name, data in self._closure().items()}

    def _closure(self) -> dict[str, bytes]:
        available = {**builtin_files(), **self.dependencies}
        ordered: dict[str, bytes] = {}

        def visit(name: str, stack: tuple[str, ...]) -> None:
            if name in ordered or name in stack or name not in available:
                return
            data = available[name]
            for dep in FileProto.FromString(data).dependency:
                visit(dep, (*stack, name))
            ordered[name] = data

        for dep in self._file.dependency:
            visit(dep, ())
        return ordered

    def _pool_files(self) -> list[bytes]:
        return [*self._closure().values(), self._serialized]

    @property
    def index(self) -> TypeIndex:
        """Every message and enum visible to the schema, by full name."""
        if self._index is None:
            index = TypeIndex()
            index.add_file(self._file, ("self", str(id(self))))
            builtins = builtin_files()
            for name, data in self._closure().items():
                if name in builtins and data == builtins[name]:
                    origin: tuple[str, ...] = ("builtin", name)
                else:
                    origin = ("reference", name, hashlib.sha256(data).hexdigest())
                index.add_file(FileProto.FromString(data), origin)
            self._index = index
        return self._index

    @property
    def package(self) -> str:
        return self._file.package

    # -- message indexes --------------------------------------------------------------------

    def message_indexes(self, full_name: str) -> list[int]:
        """The serdes' message-index path of a message (``KeyError`` if it has none here)."""
        return message_indexes(self._file, full_name)

    def message_name(self, indexes: list[int]) -> str:
        """The full name of the message at an index path (``[]`` means ``[0]``)."""
        return message_at(self._file, indexes)[0]

    def first_message_name(self) -> str | None:
        """The full name of the first top-level message (what ``[0]`` designates), if any."""
        return message_at(self._file, [0])[0] if self._file.message_type else None

    # -- texts ------------------------------------------------------------------------------

    def _print(self, options: PrintOptions) -> str:
        source = SourceText(self._file, self._text) if self._text is not None else None
        return print_file(_without_imports(self._file, self._implicit), self.index, self._decoder, source, options)

    def canonical(self) -> str:
        if self._canonical is None:
            self._canonical = self._print(PrintOptions(normalize=self._is_normalized))
        return self._canonical

    def formatted(self, fmt: str) -> str:
        """``serialized``: base64 descriptor; ``ignore_extensions``: no custom options/extends."""
        name = fmt.lower()
        if name == "serialized":
            return base64.standard_b64encode(self._serialized).decode("ascii")
        if name == "ignore_extensions":
            return self._print(PrintOptions(normalize=self._is_normalized, ignore_extensions=True))
        return self.canonical()

    def normalized(self) -> ProtobufSchema:
        if self._is_normalized:
            return self
        if self._normalized is None:
            self._normalized = ProtobufSchema(
                self._file, self.dependencies, self._text, normalized=True, implicit_imports=self._implicit
            )
        return self._normalized

    def field_names(self) -> set[str]:
        """The fields of the first top-level message (the one the serdes' ``[0]`` designates)."""
        return {f.name for f in self._file.message_type[0].field} if self._file.message_type else set()

    # -- inline tags ------------------------------------------------------------------------

    def tagged_entities(self) -> list[SchemaTags]:
        """Messages and fields with ``confluent.message_meta``/``field_meta`` tags (see protobuf.inline_tags)."""
        return tagged_entities(self._file)

    def with_tags(self, to_add: TagEdits, to_remove: TagEdits) -> str:
        """The canonical text with the tags edited (see :mod:`charter.compat.protobuf.inline_tags`)."""
        file = tag_file(self._file, to_add, to_remove)
        return ProtobufSchema(
            file, self.dependencies, self._text, normalized=self._is_normalized, implicit_imports=self._implicit
        ).canonical()

    # -- compatibility ----------------------------------------------------------------------

    def differences(self, writer: ProtobufSchema) -> list[Difference]:
        """Every difference (compatible ones included) from ``writer`` to this schema."""
        return diff(writer._file, writer.index, self._file, self.index)

    def incompatibilities(self, writer: ParsedSchema, *, policy: str = "STRICT") -> list[Incompatibility]:
        if not isinstance(writer, ProtobufSchema):
            raise TypeError(f"a Protobuf schema cannot be checked against a {writer.schema_type} schema")
        return [d.incompatibility() for d in self.differences(writer) if not d.compatible]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProtobufSchema):
            return NotImplemented
        return self.canonical() == other.canonical() and self.dependencies == other.dependencies

    def __hash__(self) -> int:
        return hash(self.canonical())

    def __repr__(self) -> str:
        return f"ProtobufSchema({self.canonical()!r})"

    def __str__(self) -> str:
        return self.canonical()


def _for_clients(file: FileProto) -> FileProto:
    """The descriptor without source info, uninterpreted options and extensions at undeclared
    numbers, proto3 enums starting at zero (it must link in a pool)."""
    copy = _without_source(file)
    if copy is file:
        copy = FileProto()
        copy.CopyFrom(file)
    strip_uninterpreted(copy)
    drop_undeclared_extensions(copy)
    zero_first(copy)
    return copy


def _without_imports(file: FileProto, names: tuple[str, ...]) -> FileProto:
    """A copy of ``file`` without the (implicit) imports ``names``; ``file`` itself if none."""
    if not names or not set(names) & set(file.dependency):
        return file
    copy = FileProto()
    copy.CopyFrom(file)
    kept = [i for i, name in enumerate(file.dependency) if name not in names]
    renumber = {old: new for new, old in enumerate(kept)}
    copy.ClearField("dependency")
    copy.dependency.extend(file.dependency[i] for i in kept)
    for repeated in ("public_dependency", "weak_dependency"):
        values = [renumber[i] for i in getattr(file, repeated) if i in renumber]
        copy.ClearField(repeated)
        getattr(copy, repeated).extend(values)
    return copy


def _without_source(file: FileProto) -> FileProto:
    if not file.HasField("source_code_info"):
        return file
    copy = FileProto()
    copy.CopyFrom(file)
    drop_unwritten_json_names(copy)
    copy.ClearField("source_code_info")
    return copy


class ProtobufFormat:
    """The Protobuf :class:`SchemaFormat`: text via protoc, or a base64 ``FileDescriptorProto``."""

    schema_type = SchemaType.PROTOBUF
    type_tag = b"P"
    text_is_json = False
    extensions = (".proto",)

    def outline(self, schema: ParsedSchema) -> Outline:
        """Messages, fields (by name and number), enums and services of the schema's descriptor."""
        if not isinstance(schema, ProtobufSchema):
            raise TypeError(f"not a Protobuf schema: {schema.schema_type}")
        return outline(schema.file_descriptor())

    def locate(self, path: str, new_text: str | None, old_text: str | None, direction: str) -> Location:
        return locate(path, new_text, old_text, direction)

    def message_indexes(self, schema: ParsedSchema, full_name: str) -> list[int] | None:
        if not isinstance(schema, ProtobufSchema):
            raise TypeError(f"not a Protobuf schema: {schema.schema_type}")
        return schema.message_indexes(full_name)

    def parse(
        self,
        text: str,
        dependencies: Mapping[str, ParsedSchema],
        *,
        validate: bool = True,
    ) -> ProtobufSchema:
        files: dict[str, bytes] = {}
        for name, dependency in dependencies.items():
            if not isinstance(dependency, ProtobufSchema):
                raise InvalidSchemaError(
                    f"Invalid schema: the reference {name!r} is not a Protobuf schema, "
                    "a Protobuf schema can only reference Protobuf schemas"
                )
            for inner, data in dependency.dependencies.items():
                files.setdefault(inner, data)
            own = dependency.file_descriptor()
            own.name = name
            files[name] = own.SerializeToString()
        try:
            result = compile_lenient(text, files)
        except InvalidSchemaError:
            descriptor = decode_descriptor(text)
            if descriptor is None:
                raise
            file = link_descriptor(descriptor, files)
            remove_placeholders(file)
            keep_json_names_of(file, descriptor)
            _check_depth(file, files)
            return ProtobufSchema(file, files, None)
        _check_depth(result.file, files)
        return ProtobufSchema(result.file, files, text, implicit_imports=result.implicit_imports)


def _check_depth(file: FileProto, files: Mapping[str, bytes]) -> None:
    """Refuse messages nested, or reached through message-typed fields, deeper than MAX_DEPTH:
    the diff and the printers follow both. Field type names are fully qualified (linked)."""
    below: dict[str, list[str]] = {"": []}  # full name -> the messages inside it or used by it
    pending = []
    for f in (file, *(FileProto.FromString(data) for data in files.values())):
        pending += [(f".{f.package}" if f.package else "", m, f is file) for m in f.message_type]
    while pending:
        scope, message, own = pending.pop()
        name = f"{scope}.{message.name}"
        if own and scope == (f".{file.package}" if file.package else ""):
            below[""].append(name)
        below[name] = [f"{name}.{m.name}" for m in message.nested_type]
        below[name] += [f.type_name for f in message.field if f.type_name]
        pending.extend((name, inner, own) for inner in message.nested_type)
    depth = graph_depth("", lambda name: [c for c in below[name] if c in below], MAX_DEPTH + 1, key=str)
    if depth > MAX_DEPTH + 1:  # "" stands for the file itself
        raise too_deep("messages (nested, or used as field types) are")


PROTOBUF_FORMAT = ProtobufFormat()

__all__ = ["PROTOBUF_FORMAT", "SCHEMA_FILE", "ProtobufFormat", "ProtobufSchema"]
