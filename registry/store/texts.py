"""Schema texts kept out of the Python heap: an append-only spill file per process.

A stored schema's text was most of the state's memory (about 700 bytes a schema against about
400 for everything else; ``bench/memory.py`` says where it goes), and it is read only to be sent,
compared or parsed. :class:`TextStore` writes
each text once, UTF-8 encoded, at the end of an unlinked temporary file and hands back a *handle*:
one int that packs the file's number, the position and the length. Reading it back is one
``os.pread`` and a decode, from the page cache (the kernel may write the pages out under
pressure; they are never in the process's RSS). The store does not depend on the log's format
and works the same on every backend: the file log and Kafka replay records into the state alike.

Short texts (at most :data:`INLINE_CHARS` characters) are not worth a system call and stay in
memory: :func:`stash` returns them unchanged, so a stored text is either a ``str`` or a handle
and :func:`text_of` reads either. A text that cannot be written (the disk is full) stays in memory
too: the registry keeps working, only bigger, and says so once in the log.

The file lives in ``CHARTER_TEXTS_DIR`` when that is set, else in the system's temporary directory
(``TMPDIR``). It is only appended to: the text of a schema that was hard-deleted stays in the file
(its bytes are not reused), and a state rebuilt from the log writes its texts again, until the
process exits and the kernel frees the unlinked file. Each process has its own file (the workers of
``charter serve --workers`` are processes of their own); one forked after texts were written keeps
reading the file it inherited and writes its own texts to a new one. A state loaded from a
snapshot (:mod:`.snapshot`) keeps reading its texts from the snapshot's file, which the store
adopts (:meth:`TextStore.adopt`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading

log = logging.getLogger(__name__)

INLINE_CHARS = 64  # a str this short costs less memory than a handle and is read without a syscall
LENGTH_BITS = 32  # a text of up to 4 GiB
POSITION_BITS = 40  # a file of up to 1 TiB; then the store starts another file
FILE_SHIFT = LENGTH_BITS + POSITION_BITS
LENGTH_MASK = (1 << LENGTH_BITS) - 1
POSITION_MASK = (1 << POSITION_BITS) - 1
DIRECTORY_ENV = "CHARTER_TEXTS_DIR"
FLUSH_BYTES = 2**20  # appends are written in chunks of this size (and at most this much waits in memory)

Stored = str | int  # a text kept in memory, or a handle into the store


class TextStore:
    """Append-only storage of texts in unlinked files; thread-safe (replay, the event loop and a
    rebuild on the log's reader thread may write at once).

    Appends are gathered in a buffer of :data:`FLUSH_BYTES` and written with one ``pwrite``
    (a write per text cost 3 us, a third of a replay); a text still in the buffer is read from it.
    When the file cannot be written (the disk is full), the buffer stays in memory and later texts
    are kept as ``str``."""

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._fds: list[int] = []  # every file this process can read, by number
        self._writable = -1  # the number of the file this process appends to (-1: none yet)
        self._forked = False  # this process is a fork of the one that opened the writable file
        os.register_at_fork(after_in_child=self._after_fork)
        self._end = 0  # where the next text goes in the writable file
        self._flushed = 0  # the writable file holds [0, _flushed); _pending holds [_flushed, _end)
        self._pending = bytearray()
        self._written = 0  # bytes this process appended to the files before the writable one
        self._failed = False

    def put(self, text: str) -> Stored:
        """Store ``text``; returns its handle, or the text itself when it stays in memory."""
        if len(text) <= INLINE_CHARS or self._failed:
            return text
        data = text.encode("utf-8", "surrogatepass")
        size = len(data)
        with self._lock:
            if self._writable < 0 or self._forked or self._end + size > POSITION_MASK:
                try:
                    self._open()
                except OSError as exc:
                    self._fail(exc)
                    return text
            position = self._end
            handle = pack(self._writable, position, size)
            pending = self._pending
            pending += data
            self._end = position + size
            if len(pending) >= FLUSH_BYTES:
                self._flush()
        return handle

    def get(self, stored: Stored) -> str:
        """The text behind a handle (or the in-memory text itself)."""
        if isinstance(stored, str):
            return stored
        return self.read_bytes(stored).decode("utf-8", "surrogatepass")

    def read_bytes(self, handle: int) -> bytes:
        """The UTF-8 bytes behind a handle."""
        length = handle & LENGTH_MASK
        position = (handle >> LENGTH_BITS) & POSITION_MASK
        number = handle >> FILE_SHIFT
        if number == self._writable and position + length > self._flushed:
            with self._lock:  # maybe still in the buffer (checked again: a flush may have written it)
                if number == self._writable and position + length > self._flushed:
                    start = position - self._flushed
                    return bytes(self._pending[start:start + length])
        return read_exactly(self._fds[number], length, position)

    def same(self, stored: Stored, text: str) -> bool:
        """Whether ``stored`` holds exactly ``text`` (without decoding it)."""
        if isinstance(stored, str):
            return stored == text
        data = text.encode("utf-8", "surrogatepass")
        return len(data) == stored & LENGTH_MASK and self.read_bytes(stored) == data  # read only if it may be

    def adopt(self, fd: int) -> int:
        """Read texts from ``fd`` too: a file written elsewhere (a state snapshot's, which holds
        texts at the positions its handles name) that this store now keeps open; returns its
        number, for :func:`renumber`."""
        with self._lock:
            self._fds.append(fd)
            return len(self._fds) - 1

    def bytes_written(self) -> int:
        """How many bytes of text were appended to the files (by a forked child's parent too)."""
        return self._written + self._end

    def flush(self) -> None:
        """Write the buffered texts to the file now (reading them does not need it)."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        """Under the lock: write the buffer at the end of the writable file."""
        if not self._pending or self._failed:
            return
        try:
            written = os.pwrite(self._fds[self._writable], self._pending, self._flushed)
            while written < len(self._pending):
                more = os.pwrite(self._fds[self._writable], self._pending[written:], self._flushed + written)
                if more <= 0:
                    raise OSError(f"short write to the schema text file ({written} of {len(self._pending)} bytes)")
                written += more
        except OSError as exc:
            self._fail(exc)  # the buffer stays: its texts are read from memory
            return
        self._flushed += len(self._pending)
        self._pending = bytearray()

    def _fail(self, exc: OSError) -> None:
        self._failed = True
        log.warning("schema texts are kept in memory from now on: cannot write them to a temporary file: %s", exc)

    def _open(self) -> None:
        """Under the lock: start a new file (the first, a forked child's own, or after 1 TiB)."""
        if self._writable >= 0:  # in a forked child too: the same bytes at the same place as its parent's
            self._flush()
            self._written += self._end
        if self._failed:
            raise OSError("the previous file could not be written")
        directory = self._directory or os.environ.get(DIRECTORY_ENV) or None
        fd, path = tempfile.mkstemp(prefix="charter-texts-", dir=directory)
        os.unlink(path)  # freed by the kernel when the process exits, however it exits
        self._fds.append(fd)
        self._writable, self._forked, self._end, self._flushed = len(self._fds) - 1, False, 0, 0
        self._pending = bytearray()

    def _after_fork(self) -> None:
        """In a forked child: the next text goes to a file of the child's own."""
        self._lock = threading.Lock()  # the parent's may have been held by another thread at the fork
        self._forked = True


def read_exactly(fd: int, length: int, position: int) -> bytes:
    """``length`` bytes at ``position`` of ``fd`` (pread may return less: a signal); OSError if the
    file ends first."""
    data = os.pread(fd, length, position)
    while len(data) < length:
        more = os.pread(fd, length - len(data), position + len(data))
        if not more:
            raise OSError(f"the file ends at byte {position + len(data)}, inside what was to be read")
        data += more
    return data


def pack(number: int, position: int, size: int) -> int:
    """The handle of ``size`` bytes at ``position`` in file ``number`` of a store."""
    return (number << FILE_SHIFT) | (position << LENGTH_BITS) | size


def renumber(handle: int, number: int) -> int:
    """``handle`` pointing into file ``number`` instead (the same position and length)."""
    return (handle & ((1 << FILE_SHIFT) - 1)) | (number << FILE_SHIFT)


TEXTS = TextStore()  # the process's store, shared by every state it builds (rebuilds included)


def stash(text: str) -> Stored:
    """Keep ``text`` in the process's store (see :class:`TextStore.put`)."""
    return TEXTS.put(text)


def size_of(stored: Stored) -> int:
    """The size of a stored text without reading it: UTF-8 bytes behind a handle, else characters."""
    return len(stored) if isinstance(stored, str) else stored & LENGTH_MASK


def text_of(stored: Stored) -> str:
    """The text of something :func:`stash` returned."""
    return stored if isinstance(stored, str) else TEXTS.get(stored)
