"""The Kafka topic backend on a real Apache Kafka broker: record bytes, topics written by Confluent or
Karapace, tombstones, restart, topic checks, fencing, broker faults; plus the election and
forwarding rules that need no broker."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from support.kafka import kafka_registry, read_topic, record_schema, register, status, unique, wait_status
from support.kafka_broker import KafkaBroker
from support.process import free_port

from charter.registry.api.app import api_table
from charter.registry.api.forward import ClusterMiddleware
from charter.registry.cluster.election import elect
from charter.registry.log.kafka import KafkaLog, NotPrimaryError
from charter.registry.store.records import KeyType, RecordKey, config_key, delete_subject_key, mode_key, schema_key

CONFLUENT_KEYS = {
    schema_key("s", 3): b'{"keytype":"SCHEMA","subject":"s","version":3,"magic":1}',
    config_key("s"): b'{"keytype":"CONFIG","subject":"s","magic":0}',
    config_key(None): b'{"keytype":"CONFIG","subject":null,"magic":0}',
    mode_key("s"): b'{"keytype":"MODE","subject":"s","magic":0}',
    mode_key(None): b'{"keytype":"MODE","subject":null,"magic":0}',
    delete_subject_key("s"): b'{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}',
    RecordKey(KeyType.CLEAR_SUBJECT, "s"): b'{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}',
    RecordKey(KeyType.NOOP): b'{"keytype":"NOOP","magic":0}',
}


def test_key_bytes_of_every_keytype_are_confluents() -> None:
    for key, expected in CONFLUENT_KEYS.items():
        assert key.encode() == expected


def test_records_in_the_topic_are_in_confluents_format(tmp_path: Path, kafka_broker) -> None:
    topic = unique("fmt")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, unique("g")).start()
    try:
        wait_status(server, ready=True, role="primary")
        assert register(server.url, "s", '"string"').status_code == 200
        assert httpx.put(server.url + "/config/s", json={"compatibility": "NONE"}, timeout=5).status_code == 200
        assert httpx.delete(server.url + "/subjects/s/versions/1", timeout=5).status_code == 200
        assert httpx.delete(server.url + "/subjects/s/versions/1?permanent=true", timeout=5).status_code == 200
    finally:
        server.stop()
    records = [(k, v) for _, k, v in read_topic(kafka_broker.bootstrap, topic)]
    keys = [k for k, _ in records if k != CONFLUENT_KEYS[RecordKey(KeyType.NOOP)]]
    schema = b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}'
    assert keys == [schema, CONFLUENT_KEYS[config_key("s")], schema, schema]
    values = [v for k, v in records if k == schema]
    md5 = base64.b64encode(hashlib.md5(b'"string"').digest()).decode()  # Confluent's md5: the GUID's bytes
    assert json.loads(values[0]) == {"subject": "s", "version": 1, "id": 1, "schema": '"string"', "md5": md5,
                                     "deleted": False}
    assert json.loads(values[1])["deleted"] is True
    assert values[2] is None  # hard delete = tombstone with the same key bytes: compaction drops both


def _produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes | None]]) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1, config={"cleanup.policy": "compact"})])[topic].result(10)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for key, value in records:
        producer.produce(topic, key=key, value=value, partition=0)
    producer.flush(10)


def _value(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def test_topic_written_by_confluent_and_karapace_is_served(tmp_path: Path, kafka_broker) -> None:
    topic = unique("csr")
    avro = record_schema("User")
    _produce(kafka_broker.bootstrap, topic, [
        (b'{"keytype":"CONFIG","subject":null,"magic":0}', _value(compatibilityLevel="FULL")),
        (b'{"keytype":"SCHEMA","subject":"users","version":1,"magic":1}',
         _value(subject="users", version=1, id=7, schema=avro, deleted=False)),
        # Karapace's older key order, and an unknown value field
        (b'{"subject":"users","version":2,"magic":1,"keytype":"SCHEMA"}',
         _value(subject="users", version=2, id=9, schema=record_schema("User", "b"), deleted=False, extra=1)),
        (b'{"keytype":"SCHEMA","subject":"gone","version":1,"magic":1}',
         _value(subject="gone", version=1, id=8, schema='"int"', deleted=False)),
        (b'{"keytype":"DELETE_SUBJECT","subject":"gone","magic":0}', _value(subject="gone", version=1)),
        (b'{"keytype":"SCHEMA","subject":"gone","version":1,"magic":1}', None),  # hard delete
        (b'{"keytype":"MODE","subject":"users","magic":0}', _value(subject="users", mode="READONLY")),
        (b'{"keytype":"CONFIG","subject":"users","magic":0}', _value(subject="users", compatibilityLevel="NONE")),
        (b'{"keytype":"ASSOC2","subject":"x","magic":0}', _value(anything=True)),  # unknown keytype: skipped
        (b"not json", b"{}"),  # unparseable: skipped
        (b'{"keytype":"NOOP","magic":0}', None),
    ])
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, unique("g")).start()
    try:
        state = wait_status(server, ready=True, role="primary")
        assert state["records_skipped"] == 2
        get = lambda path: httpx.get(server.url + path, timeout=5).json()  # noqa: E731
        assert get("/subjects") == ["users"]
        assert get("/subjects/users/versions") == [1, 2]
        assert get("/schemas/ids/9")["schema"] == record_schema("User", "b")
        assert get("/config") == {"compatibilityLevel": "FULL"}
        assert get("/config/users") == {"compatibilityLevel": "NONE"}
        assert get("/mode/users") == {"mode": "READONLY"}
        assert httpx.get(server.url + "/schemas/ids/8", timeout=5).status_code == 404
        httpx.put(server.url + "/mode/users", json={"mode": "READWRITE"}, timeout=5).raise_for_status()
        r = register(server.url, "users", record_schema("User", "c"))
        assert r.status_code == 200 and r.json()["id"] == 10  # max seen id + 1
    finally:
        server.stop()
    # Charter kept writing Confluent's canonical keys
    keys = [k for _, k, _ in read_topic(kafka_broker.bootstrap, topic)]
    assert b'{"keytype":"SCHEMA","subject":"users","version":3,"magic":1}' in keys


def test_restart_replays_the_topic(tmp_path: Path, kafka_broker) -> None:
    topic, group = unique("restart"), unique("g")
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group).start()
    wait_status(server, ready=True, role="primary")
    ids = [register(server.url, f"r{i}", record_schema(f"R{i}")).json()["id"] for i in range(5)]
    httpx.delete(server.url + "/subjects/r0", timeout=5).raise_for_status()
    httpx.delete(server.url + "/subjects/r0?permanent=true", timeout=5).raise_for_status()
    assert server.stop() == 0
    again = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group).start()
    try:
        state = wait_status(again, ready=True, role="primary")
        assert state["subjects"] == 4 and state["max_id"] == 5
        assert httpx.get(again.url + "/subjects", timeout=5).json() == ["r1", "r2", "r3", "r4"]
        assert "replayed" in again.read_log() and "role: primary" in again.read_log()
        assert register(again.url, "r9", record_schema("R9")).json()["id"] == max(ids) + 1
    finally:
        again.stop()


@pytest.mark.parametrize("partitions,policy", [(3, "compact"), (1, "delete")])
def test_a_topic_that_is_not_one_compacted_partition_is_refused(
    tmp_path: Path, kafka_broker, partitions: int, policy: str
) -> None:
    topic = unique("bad")
    admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    admin.create_topics([NewTopic(topic, partitions, 1, config={"cleanup.policy": policy})])[topic].result(10)
    server = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, unique("g"))
    with contextlib.suppress(RuntimeError):  # it may have exited before answering GET /
        server.start()  # serves GET / at once; the topic check runs in the background
    assert server.proc is not None and server.proc.wait(15) == 2
    server.stop()
    assert "refusing to use topic" in server.read_log()
    assert ("3 partitions" if partitions == 3 else "cleanup.policy is 'delete'") in server.read_log()


def test_a_deposed_writer_is_fenced(kafka_broker) -> None:
    """Same transactional.id on two writers: the newer one's init_transactions fences the older."""
    topic, group = unique("fence"), unique("g")
    old, new = KafkaLog(kafka_broker.bootstrap, topic, group), KafkaLog(kafka_broker.bootstrap, topic, group)
    old.ensure_topic()

    async def scenario() -> None:
        old.term.set_elected(True)
        await asyncio.to_thread(old.ensure_writer)  # what the election's promotion does
        await old.write_barrier(claim=True)  # as a write holding the writer lock
        first = await old.append([(b'{"keytype":"NOOP","magic":0}', None)])
        new.term.set_elected(True)
        await asyncio.to_thread(new.ensure_writer)  # fences `old`
        with pytest.raises(NotPrimaryError, match="fenced"):
            await old.append([(schema_key("z", 1).encode(), b'{"id":1}')])
        assert not old.term.elected
        with pytest.raises(NotPrimaryError):
            await old.write_barrier(claim=True)
        assert first[0].offset >= 0

    asyncio.run(scenario())
    keys = [k for _, k, _ in read_topic(kafka_broker.bootstrap, topic)]
    assert schema_key("z", 1).encode() not in keys  # the fenced write never became visible
    old.close()
    new.close()


def test_broker_down_at_start_then_lost_while_running(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path / "kafka")  # its own broker (ports chosen now), started later
    server = kafka_registry(tmp_path, broker.bootstrap, unique("outage"), unique("g")).start()
    try:
        answer = httpx.get(server.url + "/status", timeout=5)
        assert answer.status_code == 503 and answer.json()["ready"] is False
        assert httpx.get(server.url + "/subjects", timeout=5).status_code == 503
        deadline = time.monotonic() + 10
        while "not reachable" not in server.read_log() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "not reachable" in server.read_log() and "not ready" in server.read_log()
        broker.start()
        wait_status(server, ready=True, role="primary", timeout=30)
        assert register(server.url, "o", '"string"').json()["id"] == 1
        broker.stop()
        assert httpx.get(server.url + "/subjects/o/versions/1", timeout=5).status_code == 200  # from memory
        down = register(server.url, "o2", '"int"')
        assert down.status_code == 500 and down.json()["error_code"] in (50001, 50002), down.text
        broker.start()
        deadline, r = time.monotonic() + 40, None
        while time.monotonic() < deadline:
            r = register(server.url, "o2", '"int"')
            if r.status_code == 200:
                break
            time.sleep(0.5)
        assert r is not None and r.status_code == 200 and r.json()["id"] == 2, r.text if r else None
        assert status(server)["max_id"] == 2
    finally:
        server.stop()
        broker.stop()


# ---- no broker needed ----------------------------------------------------------------------------


def _meta(host: str, port: int, eligible: bool = True) -> bytes:
    return json.dumps({"version": 1, "host": host, "port": port, "master_eligibility": eligible,
                       "scheme": "http"}).encode()


def test_election_picks_the_smallest_eligible_url() -> None:
    out = elect([("m1", _meta("b", 1)), ("m2", _meta("a", 9)), ("m3", _meta("a", 1, eligible=False))])
    assert out == {"version": 1, "error": 0, "master": "m2",
                   "master_identity": json.loads(_meta("a", 9))}
    assert elect([("m1", _meta("a", 1, False))])["master"] is None
    assert elect([("m1", _meta("a", 1)), ("m2", _meta("a", 1))])["error"] == 1


def test_write_routes() -> None:
    is_write = api_table().writes
    assert is_write("POST", "/subjects/s/versions") and is_write("DELETE", "/subjects/s")
    assert is_write("DELETE", "/subjects/s/versions/3") and is_write("PUT", "/config")
    assert is_write("DELETE", "/mode/s") and is_write("PUT", "/mode")
    assert not is_write("POST", "/subjects/s") and not is_write("POST", "/compatibility/subjects/s/versions")
    assert not is_write("GET", "/config")


class _View:
    pooled = False

    def __init__(self, ready: bool, primary: str | None) -> None:
        self.ready, self._primary, self.advertised_url = ready, primary, "http://127.0.0.1:1"

    def writes_here(self) -> bool:
        return False

    async def wait_for_primary(self, timeout_s: float) -> str | None:
        return self._primary


@pytest.mark.parametrize("ready,primary,status_code,code", [
    (False, None, 503, 50001), (True, None, 500, 50004), (True, f"http://127.0.0.1:{free_port()}", 500, 50003),
])
def test_forwarding_errors(ready: bool, primary: str | None, status_code: int, code: int) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("must not reach the app")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=ClusterMiddleware(app, _View(ready, primary), api_table(), lambda: -1))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/subjects/s/versions", json={"schema": '"string"'})

    answer = asyncio.run(call())
    assert answer.status_code == status_code and answer.json()["error_code"] == code
