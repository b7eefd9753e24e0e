"""Benchmark of the Kafka topic backend against the embedded log, in the same run.

Run alone with ``.venv/bin/python bench/kafka_bench.py`` (or ``bash bench/run.sh --kafka``, which first
fetches the broker's jars with ``bash tests/kafka/fetch.sh``). It starts its own Apache Kafka broker
(KRaft, one node, tests/support/kafka_broker.py, full JIT) and Charter processes on free ports, all on
127.0.0.1, and stops them (by pid) at the end. Figures:

1. register rate (distinct schemas, 8 concurrent clients) on the embedded log and on Kafka (ratio);
2. lookup rate (``POST /subjects/{s}``, 8 concurrent clients) on both (ratio);
3. start-up replay of 100,000 SCHEMA records from the topic: process start until ``/status`` is ready;
   the same records on the embedded log (charter backup / restore), and its SIGKILL-to-first-write
   (a restart on the same directory: the embedded log has no second instance);
4. failover: SIGKILL of the primary until the first successful write on the survivor (the broker
   expires the dead member after the session timeout, the survivor is elected and fences the old
   writer); also reported less the session timeout.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

# bench/ is sys.path[0]: this file must not be named kafka.py (it would shadow kafka-python).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.kafka_broker import KafkaBroker, kafka_version  # the tests' broker launcher

V1 = "application/vnd.schemaregistry.v1+json"
BIN = Path(sys.executable).parent
SESSION_MS = 6000
CONCURRENCY = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def schema(i: int) -> str:
    return json.dumps({"type": "record", "name": f"R{i}", "fields": [{"name": f"f{i}", "type": "string"}]})


class Charter:
    def __init__(self, tmp: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp / f"charter-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(BIN / "charter"), "serve", "--port", str(self.port), "--data-dir", str(tmp / f"d{self.port}"),
             "--log-level", "warning", "--workers", "1", *extra], stdout=self.log, stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def wait(self, timeout: float = 120, **expected: Any) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                r = httpx.get(self.url + "/status", timeout=2)
                if all(r.json().get(k) == v for k, v in expected.items()):
                    return time.monotonic() - self.started
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.url} never reached {expected}")

    def status(self) -> dict[str, Any]:
        return httpx.get(self.url + "/status", timeout=5).json()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(20)
        self.log.close()


async def rate(url: str, n: int, make: Any, seconds: float | None = None) -> float:
    """Requests per second over ``n`` requests (or ``seconds``), CONCURRENCY clients."""
    counter = iter(range(10**9))
    deadline = time.monotonic() + seconds if seconds else None
    done = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done
        while True:
            i = next(counter)
            if (deadline is None and i >= n) or (deadline is not None and time.monotonic() > deadline):
                return
            method, path, body = make(i)
            r = await client.request(method, url + path, json=body, headers={"Content-Type": V1})
            if r.status_code != 200:
                raise RuntimeError(f"{path}: {r.status_code} {r.text}")
            done += 1

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=CONCURRENCY)) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
        return done / (time.monotonic() - started)


def register_and_lookup(server: Charter, label: str, n: int) -> dict[str, float]:
    reg = asyncio.run(rate(server.url, n, lambda i: ("POST", f"/subjects/{label}-{i}/versions", {"schema": schema(i)})))
    look = asyncio.run(rate(server.url, 0, lambda i: ("POST", f"/subjects/{label}-{i % n}", {"schema": schema(i % n)}),
                            seconds=4))
    return {"register_per_s": round(reg, 1), "lookup_per_s": round(look, 1)}


def fill_topic(bootstrap: str, topic: str, count: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1, config={"cleanup.policy": "compact"})])[topic].result(10)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 20, "enable.idempotence": True})
    for i in range(count):
        subject = f"replay-{i // 10}"
        version = i % 10 + 1
        key = json.dumps({"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1},
                         separators=(",", ":")).encode()
        value = json.dumps({"subject": subject, "version": version, "id": i + 1, "schema": schema(i),
                            "deleted": False}, separators=(",", ":")).encode()
        while True:
            try:
                producer.produce(topic, key=key, value=value, partition=0)
                break
            except BufferError:
                producer.poll(0.1)
    producer.flush(60)


def charter_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "charter.cli.main", *args], check=True, capture_output=True, timeout=600)


def first_write(url: str, deadline: float) -> None:
    """Register until the first 200 (the server may still be starting or electing)."""
    while time.monotonic() < deadline:
        try:
            r = httpx.post(f"{url}/subjects/failover/versions", json={"schema": schema(10**6)},
                           headers={"Content-Type": V1}, timeout=30)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"no acknowledged write on {url} before the deadline")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="charter-kafka-bench-"))
    broker = KafkaBroker(tmp / "kafka", heap="1g", quick_jit=False).start()
    bootstrap = broker.bootstrap
    results: dict[str, Any] = {"broker": f"Apache Kafka {kafka_version()} (KRaft, one node)"}
    servers: list[Charter] = []
    try:
        n = 500
        embedded = Charter(tmp)
        servers.append(embedded)
        embedded.wait(ready=True)
        results["embedded"] = register_and_lookup(embedded, "e", n)
        embedded.stop()
        kafka_args = ("--kafka-bootstrap", bootstrap, "--kafka-topic", "bench", "--group-id", "bench",
                      "--kafka-session-timeout-ms", str(SESSION_MS))
        single = Charter(tmp, *kafka_args)
        servers.append(single)
        single.wait(ready=True, role="primary")
        results["kafka"] = register_and_lookup(single, "k", n)
        single.stop()
        results["ratio_kafka_to_embedded"] = {
            k: round(results["kafka"][k] / results["embedded"][k], 3) for k in results["kafka"]}

        fill_topic(bootstrap, "replay100k", 100_000)
        replay = Charter(tmp, "--kafka-bootstrap", bootstrap, "--kafka-topic", "replay100k", "--group-id", "r")
        servers.append(replay)
        results["replay_100k_ready_s"] = round(replay.wait(ready=True), 2)
        results["replay_100k_subjects"] = replay.status()["subjects"]
        replay.stop()

        # The same 100,000 records on the embedded log (copied with charter backup / restore), its
        # start-up replay, then SIGKILL and a restart on the same directory until the first write.
        dump, data = tmp / "replay100k.backup", tmp / "embedded100k"
        charter_cli("backup", "--kafka-bootstrap", bootstrap, "--kafka-topic", "replay100k", "--out", str(dump))
        charter_cli("restore", str(dump), "--data-dir", str(data))
        on_file = Charter(tmp, "--data-dir", str(data))
        servers.append(on_file)
        results["embedded_replay_100k_ready_s"] = round(on_file.wait(ready=True), 2)
        killed = time.monotonic()
        on_file.proc.kill()
        restarted = Charter(tmp, "--data-dir", str(data))
        servers.append(restarted)
        first_write(restarted.url, killed + 60)
        results["embedded_kill_to_write_s"] = round(time.monotonic() - killed, 2)
        restarted.stop()

        a, b = Charter(tmp, *kafka_args), Charter(tmp, *kafka_args)
        servers += [a, b]
        a.wait(ready=True)
        b.wait(ready=True)
        # Both in the group, one primary and the other following it (the smaller URL wins once both
        # have joined, so a primary seen before the second joined may still hand over).
        deadline = time.monotonic() + 60
        while True:
            sa, sb = a.status(), b.status()
            roles = {sa["role"], sb["role"]}
            if roles == {"primary", "follower"} and sa["primary_url"] == sb["primary_url"]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no stable primary/follower pair: {sa} {sb}")
            time.sleep(0.05)
        primary, survivor = (a, b) if sa["role"] == "primary" else (b, a)
        killed = time.monotonic()
        primary.proc.kill()
        first_write(survivor.url, killed + SESSION_MS / 1000 + 60)
        now = time.monotonic()
        results["failover_kill_to_write_s"] = round(now - killed, 2)
        results["failover_beyond_session_timeout_s"] = round(now - killed - SESSION_MS / 1000, 2)
        results["session_timeout_s"] = SESSION_MS / 1000
    except BaseException:
        print(f"partial results: {json.dumps(results)}", file=sys.stderr)
        raise
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as exc:  # keep cleaning up
                print(f"stopping {server.url}: {exc}", file=sys.stderr)
        broker.stop()
    print(json.dumps(results, indent=2))
    out = Path(__file__).resolve().parent / "results" / "kafka-latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
