"""Confluent's leader.eligibility=false: an instance that never becomes the primary, even with the
smallest URL, and forwards the writes it receives to the one that is."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from support.kafka import kafka_registry, record_schema, register, status, unique, wait_status


def test_an_ineligible_instance_with_the_smaller_url_stays_follower_and_forwards(tmp_path: Path,
                                                                                 kafka_broker: Any) -> None:
    topic, group = unique("elig"), unique("g")
    ineligible = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group, "--leader-eligibility", "false")
    eligible = kafka_registry(tmp_path, kafka_broker.bootstrap, topic, group)
    if eligible.url < ineligible.url:
        ineligible.port, eligible.port = eligible.port, ineligible.port  # the ineligible one sorts first
    ineligible.start()
    try:
        wait_status(ineligible, ready=True)
        deadline = time.monotonic() + 30
        while status(ineligible).get("generation") is None and time.monotonic() < deadline:
            time.sleep(0.1)  # until it has joined the group
        alone = status(ineligible)  # alone in the group, it still does not take the role
        assert alone["role"] == "follower" and alone["primary_url"] is None, alone
        eligible.start()
        wait_status(eligible, ready=True, role="primary")
        wait_status(ineligible, role="follower", primary_url=eligible.url)
        subject = unique("elig") + "-value"
        created = register(ineligible.url, subject, record_schema("Forwarded"))  # forwarded to the primary
        assert created.status_code == 200, created.text
        for server in (eligible, ineligible):
            got = httpx.get(f"{server.url}/subjects/{subject}/versions/1", timeout=10)
            assert got.status_code == 200 and got.json()["id"] == created.json()["id"]
        assert "leader.eligibility=false" in ineligible.read_log()
    finally:
        for server in (eligible, ineligible):
            if server.proc is not None and server.proc.poll() is None:
                server.stop()
