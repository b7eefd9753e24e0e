"""A snapshot of the state, written at a clean stop, so the next start replays only what came after.

Replaying 100,000 SCHEMA records costs about 0.9 s of CPU (decoding them, computing fingerprints,
building the entities); loading the state they built from a snapshot costs about 0.2 s. So when a
server on the embedded log stops cleanly (SIGTERM, Ctrl-C), it writes ``DATA_DIR/state.snapshot``:
the state it applied, pickled, with its schema texts, and the
:class:`~charter.registry.log.framing.Prefix` of the log those records came from (how many, the
byte they end at, the CRC-32 of every byte before it). The next start uses it only when

- the log still begins with exactly that prefix (:meth:`Checkpointed.resume_after`), and
- the code that builds the state from records is the same (:func:`code_digest`, a digest of its
  source), and the schema types' tags are the same;

then it replays only the records after the prefix. Otherwise (no snapshot, a log repaired,
restored over or replaced, other code, a damaged snapshot) the snapshot is ignored with one log line
and the whole log is replayed: the log stays the only source of truth, and deleting the snapshot is
always safe. A crash writes no snapshot; the next start uses the last one and replays every record
after it. In a pool (``--workers``) the writer saves it; every worker may load it.

File layout: :data:`MAGIC` (8 bytes) | the header's position (8, big-endian) | the texts | the pickled
state | the header (JSON: what the snapshot holds, and the CRC of the pickle). The texts come first,
so the handles in the pickled contents name their final positions; at load the file is handed to
the process's text store (:meth:`~charter.registry.store.texts.TextStore.adopt`), which reads them
from there. The state is pickled as plain columns (lists of ids, texts, fingerprints, ...; no class
of ours), read only once its CRC matched, by an unpickler that refuses to name any class or
function (:class:`_Loader`): a snapshot cannot run code. The entities are built back from the
columns (:func:`_rebuild`), which keeps the memory they take the same as after a replay.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import itertools
import json
import logging
import mmap
import os
import pickle
import struct
import sys
import time
import zlib
from operator import itemgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any, Protocol, runtime_checkable

from charter.compat.model import DEFAULT_SCHEMA_TYPE
from charter.registry.log.file import replace_durably
from charter.registry.log.framing import Prefix
from charter.registry.store.contents import Reference, SubjectVersion, Versions, content_from_parts
from charter.registry.store.identity import type_tag
from charter.registry.store.state import IdSpace, RegistryState
from charter.registry.store.texts import TEXTS, pack, read_exactly

log = logging.getLogger(__name__)

MAGIC = b"CHSNAP\x00\x01"
FORMAT = 1  # the header's and the columns' layout
SNAPSHOT_FILE = "state.snapshot"
_POSITION = struct.Struct(">Q")
_TEXTS_START = len(MAGIC) + _POSITION.size


# The modules whose code decides what state a log's records build (tests/log/test_state_snapshot_code.py
# checks that every module of ours they import is here or has no say in it): a change to any of
# them makes older snapshots unusable.
STATE_CODE = (
    "charter.compat.model",
    "charter.registry.contexts",
    "charter.registry.log.base",
    "charter.registry.log.framing",
    "charter.registry.store.contents",
    "charter.registry.store.digest",
    "charter.registry.store.identity",
    "charter.registry.store.records",
    "charter.registry.store.snapshot",
    "charter.registry.store.state",
    "charter.registry.store.state_writer",
    "charter.registry.store.texts",
)


class Unusable(Exception):
    """Why a snapshot cannot be used (it is then ignored)."""


@runtime_checkable
class Checkpointed(Protocol):
    """A log a snapshot can stand for a prefix of: the embedded file log (alone or in a pool)."""

    data_dir: Path

    def prefix(self) -> Prefix | None:
        """The records this process delivered and the bytes holding them (None: do not save)."""
        ...

    def resume_after(self, prefix: Prefix) -> bool:
        """Before replay: whether the log begins with ``prefix``; if so, replay starts after it."""
        ...


@functools.cache
def code_digest() -> str | None:
    """A digest of the source of every module that turns records into the state (and of this one):
    a snapshot from other code is not used. None when a source cannot be read (then no snapshot is
    written or read)."""
    hasher = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for name in STATE_CODE:
        try:
            hasher.update(Path(sys.modules[name].__file__ or "").read_bytes())
        except (KeyError, OSError):
            return None
    return hasher.hexdigest()


def _columns(current: RegistryState, out: io.BufferedWriter) -> tuple[dict[str, Any], set[str], int, int]:
    """``current`` as plain data (lists, dicts, sets, tuples, bytes, str, int: nothing a pickle
    names a class for), each content's text written to ``out`` (the snapshot's text region) on the
    way; the schema types it holds; where the text region ends, and its CRC-32."""
    end, crc, types, read_text = _TEXTS_START, 0, set(), TEXTS.read_bytes
    spaces = {}
    for context, space in current.id_spaces.items():
        ids, kinds, stored, refs, extras, fingerprints, users, indexed = [], [], [], [], [], [], [], []
        by_fingerprint = space.ids_by_fingerprint
        for content in space.schemas_by_id.values():
            schema_id, kind, text, references, extra, fingerprint, used, _ = content.parts()
            if type(text) is int:
                data = read_text(text)
                out.write(data)
                crc = zlib.crc32(data, crc)
                text = pack(0, end, len(data))
                end += len(data)
            types.add(kind)
            ids.append(schema_id)
            kinds.append(None if kind is DEFAULT_SCHEMA_TYPE else kind)
            stored.append(text)
            refs.append(tuple((r.name, r.subject, r.version) for r in references) if references else ())
            extras.append(extra)
            fingerprints.append(fingerprint)
            users.append(used)
            # ids_by_fingerprint is rebuilt from this flag, so it holds each content's own id object
            # (pickled as a dict, it would hold a second int per schema: 3 MB at 100,000)
            indexed.append(by_fingerprint.get(fingerprint) == schema_id)
        spaces[context] = (ids, kinds, stored, refs, extras, fingerprints, users, indexed, space.ids_by_md5,
                           space.max_id)
    versions: tuple[list[Any], ...] = ([], [], [], [], [], [])  # subject, version, context, id, deleted, ts
    for versions_of in current.subjects.values():
        for sv in versions_of.values():
            for column, value in zip(versions, (sv.subject, sv.version, sv.schema.context, sv.schema.id,
                                                sv.deleted, sv.timestamp_ms), strict=True):
                column.append(value)
    rest = {f.name: getattr(current, f.name) for f in dataclasses.fields(RegistryState)
            if f.name not in ("id_spaces", "subjects")}
    columns = {"spaces": spaces, "subjects": list(current.subjects), "versions": versions, "rest": rest}
    return columns, types, end, crc


def _rebuild(columns: dict[str, Any]) -> RegistryState:
    """The state :func:`_columns` described (its texts' handles pointing into file 0)."""
    rebuilt = RegistryState(**columns["rest"])
    rebuilt.id_spaces = {}
    for context, (ids, kinds, stored, refs, extras, fingerprints, users, indexed, by_md5,
                  max_id) in columns["spaces"].items():
        space = rebuilt.id_spaces[context] = IdSpace(ids_by_md5=by_md5, max_id=max_id)
        table, by_fingerprint = space.schemas_by_id, space.ids_by_fingerprint
        for schema_id, kind, text, references, extra, fingerprint, used, index in zip(
                ids, kinds, stored, refs, extras, fingerprints, users, indexed, strict=True):
            table[schema_id] = content_from_parts(
                schema_id, DEFAULT_SCHEMA_TYPE if kind is None else kind, text,
                tuple(Reference(*r) for r in references) if references else (), extra, fingerprint, used, context)
            if index:
                by_fingerprint[fingerprint] = schema_id
    spaces = rebuilt.id_spaces
    rebuilt.subjects = {subject: Versions() for subject in columns["subjects"]}  # in order, empty ones too
    for subject, rows in itertools.groupby(zip(*columns["versions"], strict=True), key=itemgetter(0)):
        rebuilt.subjects[subject] = Versions.of([
            SubjectVersion(subject, version, spaces[context].schemas_by_id[schema_id], deleted, ts)
            for _, version, context, schema_id, deleted, ts in rows])
    return rebuilt


class _Loader(pickle.Unpickler):
    """Builds plain data only: a snapshot's pickle names no class (:func:`_columns`)."""

    def find_class(self, module: str, name: str) -> Any:
        raise Unusable(f"it names {module}.{name}; a snapshot holds plain data only")


def save(schema_log: object, current: RegistryState, restored: Prefix | None = None) -> None:
    """Write the snapshot of ``current`` for ``schema_log`` (at a clean stop), unless the one it was
    ``restored`` from already holds every record. Never raises: a snapshot that cannot be written
    is logged, and the next start replays the log."""
    if not isinstance(schema_log, Checkpointed) or code_digest() is None:
        return
    path = schema_log.data_dir / SNAPSHOT_FILE
    started = time.perf_counter()
    tmp = path.with_name(f".{SNAPSHOT_FILE}.{os.getpid()}.tmp")
    try:
        prefix = schema_log.prefix()
        if prefix is None or prefix.records == 0:
            return  # a pool's follower (its writer saves), or nothing to save
        if prefix.records != current.offset + 1:
            log.info("no state snapshot written: the state applied %d of the %d records in the log",
                     current.offset + 1, prefix.records)
            return
        if prefix == restored and path.exists():
            return  # nothing was written since the start: the snapshot it came from still holds it all
        for stale in path.parent.glob(f".{SNAPSHOT_FILE}.*.tmp"):  # left by a save that was killed
            stale.unlink(missing_ok=True)
        size = _write(tmp, current, prefix)
        replace_durably(tmp, path)
    except Exception as exc:  # a stop never fails for want of a snapshot
        tmp.unlink(missing_ok=True)
        log.warning("no state snapshot written to %s (the next start replays the whole log): %s", path, exc)
        return
    log.info("state snapshot written to %s: %d records, %.1f MB in %.2f s", path, prefix.records,
             size / 2**20, time.perf_counter() - started)


def _write(tmp: Path, current: RegistryState, prefix: Prefix) -> int:
    """Write the snapshot file at ``tmp``, fsynced; returns its size."""
    with open(tmp, "wb", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        out.write(MAGIC + _POSITION.pack(0))
        columns, types, texts_end, texts_crc = _columns(current, out)
        pickled = pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)
        header = {
            "format": FORMAT,
            "code": code_digest(),
            "prefix": list(prefix),
            "texts": [_TEXTS_START, texts_end, texts_crc],
            "state": [texts_end, len(pickled), zlib.crc32(pickled)],
            "tags": {name: type_tag(name).hex() for name in sorted(types)},
        }
        out.write(pickled)
        header_at = texts_end + len(pickled)
        out.write(json.dumps(header).encode())
        out.flush()
        os.pwrite(out.fileno(), _POSITION.pack(header_at), len(MAGIC))
        os.fsync(out.fileno())
        return out.tell()


def restore(schema_log: object, into: RegistryState) -> Prefix | None:
    """Load the snapshot into ``into`` (an empty state) when ``schema_log`` still begins with the
    records it holds, and position the log after them; returns the prefix it held (None: none was
    used, replay the whole log)."""
    if not isinstance(schema_log, Checkpointed) or code_digest() is None:
        return None
    path = schema_log.data_dir / SNAPSHOT_FILE
    try:  # not a FIFO that blocks, nor a link to elsewhere: a regular file of ours, or nothing
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("state snapshot %s not read (replaying the whole log): %s", path, exc)
        return None
    started = time.perf_counter()
    try:
        loaded, prefix = _read(fd)
        if not schema_log.resume_after(prefix):
            raise Unusable("the log no longer begins with the records it holds (repaired, restored over or replaced)")
    except Exception as exc:  # any damage in a snapshot means: replay the log instead
        os.close(fd)
        reason = exc if isinstance(exc, (Unusable, OSError)) else f"it cannot be read ({type(exc).__name__}: {exc})"
        log.info("state snapshot %s not used (replaying the whole log): %s", path, reason)
        return None
    number = TEXTS.adopt(fd)  # the texts stay in the snapshot's file, read from there
    if number:
        for space in loaded.id_spaces.values():
            for content in space.schemas_by_id.values():
                content.move_text(number)
    for field in dataclasses.fields(RegistryState):
        setattr(into, field.name, getattr(loaded, field.name))
    log.info("state restored from snapshot %s: %d records in %.2f s; replaying the log after them", path,
             prefix.records, time.perf_counter() - started)
    return prefix


def _read(fd: int) -> tuple[RegistryState, Prefix]:
    """The state in the snapshot open at ``fd`` and the log prefix it holds (:class:`Unusable`)."""
    head = os.pread(fd, _TEXTS_START, 0)
    if len(head) != _TEXTS_START or head[:len(MAGIC)] != MAGIC:
        raise Unusable("it is not a Charter state snapshot")
    header_at = _POSITION.unpack_from(head, len(MAGIC))[0]
    stat = os.fstat(fd)
    if not S_ISREG(stat.st_mode):
        raise Unusable("it is not a regular file")
    size = stat.st_size
    if not _TEXTS_START <= header_at < size:
        raise Unusable("it was not completely written")
    header = json.loads(read_exactly(fd, size - header_at, header_at))
    if header.get("format") != FORMAT or header.get("code") != code_digest():
        raise Unusable("it was written by another version of Charter")
    for name, tag in header["tags"].items():
        if type_tag(name).hex() != tag:
            raise Unusable(f"the {name} schema type has another tag in this version")
    texts_start, texts_end, texts_crc = header["texts"]
    start, length, crc = header["state"]
    if not (texts_start == _TEXTS_START <= texts_end == start and start + length == header_at):
        raise Unusable("its regions do not add up (damaged)")
    with mmap.mmap(fd, texts_end, access=mmap.ACCESS_READ) as data, memoryview(data) as view:
        if zlib.crc32(view[texts_start:]) != texts_crc:
            raise Unusable("its schema texts do not match their checksum (damaged)")
    pickled = read_exactly(fd, length, start)
    if zlib.crc32(pickled) != crc:
        raise Unusable("its state does not match its checksum (damaged)")
    columns = _Loader(io.BytesIO(pickled)).load()
    del pickled  # before the entities are built: they may take its place on the heap
    loaded = _rebuild(columns)
    prefix = Prefix(*header["prefix"])
    if type(loaded) is not RegistryState or loaded.offset != prefix.records - 1:
        raise Unusable("its state does not match the records it names")
    return loaded, prefix

