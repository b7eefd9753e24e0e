"""The text store (registry/store/texts.py) and the state's use of it: texts round-trip exactly
(non-ASCII, lone surrogates, empty, large), short ones stay in memory, a full disk keeps texts in
memory instead of failing, a forked writer gets a file of its own, and replay still refuses an id
reused for a different text while accepting the same text under another subject."""

from __future__ import annotations

import errno
import os

import orjson
import pytest

from charter.registry.store import texts
from charter.registry.store.records import decode_key
from charter.registry.store.state import RegistryState
from charter.registry.store.texts import INLINE_CHARS, TextStore

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

    def full(*_: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(texts.os, "pwrite", full)
    text = "a schema that cannot be written " * 4
    assert store.put(text) == text  # kept as a str, the registry keeps working
    assert store.put(text + "!") == text + "!"
    assert caplog.text.count("kept in memory") == 1  # said once


def test_a_forked_writer_appends_to_a_file_of_its_own(tmp_path, monkeypatch) -> None:
    store = TextStore(str(tmp_path))
    parent = store.put("p" * 100)
    child_pid = os.getpid() + 1
    monkeypatch.setattr(texts.os, "getpid", lambda: child_pid)  # as in a child after fork
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
