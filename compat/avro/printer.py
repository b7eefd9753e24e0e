"""The canonical printer: Avro Java's compact ``Schema.toString(referencedSchemas, false)``.

Confluent stores and returns this text. A named type is written out in full at its first
occurrence and as a name afterwards; names are written relative to the enclosing namespace;
types named in ``known`` (the referenced schemas) are always written as names. Key order:

- record: ``type,name,namespace,doc,fields,<props>,aliases``
- field: ``name,type,doc,default,order,aliases,<props>`` (``order`` only when not ascending)
- enum: ``type,name,namespace,doc,symbols,default,<props>,aliases``
- fixed: ``type,name,namespace,doc,size,<props>,aliases``
- array/map: ``type,items|values,<props>``; a primitive is a bare string unless it has props.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from charter.compat.avro.jsontext import dump_json, quote
from charter.compat.avro.names import qualified
from charter.compat.avro.types import Array, AvroType, Enum, Fixed, Map, Named, Primitive, Record, Union


def schema_to_json(root: AvroType, known: Iterable[str] = ()) -> str:
    """Compact JSON for ``root``; names in ``known`` print as references, never inline."""
    writer = _Writer(known)
    writer.write(root)
    return "".join(writer.out)


class _Writer:
    __slots__ = ("out", "seen", "space")

    def __init__(self, known: Iterable[str]) -> None:
        self.out: list[str] = []
        self.seen: set[str] = set(known)
        self.space: str | None = None

    def props(self, props: dict[str, Any]) -> None:
        out = self.out
        for key, value in props.items():
            out.append(f",{quote(key)}:{dump_json(value)}")

    def write(self, t: AvroType) -> None:
        out = self.out
        if isinstance(t, Primitive):
            if t.props:
                out.append(f'{{"type":"{t.name}"')
                self.props(t.props)
                out.append("}")
            else:
                out.append(f'"{t.name}"')
        elif isinstance(t, Named):
            self.named(t)
        elif isinstance(t, Array):
            out.append('{"type":"array","items":')
            self.write(t.items)
            self.props(t.props)
            out.append("}")
        elif isinstance(t, Map):
            out.append('{"type":"map","values":')
            self.write(t.values)
            self.props(t.props)
            out.append("}")
        elif isinstance(t, Union):
            out.append("[")
            for i, branch in enumerate(t.branches):
                if i:
                    out.append(",")
                self.write(branch)
            out.append("]")
        else:  # pragma: no cover - the parser only builds the types above
            raise TypeError(f"unknown Avro type {t!r}")

    def named(self, t: Named) -> None:
        out = self.out
        if t.full_name in self.seen:
            out.append(quote(qualified(t.name, t.namespace, self.space)))
            return
        self.seen.add(t.full_name)
        kind = "error" if isinstance(t, Record) and t.is_error else t.kind.lower()
        out.append(f'{{"type":"{kind}","name":{quote(t.name)}')
        if t.namespace is not None:
            if t.namespace != self.space:
                out.append(f',"namespace":{quote(t.namespace)}')
        elif self.space is not None:
            out.append(',"namespace":""')
        if t.doc is not None:
            out.append(f',"doc":{quote(t.doc)}')
        if isinstance(t, Record):
            saved = self.space
            self.space = t.namespace
            out.append(',"fields":[')
            for i, field in enumerate(t.fields):
                if i:
                    out.append(",")
                out.append(f'{{"name":{quote(field.name)},"type":')
                self.write(field.type)
                if field.doc is not None:
                    out.append(f',"doc":{quote(field.doc)}')
                if field.has_default:
                    out.append(f',"default":{dump_json(field.default)}')
                if field.order != "ascending":
                    out.append(f',"order":"{field.order}"')
                if field.aliases:
                    out.append(',"aliases":[' + ",".join(quote(a) for a in field.aliases) + "]")
                self.props(field.props)
                out.append("}")
            out.append("]")
            self.space = saved
        elif isinstance(t, Enum):
            out.append(',"symbols":[' + ",".join(quote(s) for s in t.symbols) + "]")
            if t.default is not None:
                out.append(f',"default":{quote(t.default)}')
        elif isinstance(t, Fixed):
            out.append(f',"size":{t.size}')
        self.props(t.props)
        if t.aliases:
            names = []
            for alias in t.aliases:
                dot = alias.rfind(".")
                space = alias[:dot] if dot >= 0 else None
                names.append(quote(qualified(alias[dot + 1 :], space, t.namespace)))
            out.append(',"aliases":[' + ",".join(names) + "]")
        out.append("}")
