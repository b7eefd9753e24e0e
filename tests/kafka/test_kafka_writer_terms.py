"""The Kafka writer's terms and recovery, in-process on the real broker (KafkaLog + StateWriter).

Found by a review of the bounded write path; each test is a reproduction:

- a write computed in one term is never appended in a later one (its ids may be stale), even when
  another write has meanwhile caught up in the new term;
- writes queued on the writer lock when the primary is deposed all get 50004 at once;
- a writer whose commit timed out restarts by itself, without waiting for the next write.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import pytest
from support.kafka import unique

from charter.registry.errors import RegistryError
from charter.registry.log.kafka import KafkaLog
from charter.registry.store.records import schema_key, schema_value
from charter.registry.store.state_writer import StateWriter


def _record(subject: str, schema_id: int) -> tuple[Any, Any]:
    return (schema_key(subject, 1),
            schema_value(subject, 1, schema_id, "AVRO", '"string"', [], None, None, deleted=False))


def _writer(bootstrap: str, topic: str, group: str, timeout_s: float = 0.5) -> tuple[KafkaLog, StateWriter]:
    log = KafkaLog(bootstrap, topic, group, timeout_s=timeout_s)
    log.ensure_topic()
    writer = StateWriter(log)
    writer.replay()
    return log, writer


async def _until(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


@pytest.mark.timeout(120)
def test_a_write_computed_in_an_old_term_is_never_appended(kafka_broker: Any) -> None:
    topic, group = unique("terms"), unique("g")
    a_log, a = _writer(kafka_broker.bootstrap, topic, group, timeout_s=2)
    x_log, x = _writer(kafka_broker.bootstrap, topic, group, timeout_s=2)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        a.start_following(loop)
        x.start_following(loop)
        a_log.term.set_elected(True)
        go = asyncio.Event()
        computed: list[int] = []

        async def slow_write() -> None:  # holds the lock across two rebalances (a slow check, say)
            async with a.lock:
                computed.append(a.state.max_id + 1)
                await go.wait()
                await a.write([_record("from-a", computed[0])])

        slow = asyncio.create_task(slow_write())
        await _until(lambda: computed, 20)
        a_log.term.set_elected(False)
        x_log.term.set_elected(True)  # another primary writes the same next id
        async with x.lock:
            await x.write([_record("from-x", x.state.max_id + 1)])
        x_log.term.set_elected(False)
        a_log.term.set_elected(True)  # this instance is elected again; a queued write catches up meanwhile
        waiting = asyncio.create_task(a.lock.__aenter__())
        await asyncio.sleep(2)
        go.set()
        with pytest.raises(RegistryError) as refused:
            await slow
        assert refused.value.error_code == 50004, refused.value.message
        await waiting
        await a.lock.__aexit__(None, None, None)
        await _until(lambda: a.state.offset >= x.state.offset, 10)
        assert [v.schema.id for v in a.state.versions("from-x")] == [computed[0]]
        assert "from-a" not in a.state.subjects, "the write computed in the old term was appended"

    try:
        asyncio.run(scenario())
    finally:
        a_log.close()
        x_log.close()


@pytest.mark.timeout(120)
def test_writes_queued_when_the_primary_is_deposed_get_50004_at_once(kafka_broker: Any) -> None:
    log, writer = _writer(kafka_broker.bootstrap, unique("deposed"), unique("g"))

    async def scenario() -> list[tuple[Any, float]]:
        writer.start_following(asyncio.get_running_loop())
        log.term.set_elected(True)
        await asyncio.to_thread(log.ensure_writer)
        holding, release = asyncio.Event(), asyncio.Event()

        async def holder() -> None:  # the write holding the lock, computing its records
            async with writer.lock:
                holding.set()
                await release.wait()

        async def queued() -> tuple[Any, float]:
            try:
                async with writer.lock:
                    return "ok", time.monotonic() - deposed_at
            except RegistryError as exc:
                return exc.error_code, time.monotonic() - deposed_at

        held = asyncio.create_task(holder())
        await holding.wait()
        tasks = [asyncio.create_task(queued()) for _ in range(9)]
        await asyncio.sleep(0.3)  # all nine past their first catch-up, waiting for the lock
        deposed_at = time.monotonic()
        log.term.set_elected(False)  # a rebalance moves the primary elsewhere
        release.set()
        await held
        return await asyncio.gather(*tasks)

    try:
        answers = asyncio.run(scenario())
    finally:
        log.close()
    assert all(code == 50004 for code, _ in answers), answers
    assert max(t for _, t in answers) < 1.0, answers


@pytest.mark.timeout(120)
def test_a_writer_whose_commit_timed_out_restarts_by_itself(kafka_broker: Any) -> None:
    log, writer = _writer(kafka_broker.bootstrap, unique("restart"), unique("g"))
    pid = kafka_broker.proc.pid

    async def scenario() -> None:
        writer.start_following(asyncio.get_running_loop())
        log.term.set_elected(True)
        async with writer.lock:
            await writer.write([_record("before", 1)])
        os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(RegistryError) as timed_out:
                async with writer.lock:
                    await writer.write([_record("paused", 2)])
        finally:
            os.kill(pid, signal.SIGCONT)
        assert timed_out.value.error_code == 50002
        assert log.term.promotion_barrier == -1  # not writable: /status/ready is 503 on this primary
        # no write is sent: the writer must come back on its own
        primary = log.term
        await _until(lambda: primary.promotion_barrier >= 0 and writer.state.offset >= primary.promotion_barrier, 30)

    try:
        asyncio.run(scenario())
    finally:
        log.close()
