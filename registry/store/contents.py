"""The state's entities, kept compact: a distinct schema content and a subject's version of it.

There is one :class:`SchemaContent` per distinct schema of a context (shared by every version that
uses it) and one :class:`SubjectVersion` per subject version, so at 100,000 schemas every byte of
these objects counts a tenth of a megabyte. They use ``__slots__``; a content's text lives in the
process's :mod:`.texts` store (a handle here, one ``pread`` to read), its rarely set metadata, rule
set and foreign MD5 share one slot (``None`` for most schemas), and the strings many objects
repeat (subjects, contexts, schema types) are interned by the state that builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from charter.registry.contexts import DEFAULT_CONTEXT
from charter.registry.store.identity import guid_text, md5_of
from charter.registry.store.records import schema_value
from charter.registry.store.texts import TEXTS, Stored, stash, text_of

__all__ = ["Reference", "SchemaContent", "SubjectVersion"]


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

    @property
    def key(self) -> tuple[str, int]:
        """The schema's identity across contexts: ``(context, id)``."""
        return (self.context, self.id)

    @property
    def guid(self) -> str:
        """The schema's GUID, as Confluent derives it: its MD5 read as a UUID."""
        return guid_text(self.md5)


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
