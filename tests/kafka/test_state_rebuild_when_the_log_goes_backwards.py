"""The state writer's side of a log that went backwards (issue 17, item 3), without a broker.

A log whose tail was lost hands this instance's next committed write an offset at or below what
its state applied. The state writer must notice it (not ignore its own record and fail the write
with an AssertionError), have the state rebuilt from the log, and answer with the registered schema,
or a retryable 50002 when the rebuild does not come in time; the ids the log lost are never issued
again. The broker-backed reproduction is test_kafka_topic_regression.py.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from support.kafka import record_schema

from charter.registry.cluster.term import Term
from charter.registry.errors import RegistryError
from charter.registry.log.base import LogRecord
from charter.registry.service import RegistryService
from charter.registry.settings import Settings
from charter.registry.store.records import encode_value, schema_key, schema_value
from charter.registry.usecases.parsing import SchemaRequest


class ShrinkingLog:
    """A SchemaLog in memory whose tail can be lost (:meth:`lose_after`)."""

    timeout_s = 2.0

    def __init__(self) -> None:
        self.records: list[LogRecord] = []
        self.deliver: Callable[[LogRecord], None] | None = None
        self.reader_at = -1  # the last offset the reader delivered

    def describe(self) -> str:
        return "a log in memory"

    def replay(self) -> Iterator[LogRecord]:
        yield from list(self.records)

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        self.deliver = deliver
        self.reader_at = self.records[-1].offset if self.records else -1

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        return -1

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        start = self.records[-1].offset + 1 if self.records else 0
        out = [LogRecord(start + i, k, v, int(time.time() * 1000)) for i, (k, v) in enumerate(records)]
        self.records.extend(out)
        if out[0].offset > self.reader_at and self.deliver is not None:  # else the reader is past them
            for record in out:
                self.deliver(record)
            self.reader_at = out[-1].offset
        return out

    def lose_after(self, offset: int) -> None:
        self.records = [r for r in self.records if r.offset <= offset]

    def close(self) -> None:
        return None


def _service(tmp_path: Path, log: ShrinkingLog, schemas: int) -> RegistryService:
    for i in range(schemas):
        value = schema_value(f"s{i}", 1, i + 1, "AVRO", record_schema(f"S{i}"), (), None, None, deleted=False)
        log.records.append(LogRecord(i, schema_key(f"s{i}", 1).encode(), encode_value(value), 0))
    service = RegistryService(log, Settings(data_dir=str(tmp_path)))  # type: ignore[arg-type]
    service.replay()
    return service


@pytest.mark.timeout(30)
def test_a_write_landing_below_the_applied_offset_rebuilds_and_answers(tmp_path: Path, caplog) -> None:
    log = ShrinkingLog()
    service = _service(tmp_path, log, 8)
    log.lose_after(3)  # ids 5..8 were acknowledged, then lost
    rebuilt = threading.Event()

    def rebuild(reason: str) -> None:  # what the Kafka reader does when asked
        def run() -> None:
            service.writer.rebuild(reason, log.replay())
            log.reader_at = log.records[-1].offset  # the reader follows on from the rebuild's end
            rebuilt.set()
        threading.Thread(target=run, daemon=True).start()

    service.writer.on_regression = rebuild

    async def scenario() -> None:
        service.writer.start_following(asyncio.get_running_loop())
        sv, created = await service.schemas.register("new", SchemaRequest("AVRO", record_schema("New"), (), None, None))
        assert created and sv.schema.id == 9  # never 5..8: clients may hold them
        assert rebuilt.is_set()
        assert sorted(service.state.subjects) == ["new", "s0", "s1", "s2", "s3"]
        again, created = await service.schemas.register(
            "other", SchemaRequest("AVRO", record_schema("Other"), (), None, None)
        )
        assert created and again.schema.id == 10

    asyncio.run(scenario())
    lost = [r.getMessage() for r in caplog.records if r.levelname == "ERROR" and "versions are gone" in r.getMessage()]
    assert lost and all(f"(id {i})" in lost[0] for i in range(5, 9)), lost


@pytest.mark.timeout(30)
def test_without_a_rebuild_in_time_the_committed_write_answers_50002_not_an_assertion(tmp_path: Path) -> None:
    log = ShrinkingLog()
    service = _service(tmp_path, log, 4)
    log.lose_after(1)
    asked: list[str] = []
    service.writer.on_regression = asked.append

    async def scenario() -> None:
        service.writer.start_following(asyncio.get_running_loop())
        with pytest.raises(RegistryError) as refused:
            await service.schemas.register("new", SchemaRequest("AVRO", record_schema("New"), (), None, None))
        assert refused.value.error_code == 50002
        assert "retry to get the write's result" in refused.value.message

    asyncio.run(scenario())
    assert asked and "at or below the applied offset 3" in asked[0]


def test_a_claim_made_before_a_rebuild_does_not_hold_after_it() -> None:
    term = Term()
    term.set_elected(True)
    term.writer_started(term.number, 10)
    assert term.claim() and term.holds_claim()
    term.begin_rebuild("the topic ends at offset 4")
    assert not term.claim() and not term.holds_claim()
    term.end_rebuild(4)
    assert not term.holds_claim()  # computed from the replaced state: never appended
    assert term.last_write[0] == 4 and term.promotion_barrier == 4
    assert term.claim() and term.holds_claim()


@pytest.mark.timeout(30)
def test_after_a_rebuild_the_ids_the_log_lost_are_not_issued_again(tmp_path: Path) -> None:
    log = ShrinkingLog()
    service = _service(tmp_path, log, 6)
    log.lose_after(2)  # ids 4..6 lost
    service.writer.rebuild("the topic ends at offset 3", log.replay())  # no event loop yet: swapped at once
    log.reader_at = 2
    assert service.state.max_id == 3 and sorted(service.state.subjects) == ["s0", "s1", "s2"]

    async def scenario() -> None:
        service.writer.start_following(asyncio.get_running_loop())
        request = SchemaRequest("AVRO", record_schema("Other"), (), None, None)
        sv, created = await service.schemas.register("s3", request)
        assert created and sv.schema.id == 7

    asyncio.run(scenario())
