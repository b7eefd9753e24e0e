"""The state's entities, kept compact: a distinct schema content and a subject's version of it.

There is one :class:`SchemaContent` per distinct schema of a context (shared by every version that
uses it) and one :class:`SubjectVersion` per subject version, so at 100,000 schemas every byte of
these objects counts a tenth of a megabyte. They use ``__slots__``; a content's text lives in the
process's :mod:`.texts` store (a handle here, one ``pread`` to read), its rarely set metadata, rule
set and foreign MD5 share one slot (``None`` for most schemas), and the strings many objects
repeat (subjects, contexts, schema types) are interned by the state that builds them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from charter.registry.contexts import DEFAULT_CONTEXT
from charter.registry.store.identity import guid_text, md5_of
from charter.registry.store.records import schema_value
from charter.registry.store.texts import TEXTS, Stored, renumber, size_of, stash, text_of

__all__ = ["ContentParts", "IdTable", "Reference", "SchemaContent", "SubjectVersion", "Versions", "content_from_parts"]


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


class SchemaContent:
    """One distinct schema, with its id in its context. Shared by every version that uses it."""

    __slots__ = ("_extras", "_text", "context", "fingerprint", "id", "references", "schema_type", "users")

    def __init__(
        self,
        id: int,
        schema_type: str,
        text: str,
        references: tuple[Reference, ...],
        metadata: dict[str, Any] | None,
        rule_set: dict[str, Any] | None,
        fingerprint: bytes,
        users: int = 0,
        context: str = DEFAULT_CONTEXT,
        foreign_md5: bytes | None = None,
    ) -> None:
        self.id = id
        self.schema_type = schema_type
        self._text: Stored = stash(text)
        self.references = references
        # (metadata, rule_set, foreign_md5), or None when all three are None (most schemas)
        self._extras: tuple[dict[str, Any] | None, dict[str, Any] | None, bytes | None] | None = None
        if metadata is not None or rule_set is not None or foreign_md5 is not None:
            self._extras = (metadata, rule_set, foreign_md5)
        self.fingerprint = fingerprint
        self.users = users  # how many live versions point here
        self.context = context

    def __repr__(self) -> str:
        return f"SchemaContent(id={self.id}, context={self.context!r}, schema_type={self.schema_type!r})"

    @property
    def text(self) -> str:
        """The schema text as stored (read from the text store; see :mod:`.texts`)."""
        return text_of(self._text)

    @property
    def text_size(self) -> int:
        """About how big the text is (UTF-8 bytes or characters), known without reading it."""
        return size_of(self._text)

    def has_text(self, text: str) -> bool:
        """Whether this content's text is exactly ``text`` (compared without decoding it)."""
        return TEXTS.same(self._text, text)

    @property
    def metadata(self) -> dict[str, Any] | None:
        return None if self._extras is None else self._extras[0]

    @property
    def rule_set(self) -> dict[str, Any] | None:
        return None if self._extras is None else self._extras[1]

    @property
    def foreign_md5(self) -> bytes | None:
        """The record's md5 when another registry hashed differently from us."""
        return None if self._extras is None else self._extras[2]

    @foreign_md5.setter
    def foreign_md5(self, md5: bytes | None) -> None:
        metadata, rule_set = self.metadata, self.rule_set
        self._extras = None if md5 is None and metadata is None and rule_set is None else (metadata, rule_set, md5)

    @property
    def md5(self) -> bytes:
        """Confluent's content hash (:mod:`.digest`): the record's own, else the computed one."""
        return self.foreign_md5 or md5_of(self.fingerprint)

    def move_text(self, number: int) -> None:
        """The text store adopted the file this content's text handle points into as file ``number``."""
        if type(self._text) is int:
            self._text = renumber(self._text, number)

    def parts(self) -> ContentParts:
        """Every slot, as :func:`content_from_parts` takes them back (a state snapshot saves these)."""
        return (self.id, self.schema_type, self._text, self.references, self._extras, self.fingerprint,
                self.users, self.context)

    @property
    def key(self) -> tuple[str, int]:
        """The schema's identity across contexts: ``(context, id)``."""
        return (self.context, self.id)

    @property
    def guid(self) -> str:
        """The schema's GUID, as Confluent derives it: its MD5 read as a UUID."""
        return guid_text(self.md5)


# id, schema type, stored text (a str or a handle), references, extras, fingerprint, users, context
ContentParts = tuple[int, str, Stored, tuple[Reference, ...], Any, bytes, int, str]


def content_from_parts(*parts: Any) -> SchemaContent:  # the ContentParts, positionally
    """The content :meth:`SchemaContent.parts` describes, built without storing its text again."""
    content = object.__new__(SchemaContent)
    (content.id, content.schema_type, content._text, content.references, content._extras, content.fingerprint,
     content.users, content.context) = parts
    return content


@dataclass(slots=True, eq=False)
class SubjectVersion:
    subject: str
    version: int
    schema: SchemaContent
    deleted: bool
    timestamp_ms: int

    def record_value(self) -> dict[str, Any]:
        """The SCHEMA record value of this version."""
        c = self.schema
        return schema_value(
            self.subject, self.version, c.id, c.schema_type, c.text, c.references, c.metadata,
            c.rule_set, deleted=self.deleted, md5=c.md5,
        )


def _number(sv: SubjectVersion) -> int:
    return sv.version


class Versions(Mapping[int, SubjectVersion]):
    """A subject's versions by number, in ascending order: a mapping kept as the one version a
    subject usually has, or a sorted list (a dict per subject costs 240 bytes for a single version,
    this 40). Looking a version up bisects the list; :meth:`values` is the versions in order (the
    list itself: read it, never change it)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: SubjectVersion | list[SubjectVersion] | None = None

    @classmethod
    def of(cls, ascending: list[SubjectVersion]) -> Versions:
        """The versions ``ascending`` (distinct numbers, in ascending order), kept as they are."""
        versions = cls()
        if ascending:
            versions._items = ascending if len(ascending) > 1 else ascending[0]
        return versions

    def values(self) -> list[SubjectVersion] | tuple[SubjectVersion, ...]:  # type: ignore[override]
        items = self._items
        if type(items) is list:
            return items
        return () if items is None else (items,)  # type: ignore[return-value]

    def _find(self, version: int) -> tuple[int, bool]:
        """Where ``version`` is (True) or would go (False) in :meth:`values`."""
        items = self.values()
        if not items or items[-1].version < version:  # the usual case: a new latest version
            return len(items), False
        i = bisect_left(items, version, key=_number)
        return i, items[i].version == version

    def __getitem__(self, version: int) -> SubjectVersion:
        i, found = self._find(version)
        if not found:
            raise KeyError(version)
        return self.values()[i]

    def get(self, version: int, default: Any = None) -> Any:  # type: ignore[override]
        i, found = self._find(version)
        return self.values()[i] if found else default

    def __contains__(self, version: object) -> bool:
        return isinstance(version, int) and self._find(version)[1]

    def __iter__(self) -> Iterator[int]:
        return (sv.version for sv in self.values())

    def __reversed__(self) -> Iterator[int]:
        return (sv.version for sv in reversed(self.values()))

    def __len__(self) -> int:
        items = self._items
        return len(items) if type(items) is list else int(items is not None)

    def items(self) -> list[tuple[int, SubjectVersion]]:  # type: ignore[override]
        return [(sv.version, sv) for sv in self.values()]

    def put(self, sv: SubjectVersion) -> SubjectVersion | None:
        """Add ``sv`` in its place (or replace the version it has); returns the version replaced."""
        i, found = self._find(sv.version)
        items = self._items
        if found:
            if type(items) is list:
                old, items[i] = items[i], sv
                return old
            self._items = sv
            return items  # type: ignore[return-value]
        if items is None:
            self._items = sv
        elif type(items) is list:
            items.insert(i, sv)
        else:
            self._items = [sv, items] if i == 0 else [items, sv]
        return None

    def pop(self, version: int) -> SubjectVersion | None:
        """Remove a version; returns it (None when absent)."""
        i, found = self._find(version)
        if not found:
            return None
        items = self._items
        if type(items) is not list:
            self._items = None
            return items  # type: ignore[return-value]
        old = items.pop(i)
        if len(items) == 1:
            self._items = items[0]
        return old


class IdTable(MutableMapping[int, SchemaContent]):
    """A context's schema contents by id: a list indexed by id while the ids are dense (8 bytes an
    id, where a dict takes 50), a dict from the first id that would leave the list mostly empty
    (ids imported from another registry can be anything up to 2^31)."""

    __slots__ = ("_count", "_dict", "_list")

    def __init__(self) -> None:
        self._list: list[SchemaContent | None] = []
        self._dict: dict[int, SchemaContent] | None = None
        self._count = 0

    def get(self, schema_id: int, default: Any = None) -> Any:  # type: ignore[override]
        if self._dict is not None:
            return self._dict.get(schema_id, default)
        items = self._list
        if type(schema_id) is int and 0 <= schema_id < len(items):
            found = items[schema_id]
            return default if found is None else found
        return default

    def __getitem__(self, schema_id: int) -> SchemaContent:
        found = self.get(schema_id)
        if found is None:
            raise KeyError(schema_id)
        return found

    def __contains__(self, schema_id: object) -> bool:
        return self.get(schema_id) is not None  # type: ignore[arg-type]

    def __setitem__(self, schema_id: int, content: SchemaContent) -> None:
        if self._dict is None:
            items = self._list
            if type(schema_id) is int and 0 <= schema_id < len(items):
                self._count += items[schema_id] is None
                items[schema_id] = content
                return
            if type(schema_id) is int and 0 <= schema_id <= 2 * self._count + 1024:  # still dense
                items.extend([None] * (schema_id - len(items)))
                items.append(content)
                self._count += 1
                return
            self._dict = {i: c for i, c in enumerate(items) if c is not None}
            self._list = []
        self._dict[schema_id] = content

    def __delitem__(self, schema_id: int) -> None:
        if self._dict is not None:
            del self._dict[schema_id]
            return
        if schema_id not in self:
            raise KeyError(schema_id)
        self._list[schema_id] = None
        self._count -= 1

    def __iter__(self) -> Iterator[int]:
        if self._dict is not None:
            return iter(self._dict)
        return (i for i, c in enumerate(self._list) if c is not None)

    def __len__(self) -> int:
        return len(self._dict) if self._dict is not None else self._count

    def values(self) -> list[SchemaContent]:  # type: ignore[override]
        if self._dict is not None:
            return list(self._dict.values())
        return [c for c in self._list if c is not None]
