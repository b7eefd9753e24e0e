"""The text store (registry/store/texts.py) and the state's use of it: texts round-trip exactly
(non-ASCII, lone surrogates, empty, large), short ones stay in memory, a full disk keeps texts in
memory instead of failing, a forked writer gets a file of its own, and replay still refuses an id
reused for a different text while accepting the same text under another subject."""

from __future__ import annotations

import errno

import orjson
import pytest

from charter.registry.store import texts
from charter.registry.store.records import decode_key
from charter.registry.store.state import RegistryState
from charter.registry.store.texts import FLUSH_BYTES, INLINE_CHARS, TextStore

OVER_A_FLUSH = FLUSH_BYTES // 1000 + 50  # this many texts of about 1,000 bytes fill the buffer once

SAMPLES = [
    "",
    "x" * INLINE_CHARS,
    "y" * (INLINE_CHARS + 1),
    '{"type":"record","name":"é漢字😀","fields":[]}' * 3,
    "lone \ud800 surrogate " * 10,
    "z" * (3 * 2**20 + 7),
]


@pytest.mark.parametrize("text", SAMPLES, ids=lambda t: f"{len(t)} chars")
def test_texts_round_trip_exactly(tmp_path, text: str) -> None:
    store = TextStore(str(tmp_path))
    stored = store.put(text)
    assert store.get(stored) == text
    assert store.same(stored, text) and not store.same(stored, text + " ")
    assert isinstance(stored, str) == (len(text) <= INLINE_CHARS)  # short texts stay in memory
    assert not list(tmp_path.iterdir())  # the file is unlinked: nothing left behind


def test_many_texts_keep_their_own_bytes(tmp_path) -> None:
    store = TextStore(str(tmp_path))
    written = {f"schema {i} " + "ü" * (i % 300) + "." * 70: None for i in range(2000)}
    handles = [(text, store.put(text)) for text in written]
    assert all(store.get(h) == text for text, h in reversed(handles))
    assert store.bytes_written() == sum(len(t.encode()) for t in written)


def test_a_full_disk_keeps_texts_in_memory(tmp_path, monkeypatch, caplog) -> None:
    store = TextStore(str(tmp_path))
    before = [store.put(f"written {i} " + "w" * 1000) for i in range(OVER_A_FLUSH)]  # on disk

    def full(*_: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(texts.os, "pwrite", full)
    buffered = [store.put(f"buffered {i} " + "b" * 1000) for i in range(OVER_A_FLUSH)]  # its flush fails
    text = "a schema that cannot be written " * 4
    assert store.put(text) == text  # kept as a str from now on: the registry keeps working
    assert caplog.text.count("kept in memory") == 1  # said once
    assert [store.get(h) for h in before] == [f"written {i} " + "w" * 1000 for i in range(OVER_A_FLUSH)]
    assert [store.get(h) for h in buffered] == [f"buffered {i} " + "b" * 1000 for i in range(OVER_A_FLUSH)]


def test_texts_read_back_before_and_after_their_flush(tmp_path) -> None:
    store = TextStore(str(tmp_path))
    first = store.put("é" * 100)
    assert store.get(first) == "é" * 100  # still in the buffer
    store.flush()
    assert store.get(first) == "é" * 100  # from the file
    count = 3 * FLUSH_BYTES // 5000  # several flushes
    rest = [store.put(f"{i} " + "r" * 5000) for i in range(count)]
    assert [store.get(h) for h in rest] == [f"{i} " + "r" * 5000 for i in range(count)]


def test_a_forked_writer_appends_to_a_file_of_its_own(tmp_path) -> None:
    store = TextStore(str(tmp_path))
    parent = store.put("p" * 100)
    store._after_fork()  # as os.fork calls it in the child
    child = store.put("c" * 100)
    assert child >> texts.FILE_SHIFT == 1 and parent >> texts.FILE_SHIFT == 0
    assert store.get(parent) == "p" * 100 and store.get(child) == "c" * 100


def _record(subject: str, version: int, schema_id: int, text: str) -> tuple[bytes, bytes]:
    key = f'{{"keytype":"SCHEMA","subject":"{subject}","version":{version},"magic":1}}'.encode()
    return key, orjson.dumps({"subject": subject, "version": version, "id": schema_id, "schema": text,
                              "deleted": False})


def test_replay_keeps_ids_tied_to_their_exact_text(caplog) -> None:
    state = RegistryState()
    text = '{"type":"record","name":"Ä","fields":[{"name":"a","type":"string"}]}'
    records = [_record("a", 1, 5, text), _record("b", 1, 5, text), _record("c", 1, 5, text.replace("Ä", "B"))]
    for offset, (key, value) in enumerate(records):
        try:
            state.apply(decode_key(key), orjson.loads(value), offset, 0)
        except ValueError as exc:
            assert "already taken by a different schema" in str(exc)
    assert state.version("a", 1).schema is state.version("b", 1).schema
    assert state.version("c", 1) is None
    assert state.schemas_by_id[5].text == text
    value = state.version("b", 1).record_value()
    assert value["schema"] == text and value["md5"]


def test_a_real_fork_reads_its_parents_texts_and_writes_its_own(tmp_path) -> None:
    import os

    store = TextStore(str(tmp_path))
    flushed = [store.put(f"parent {i} " + "p" * 1000) for i in range(OVER_A_FLUSH)]  # on disk
    pending = store.put("pending in the parent's buffer " * 4)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own texts go to its own file; the parent's still read
        try:
            mine = [store.put(f"child {i} " + "c" * 1000) for i in range(OVER_A_FLUSH)]
            ok = (store.get(pending) == "pending in the parent's buffer " * 4
                  and store.get(flushed[7]) == "parent 7 " + "p" * 1000
                  and all(store.get(h) == f"child {i} " + "c" * 1000 for i, h in enumerate(mine))
                  and all(h >> texts.FILE_SHIFT == 1 for h in mine))
            os.write(write, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 2) == b"ok"
    os.waitpid(pid, 0)
    later = [store.put(f"parent later {i} " + "l" * 1000) for i in range(OVER_A_FLUSH)]
    assert all(store.get(h) == f"parent {i} " + "p" * 1000 for i, h in enumerate(flushed))
    assert store.get(pending) == "pending in the parent's buffer " * 4
    assert all(store.get(h) == f"parent later {i} " + "l" * 1000 for i, h in enumerate(later))
