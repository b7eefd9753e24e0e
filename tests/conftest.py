"""Shared fixtures: a real Charter server process, started on a free port with its own data dir.

Servers are single processes (``CHARTER_WORKERS=1``) unless a test asks for a pool, except
``registry``: one server for the whole session (tests use unique subject names), run as a pool of
two workers (``--workers 2``), so every test on it also checks that the API's guarantees hold when
requests land on different processes (writes forwarded to the writer, reads after writes);
``fresh_registry`` is a new server per test, for tests that change global config or mode or
that stop and restart the process.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.process import V1, RegistryProcess, free_port  # noqa: F401 - re-exported for fixtures

os.environ.setdefault("CHARTER_WORKERS", "1")  # inherited by every server the tests start


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    server = RegistryProcess(tmp_path_factory.mktemp("registry") / "data", extra=["--workers", "2"]).start()
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
    """A real Apache Kafka broker (tests/support/kafka_broker.py, KRaft, one node) for the whole session,
    started only when a Kafka test asks for it and stopped at the end. Its log is kept in the
    session's temporary folder and shown in the report of a Kafka test that fails."""
    from support.kafka_broker import KafkaBroker

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
