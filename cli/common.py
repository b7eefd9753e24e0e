"""Shared pieces of the CI commands (``check``, ``register``, ``diff``): exit codes, errors,
schema-type inference and parsing a schema file with its local references.

A *source* is a callable that returns the text of a path (relative to the repository root or the
working directory) in one place: the working tree, a git revision or a directory. Parsing a
file through a source resolves its manifest references through the same source, so an old
revision is parsed with the references as they were at that revision.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from charter.compat import InvalidSchemaError, ParsedSchema
from charter.compat.formats import FORMATS, all_extensions, format_for_file, get_format

EXIT_OK = 0
EXIT_INCOMPATIBLE = 1
EXIT_USAGE = 2
EXIT_REGISTRY = 3

EXIT_CODES_HELP = """exit codes:
  0  compatible (or nothing to compare: a first version / a new file)
  1  incompatible: at least one schema breaks an earlier version
  2  usage error, invalid schema, invalid manifest or unknown git revision
  3  registry unreachable, or authentication/authorisation refused"""

_TYPES = [t.value for t in FORMATS]
TYPES_TEXT = f"{', '.join(_TYPES[:-1])} or {_TYPES[-1]}"
#: ``--type``'s help: the schema types, and that the file extension decides when it is absent.
TYPE_HELP = f"{TYPES_TEXT} (default: from the extension)"

Source = Callable[[str], str | None]


class CliError(Exception):
    """An error that ends the command with ``code`` and a message that says what to do."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class SchemaFileError(CliError):
    """A schema file that does not parse; ``location`` is ``file:line`` when the parser says."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", EXIT_USAGE)


@dataclass
class Reference:
    """A local file that resolves an import / ``$ref`` / named type of a schema."""

    name: str
    file: str
    subject: str | None = None


@dataclass
class SchemaEntry:
    """One subject's schema: the file, its type, its references and the level to check with."""

    subject: str
    file: str
    schema_type: str
    references: list[Reference] = field(default_factory=list)
    level: str | None = None


def progress(message: str) -> None:
    """A progress line on stderr (stdout carries the report)."""
    print(f"charter: {message}", file=sys.stderr, flush=True)


def parse_type(explicit: str) -> str:
    """A ``--type`` value, checked against the format table (case-insensitive)."""
    try:
        return get_format(explicit.upper()).schema_type.value
    except KeyError:
        raise CliError(f"unknown schema type {explicit!r}: use {TYPES_TEXT}") from None


def infer_type(path: str, explicit: str | None = None) -> str:
    """The schema type from ``--type`` or the file extension (see each format's ``extensions``)."""
    if explicit:
        return parse_type(explicit)
    found = format_for_file(path)
    if found is None:
        raise CliError(f"cannot tell the schema type of {path} from its extension: pass --type "
                       f"{'|'.join(_TYPES)} (or use {', '.join(all_extensions())})")
    return found.schema_type.value


_LINE_PATTERNS = (
    re.compile(r"\bline (\d+)"),            # json.JSONDecodeError: "at line 2, column 12"
    re.compile(r"^[^:\s]*:(\d+):\d+:"),     # protobuf compiler: "schema:4:1: ..."
    re.compile(r":(\d+):\d+:"),
)


def error_line(message: str) -> int | None:
    """The line number a parser message points at, if it names one."""
    text = message.removeprefix("Invalid schema: ")
    for pattern in _LINE_PATTERNS:
        found = pattern.search(text)
        if found:
            return int(found.group(1))
    return None


def parse_text(path: str, text: str, schema_type: str, dependencies: Mapping[str, ParsedSchema],
               validate: bool = True) -> ParsedSchema:
    """Parse ``text``; a schema that does not parse raises :class:`SchemaFileError` (exit 2)."""
    try:
        return get_format(schema_type).parse(text, dependencies, validate=validate)
    except InvalidSchemaError as exc:
        raise SchemaFileError(path, str(exc), error_line(str(exc))) from None
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise SchemaFileError(path, f"Invalid schema: {exc}") from None


def working_tree(base: Path) -> Source:
    """A source reading files under ``base`` (the working tree)."""

    def read(path: str) -> str | None:
        target = base / path
        try:
            return target.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    return read


class Loader:
    """Parses schema entries through a source, resolving references (themselves entries or files)."""

    def __init__(self, source: Source, entries_by_file: Mapping[str, SchemaEntry] | None = None,
                 validate: bool = True) -> None:
        self.source = source
        self.entries_by_file = dict(entries_by_file or {})
        self.validate = validate
        self._cache: dict[str, ParsedSchema] = {}

    def text(self, path: str) -> str | None:
        return self.source(path)

    def parse(self, entry: SchemaEntry, text: str | None = None, stack: Sequence[str] = ()) -> ParsedSchema:
        """Parse ``entry`` (with ``text`` or the source's text of its file)."""
        if text is None:
            text = self.source(entry.file)
            if text is None:
                raise SchemaFileError(entry.file, "file not found")
        deps = self.dependencies(entry, stack)
        return parse_text(entry.file, text, entry.schema_type, deps, self.validate)

    def dependencies(self, entry: SchemaEntry, stack: Sequence[str] = ()) -> dict[str, ParsedSchema]:
        """The parsed references of ``entry``, keyed by reference name, in dependency order."""
        deps: dict[str, ParsedSchema] = {}
        for ref in entry.references:
            if ref.file in stack or ref.file == entry.file:
                raise CliError(f"{entry.file}: circular reference through {ref.file}")
            cached = self._cache.get(ref.file)
            if cached is None:
                ref_entry = self.entries_by_file.get(ref.file) or SchemaEntry(
                    subject=ref.subject or ref.name, file=ref.file, schema_type=infer_type(ref.file, None)
                    if format_for_file(ref.file) is not None else entry.schema_type)
                ref_text = self.source(ref.file)
                if ref_text is None:
                    raise SchemaFileError(ref.file, f"reference {ref.name!r} of {entry.file}: file not found")
                cached = self.parse(ref_entry, ref_text, [*stack, entry.file])
                self._cache[ref.file] = cached
            deps[ref.name] = cached
        return deps
