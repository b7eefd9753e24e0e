"""Shared fixtures: a real Charter server process, started on a free port with its own data dir.

``registry`` is one server for the whole session (tests use unique subject names);
``fresh_registry`` is a new server per test, for tests that change global config or mode or
that stop and restart the process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

V1 = "application/vnd.schemaregistry.v1+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RegistryProcess:
    """A `charter serve` child process on 127.0.0.1."""

    def __init__(self, data_dir: Path, port: int | None = None, extra: list[str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.extra = extra or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}-{self.port}.log"
        self.verify: Any = True  # how the readiness probe checks TLS (an SSLContext for HTTPS servers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> RegistryProcess:
        cmd = [
            sys.executable, "-m", "charter.cli.main", "serve",
            "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra,
        ]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process lifetime
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"charter exited with {self.proc.returncode}: {self.read_log()}")
            try:
                if httpx.get(self.url + "/", verify=self.verify, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()  # do not leave it running
        raise RuntimeError(f"charter did not start in {timeout}s: {self.read_log()}")

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    server = RegistryProcess(tmp_path_factory.mktemp("registry") / "data").start()
    yield server
    server.stop()


@pytest.fixture
def fresh_registry(tmp_path: Path) -> Iterator[RegistryProcess]:
    server = RegistryProcess(tmp_path / "data").start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.stop()


@pytest.fixture
def http(registry: RegistryProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}, timeout=30) as client:
        yield client


@pytest.fixture
def fhttp(fresh_registry: RegistryProcess) -> Iterator[httpx.Client]:
    """A client of a registry of its own (empty at the start of the test)."""
    with httpx.Client(base_url=fresh_registry.url, headers={"Content-Type": V1}, timeout=30) as client:
        yield client


@pytest.fixture
def subject() -> str:
    """A subject name no other test uses."""
    return f"test-{uuid.uuid4().hex[:12]}-value"


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Apache Kafka broker (tests/kafka_broker.py, KRaft, one node) for the whole session,
    started only when a Kafka test asks for it and stopped at the end. Its log is kept in the
    session's temporary folder and shown in the report of a Kafka test that fails."""
    from kafka_broker import KafkaBroker

    broker = KafkaBroker(tmp_path_factory.mktemp("kafka")).start()
    yield broker
    broker.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test that used the Kafka broker gets the broker log's path and tail in its report."""
    report = yield
    broker = getattr(item, "funcargs", {}).get("kafka_broker")
    if report.failed and broker is not None:
        state = "running" if broker.alive() else "NOT RUNNING"
        report.sections.append((f"kafka broker log ({state}) {broker.log_path}", broker.log_tail(6000)))
    return report


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
