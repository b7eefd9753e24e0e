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

Writing: :class:`~charter.registry.log.kafka_writer.KafkaWriter` (the primary's transactional
producer); :meth:`KafkaLog.append` and :meth:`KafkaLog.write_barrier` hand over to it. Whether this
instance may write is its :attr:`KafkaLog.term` (:class:`~charter.registry.cluster.term.Term`),
which the election sets and the writer asks. This process's own records reach the state as every
other record does: read back from the topic and delivered by :meth:`KafkaLog.follow`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from charter.registry.cluster.term import Term
from charter.registry.log.base import DEFAULT_TIMEOUT_S, LogConfigError, LogError, LogRecord, NotPrimaryError
from charter.registry.log.kafka_connection import KafkaConnection, KafkaSecurityError
from charter.registry.log.kafka_writer import NOOP_KEY, TRANSACTION_TIMEOUT_MS, KafkaWriter, message_time

__all__ = ["TRANSACTION_TIMEOUT_MS", "KafkaLog", "NotPrimaryError", "TopicConfigError"]

log = logging.getLogger(__name__)

PROGRESS_EVERY = 20_000


class TopicConfigError(LogConfigError):
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


class KafkaLog:
    """See the module docstring."""

    def __init__(
        self,
        bootstrap: str | KafkaConnection,
        topic: str = "_schemas",
        group_id: str = "schema-registry",
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        init_timeout_s: float = 60.0,
        progress_every: int = PROGRESS_EVERY,
        term: Term | None = None,
    ) -> None:
        # Servers and security (SASL, TLS) for every client below: one KafkaConnection.
        self.connection = bootstrap if isinstance(bootstrap, KafkaConnection) else KafkaConnection(bootstrap)
        self.bootstrap = self.connection.servers
        self.topic = topic
        self.group_id = group_id
        self.timeout_s = timeout_s
        self.init_timeout_s = init_timeout_s
        self.progress_every = progress_every
        self._common = {**self.connection.librdkafka(), "client.id": f"charter-{group_id}"}  # holds secrets
        self._consumer: Consumer | None = None
        self._follow_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.term = term or Term()  # whether this instance may write: set by the election
        # The primary's transactional writer; its transactional.id is the same on every instance.
        self._writer = KafkaWriter(self._common, topic, f"charter-schema-registry-{group_id}", self.term,
                                   timeout_s=timeout_s, init_timeout_s=init_timeout_s)
        self.position = -1  # last offset read from the topic
        self.replay_end = -1  # offset of the NOOP end marker the start-up replay reads up to
        self.last_read_at = time.monotonic()  # when a record was last read (progress)

    def describe(self) -> str:
        return f"Kafka topic {self.topic} at {self.connection} (group {self.group_id})"

    # ---- topic -------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Reach a broker and check (or create) the topic: :class:`LogError` when no broker answers
        (retry), :class:`~charter.registry.log.base.LogConfigError` when retrying cannot help."""
        self.check_broker()
        self.ensure_topic()

    def progress(self) -> str:
        """Where the start-up replay is, for ``GET /status`` while this instance is not ready."""
        if self.replay_end < 0:
            return f"connecting to Kafka at {self.bootstrap} and checking topic {self.topic}"
        note = f"replaying {self.topic}: at offset {self.position} of the end marker at offset {self.replay_end}"
        stalled = time.monotonic() - self.last_read_at
        if stalled > 1:
            note += (f"; nothing read for {stalled:.0f} s: a transaction left open by a stopped primary "
                     "holds read_committed readers back until the broker aborts it")
        return note

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
        deadline = time.monotonic() + self.init_timeout_s
        # A topic just created (here or by another instance) may show no partitions for a moment.
        while not meta.topics[self.topic].partitions and time.monotonic() < deadline:
            time.sleep(0.1)
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
                yield LogRecord(msg.offset(), msg.key() or b"", msg.value(), message_time(msg))

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
                    deliver(LogRecord(msg.offset(), msg.key() or b"", msg.value(), message_time(msg)))

        self._follow_thread = threading.Thread(target=run, name="charter-kafka-follow", daemon=True)
        self._follow_thread.start()

    # ---- writing (primary only): see kafka_writer.KafkaWriter ------------------------------

    @property
    def promoting(self) -> bool:
        """A promotion (fencing older writers, committing the barrier) is running."""
        return self._writer.promoting

    def start_promotion(self) -> None:
        """As the elected primary: start this term's writer in the background (see KafkaWriter)."""
        self._writer.start_promotion()

    def ensure_writer(self) -> int:
        """As the elected primary: start this term's writer now (blocking); returns its barrier."""
        return self._writer.ensure_writer()

    async def write_barrier(self, deadline: float | None = None, *, claim: bool = False) -> int:
        return await self._writer.write_barrier(deadline, claim=claim)

    async def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[LogRecord]:
        """One transaction; only the primary (after :meth:`write_barrier` in this term) may call it."""
        return await self._writer.append(records)

    def close(self) -> None:
        self._writer.close()
        self._stop.set()
        if self._follow_thread is not None:
            self._follow_thread.join(5)
        if self._consumer is not None:
            with contextlib.suppress(RuntimeError, KafkaException):
                self._consumer.close()
            self._consumer = None
