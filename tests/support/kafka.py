"""Test support for the Kafka backend: Charter instances on a topic of the real Apache Kafka test broker
(tests/support/kafka_broker.py), their ``/status``, reading the topic, watermarks, a SIGKILL while a
transaction is open, and a full snapshot of a registry's state.

On Apache Kafka, session expiry, fencing and the abort of a dead producer's transaction are real:
the tests wait for them. Instances run with short sessions (:data:`SESSION_TIMEOUT_MS`; the test
broker allows 1000 ms and more).
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from support.process import V1, RegistryProcess, free_port

SESSION_TIMEOUT_MS = 3000


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def kafka_registry(tmp: Path, bootstrap: str, topic: str, group: str, *extra: str) -> RegistryProcess:
    """A Charter instance on the topic (not started)."""
    port = free_port()
    return RegistryProcess(
        tmp / f"node-{port}", port,
        ["--kafka-bootstrap", bootstrap, "--kafka-topic", topic, "--group-id", group,
         "--kafka-session-timeout-ms", str(SESSION_TIMEOUT_MS), *extra],
    )


def status(server: RegistryProcess) -> dict[str, Any]:
    return httpx.get(server.url + "/status", timeout=5).json()


def wait_status(server: RegistryProcess, timeout: float = 30.0, **expected: Any) -> dict[str, Any]:
    """Poll /status until every expected field has its value (e.g. ready=True, role="primary")."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            last = status(server)
            if all(last.get(k) == v for k, v in expected.items()):
                return last
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{server.url} never reached {expected}; last status {last}\n{server.read_log()[-3000:]}")


def register(url: str, subject: str, schema: str, **kw: Any) -> httpx.Response:
    kw.setdefault("headers", {"Content-Type": V1})
    return httpx.post(f"{url}/subjects/{subject}/versions", json={"schema": schema}, timeout=30, **kw)


def record_schema(name: str, field: str = "a") -> str:
    """A record schema; a ``field`` other than "a" is added as an optional field (a BACKWARD-compatible change)."""
    fields: list[dict[str, Any]] = [{"name": "a", "type": "string"}]
    if field != "a":
        fields.append({"name": field, "type": ["null", "string"], "default": None})
    return json.dumps({"type": "record", "name": name, "fields": fields})


def read_topic(bootstrap: str, topic: str) -> list[tuple[int, bytes, bytes | None]]:
    """Every committed record of partition 0 as (offset, key, value), read until 1 s of silence."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "test-reader",
                         "isolation.level": "read_committed", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out, idle = [], 0
    while idle < 3:
        msg = consumer.poll(0.3)
        if msg is None:
            idle += 1
        elif not msg.error():
            out.append((msg.offset(), msg.key(), msg.value()))
    consumer.close()
    return out


def end_offset(bootstrap: str, topic: str, isolation: str) -> int:
    """The partition's end as a reader with ``isolation`` sees it: the last stable offset for
    ``read_committed`` (held back by an open transaction), the high watermark for ``read_uncommitted``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "test-lso", "isolation.level": isolation})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5, cached=False)[1]
    finally:
        consumer.close()


def transaction_open(bootstrap: str, topic: str) -> bool:
    return end_offset(bootstrap, topic, "read_committed") < end_offset(bootstrap, topic, "read_uncommitted")


def kill_mid_transaction(server: RegistryProcess, bootstrap: str, topic: str, tries: int = 300) -> None:
    """SIGKILL a writing primary while it has a transaction open on the broker: SIGSTOP it, and if
    the last stable offset is behind the high watermark kill it; else let it run a moment and retry.
    Raises AssertionError when no open transaction was caught in ``tries`` attempts."""
    assert server.proc is not None
    for _ in range(tries):
        server.proc.send_signal(signal.SIGSTOP)
        time.sleep(0.05)  # let a request already on the wire land
        if transaction_open(bootstrap, topic):
            server.kill()
            return
        server.proc.send_signal(signal.SIGCONT)
        time.sleep(0.005)
    server.proc.send_signal(signal.SIGCONT)
    raise AssertionError(f"no open transaction caught in {tries} tries: is the primary writing?")


def snapshot(url: str) -> dict[str, Any]:
    """Every subject/version (deleted ones included) with its id and schema, each schema by id, the
    global and per-subject configs and modes, and the live subjects."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=10) as c:
        subjects = c.get("/subjects", params={"deleted": "true"}).json()
        ids = set()
        for subject in subjects:
            for version in c.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json():
                v = c.get(f"/subjects/{subject}/versions/{version}", params={"deleted": "true"}).json()
                out[f"{subject}/{version}"] = (v["id"], v["schema"])
                ids.add(v["id"])
            config = c.get(f"/config/{subject}")
            out[f"config {subject}"] = config.json() if config.status_code == 200 else None
            mode = c.get(f"/mode/{subject}")
            out[f"mode {subject}"] = mode.json() if mode.status_code == 200 else None
        for schema_id in sorted(ids):
            out[f"id {schema_id}"] = c.get(f"/schemas/ids/{schema_id}").json().get("schema")
        out["live subjects"] = sorted(c.get("/subjects").json())
        out["config"] = c.get("/config").json()
        out["mode"] = c.get("/mode").json()
    return out
