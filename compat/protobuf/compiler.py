"""Compile ``.proto`` text (or a serialized descriptor) into a ``FileDescriptorProto`` with protoc.

protoc comes inside the ``grpcio-tools`` wheel and runs in-process. The schema text is written
into a private temporary directory; its dependencies (references and bundled well-known files)
go beside it as one binary ``FileDescriptorSet`` passed with ``--descriptor_set_in``, so protoc
links against exactly the descriptors the registry holds, never against text printed again.
The directory is removed before returning. protoc writes diagnostics to the process's standard
error, which :mod:`charter.compat.protobuf.protoc` captures; anything else that reached standard
error meanwhile is written back.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from charter.compat.model import InvalidSchemaError
from charter.compat.protobuf.protoc import run_protoc
from charter.compat.protobuf.restore import put_reserved, take_reserved
from charter.compat.protobuf.wellknown import builtin_files

SCHEMA_FILE = "schema.proto"
"""The name the schema's own file has while it is compiled (and in its descriptor)."""

_PROTOC_LINE = re.compile(r"^[\w./+-]+\.proto:|^--|^protoc|^Could not|^Missing|^[WIEF]\d{4} ")
_LOG_LINE = re.compile(r"^[WI]\d{4} ")  # absl log lines (warnings, info) from protoc's parser
_WARNING = re.compile(r"^[^:]*:(?:\d+:\d+:)?\s*warning:")
_BASE64_BODY = re.compile(r"[A-Za-z0-9+/\s]*")  # one class, one star: linear, nothing to backtrack


class ProtocError(InvalidSchemaError):
    """protoc refused a schema; ``errors`` are its diagnostics (``schema:line:col: text``)."""

    def __init__(self, errors: list[str], failure: str) -> None:
        super().__init__("Invalid schema: " + ("; ".join(errors) or failure))
        self.errors = errors


def _messages(output: str, directory: str, main: str) -> tuple[list[str], list[str]]:
    """Split protoc's output into (errors, foreign lines), dropping warnings.

    Temporary paths are stripped and the schema's own file is called ``schema``; lines that
    are not protoc's (another thread wrote to standard error meanwhile) come back as foreign.
    """
    errors: list[str] = []
    foreign: list[str] = []
    for raw in output.splitlines():
        if not raw.strip():
            continue
        line = raw.replace(directory + os.sep, "")
        if line == raw and not _PROTOC_LINE.match(raw):
            foreign.append(raw)
            continue
        if _WARNING.search(line) or _LOG_LINE.match(line):
            continue
        if line.startswith(main + ":"):
            line = "schema" + line[len(main) :]
        errors.append(line)
    return errors, foreign


def _descriptor_set(files: Iterable[bytes]) -> bytes:
    # A FileDescriptorSet is ``repeated FileDescriptorProto file = 1``: concatenating
    # length-delimited entries is its serialization, and it spares parsing every file again.
    out = bytearray()
    for data in files:
        out += b"\x0a" + _varint(len(data)) + data
    return bytes(out)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _dependency_files(dependencies: Mapping[str, bytes], exclude: str | None = None) -> list[bytes]:
    """References first (they shadow bundled files of the same name), then the bundled files."""
    files = [data for name, data in dependencies.items() if name != exclude]
    files += [data for name, data in builtin_files().items() if name not in dependencies and name != exclude]
    return files


def _imported_files(file: descriptor_pb2.FileDescriptorProto, dependencies: Mapping[str, bytes]) -> list[bytes]:
    """The files ``file`` imports, transitively (references shadowing bundled files), and no
    others: protoc's descriptor-set database indexes every symbol of every file it is given, so
    a bundled file the schema does not import would clash with a schema that defines the same
    names (a copy of descriptor.proto: ProtobufSchemaTest.testGoogleDescriptor)."""
    available = {**builtin_files(), **dependencies}
    seen: dict[str, bytes] = {}
    pending = list(file.dependency)
    while pending:
        name = pending.pop()
        if name in seen or name not in available:
            continue
        seen[name] = available[name]
        pending += descriptor_pb2.FileDescriptorProto.FromString(seen[name]).dependency
    return [data for name, data in available.items() if name in seen]


def _main_name(dependencies: Mapping[str, bytes]) -> str:
    """The file name the schema gets while compiling: SCHEMA_FILE, unless an import is called that."""
    main = SCHEMA_FILE
    while main in dependencies:
        main = "_" + main
    return main


def _protoc_descriptor(
    directory: str, main: str, args: list[str], dependency_files: list[bytes], failure: str
) -> descriptor_pb2.FileDescriptorProto:
    """Run protoc in ``directory`` with the dependencies as a descriptor set; return ``main``'s
    descriptor, renamed :data:`SCHEMA_FILE`, or raise InvalidSchemaError with protoc's messages."""
    deps_path = os.path.join(directory, "dependencies.pb")
    with open(deps_path, "wb") as handle:
        handle.write(_descriptor_set(dependency_files))
    out_path = os.path.join(directory, "out.pb")
    code, output = run_protoc(
        ["protoc", f"--descriptor_set_in={deps_path}", f"--descriptor_set_out={out_path}", *args],
        os.path.join(directory, "stderr.txt"),
    )
    errors, foreign = _messages(output, directory, main)
    _echo(foreign)
    if code != 0 or not os.path.exists(out_path):
        raise ProtocError(errors, failure)
    with open(out_path, "rb") as handle:
        result = descriptor_pb2.FileDescriptorSet.FromString(handle.read())
    file = result.file[0]
    file.name = SCHEMA_FILE
    return file


def compile_text(
    text: str, dependencies: Mapping[str, bytes], stubs: Mapping[str, bytes] | None = None
) -> descriptor_pb2.FileDescriptorProto:
    """Compile ``.proto`` text; ``dependencies`` maps import paths to serialized descriptors.

    ``stubs`` are extra files protoc may link against (empty stand-ins for imports nothing
    resolves). Returns the file's descriptor with source info (named :data:`SCHEMA_FILE`).
    Raises :class:`ProtocError` with protoc's ``line:column`` diagnostics.
    """
    main = _main_name(dependencies)
    directory = tempfile.mkdtemp(prefix="charter-proto-")
    try:
        source = os.path.join(directory, main)
        with open(source, "w", encoding="utf-8") as handle:
            handle.write(text)
        args = [f"--proto_path={directory}", "--include_source_info", source]
        files = [*_dependency_files(dependencies), *(stubs or {}).values()]
        return _protoc_descriptor(directory, main, args, files, "protoc failed")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _echo(lines: list[str]) -> None:
    if lines:
        os.write(2, ("\n".join(lines) + "\n").encode())


def decode_descriptor(text: str) -> descriptor_pb2.FileDescriptorProto | None:
    """The ``FileDescriptorProto`` in a base64 text, or ``None`` if it is not one."""
    stripped = text.strip()
    body = stripped.removesuffix("=").removesuffix("=")  # at most two padding characters, at the end
    if not body or not _BASE64_BODY.fullmatch(body):
        return None
    try:
        data = base64.b64decode("".join(stripped.split()), validate=True)
        file = descriptor_pb2.FileDescriptorProto.FromString(data)
    except (binascii.Error, ValueError, DecodeError):
        return None
    if not file.message_type and not file.enum_type and not file.service and not file.package:
        return None
    return file


def link_descriptor(
    file: descriptor_pb2.FileDescriptorProto, dependencies: Mapping[str, bytes]
) -> descriptor_pb2.FileDescriptorProto:
    """Check a descriptor given as data the way protoc checks text (names resolve, no clashes).

    Reserved ranges and names are not checked (taken off while linking), as in text.
    Returns the linked descriptor (type names fully qualified). Raises InvalidSchemaError.
    """
    main = _main_name(dependencies)
    file = descriptor_pb2.FileDescriptorProto.FromString(file.SerializeToString())
    file.name = main
    reserved = take_reserved(file)
    directory = tempfile.mkdtemp(prefix="charter-proto-")
    try:
        files = [*_imported_files(file, dependencies), file.SerializeToString()]
        linked = _protoc_descriptor(directory, main, [main], files, "the descriptor does not link")
        put_reserved(linked, reserved)
        return linked
    finally:
        shutil.rmtree(directory, ignore_errors=True)
