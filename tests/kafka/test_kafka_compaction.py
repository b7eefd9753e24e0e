"""Log compaction really runs on the `_schemas` topic (real Apache Kafka), and a restarted instance
reads exactly the state it had before: superseded records, soft-deleted versions, hard deletes
(tombstones, themselves dropped after ``delete.retention.ms``), config and mode changes.

The topic is made compacted with the broker's defaults (one segment for the whole workload, so
nothing is cleaned yet), then switched to tiny segments and an eager cleaner (``segment.ms``,
``min.cleanable.dirty.ratio``, ``delete.retention.ms`` small; the test broker's
``log.cleaner.backoff.ms`` is 200 ms); the test waits until the cleaner has visibly removed records
before it restarts Charter.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic
from support.kafka import kafka_registry, read_topic, record_schema, snapshot, unique, wait_status
from support.process import V1, RegistryProcess

from charter.registry.store.records import KeyType, RecordKey, config_key, schema_key

NOOP = RecordKey(KeyType.NOOP).encode()
EAGER = {"segment.ms": "100", "min.cleanable.dirty.ratio": "0.01", "delete.retention.ms": "100",
         "min.compaction.lag.ms": "0"}


def _workload(c: httpx.Client) -> None:
    """Many versions, soft and hard deletes, config and mode changes (each step checked)."""
    ok = lambda r: r.raise_for_status()  # noqa: E731
    ok(c.put("/config", json={"compatibility": "FULL"}))
    ok(c.put("/config", json={"compatibility": "NONE"}))  # supersedes the first global CONFIG record
    for s in range(8):
        for v in range(4):
            ok(c.post(f"/subjects/c-{s}/versions", json={"schema": record_schema(f"C{s}", f"f{v}")}))
    ok(c.post("/subjects/shared/versions", json={"schema": record_schema("C0", "f0")}))  # an id used twice
    ok(c.delete("/subjects/c-1/versions/2"))  # soft: deleted=true replaces the version's record
    ok(c.delete("/subjects/c-2/versions/1"))
    ok(c.delete("/subjects/c-2/versions/1", params={"permanent": "true"}))  # hard: a tombstone
    ok(c.delete("/subjects/c-3"))  # subject soft-deleted
    ok(c.delete("/subjects/c-4"))
    ok(c.delete("/subjects/c-4", params={"permanent": "true"}))  # subject hard-deleted: tombstones
    ok(c.delete("/subjects/c-5"))
    ok(c.post("/subjects/c-5/versions", json={"schema": record_schema("C5", "again")}))  # back after a soft delete
    for level in ["FORWARD", "BACKWARD"] * 8 + ["NONE"]:
        ok(c.put("/config/c-6", json={"compatibility": level}))
    ok(c.put("/config/c-7", json={"compatibility": "FULL"}))
    ok(c.delete("/config/c-7"))
    ok(c.put("/mode/c-0", json={"mode": "READONLY"}))
    ok(c.put("/mode/c-0", json={"mode": "READWRITE"}))
    ok(c.put("/mode/c-1", json={"mode": "READONLY"}))


def _nudge(bootstrap: str, topic: str) -> None:
    """Append a NOOP (a record Charter skips): the active segment rolls past ``segment.ms`` on an
    append, and only rolled segments are cleaned."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topic, key=NOOP, value=None, partition=0)
    producer.flush(10)


def _compacted(records: list[tuple[int, bytes, bytes | None]]) -> bool:
    """The cleaner ran over the workload: the superseded global CONFIG record, the older c-6 CONFIG
    records, the first c-1 v2 record and most NOOPs are gone, and so are the hard delete's tombstones."""
    keys = Counter(k for _, k, _ in records)
    return (keys[config_key(None).encode()] == 1 and keys[config_key("c-6").encode()] == 1
            and keys[schema_key("c-1", 2).encode()] == 1 and keys[NOOP] <= 3
            and keys[schema_key("c-2", 1).encode()] == 0 and keys[schema_key("c-4", 1).encode()] == 0)


def test_compaction_keeps_the_registry_state_across_a_restart(tmp_path: Path, kafka_broker) -> None:
    topic, group, bootstrap = unique("compact"), unique("grp"), kafka_broker.bootstrap
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1, config={"cleanup.policy": "compact"})])[topic].result(10)
    server = kafka_registry(tmp_path, bootstrap, topic, group).start()
    try:
        wait_status(server, ready=True, role="primary")
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=10) as c:
            _workload(c)
        before = snapshot(server.url)
    finally:
        server.stop()
    written = read_topic(bootstrap, topic)
    assert not _compacted(written) and written[0][0] == 0, "compacted already?"
    eager = ConfigResource("topic", topic, incremental_configs=[
        ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET) for k, v in EAGER.items()])
    admin.incremental_alter_configs([eager])[eager].result(10)

    deadline, records = time.monotonic() + 90, written
    while not _compacted(records):
        assert time.monotonic() < deadline, f"the cleaner did not run: {Counter(k for _, k, _ in records)}"
        time.sleep(0.3)
        _nudge(bootstrap, topic)
        records = read_topic(bootstrap, topic)
    print(f"\ncompaction: {len(written)} records -> {len(records)}")
    assert len(records) < len(written) * 3 // 4

    again: RegistryProcess = kafka_registry(tmp_path, bootstrap, topic, group).start()
    try:
        wait_status(again, ready=True, role="primary")
        assert snapshot(again.url) == before
        # hard-deleted stays gone (its tombstone, and then the tombstone itself, compacted it away)
        with httpx.Client(base_url=again.url, timeout=10) as c:
            assert c.get("/subjects/c-4/versions", params={"deleted": "true"}).status_code == 404
            assert c.get("/subjects/c-2/versions/1", params={"deleted": "true"}).status_code == 404
            assert c.get("/subjects/c-2/versions", params={"deleted": "true"}).json() == [2, 3, 4]
            assert c.get("/subjects/c-3/versions", params={"deleted": "true"}).json() == [1, 2, 3, 4]
            assert c.get("/subjects/c-3/versions").status_code == 404  # still soft-deleted
            assert c.get("/config/c-6").json() == {"compatibilityLevel": "NONE"}
            assert c.get("/config/c-7").status_code == 404
            assert c.get("/mode/c-1").json() == {"mode": "READONLY"}
    finally:
        again.stop()
