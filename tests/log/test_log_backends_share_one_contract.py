"""Both log backends keep the same SchemaLog contract, run against the file log and the real Kafka topic.

append returns increasing offsets past the write barrier; follow delivers every later record,
this process's own appends included, in order and with those offsets; the barrier then names the
last append; a new handle on the same log replays exactly what was appended. NOOP markers (the
Kafka log's end and barrier markers) change no state and are left out of the comparisons.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.kafka import unique

from charter.registry.log.base import LogRecord, SchemaLog
from charter.registry.log.file import FileLog
from charter.registry.log.kafka import KafkaLog
from charter.registry.store.records import KeyType, RecordKey, schema_key

NOOP = RecordKey(KeyType.NOOP).encode()


@dataclass
class Backend:
    open: Callable[[], SchemaLog]  # a new handle on the same log
    become_writer: Callable[[SchemaLog], None]  # what the election does (nothing on the file log)


def _kafka_writer(log: SchemaLog) -> None:
    assert isinstance(log, KafkaLog)
    log.term.set_elected(True)
    log.ensure_writer()  # fences older writers and commits the barrier, as a promotion does


@pytest.fixture(params=["file", "kafka"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "file":
        yield Backend(lambda: FileLog(tmp_path), lambda log: None)
        return
    broker = request.getfixturevalue("kafka_broker")
    topic, group = unique("contract"), unique("g")

    def open_topic() -> SchemaLog:
        log = KafkaLog(broker.bootstrap, topic, group, timeout_s=5)
        log.ensure_topic()
        return log

    yield Backend(open_topic, _kafka_writer)


def _data(records: list[LogRecord]) -> list[tuple[int, bytes, bytes | None]]:
    return [(r.offset, bytes(r.key), None if r.value is None else bytes(r.value)) for r in records if r.key != NOOP]


@pytest.mark.timeout(120)
def test_appends_come_back_through_follow_and_replay_in_order(backend: Backend) -> None:
    log = backend.open()
    assert log.timeout_s > 0
    assert _data(list(log.replay())) == []
    delivered: list[LogRecord] = []
    lock = threading.Lock()

    def deliver(record: LogRecord) -> None:  # called from the log's threads
        with lock:
            delivered.append(record)

    log.follow(deliver)
    backend.become_writer(log)
    batches = [[(schema_key("a", 1).encode(), b'{"id":1}'), (schema_key("b", 1).encode(), b'{"id":2}')],
               [(schema_key("a", 1).encode(), None)]]  # a tombstone

    async def scenario() -> tuple[int, list[LogRecord], int]:
        barrier = await log.write_barrier(time.monotonic() + 10)
        written: list[LogRecord] = []
        for batch in batches:
            await log.write_barrier(time.monotonic() + 10, claim=True)  # as a write holding the lock
            written += await log.append(batch)
        return barrier, written, await log.write_barrier(time.monotonic() + 10)

    try:
        barrier, written, after = asyncio.run(scenario())
        assert [(r.key, r.value) for r in written] == [pair for batch in batches for pair in batch]
        offsets = [r.offset for r in written]
        assert offsets == sorted(set(offsets)) and offsets[0] > barrier
        assert after == offsets[-1]  # the next write must first see this one
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_data(list(delivered))) < len(written):
            time.sleep(0.05)
        with lock:
            assert _data(delivered) == _data(written)
            assert [r.offset for r in delivered] == sorted(r.offset for r in delivered)
    finally:
        log.close()
    again = backend.open()
    try:
        assert _data(list(again.replay())) == _data(written)
    finally:
        again.close()


def test_the_file_log_hands_its_own_appends_over_before_append_returns(tmp_path: Path) -> None:
    """What keeps a write on the embedded log as fast as applying it directly."""
    log = FileLog(tmp_path)
    seen: list[Any] = []
    try:
        list(log.replay())
        log.follow(seen.append)
        written = asyncio.run(log.append([(schema_key("a", 1).encode(), b"{}")]))
        assert seen == written
        assert asyncio.run(log.write_barrier()) == written[-1].offset
    finally:
        log.close()
