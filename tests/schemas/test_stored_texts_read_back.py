"""Schema texts are kept in a spill file outside the heap (registry/store/texts.py): what the API
sends is byte-identical to what it sent before a restart, for non-ASCII, short, Protobuf, large and
referencing schemas and for soft- and hard-deleted versions: texts read back from the state
snapshot the clean stop wrote (registry/store/snapshot.py: they stay in its file), and, with the
snapshot removed, from the embedded log by replay (then written to a new spill file). The Kafka
backend's twin is in tests/kafka."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from support.process import RegistryProcess
from support.texts import PROTO, UNICODE, large_schema, populate, snapshot


@pytest.mark.parametrize("from_snapshot", [True, False], ids=["snapshot", "replay"])
def test_texts_read_back_byte_identical_after_a_restart(tmp_path: Path, from_snapshot: bool) -> None:
    server = RegistryProcess(tmp_path / "data").start()
    try:
        versions = populate(server.url, "txt")
        before = snapshot(server.url, versions)
    finally:
        server.stop()
    assert json.loads(before["txt-uni/1"]["schema"]) == json.loads(UNICODE)
    assert before["txt-proto/1"]["schema"].startswith('syntax = "proto3"') and "☃" in PROTO
    assert json.loads(before["txt-big/1"]["schema"]) == json.loads(large_schema())
    assert before["txt-person/1"]["references"] == [{"name": "t.Address", "subject": "txt-addr", "version": 1}]
    assert before["txt-uni/2"]["deleted"] is True
    if not from_snapshot:
        (tmp_path / "data" / "state.snapshot").unlink()
    server = RegistryProcess(tmp_path / "data").start()
    try:
        assert ("state restored from snapshot" in server.read_log()) is from_snapshot
        assert snapshot(server.url, versions) == before
        gone = httpx.get(f"{server.url}/subjects/txt-short/versions/2", params={"deleted": "true"}, timeout=10)
        assert gone.status_code == 404  # hard-deleted before the restart: not read back
        # a new registration after the restart stores its text too, next to the replayed ones
        again = httpx.post(f"{server.url}/subjects/txt-new/versions", json={"schema": UNICODE.replace("Uni", "New")},
                           headers={"Content-Type": "application/vnd.schemaregistry.v1+json"}, timeout=30)
        assert again.status_code == 200
        text = httpx.get(f"{server.url}/schemas/ids/{again.json()['id']}", timeout=10).json()["schema"]
        assert json.loads(text) == json.loads(UNICODE.replace("Uni", "New"))
    finally:
        server.stop()
