"""The elected primary's side of the `_schemas` topic: one transactional writer, its terms and fencing.

Writing: only the elected primary writes, through a TRANSACTIONAL producer (``acks=all``,
idempotent) whose ``transactional.id`` is derived from the group id, so it is the same on every
instance. When an instance becomes primary, :meth:`ensure_writer` calls ``init_transactions``, which
makes the broker fence every older producer with that id (a deposed primary's next commit fails
with "fenced") and abort its open transaction; it then commits a NOOP and returns its offset as a
*write barrier*. The writer applies records up to the barrier before it computes any write (IDs are
allocated from the state), so a new primary always allocates after every ID its predecessor issued.
Each :meth:`append` is one transaction; the returned offsets come from the delivery reports.

Terms: the role, the term and the fencing state live in a
:class:`~charter.registry.cluster.term.Term`, which the election sets and this writer asks. A write
claims the term when it holds the writer lock (:meth:`KafkaWriter.write_barrier` with ``claim``) and
:meth:`KafkaWriter.append` accepts its records only in that term, so records computed from an older
state are never written. A write whose outcome is unknown (a commit that timed out) makes the
writer *stale*: it restarts in the background (a new producer, whose ``init_transactions`` settles
what the old one left open) before the next write. Fenced by another writer, it stops at once
(:meth:`Term.fenced <charter.registry.cluster.term.Term.fenced>`: the cluster asks the group to
elect again).

Also :func:`write_noop`: the end marker that every instance's start-up replay writes and reads up to.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from charter.registry.cluster.term import Term
from charter.registry.log.base import LogError, LogRecord, LogTimeoutError, NotPrimaryError
from charter.registry.store.records import KeyType, RecordKey

log = logging.getLogger("charter.registry.log.kafka")

NOOP_KEY = RecordKey(KeyType.NOOP).encode()
WAIT_PRIMARY_S = 5.0  # how long a write waits for an election in progress (and its writer's start)
# Our transactions last milliseconds; this bounds how long a primary killed mid-transaction blocks
# read_committed readers (the broker aborts it after this, plus its abort check interval, 10 s by
# default) when no new primary fences it sooner (init_transactions aborts it at once).
TRANSACTION_TIMEOUT_MS = 10_000


def message_time(msg: Message) -> int:
    """The record's timestamp in ms (now, when the broker gave none)."""
    _kind, ts = msg.timestamp()
    return ts if ts > 0 else int(time.time() * 1000)


def write_noop(common: dict[str, Any], topic: str, timeout_s: float) -> int:
    """Write an end marker (the replay's) with a plain producer, as Confluent's KafkaStore does; returns
    its offset. Not idempotent: that first waits about 0.5 s for a producer id, and a NOOP that a retry
    sends twice changes nothing (the replay reads up to the offset acknowledged here)."""
    producer = Producer({**common, "acks": "all", "enable.idempotence": False, "linger.ms": 0})
    result: list[int] = []
    errors: list[str] = []

    def done(err: KafkaError | None, msg: Message) -> None:
        (errors.append(str(err)) if err else result.append(msg.offset()))

    producer.produce(topic, key=NOOP_KEY, value=None, partition=0, on_delivery=done)
    producer.flush(timeout_s)
    if not result:
        raise LogError(f"could not write the NOOP end marker to {topic}: {errors or 'timed out'}")
    return result[0]


def rebuilding_error(reason: str) -> LogTimeoutError:
    """The refusal of a write while the state is rebuilt from a topic that went backwards (50002)."""
    return LogTimeoutError(
        f"the topic went backwards ({reason}); this instance is rebuilding its state from the topic and "
        "takes writes again once done; nothing was written, retry shortly")


class KafkaWriter:
    """See the module docstring. ``common`` is the librdkafka configuration (servers, security)."""

    def __init__(self, common: dict[str, Any], topic: str, transactional_id: str, term: Term, *,
                 timeout_s: float, init_timeout_s: float) -> None:
        self._common = common
        self.topic = topic
        self.transactional_id = transactional_id
        self.term = term
        self.timeout_s = timeout_s
        self.init_timeout_s = init_timeout_s
        self._stop = threading.Event()
        self._txn_lock = threading.Lock()
        self._promoting_lock = threading.Lock()
        self._producer: Producer | None = None
        self._promoting = False

    @property
    def promoting(self) -> bool:
        return self._promoting

    def _ready(self) -> bool:
        return self.term.ready and self._producer is not None

    def ensure_writer(self) -> int:
        """As the elected primary: fence older writers and commit a NOOP; returns the write barrier.

        Blocks up to ``init_timeout_s`` (``kafkastore.init.timeout.ms``): call it from a thread.
        """
        return self._ensure_writer()

    def start_promotion(self) -> None:
        """Start (or restart) this term's writer in a background thread unless one is running:
        it retries with backoff while this instance is elected and its writer is not ready."""
        with self._promoting_lock:
            if self._promoting or not self.term.elected:
                return
            self._promoting = True

        def run() -> None:
            delay = 0.2
            try:
                while not self._stop.is_set():
                    try:
                        self._ensure_writer()
                        return
                    except NotPrimaryError:
                        return
                    except LogError as exc:
                        if not self.term.elected:
                            return
                        log.warning("writer not ready (%s); retrying in %.1f s", exc, delay)
                        self._stop.wait(delay)
                        delay = min(delay * 2, 5.0)
            finally:
                self._promoting = False

        threading.Thread(target=run, name="charter-promote", daemon=True).start()

    def _mark_stale(self) -> None:
        """The last write's outcome is unknown: restart the writer now, not at the next write."""
        self.term.mark_stale()
        self.start_promotion()

    def _ensure_writer(self) -> int:
        """The write barrier of a writer ready in the current term (started here if need be)."""
        if not self._txn_lock.acquire(timeout=self.init_timeout_s):
            raise LogTimeoutError("another promotion or write held the writer for "
                                  f"{self.init_timeout_s:.0f} s (kafkastore.init.timeout.ms)")
        try:
            return self._init_writer()
        finally:
            self._txn_lock.release()

    def _init_writer(self) -> int:
        term = self.term.number
        if not self.term.elected:
            raise NotPrimaryError("this instance is not the primary")
        if self.term.writer_term == term and self._ready():
            return self.term.last_write[0]
        producer = Producer({
            **self._common,
            "transactional.id": self.transactional_id,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 0,
            "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
            # librdkafka refuses a message timeout above the transaction timeout
            "message.timeout.ms": min(max(1000, int(self.timeout_s * 1000)), TRANSACTION_TIMEOUT_MS),
        })
        try:
            # Fences every older producer with this id and aborts its open transaction.
            producer.init_transactions(self.init_timeout_s)
        except KafkaException as exc:
            raise self._error("could not become the writer (init_transactions)", exc) from None
        if self.term.number != term or not self.term.elected:
            # Deposed while init_transactions ran (it may have fenced the new primary, which then
            # asks the group to re-elect: see on_fenced). Write nothing, not even the barrier.
            raise NotPrimaryError("this instance lost the primary role while its writer started")
        self._producer = producer
        records = self._transaction(producer, [(NOOP_KEY, None)], self.init_timeout_s)
        barrier = records[-1].offset
        self.term.writer_started(term, barrier)
        log.info("writer ready: transactional.id %s initialised (older writers fenced), barrier at offset %d",
                 self.transactional_id, barrier)
        return barrier

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        """The offset the state must reach before a write is computed.

        Without ``claim`` (a write waiting for its turn): waits a little (:data:`WAIT_PRIMARY_S`)
        for an election in progress, including the first start of this term's writer
        (``init_transactions``, which fences older writers), and until ``deadline`` (monotonic;
        at most ``timeout_s``, ``kafkastore.timeout.ms``, as Confluent's
        ``waitUntilKafkaReaderReachesLastOffset``) for a writer restarting after a failed write.
        With ``claim`` (the write holding the writer lock, about to compute its records): no
        waiting for an election, only until ``deadline``; and the term it returns in is the only
        one in which :meth:`append` accepts the records. :class:`NotPrimaryError` when this
        instance is not elected, :class:`LogTimeoutError` when its writer is not ready in time.
        Never blocks a thread on the writer lock.
        """
        now, term = time.monotonic(), self.term
        if claim:
            if not term.elected:
                raise NotPrimaryError("this instance lost the primary role; send writes to the primary (GET /status)")
            deadline = min(deadline or now + self.timeout_s, now + self.timeout_s)
        else:
            election_deadline = now + max(self.timeout_s, WAIT_PRIMARY_S)
            while not term.elected:
                if time.monotonic() > election_deadline:
                    raise NotPrimaryError(
                        "this instance is not the primary; send writes to the primary (GET /status)")
                await asyncio.sleep(0.02)
            if term.writer_term != term.number:  # elected, the writer of this term not started yet
                deadline = election_deadline  # part of the election
            else:  # a writer restarting after a failed write: within the write's own budget
                deadline = min(deadline or now + self.timeout_s, now + self.timeout_s)
        while True:
            rebuilding = term.rebuilding
            if rebuilding is None and self._ready() and (not claim or term.claim()):
                return term.last_write[0]
            if not term.elected:
                raise NotPrimaryError("this instance lost the primary role; send writes to the primary (GET /status)")
            if rebuilding is None:
                self.start_promotion()
            if time.monotonic() > deadline:
                if rebuilding is not None:
                    raise rebuilding_error(rebuilding)
                raise LogTimeoutError(
                    "this instance was elected primary but its writer is not ready yet "
                    "(fencing older writers with init_transactions); retry shortly"
                )
            await asyncio.sleep(0.01)

    def _error(self, what: str, exc: KafkaException) -> LogError:
        err: KafkaError = exc.args[0]
        if err.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH):
            log.error("%s: fenced by another writer (%s); this instance stops writing and asks the group "
                      "to elect again", what, err)
            self.term.fenced()
            return NotPrimaryError(f"this instance was fenced by a newer primary and can no longer write: {err}")
        if err.code() in (KafkaError._TIMED_OUT, KafkaError.REQUEST_TIMED_OUT, KafkaError._MSG_TIMED_OUT):
            return LogTimeoutError(f"Kafka did not confirm the write in time ({err}); broker slow or down?")
        return LogError(f"{what}: {err}")

    def _transaction(self, producer: Producer, records: Sequence[tuple[bytes, bytes | None]],
                     timeout_s: float) -> list[LogRecord]:
        delivered: dict[int, Message] = {}
        failures: list[KafkaError] = []

        def done(err: KafkaError | None, msg: Message, i: int) -> None:
            if err is not None:
                failures.append(err)
            else:
                delivered[i] = msg

        try:
            producer.begin_transaction()
            for i, (key, value) in enumerate(records):
                producer.produce(self.topic, key=key, value=value, partition=0,
                                 on_delivery=lambda err, msg, i=i: done(err, msg, i))
            producer.commit_transaction(timeout_s)
        except KafkaException as exc:
            err: KafkaError = exc.args[0]
            error = self._error("write failed", exc)
            if err.txn_requires_abort():
                try:
                    producer.abort_transaction(timeout_s)  # aborted: the producer can go on
                except KafkaException:
                    self._mark_stale()
            elif self.term.elected:  # fatal, or the outcome is unknown (e.g. a commit timed out)
                self._mark_stale()
            raise error from None
        if failures or len(delivered) != len(records):
            self._mark_stale()
            raise LogError(f"write failed: {failures or 'missing delivery reports'}")
        return [LogRecord(delivered[i].offset(), k, v, message_time(delivered[i])) for i, (k, v) in enumerate(records)]

    def _append_sync(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        if not self._txn_lock.acquire(timeout=self.timeout_s):
            raise LogTimeoutError("the writer is busy (a promotion is fencing older writers); retry shortly")
        try:
            # The records were computed from a state that reached the barrier of the claimed term:
            # if the role or the writer changed since, they may be stale (IDs), so nothing is written.
            if self.term.rebuilding is not None:
                raise rebuilding_error(self.term.rebuilding)
            if not self.term.holds_claim() or not self._producer:
                raise NotPrimaryError("this instance lost the primary role before the write; nothing was written")
            if self.term.stale:
                raise LogTimeoutError("the previous write's outcome is unknown; the writer restarts, retry")
            out = self._transaction(self._producer, records, self.timeout_s)
            self.term.wrote(out[-1].offset)
            return out
        finally:
            self._txn_lock.release()

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        """One transaction; only the primary (after :meth:`write_barrier` in this term) may call it."""
        return await asyncio.to_thread(self._append_sync, records)

    def close(self) -> None:
        """Stop writing and let the producer deliver what it holds (1 s at most)."""
        self.term.set_elected(False)
        self._stop.set()
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(1)
