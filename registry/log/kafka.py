"""The `_schemas` compacted Kafka topic as a :class:`~charter.registry.log.base.SchemaLog` (confluent-kafka).

Topic: exactly one partition and ``cleanup.policy=compact``; created so when missing, and any other
topic is refused with a clear message (:class:`TopicConfigError`).

Reading: one consumer, no consumer group (partition 0 is assigned from the beginning), with
``isolation.level=read_committed`` so an aborted or fenced write is never applied. Start-up replay
finds the end of the topic as Confluent does: it writes a NOOP marker (``{"keytype":"NOOP","magic":0}``,
null value) and reads up to and including it, never trusting the high watermark. Every instance does
this, followers included: a NOOP changes no state, compaction keeps only the last one, and it is the
only end marker that also waits for transactions still open at start-up. The same consumer then keeps
reading in a background thread (:meth:`follow`).

Writing: only the elected primary writes, through a TRANSACTIONAL producer (``acks=all``,
idempotent) whose ``transactional.id`` is derived from the group id, so it is the same on every
instance. When an instance becomes primary, :meth:`ensure_writer` calls ``init_transactions``, which
makes the broker fence every older producer with that id (a deposed primary's next commit fails
with "fenced") and abort its open transaction; it then commits a NOOP and returns its offset as a
*write barrier*. The writer applies records up to the barrier before it computes any write (IDs are
allocated from the state), so a new primary always allocates after every ID its predecessor issued.
Each :meth:`append` is one transaction; the returned offsets come from the delivery reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from charter.registry.kafka_connection import KafkaConnection, KafkaSecurityError
from charter.registry.log.base import LogError, LogRecord, LogTimeoutError, NotPrimaryError
from charter.registry.records import KeyType, RecordKey

log = logging.getLogger(__name__)

NOOP_KEY = RecordKey(KeyType.NOOP).encode()
PROGRESS_EVERY = 20_000
WAIT_PRIMARY_S = 5.0  # how long a write waits for an election in progress (and its writer's start)
# Our transactions last milliseconds; this bounds how long a primary killed mid-transaction blocks
# read_committed readers (the broker aborts it after this, plus its abort check interval, 10 s by
# default) when no new primary fences it sooner (init_transactions aborts it at once).
TRANSACTION_TIMEOUT_MS = 10_000


class TopicConfigError(LogError):
    """The topic exists but is not a one-partition compacted topic."""


def _next_batch(consumer: Consumer, size: int) -> list[Message]:
    """What is already fetched (no waiting), else the next record within 0.2 s.

    (``consume(n, timeout)`` waits the whole timeout unless ``n`` records arrive: too slow for the
    write acknowledgement, which waits for this instance to read its own record back.)
    """
    batch = consumer.consume(size, 0)
    if batch:
        return batch
    msg = consumer.poll(0.2)
    return [msg] if msg is not None else []


def _ts(msg: Message) -> int:
    _kind, ts = msg.timestamp()
    return ts if ts > 0 else int(time.time() * 1000)


class KafkaLog:
    """See the module docstring."""

    follows = True

    def __init__(
        self,
        bootstrap: str | KafkaConnection,
        topic: str = "_schemas",
        group_id: str = "schema-registry",
        *,
        timeout_s: float = 0.5,
        init_timeout_s: float = 60.0,
        progress_every: int = PROGRESS_EVERY,
    ) -> None:
        # Servers and security (SASL, TLS) for every client below: one KafkaConnection.
        self.connection = bootstrap if isinstance(bootstrap, KafkaConnection) else KafkaConnection(bootstrap)
        self.bootstrap = self.connection.servers
        self.topic = topic
        self.group_id = group_id
        self.transactional_id = f"charter-schema-registry-{group_id}"
        self.timeout_s = timeout_s
        self.init_timeout_s = init_timeout_s
        self.progress_every = progress_every
        self._common = {**self.connection.librdkafka(), "client.id": f"charter-{group_id}"}  # holds secrets
        self._consumer: Consumer | None = None
        self._follow_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._txn_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._elected = False
        self._term = 0  # +1 on every election or demotion
        self._producer: Producer | None = None
        self._producer_term = -1
        self._barrier = -1  # offset of the last record this instance wrote (NOOP or data)
        self._promotion_barrier = -1  # offset of the NOOP committed when this term's writer started
        self._barrier_at = time.monotonic()
        self._promoting = False
        self._stale = False  # a write failed with an unknown outcome: re-initialise the writer first
        self.on_fenced: Callable[[], None] | None = None  # called when another writer fenced this one
        self._checked_term = -2  # the term in which the writer last passed the barrier
        self.position = -1  # last offset read from the topic
        self.replay_end = -1  # offset of the NOOP end marker the start-up replay reads up to
        self.last_read_at = time.monotonic()  # when a record was last read (progress)

    def describe(self) -> str:
        return f"Kafka topic {self.topic} at {self.connection} (group {self.group_id})"

    # ---- topic -------------------------------------------------------------------------------

    def _admin(self, on_error: Callable[[KafkaError], None] | None = None) -> AdminClient:
        conf = dict(self._common)
        if on_error is not None:
            conf["error_cb"] = on_error
        try:
            return AdminClient(conf)
        except KafkaException as exc:  # a certificate or key librdkafka cannot load
            raise KafkaSecurityError(f"cannot configure the Kafka client ({exc.args[0].str()}): check "
                                     "the --kafka-ssl-* settings") from None

    def check_broker(self, wait_s: float = 3.0) -> None:
        """Raise LogError when no broker answers a metadata request within ``wait_s``, and
        KafkaSecurityError at once when a broker refuses the credentials or the certificates."""
        errors: list[KafkaError] = []
        admin = self._admin(errors.append)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                admin.list_topics(timeout=0.5)
                return
            except KafkaException as exc:
                last = exc.args[0]
            admin.poll(0)  # serves error_cb
            for err in errors:
                refusal = self.connection.librdkafka_refusal(err.code(), err.str())
                if refusal is not None:
                    raise KafkaSecurityError(refusal)
            if time.monotonic() >= deadline:
                detail = next((e.str() for e in reversed(errors) if e.code() != KafkaError._ALL_BROKERS_DOWN), last)
                raise LogError(f"Kafka broker at {self.bootstrap} is not reachable: {detail}")

    def ensure_topic(self) -> None:
        """Create the topic (1 partition, compacted) if missing; refuse one that is not like that.
        Each step waits up to ``init_timeout_s`` (``kafkastore.init.timeout.ms``, as Confluent's KafkaStore)."""
        admin = self._admin()
        meta = admin.list_topics(timeout=self.init_timeout_s)
        if self.topic not in meta.topics:
            replicas = min(3, len(meta.brokers)) or 1
            future = admin.create_topics(
                [NewTopic(self.topic, 1, replicas, config={"cleanup.policy": "compact"})]
            )[self.topic]
            try:
                future.result(self.init_timeout_s)
                log.info("created topic %s (1 partition, cleanup.policy=compact, replication %d)",
                         self.topic, replicas)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise LogError(f"could not create topic {self.topic}: {exc.args[0]}") from None
            meta = admin.list_topics(self.topic, timeout=self.init_timeout_s)
        partitions = len(meta.topics[self.topic].partitions)
        resource = ConfigResource("topic", self.topic)
        configs = admin.describe_configs([resource])[resource].result(self.init_timeout_s)
        policy = configs["cleanup.policy"].value if "cleanup.policy" in configs else "delete"
        problems = []
        if partitions != 1:
            problems.append(f"it has {partitions} partitions (exactly 1 is needed to keep one order)")
        if "compact" not in (policy or "").split(","):
            problems.append(f"its cleanup.policy is {policy!r} (it must be 'compact' or deleted schemas come back)")
        if problems:
            raise TopicConfigError(
                f"refusing to use topic {self.topic}: " + "; ".join(problems)
                + ". Fix the topic or choose another with --kafka-topic."
            )

    # ---- reading -----------------------------------------------------------------------------

    def _new_consumer(self) -> Consumer:
        consumer = Consumer({
            **self._common,
            # Never joined (partitions are assigned by hand) nor committed: librdkafka wants a name.
            "group.id": f"charter-reader-{self.group_id}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "isolation.level": "read_committed",
            "fetch.wait.max.ms": 50,
            "fetch.error.backoff.ms": 50,
        })
        consumer.assign([TopicPartition(self.topic, 0, OFFSET_BEGINNING)])
        return consumer

    def _write_noop(self) -> int:
        """Write an end marker with a plain idempotent producer; returns its offset."""
        producer = Producer({**self._common, "acks": "all", "enable.idempotence": True, "linger.ms": 0})
        result: list[int] = []
        errors: list[str] = []

        def done(err: KafkaError | None, msg: Message) -> None:
            (errors.append(str(err)) if err else result.append(msg.offset()))

        producer.produce(self.topic, key=NOOP_KEY, value=None, partition=0, on_delivery=done)
        producer.flush(self.init_timeout_s)
        if not result:
            raise LogError(f"could not write the NOOP end marker to {self.topic}: {errors or 'timed out'}")
        return result[0]

    def replay(self) -> Iterator[LogRecord]:
        """Every committed record up to and including a NOOP marker written now."""
        self._consumer = consumer = self._new_consumer()
        end = self.replay_end = self._write_noop()
        log.info("replaying %s up to the NOOP marker at offset %d", self.topic, end)
        count, started, last_note = 0, time.monotonic(), time.monotonic()
        while self.position < end:
            batch = _next_batch(consumer, 5000)
            if not batch and time.monotonic() - last_note > 10:
                log.warning("replay waiting at offset %d for offset %d (broker slow, or a transaction "
                            "is still open)", self.position, end)
                last_note = time.monotonic()
            for msg in batch:
                if msg.error():
                    log.warning("reading %s: %s", self.topic, msg.error())
                    continue
                self.position = msg.offset()
                self.last_read_at = time.monotonic()
                count += 1
                if count % self.progress_every == 0:
                    log.info("replay: %d records read, at offset %d of %d (%.1f s)",
                             count, self.position, end, time.monotonic() - started)
                yield LogRecord(msg.offset(), msg.key() or b"", msg.value(), _ts(msg))

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """Keep reading after the replay and hand every record to ``deliver`` (background thread)."""
        if self._consumer is None:
            raise LogError("follow() called before replay()")
        consumer = self._consumer

        def run() -> None:
            while not self._stop.is_set():
                try:
                    batch = _next_batch(consumer, 500)
                except (KafkaException, RuntimeError) as exc:
                    log.warning("reading %s: %s", self.topic, exc)
                    time.sleep(0.5)
                    continue
                for msg in batch:
                    if msg.error():
                        if msg.error().code() != KafkaError._PARTITION_EOF:
                            log.warning("reading %s: %s", self.topic, msg.error())
                        continue
                    self.position = msg.offset()
                    self.last_read_at = time.monotonic()
                    deliver(LogRecord(msg.offset(), msg.key() or b"", msg.value(), _ts(msg)))

        self._follow_thread = threading.Thread(target=run, name="charter-kafka-follow", daemon=True)
        self._follow_thread.start()

    # ---- writing (primary only) ---------------------------------------------------------------

    @property
    def elected(self) -> bool:
        return self._elected

    @property
    def writable(self) -> bool:
        """Elected, and the writer of this term is initialised (older writers fenced)."""
        return self._elected and self._producer_term == self._term

    @property
    def promotion_barrier(self) -> int:
        """Offset of the NOOP this term's writer committed after fencing (-1 before that)."""
        return self._promotion_barrier if self.writable and not self._stale else -1

    @property
    def promoting(self) -> bool:
        return self._promoting

    @property
    def last_write(self) -> tuple[int, float]:
        """(offset, monotonic time) of the last record this instance committed (NOOP or data)."""
        return self._barrier, self._barrier_at

    def set_elected(self, elected: bool) -> None:
        """Called by the election: start (True) or stop (False, at once) being the writer."""
        with self._state_lock:
            if elected == self._elected:
                return
            self._elected = elected
            self._term += 1
            if not elected:
                self._producer_term = -1  # refuse every later append of the old term

    def ensure_writer(self) -> int:
        """As the elected primary: fence older writers and commit a NOOP; returns the write barrier.

        Blocks up to ``init_timeout_s`` (``kafkastore.init.timeout.ms``): call it from a thread.
        """
        return self._ensure_writer()[0]

    def start_promotion(self) -> None:
        """Start (or restart) this term's writer in a background thread unless one is running:
        it retries with backoff while this instance is elected and its writer is not ready."""
        with self._state_lock:
            if self._promoting or not self._elected:
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
                        if not self._elected:
                            return
                        log.warning("writer not ready (%s); retrying in %.1f s", exc, delay)
                        self._stop.wait(delay)
                        delay = min(delay * 2, 5.0)
            finally:
                self._promoting = False

        threading.Thread(target=run, name="charter-promote", daemon=True).start()

    def _mark_stale(self) -> None:
        """The last write's outcome is unknown: restart the writer now, not at the next write."""
        self._stale = True
        self.start_promotion()

    def _ensure_writer(self) -> tuple[int, int]:
        """(barrier, term) of a writer ready in the current term."""
        if not self._txn_lock.acquire(timeout=self.init_timeout_s):
            raise LogTimeoutError("another promotion or write held the writer for "
                                  f"{self.init_timeout_s:.0f} s (kafkastore.init.timeout.ms)")
        try:
            return self._init_writer()
        finally:
            self._txn_lock.release()

    def _init_writer(self) -> tuple[int, int]:
        term = self._term
        if not self._elected:
            raise NotPrimaryError("this instance is not the primary")
        if self._producer_term == term and self._producer is not None and not self._stale:
            return self._barrier, term
        producer = Producer({
            **self._common,
            "transactional.id": self.transactional_id,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 0,
            "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
            "message.timeout.ms": max(1000, int(self.timeout_s * 1000)),
        })
        try:
            # Fences every older producer with this id and aborts its open transaction.
            producer.init_transactions(self.init_timeout_s)
        except KafkaException as exc:
            raise self._error("could not become the writer (init_transactions)", exc) from None
        if self._term != term or not self._elected:
            # Deposed while init_transactions ran (it may have fenced the new primary, which then
            # asks the group to re-elect: see on_fenced). Write nothing, not even the barrier.
            raise NotPrimaryError("this instance lost the primary role while its writer started")
        self._producer = producer
        records = self._transaction(producer, [(NOOP_KEY, None)], self.init_timeout_s)
        self._barrier = self._promotion_barrier = records[-1].offset
        self._barrier_at = time.monotonic()
        self._producer_term = term
        self._stale = False
        log.info("writer ready: transactional.id %s initialised (older writers fenced), barrier at offset %d",
                 self.transactional_id, self._barrier)
        return self._barrier, term

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
        now = time.monotonic()
        if claim:
            if not self._elected:
                raise NotPrimaryError("this instance lost the primary role; send writes to the primary (GET /status)")
            deadline = min(deadline or now + self.timeout_s, now + self.timeout_s)
        else:
            election_deadline = now + max(self.timeout_s, WAIT_PRIMARY_S)
            while not self._elected:
                if time.monotonic() > election_deadline:
                    raise NotPrimaryError(
                        "this instance is not the primary; send writes to the primary (GET /status)")
                await asyncio.sleep(0.02)
            if self._producer_term != self._term:  # elected, the writer of this term not started yet
                deadline = election_deadline  # part of the election
            else:  # a writer restarting after a failed write: within the write's own budget
                deadline = min(deadline or now + self.timeout_s, now + self.timeout_s)
        while True:
            term = self._term
            if self._elected and self._producer_term == term and self._producer is not None and not self._stale:
                if claim:
                    self._checked_term = term
                return self._barrier
            if not self._elected:
                raise NotPrimaryError("this instance lost the primary role; send writes to the primary (GET /status)")
            self.start_promotion()
            if time.monotonic() > deadline:
                raise LogTimeoutError(
                    "this instance was elected primary but its writer is not ready yet "
                    "(fencing older writers with init_transactions); retry shortly"
                )
            await asyncio.sleep(0.01)

    def _error(self, what: str, exc: KafkaException) -> LogError:
        err: KafkaError = exc.args[0]
        if err.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH):
            self.set_elected(False)
            log.error("%s: fenced by another writer (%s); this instance stops writing and asks the group "
                      "to elect again", what, err)
            if self.on_fenced is not None:
                # If the group still names this instance, the new election promotes it again and its
                # init_transactions fences the other writer; if not, it learns its new role.
                self.on_fenced()
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
            elif self._elected:  # fatal, or the outcome is unknown (e.g. a commit timed out)
                self._mark_stale()
            raise error from None
        if failures or len(delivered) != len(records):
            self._mark_stale()
            raise LogError(f"write failed: {failures or 'missing delivery reports'}")
        return [LogRecord(delivered[i].offset(), k, v, _ts(delivered[i])) for i, (k, v) in enumerate(records)]

    def _append_sync(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        if not self._txn_lock.acquire(timeout=self.timeout_s):
            raise LogTimeoutError("the writer is busy (a promotion is fencing older writers); retry shortly")
        try:
            term = self._term
            # The records were computed from a state that reached the barrier of term _checked_term:
            # if the role or the writer changed since, they may be stale (IDs), so nothing is written.
            if not self._elected or self._checked_term != term or self._producer_term != term or not self._producer:
                raise NotPrimaryError("this instance lost the primary role before the write; nothing was written")
            if self._stale:
                raise LogTimeoutError("the previous write's outcome is unknown; the writer restarts, retry")
            out = self._transaction(self._producer, records, self.timeout_s)
            self._barrier, self._barrier_at = out[-1].offset, time.monotonic()
            return out
        finally:
            self._txn_lock.release()

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        """One transaction; only the primary (after :meth:`write_barrier` in this term) may call it."""
        return await asyncio.to_thread(self._append_sync, records)

    def close(self) -> None:
        self.set_elected(False)
        self._stop.set()
        if self._follow_thread is not None:
            self._follow_thread.join(5)
        if self._consumer is not None:
            with contextlib.suppress(RuntimeError, KafkaException):
                self._consumer.close()
            self._consumer = None
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(1)
