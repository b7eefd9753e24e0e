"""The state snapshot (registry/store/snapshot.py): a clean stop writes DATA_DIR/state.snapshot and
the next start loads it, then replays only the records after it. Every test drives real
``charter serve`` processes over HTTP and compares everything the API says before and after:

- after a clean stop the registry answers exactly as before (texts byte for byte, deleted
  versions, references, contexts, configs, modes, GUIDs, lookups), and new ids continue after
  the old ones;
- records appended after the snapshot (then a SIGKILL: no new snapshot) are replayed on top;
- a log that no longer begins with the snapshot's records (replaced, as by a restore into a fresh
  file or a repair), a damaged snapshot, another version's snapshot, and a snapshot whose pickle
  names a function (it would run code) are each ignored with a log line: the whole log is
  replayed and nothing runs;
- a pool of two workers saves from its writer, and both workers load it;
- and, in process, the state loaded from the snapshot equals the one a replay builds, field by
  field (contents shared between versions, indexes, texts, schema types, settings).
"""

from __future__ import annotations

import json
import pickle
import shutil
import signal
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.process import V1, RegistryProcess
from support.texts import populate

from charter.registry.store.state import RegistryState
from charter.registry.store.state_writer import read_state

pytestmark = pytest.mark.timeout(180)

SNAPSHOT = "state.snapshot"
RESTORED = "state restored from snapshot"
NOT_USED = "not used (replaying the whole log)"
CTX_SUBJECT = ":.snapctx:orders"
AVRO = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def fill(url: str) -> None:
    """Texts of every kind (support.texts), a context, configs, modes and contract metadata."""
    populate(url, "snap")
    with httpx.Client(base_url=url, headers={"Content-Type": V1}, timeout=60) as client:
        _post(client, f"/subjects/{CTX_SUBJECT}/versions", {"schema": json.dumps(AVRO)})
        _post(client, "/subjects/snap-meta/versions", {
            "schema": json.dumps({**AVRO, "name": "Meta"}),
            "metadata": {"properties": {"owner": "team-a"}},
            "ruleSet": {"domainRules": [
                {"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}]},
        })
        assert client.put("/config/snap-meta", json={"compatibility": "FULL"}).status_code == 200
        assert client.put("/config", json={"compatibility": "FORWARD"}).status_code == 200
        assert client.put("/mode/snap-big", json={"mode": "READONLY"}).status_code == 200


def dump(url: str) -> dict[str, Any]:
    """Everything the API answers about every subject, version, id and setting (raw bytes for texts)."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        def get(path: str, **params: str) -> Any:
            response = client.get(path, params=params)
            out[f"{path} {params}"] = (response.status_code, response.content)
            return response.json() if response.status_code == 200 and not path.endswith("/schema") else None

        get("/contexts")
        get("/config")
        get("/mode")
        get("/schemas", deleted="true")
        for subject in get("/subjects", deleted="true", subjectPrefix=":*:") or []:
            get(f"/config/{subject}")
            get(f"/mode/{subject}")
            for version in get(f"/subjects/{subject}/versions", deleted="true") or []:
                sv = get(f"/subjects/{subject}/versions/{version}", deleted="true")
                get(f"/subjects/{subject}/versions/{version}/schema", deleted="true")
                get(f"/subjects/{subject}/versions/{version}/referencedby")
                get(f"/schemas/ids/{sv['id']}", subject=subject)
                get(f"/schemas/ids/{sv['id']}/versions", deleted="true")
                if sv.get("guid"):
                    get(f"/schemas/guids/{sv['guid']}")
                # a lookup by content finds the same id (the fingerprint index)
                body = {k: sv[k] for k in ("schema", "schemaType", "references", "metadata", "ruleSet") if k in sv}
                lookup = client.post(f"/subjects/{subject}", json=body, params={"deleted": "true"},
                                     headers={"Content-Type": V1})
                out[f"lookup {subject} {version}"] = (lookup.status_code, lookup.content)
    return out


def start(data: Path, *extra: str) -> RegistryProcess:
    return RegistryProcess(data, extra=["--workers", "1", *extra]).start(timeout=60)


def _stopped_with_snapshot(tmp_path: Path) -> tuple[Path, dict[str, Any], RegistryProcess]:
    """A registry filled (:func:`fill`), dumped and stopped cleanly: its data dir holds a snapshot."""
    data = tmp_path / "data"
    server = start(data)
    try:
        fill(server.url)
        before = dump(server.url)
    finally:
        assert server.stop() == 0
    assert (data / SNAPSHOT).stat().st_size > 0
    return data, before, server


def test_a_clean_stop_saves_the_state_and_the_next_start_answers_the_same(tmp_path: Path) -> None:
    data, before, server = _stopped_with_snapshot(tmp_path)
    assert "state snapshot written" in server.read_log()
    assert f"/subjects/{CTX_SUBJECT}/versions/1 {{'deleted': 'true'}}" in before  # the dump reaches contexts
    assert sum(key.startswith("lookup ") and status == 200 for key, (status, _) in before.items()) >= 8
    server = start(data)
    try:
        assert RESTORED in server.read_log()
        assert dump(server.url) == before
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as client:
            ids = [s["id"] for s in client.get("/schemas", params={"deleted": "true"}).json()]
            fresh = _post(client, "/subjects/snap-after/versions", {"schema": json.dumps({**AVRO, "name": "After"})})
            assert fresh["id"] == max(ids) + 1  # the id counter came back with the state
            address = client.get("/subjects/snap-addr/versions/1").json()
            copy = _post(client, "/subjects/snap-copy/versions", {"schema": address["schema"]})
            assert copy["id"] == address["id"]  # an existing content keeps its id (the fingerprint index)
    finally:
        server.stop()


def test_records_after_the_snapshot_are_replayed_on_top_of_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start(data)
    try:
        fill(server.url)
    finally:
        server.stop()
    server = start(data)
    try:
        assert RESTORED in server.read_log()
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as client:
            for i in range(5):
                _post(client, f"/subjects/snap-late-{i}/versions", {"schema": json.dumps({**AVRO, "name": f"Late{i}"})})
            assert client.delete("/subjects/snap-proto/versions/1").status_code == 200
            assert client.put("/config/snap-late-0", json={"compatibility": "NONE"}).status_code == 200
        before = dump(server.url)
    finally:
        server.kill()  # no snapshot of these: they must come from the log
    server = start(data)
    try:
        assert RESTORED in server.read_log()  # the first stop's snapshot again, and the log after it
        assert dump(server.url) == before
    finally:
        server.stop()


def _restarted_by_replay(data: Path, reason: str) -> dict[str, Any]:
    server = start(data)
    try:
        log = server.read_log()
        assert NOT_USED in log and reason in log, log[-2000:]
        assert RESTORED not in log
        return dump(server.url)
    finally:
        server.stop()


def _rewrite(path: Path, edit: Any) -> None:
    """Rewrite the snapshot's header (JSON at the position its second 8 bytes name) with ``edit``."""
    raw = path.read_bytes()
    at = struct.unpack_from(">Q", raw, 8)[0]
    header = json.loads(raw[at:])
    body = edit(header, raw[:at])
    body = body[:8] + struct.pack(">Q", len(body)) + body[16:]  # where the header now starts
    path.write_bytes(body + json.dumps(header).encode())


def test_a_log_that_no_longer_begins_with_the_snapshot_is_replayed_whole(tmp_path: Path) -> None:
    data, before, _ = _stopped_with_snapshot(tmp_path)
    other = tmp_path / "other"  # another registry's log put in its place: same size class, other records
    server = start(other)
    try:
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as client:
            _post(client, "/subjects/other/versions", {"schema": json.dumps(AVRO)})
        expected = dump(server.url)
    finally:
        server.kill()
    shutil.copyfile(other / "schemas.log", data / "schemas.log")
    assert _restarted_by_replay(data, "the log no longer begins with the records it holds") == expected
    assert expected != before


def test_a_damaged_snapshot_is_ignored(tmp_path: Path) -> None:
    data, before, _ = _stopped_with_snapshot(tmp_path)

    def flip(header: dict[str, Any], body: bytes) -> bytes:
        start, length, _ = header["state"]
        middle = start + length // 2
        return body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]

    _rewrite(data / SNAPSHOT, flip)
    assert _restarted_by_replay(data, "does not match its checksum") == before


def test_another_versions_snapshot_is_ignored(tmp_path: Path) -> None:
    data, before, _ = _stopped_with_snapshot(tmp_path)

    def other_code(header: dict[str, Any], body: bytes) -> bytes:
        header["code"] = "0" * 64
        return body

    _rewrite(data / SNAPSHOT, other_code)
    assert _restarted_by_replay(data, "written by another version of Charter") == before


def test_a_snapshot_that_would_run_code_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    data, before, _ = _stopped_with_snapshot(tmp_path)
    marker = tmp_path / "ran"
    class Exploit:
        def __reduce__(self) -> tuple[Any, ...]:
            return (Path.touch, (marker,))

    payload = pickle.dumps(Exploit(), protocol=pickle.HIGHEST_PROTOCOL)

    def evil(header: dict[str, Any], body: bytes) -> bytes:
        start = header["state"][0]
        header["state"] = [start, len(payload), zlib.crc32(payload)]  # a valid checksum: only the unpickler stops it
        return body[:start] + payload

    _rewrite(data / SNAPSHOT, evil)
    assert _restarted_by_replay(data, "a snapshot holds plain data only") == before
    assert not marker.exists()


def test_a_pool_saves_from_its_writer_and_every_worker_loads_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = RegistryProcess(data, extra=["--workers", "2"]).start(timeout=60)
    try:
        fill(server.url)
        before = dump(server.url)
    finally:
        assert server.stop(signal.SIGTERM) == 0
    assert server.read_log().count("state snapshot written") == 1  # the writer only
    server = RegistryProcess(data, extra=["--workers", "2"]).start(timeout=60)
    try:
        assert dump(server.url) == before
    finally:
        server.stop()
    assert server.read_log().count(RESTORED) == 2  # both workers of the second pool


def describe(state: RegistryState) -> dict[str, Any]:
    """Everything ``state`` holds, as plain values (a content's type as its class and value)."""
    out: dict[str, Any] = {name: getattr(state, name) for name in state.__dataclass_fields__
                           if name not in ("id_spaces", "subjects")}
    for context, space in state.id_spaces.items():
        contents = {c.id: (type(c.schema_type).__name__, str(c.schema_type), c.text, c.references, c.metadata,
                           c.rule_set, c.foreign_md5, c.fingerprint, c.users, c.context)
                    for c in space.schemas_by_id.values()}
        out[f"space {context}"] = (space.max_id, dict(space.ids_by_fingerprint), dict(space.ids_by_md5), contents)
    for subject, versions in state.subjects.items():
        out[f"subject {subject}"] = [(sv.version, sv.deleted, sv.timestamp_ms, sv.schema.context, sv.schema.id,
                                      sv.schema is state.id_spaces[sv.schema.context].schemas_by_id[sv.schema.id])
                                     for sv in versions.values()]
    return out


def test_the_restored_state_equals_the_replayed_one_field_by_field(tmp_path: Path) -> None:
    data, _, _ = _stopped_with_snapshot(tmp_path)
    restored = read_state(data)
    (data / SNAPSHOT).rename(tmp_path / "kept")
    replayed = read_state(data)
    assert restored.restored is not None and replayed.restored is None
    assert describe(restored.state) == describe(replayed.state)
    assert any(len(versions) > 1 for versions in restored.state.subjects.values())
