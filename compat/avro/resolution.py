"""Reader/writer compatibility: Avro Java 1.12 ``SchemaCompatibility.checkReaderWriterCompatibility``.

Every incompatibility is collected (results merge), each (reader, writer) pair of type objects
is memoised by identity, and a pair met again while it is being checked counts as compatible.
Paths are JSON pointers built from the reader side. Quirks kept on purpose, because Confluent
shows them: a union checks its branches with a fresh path (and memoises them that way), a
memoised result is merged again each time its pair recurs, a default-less missing field of an
enum type that has an enum default is compared with the writer record, and a reader field
matching two writer fields aborts the check with an "Unexpected exception" message.
"""

from __future__ import annotations

from charter.compat.avro.printer import schema_to_json
from charter.compat.avro.types import Array, AvroType, Enum, Field, Fixed, Map, Named, Record, Union
from charter.compat.model import Incompatibility

_PROMOTIONS: dict[str, frozenset[str]] = {
    "LONG": frozenset(("INT",)),
    "FLOAT": frozenset(("INT", "LONG")),
    "DOUBLE": frozenset(("INT", "LONG", "FLOAT")),
    "BYTES": frozenset(("STRING",)),
    "STRING": frozenset(("BYTES",)),
}

_DESCRIPTIONS = {
    "FIXED_SIZE_MISMATCH": (
        "The size of FIXED type field at path '{path}' in the {{reader}} schema does not match with the "
        "{{writer}} schema"
    ),
    "TYPE_MISMATCH": (
        "The type (path '{path}') of a field in the {{reader}} schema does not match with the {{writer}} schema"
    ),
    "NAME_MISMATCH": "The name of the schema has changed (path '{path}')",
    "MISSING_ENUM_SYMBOLS": (
        "The {{reader}} schema is missing enum symbols '{info}' at path '{path}' in the {{writer}} schema"
    ),
    "MISSING_UNION_BRANCH": (
        "The {{reader}} schema is missing a type inside a union field at path '{path}' in the {{writer}} schema"
    ),
    "READER_FIELD_MISSING_DEFAULT_VALUE": (
        "The field '{info}' at path '{path}' in the {{reader}} schema has no default value and is missing in "
        "the {{writer}} schema"
    ),
}


class _AmbiguousField(Exception):
    pass


_IN_PROGRESS: list[Incompatibility] = []  # a marker compared by identity, never mutated


def _pointer(location: list[str]) -> str:
    return "/" + "/".join(token.replace("~", "~0").replace("/", "~1") for token in location[1:])


def _java_text(text: str) -> str:
    """Protect braces so a message can go through ``str.format`` unchanged."""
    return text.replace("{", "{{").replace("}", "}}")


def _incompatible(error_type: str, info: str, location: list[str]) -> list[Incompatibility]:
    path = _pointer(location)
    template = _DESCRIPTIONS[error_type].format(path=_java_text(path), info=_java_text(info))
    return [Incompatibility(error_type, path, template, info, style="avro")]


def _java_set(items: list[str]) -> str:
    """``TreeSet<String>.toString()``: sorted by UTF-16 code units, ``[a, b]``."""
    return "[" + ", ".join(sorted(items, key=lambda s: s.encode("utf-16-be"))) + "]"


class Checker:
    """One ``checkReaderWriterCompatibility`` run (its memo lives as long as the run)."""

    def __init__(self) -> None:
        self.memo: dict[tuple[int, int], list[Incompatibility]] = {}

    def check(self, reader: AvroType, writer: AvroType) -> list[Incompatibility]:
        try:
            return self.compatibility("", reader, writer, [])
        except _AmbiguousField as exc:
            return [Incompatibility("UNEXPECTED", "/", _java_text(str(exc)), None, style="raw")]

    def compatibility(
        self, token: str | None, reader: AvroType, writer: AvroType, location: list[str]
    ) -> list[Incompatibility]:
        if token is not None:
            location.append(token)
        key = (id(reader), id(writer))
        result = self.memo.get(key)
        if result is None:
            self.memo[key] = _IN_PROGRESS
            result = self.calculate(reader, writer, location)
            self.memo[key] = result
        elif result is _IN_PROGRESS:
            result = []
        if token is not None:
            location.pop()
        return result

    def fresh(self, reader: AvroType, writer: AvroType) -> list[Incompatibility]:
        """The two-argument ``getCompatibility``: a new location rooted at ``""``."""
        return self.compatibility("", reader, writer, [])

    def calculate(self, reader: AvroType, writer: AvroType, location: list[str]) -> list[Incompatibility]:
        rkind, wkind = reader.kind, writer.kind
        if rkind == wkind:
            if isinstance(reader, Array):
                assert isinstance(writer, Array)
                return self.compatibility("items", reader.items, writer.items, location)
            if isinstance(reader, Map):
                assert isinstance(writer, Map)
                return self.compatibility("values", reader.values, writer.values, location)
            if isinstance(reader, Fixed):
                assert isinstance(writer, Fixed)
                result = self.names(reader, writer, location)
                if reader.size != writer.size:
                    location.append("size")
                    result = result + _incompatible(
                        "FIXED_SIZE_MISMATCH", f"expected: {writer.size}, found: {reader.size}", location
                    )
                    location.pop()
                return result
            if isinstance(reader, Enum):
                assert isinstance(writer, Enum)
                return self.names(reader, writer, location) + self.symbols(reader, writer, location)
            if isinstance(reader, Record):
                assert isinstance(writer, Record)
                return self.names(reader, writer, location) + self.fields(reader, writer, location)
            if isinstance(reader, Union):
                assert isinstance(writer, Union)
                result = []
                for i, branch in enumerate(writer.branches):
                    location.append(str(i))
                    if self.fresh(reader, branch):
                        info = f"reader union lacking writer type: {branch.kind}"
                        result = result + _incompatible("MISSING_UNION_BRANCH", info, location)
                    location.pop()
                return result
            return []  # same primitive
        if isinstance(writer, Union):
            result = []
            for i, branch in enumerate(writer.branches):
                result = result + self.compatibility(str(i), reader, branch, location)
            return result
        if isinstance(reader, Union):
            for branch in reader.branches:
                if not self.fresh(branch, writer):
                    return []
            info = f"reader union lacking writer type: {wkind}"
            return _incompatible("MISSING_UNION_BRANCH", info, location)
        if wkind in _PROMOTIONS.get(rkind, ()):
            return []
        return _incompatible(
            "TYPE_MISMATCH", f"reader type: {rkind} not compatible with writer type: {wkind}", location
        )

    def names(self, reader: Named, writer: Named, location: list[str]) -> list[Incompatibility]:
        if reader.name == writer.name or writer.full_name in reader.aliases:
            return []
        location.append("name")
        result = _incompatible("NAME_MISMATCH", f"expected: {writer.full_name}", location)
        location.pop()
        return result

    def symbols(self, reader: Enum, writer: Enum, location: list[str]) -> list[Incompatibility]:
        missing = set(writer.symbols).difference(reader.symbols)
        if not missing or (reader.default is not None and reader.default in reader.symbols):
            return []
        location.append("symbols")
        result = _incompatible("MISSING_ENUM_SYMBOLS", _java_set(list(missing)), location)
        location.pop()
        return result

    def fields(self, reader: Record, writer: Record, location: list[str]) -> list[Incompatibility]:
        result: list[Incompatibility] = []
        location.append("fields")
        for field in reader.fields:
            location.append(str(field.pos))
            found = _writer_field(writer, field)
            if found is not None:
                result = result + self.compatibility("type", field.type, found.type, location)
            elif not field.has_default:
                if isinstance(field.type, Enum) and field.type.default is not None:
                    result = result + self.compatibility("type", field.type, writer, location)
                else:
                    missing = _incompatible("READER_FIELD_MISSING_DEFAULT_VALUE", field.name, location)
                    result = result + missing
            location.pop()
        location.pop()
        return result


def _writer_field(writer: Record, field: Field) -> Field | None:
    matches = []
    direct = writer.by_name.get(field.name)
    if direct is not None:
        matches.append(direct)
    for alias in field.aliases:
        other = writer.by_name.get(alias)
        if other is not None:
            matches.append(other)
    if not matches:
        return None
    if len(matches) == 1:
        return matches[0]
    raise _AmbiguousField(
        "Unexpected exception during compatibility check: "
        f"Reader record field {field.name} type:{field.type.kind} pos:{field.pos} matches multiple fields "
        f"in writer record schema {schema_to_json(writer)}"
    )


def incompatibilities(reader: AvroType, writer: AvroType) -> list[Incompatibility]:
    """All reasons ``reader`` cannot read data written with ``writer`` (empty: compatible)."""
    return Checker().check(reader, writer)
