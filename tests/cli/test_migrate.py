"""``charter migrate``: Charter -> Charter over the REST API, with two real server processes.

A registry of a few thousand schemas (references, soft-deletes, a second context, a schema shared
by two subjects, configs, a mode, an alias, metadata and rule sets) is copied with the same ids
and verified; a re-run writes nothing; a target holding other schemas under the same ids is
refused before any write; ``--subjects`` takes the references along; ``--follow`` copies new
registrations and deletes until SIGTERM and restores the target's mode.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.migrate import add_settings, build_source
from support.process import V1, RegistryProcess

from charter.cli.main import build_parser
from charter.cli.migrate import side_client
from charter.cli.migrate_read import Scope, Snapshot, read_by_subject, read_versions


def migrate(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "charter.cli.main", "migrate", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def client(server: RegistryProcess) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=30)


def register(http: httpx.Client, subject: str, schema: dict, refs: list | None = None) -> int:
    body: dict = {"schema": json.dumps(schema)}
    if refs:
        body["references"] = refs
    answer = http.post(f"/subjects/{subject}/versions", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def record(name: str, *fields: str) -> dict:
    return {"type": "record", "name": name, "fields": [{"name": f, "type": "string"} for f in fields]}


@pytest.fixture
def target(tmp_path: Path) -> Iterator[RegistryProcess]:
    server = RegistryProcess(tmp_path / "target").start()
    yield server
    server.stop()


@pytest.mark.timeout(240)
def test_thousands_of_schemas_with_references_deletes_and_contexts(tmp_path: Path,
                                                                   target: RegistryProcess) -> None:
    ds = build_source(tmp_path / "source", bases=100, events=600, versions=4, staging=200)
    assert ds.versions > 2500
    source = RegistryProcess(tmp_path / "source").start()
    try:
        add_settings(source.url)
        with client(target) as dst:  # a first run killed in the middle of the copy
            cmd = [sys.executable, "-m", "charter.cli.main", "migrate", "--from", source.url, "--to", target.url]
            crashed = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: len(dst.get("/subjects").json()) > 100, timeout=60)
            crashed.kill()
            crashed.wait()
            assert dst.get("/mode").json() == {"mode": "IMPORT"}
            copied = len(dst.get("/schemas", params={"deleted": "true", "subjectPrefix": ":*:"}).json())
        done = migrate("--from", source.url, "--to", target.url, "--verify")
        assert done.returncode == 0, done.stdout + done.stderr
        found = re.search(r"(\d+) version\(s\) registered .* (\d+) already there", done.stdout)
        assert found, done.stdout
        registered, already = int(found.group(1)), int(found.group(2))
        assert registered + already == ds.versions + 1 and already >= copied > 0  # (requests in flight may land)
        assert "0 with differences" in done.stdout
        with client(source) as src, client(target) as dst:
            for path in ("/schemas?deleted=true&subjectPrefix=:*:", "/contexts", "/config", "/config/orders",
                         "/config/:.staging:", "/mode/common-1", "/subjects/contract/versions/1",
                         "/subjects?deletedOnly=true", "/subjects/:.staging:event-3/versions/2",
                         "/schemas/ids/11/versions"):
                assert no_ts(src.get(path).json()) == no_ts(dst.get(path).json()), path
            assert dst.get("/mode").json() == {"mode": "READWRITE"}  # IMPORT was restored
            assert dst.get("/subjects/orders/versions/latest").json()["subject"] == "event-2"  # the alias
        again = migrate("--from", source.url, "--to", target.url)
        assert again.returncode == 0, again.stderr
        assert "0 version(s) registered" in again.stdout and f"{ds.versions + 1} already there" in again.stdout
    finally:
        source.stop()


@pytest.mark.timeout(180)
def test_sigterm_stops_the_copy_restores_the_mode_and_a_rerun_finishes(tmp_path: Path,
                                                                      target: RegistryProcess) -> None:
    ds = build_source(tmp_path / "source", bases=20, events=600, versions=3)
    source = RegistryProcess(tmp_path / "source").start()
    try:
        with client(target) as dst:
            cmd = [sys.executable, "-m", "charter.cli.main", "migrate", "--from", source.url, "--to", target.url]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wait_for(lambda: len(dst.get("/subjects").json()) > 50, timeout=60)
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=60)
            assert proc.returncode == 130, err
            assert "interrupted (SIGTERM)" in err and "Run the same command again" in err
            assert dst.get("/mode").json() == {"mode": "READWRITE"}
            assert len(dst.get("/schemas", params={"deleted": "true"}).json()) < ds.versions
        rest = migrate("--from", source.url, "--to", target.url, "--verify")
        assert rest.returncode == 0, rest.stdout + rest.stderr
        assert "0 with differences" in rest.stdout
    finally:
        source.stop()


@pytest.mark.timeout(120)
def test_conflicting_target_is_refused_before_any_write(fresh_registry: RegistryProcess,
                                                        target: RegistryProcess) -> None:
    with client(fresh_registry) as src, client(target) as dst:
        register(src, "a", record("A", "x"))
        register(src, "b", record("B", "y"))
        register(dst, "other", record("Other", "z"))  # id 1 on the target: another schema
        plan = migrate("--from", fresh_registry.url, "--to", target.url, "--dry-run")
        assert plan.returncode == 1
        assert "1 version(s) to register" in plan.stdout and "1 conflict(s)" in plan.stdout
        assert "CONFLICT id 1 (context .)" in plan.stdout and "'other' version 1" in plan.stdout
        refused = migrate("--from", fresh_registry.url, "--to", target.url)
        assert refused.returncode == 1
        assert "nothing was written" in refused.stdout and "subject 'a' version 1" in refused.stdout
        assert dst.get("/subjects").json() == ["other"]
        assert dst.get("/mode").json() == {"mode": "READWRITE"}
        dst.delete("/subjects/other").raise_for_status()
        dst.delete("/subjects/other", params={"permanent": "true"}).raise_for_status()
        register(dst, "a", record("Different", "q"))  # version 1 of 'a' is another schema
        refused = migrate("--from", fresh_registry.url, "--to", target.url)
        assert refused.returncode == 1
        assert "subject 'a' version 1: the target holds a different schema" in refused.stdout


@pytest.mark.timeout(120)
def test_partial_run_then_the_rest_and_references_come_along(fresh_registry: RegistryProcess,
                                                             target: RegistryProcess) -> None:
    with client(fresh_registry) as src, client(target) as dst:
        base = register(src, "base", record("Base", "x"))
        register(src, "filler", record("Filler", "f"))
        ref = [{"name": "Base", "subject": "base", "version": 1}]
        user = register(src, "user", {"type": "record", "name": "User", "fields": [{"name": "b", "type": "Base"}]},
                        ref)
        register(src, ":.ctx:c", record("C", "c"))
        first = migrate("--from", fresh_registry.url, "--to", target.url, "--subjects", "user")
        assert first.returncode == 0, first.stderr
        assert sorted(dst.get("/subjects").json()) == ["base", "user"]
        assert dst.get("/subjects/user/versions/1").json()["id"] == user
        assert dst.get("/subjects/base/versions/1").json()["id"] == base
        ctx = migrate("--from", fresh_registry.url, "--to", target.url, "--context", ".ctx")
        assert ctx.returncode == 0, ctx.stderr
        assert dst.get("/subjects", params={"subjectPrefix": ":*:"}).json() == [":.ctx:c", "base", "user"]
        rest = migrate("--from", fresh_registry.url, "--to", target.url, "--verify")
        assert rest.returncode == 0, rest.stdout + rest.stderr
        assert "1 version(s) registered" in rest.stdout and "3 already there" in rest.stdout


@pytest.mark.timeout(120)
def test_subject_mode_refusing_the_import_is_switched_and_restored(fresh_registry: RegistryProcess,
                                                                   target: RegistryProcess) -> None:
    with client(fresh_registry) as src, client(target) as dst:
        register(src, "a", record("A", "x"))
        register(src, "a", {"type": "record", "name": "A", "fields": [{"name": "x", "type": "string"},
                            {"name": "y", "type": "string", "default": ""}]})
        dst.put("/mode/a", json={"mode": "READWRITE"}).raise_for_status()  # its own mode: not IMPORT
        done = migrate("--from", fresh_registry.url, "--to", target.url)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "2 version(s) registered" in done.stdout
        assert dst.get("/mode/a").json() == {"mode": "READWRITE"}
        assert dst.get("/mode").json() == {"mode": "READWRITE"}
        checked = migrate("--from", fresh_registry.url, "--to", target.url, "--verify")
        assert checked.returncode == 1  # the target's own mode for 'a' stays, and verify says so
        assert "mode of a: None on the source, READWRITE on the target" in checked.stdout


@pytest.mark.timeout(120)
def test_verify_reports_what_differs(fresh_registry: RegistryProcess, target: RegistryProcess) -> None:
    with client(fresh_registry) as src, client(target) as dst:
        register(src, "a", record("A", "x"))
        assert migrate("--from", fresh_registry.url, "--to", target.url).returncode == 0
        dst.put("/config/a", json={"compatibility": "NONE"}).raise_for_status()
        register(dst, "a", record("Other", "z"))  # a version only the target has
        checked = migrate("--from", fresh_registry.url, "--to", target.url, "--verify")
        assert checked.returncode == 1, checked.stdout + checked.stderr
        assert "DIFF  a\n      version 2 (id 2) is only on the target" in checked.stdout
        assert "config of a: {} on the source, {'compatibility': 'NONE'} on the target" in checked.stdout
        assert checked.stdout.splitlines()[-1].endswith("1 with differences; 1 setting difference(s)")


@pytest.mark.timeout(60)
def test_subject_by_subject_reading_matches_the_listing(fresh_registry: RegistryProcess) -> None:
    """The reading used for a registry without the ``GET /schemas`` listing finds the same versions."""
    with client(fresh_registry) as src:
        src.put("/config", json={"compatibility": "NONE"}).raise_for_status()
        register(src, "a", record("A", "x"))
        register(src, "a", record("A2", "y"))
        register(src, "b", record("A", "x"))
        register(src, ":.ctx:c", record("C", "c"))
        src.delete("/subjects/a/versions/1").raise_for_status()
        src.delete("/subjects/b").raise_for_status()
    api = side_client(build_parser().parse_args(["migrate", "--from", fresh_registry.url, "--to", "http://x"]),
                      "from")
    listed = read_versions(api, Scope())
    by_subject = read_by_subject(api, Scope(), Snapshot())
    assert len(listed.versions) == 4
    assert listed.versions == by_subject.versions
    assert [k for k, v in listed.versions.items() if v.deleted] == [("a", 1), ("b", 1)]


@pytest.mark.timeout(120)
def test_follow_copies_changes_until_sigterm(fresh_registry: RegistryProcess, target: RegistryProcess) -> None:
    with client(fresh_registry) as src, client(target) as dst:
        register(src, "first", record("First", "a"))
        cmd = [sys.executable, "-m", "charter.cli.main", "migrate", "--from", fresh_registry.url,
               "--to", target.url, "--follow", "--interval", "0.2", "--resync", "1", "--settings-interval", "0.5"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: dst.get("/subjects").json() == ["first"])
            assert dst.get("/mode").json() == {"mode": "IMPORT"}
            started = time.monotonic()
            new_id = register(src, "second", record("Second", "b"))
            wait_for(lambda: dst.get("/subjects/second/versions/1").status_code == 200)
            lag = time.monotonic() - started
            assert dst.get("/subjects/second/versions/1").json()["id"] == new_id
            src.delete("/subjects/first/versions/1").raise_for_status()
            wait_for(lambda: dst.get("/subjects").json() == ["second"])
            src.put("/config/second", json={"compatibility": "NONE"}).raise_for_status()
            wait_for(lambda: dst.get("/config/second").status_code == 200)
        finally:
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "follow: stopped" in err
        assert dst.get("/mode").json() == {"mode": "READWRITE"}
        assert lag < 5, lag


def no_ts(body: object) -> object:
    """A registration's timestamp is the target's own (the API does not take one)."""
    if isinstance(body, list):
        return [no_ts(item) for item in body]
    return {k: v for k, v in body.items() if k != "ts"} if isinstance(body, dict) else body


def wait_for(check: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")
