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

Going backwards: a broker that lost records (one unreplicated broker restarted without flushing,
an unclean leader election, a topic deleted and recreated) serves a partition that ends below what
this instance applied. The reader notices (a) an offset reset (``auto.offset.reset=error``: librdkafka
reports the out-of-range position instead of silently jumping to the end), or a log truncation;
(b) a high watermark at or below the offset it read; (c) a record at or below the offset it read;
or (d) :meth:`KafkaLog.rewind`, called when this instance's own committed write landed at or below
what its state applied. It then stops writes (:meth:`Term.begin_rebuild
<charter.registry.cluster.term.Term.begin_rebuild>`), replays the topic from offset 0 up to a new
NOOP marker into :attr:`KafkaLog.on_rewind` (the state writer builds a fresh state and swaps it in),
and resumes following and writing.

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

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from charter.registry.cluster.term import Term
from charter.registry.log.base import DEFAULT_TIMEOUT_S, LogConfigError, LogError, LogRecord, NotPrimaryError
from charter.registry.log.kafka_connection import KafkaConnection, KafkaSecurityError
from charter.registry.log.kafka_writer import TRANSACTION_TIMEOUT_MS, KafkaWriter, message_time, write_noop

__all__ = ["TRANSACTION_TIMEOUT_MS", "KafkaLog", "NotPrimaryError", "TopicConfigError"]

log = logging.getLogger(__name__)

PROGRESS_EVERY = 20_000
REPLAY_BATCH = 10_000  # the most records taken from librdkafka's queue in one call during the replay
END_CHECK_S = 0.5  # how often the follower compares the topic's end with the offset it read
REBUILD_RETRY_S = 2.0
# librdkafka's verdicts that the partition no longer has the offset this reader is at
WENT_BACKWARDS = (KafkaError._AUTO_OFFSET_RESET, KafkaError._LOG_TRUNCATION)


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
        # Set by the cluster: rebuilds the state from every record of the topic (given in order) and
        # swaps it in; returns the offset the new state reached. Called by the follower thread.
        self.on_rewind: Callable[[str, Iterator[LogRecord]], int] | None = None
        self._rewind_asked: str | None = None  # a reason given to rewind(), for the follower thread

    def describe(self) -> str:
        return f"Kafka topic {self.topic} at {self.connection} (group {self.group_id})"

    # ---- topic -------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Reach a broker and check (or create) the topic: :class:`LogError` when no broker answers
        (retry), :class:`~charter.registry.log.base.LogConfigError` when retrying cannot help.
        One admin client does both (a new client spends about 50 ms reaching the broker)."""
        self.ensure_topic(self.check_broker())

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
        # librdkafka spaces new connections by half the backoff (the first metadata answer moves it
        # to a new one, the broker's own address): 50 ms of a start-up by default. It still doubles.
        conf = {**self._common, "reconnect.backoff.ms": 20}
        if on_error is not None:
            conf["error_cb"] = on_error
        try:
            return AdminClient(conf)
        except KafkaException as exc:  # a certificate or key librdkafka cannot load
            raise KafkaSecurityError(f"cannot configure the Kafka client ({exc.args[0].str()}): check "
                                     "the --kafka-ssl-* settings") from None

    def check_broker(self, wait_s: float = 3.0) -> AdminClient:
        """Raise LogError when no broker answers a metadata request within ``wait_s``, and
        KafkaSecurityError at once when a broker refuses the credentials or the certificates;
        returns the admin client that reached the broker."""
        errors: list[KafkaError] = []
        admin = self._admin(errors.append)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                admin.list_topics(timeout=0.5)
                return admin
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

    def ensure_topic(self, admin: AdminClient | None = None) -> None:
        """Create the topic (1 partition, compacted) if missing; refuse one that is not like that.
        Each step waits up to ``init_timeout_s`` (``kafkastore.init.timeout.ms``, as Confluent's KafkaStore)."""
        admin = admin or self._admin()
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
            # A position the partition no longer has is an error to handle (the topic went
            # backwards), never a silent jump to the end past records this instance did not read.
            "auto.offset.reset": "error",
        })
        # The offsets first: they fetch the leader, without which the assignment's lookup of
        # OFFSET_BEGINNING waits for librdkafka's 500 ms retry timer (which also runs if this fails).
        with contextlib.suppress(KafkaException, RuntimeError):
            consumer.get_watermark_offsets(TopicPartition(self.topic, 0), timeout=min(self.init_timeout_s, 5.0))
        consumer.assign([TopicPartition(self.topic, 0, OFFSET_BEGINNING)])
        return consumer

    def replay(self) -> Iterator[LogRecord]:
        """Every committed record up to and including a NOOP marker written now."""
        self._consumer = consumer = self._new_consumer()
        end = self.replay_end = write_noop(self._common, self.topic, self.init_timeout_s)
        log.info("replaying %s up to the NOOP marker at offset %d", self.topic, end)
        count, started, last_note = 0, time.monotonic(), time.monotonic()
        every = self.progress_every
        while self.position < end:
            if self._stop.is_set():
                raise LogError(f"{self.topic}: the reader was closed during the replay")
            batch = _next_batch(consumer, REPLAY_BATCH)
            if not batch:
                if time.monotonic() - last_note > 10:
                    log.warning("replay waiting at offset %d for offset %d (broker slow, or a transaction "
                                "is still open)", self.position, end)
                    last_note = time.monotonic()
                continue
            # Per batch: the clock, progress, and the time message_time gives records without one.
            self.last_read_at, before, now_ms = time.monotonic(), count, int(time.time() * 1000)
            for msg in batch:
                err = msg.error()
                if err is not None:
                    if err.code() in WENT_BACKWARDS:
                        raise LogError(f"the topic {self.topic} went backwards while it was replayed: {err}")
                    log.warning("reading %s: %s", self.topic, err)
                    continue
                self.position = offset = msg.offset()
                count += 1
                timestamp = msg.timestamp()[1]
                yield LogRecord(offset, msg.key() or b"", msg.value(), timestamp if timestamp > 0 else now_ms)
            if count // every > before // every:
                log.info("replay: %d records read, at offset %d of %d (%.1f s)",
                         count, self.position, end, time.monotonic() - started)

    def follow(self, deliver: Callable[[LogRecord], None]) -> None:
        """Keep reading after the replay and hand every record to ``deliver`` (background thread)."""
        if self._consumer is None:
            raise LogError("follow() called before replay()")

        def run() -> None:
            checked = time.monotonic()
            while not self._stop.is_set():
                consumer = self._consumer
                if consumer is None:  # closed
                    return
                backwards = self._rewind_asked
                if backwards is None and time.monotonic() - checked > END_CHECK_S:
                    backwards, checked = self._end_below_position(consumer), time.monotonic()
                if backwards is not None:
                    self._rebuild(backwards)
                    continue
                try:
                    batch = _next_batch(consumer, 500)
                except (KafkaException, RuntimeError) as exc:
                    log.warning("reading %s: %s", self.topic, exc)
                    time.sleep(0.5)
                    continue
                for msg in batch:
                    backwards = self._went_backwards(msg)
                    if backwards is not None:
                        self._rebuild(backwards)
                        break
                    if msg.error():
                        if msg.error().code() != KafkaError._PARTITION_EOF:
                            log.warning("reading %s: %s", self.topic, msg.error())
                        continue
                    self.position = msg.offset()
                    self.last_read_at = time.monotonic()
                    deliver(LogRecord(msg.offset(), msg.key() or b"", msg.value(), message_time(msg)))

        self._follow_thread = threading.Thread(target=run, name="charter-kafka-follow", daemon=True)
        self._follow_thread.start()

    # ---- going backwards ---------------------------------------------------------------------

    def rewind(self, reason: str) -> None:
        """The topic went backwards (seen by the state writer): the follower thread rebuilds the
        state from the topic at its next turn, unless a rebuild is running (the record that showed
        it is then either in the rebuilt state or read after it). Thread-safe."""
        if self.term.rebuilding is None:
            self._rewind_asked = reason

    def _went_backwards(self, msg: Message) -> str | None:
        """Why ``msg`` shows the topic went backwards (an offset reset, a log truncation, an offset
        at or below the one read before), else None."""
        err = msg.error()
        if err is not None:
            return f"the reader's position is gone: {err.str()}" if err.code() in WENT_BACKWARDS else None
        if msg.offset() <= self.position:
            return f"a record at offset {msg.offset()} was read after offset {self.position}"
        return None

    def _end_below_position(self, consumer: Consumer) -> str | None:
        """Why the topic's end (the high watermark of the last fetch) shows it went backwards, else None."""
        try:
            _low, high = consumer.get_watermark_offsets(TopicPartition(self.topic, 0), cached=True)
        except (KafkaException, RuntimeError):
            return None
        if 0 <= high <= self.position:
            return f"the topic ends at offset {high}, below the offset {self.position} this instance read"
        return None

    def _rebuild(self, reason: str) -> None:
        """In the follower thread: stop writes, replay the topic from offset 0 into
        :attr:`on_rewind` (retrying while the broker cannot be read), then resume."""
        log.error("the topic %s went backwards (%s): records this instance applied (up to offset %d) are no "
                  "longer in it, or the broker lost them; writes stop while the state is rebuilt from the topic",
                  self.topic, reason, self.position)
        self._rewind_asked = None
        self.term.begin_rebuild(reason)
        started = time.monotonic()
        while not self._stop.is_set():
            old, self._consumer = self._consumer, None
            if old is not None:
                with contextlib.suppress(RuntimeError, KafkaException):
                    old.close()
            self.position = -1
            try:
                if self.on_rewind is None:
                    raise LogError("nothing rebuilds the state (KafkaLog.on_rewind is not set)")
                end = self.on_rewind(reason, self.replay())
            except (LogError, KafkaException, RuntimeError) as exc:
                log.error("rebuilding the state from %s failed: %s; retrying in %.0f s", self.topic, exc,
                          REBUILD_RETRY_S)
                self._stop.wait(REBUILD_RETRY_S)
                continue
            self.term.end_rebuild(end)
            log.warning("state rebuilt from %s up to offset %d in %.2f s; writes resume", self.topic, end,
                        time.monotonic() - started)
            return

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
