"""Expensive read-only checks must not starve writes (issue 17, item 9).

Several concurrent transitive compatibility checks of a large Avro record against many versions
run while an unrelated one-field schema is registered: the registration must not queue behind
them. One check whose cost is over the work budget is refused with a clear error.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from support.process import V1, RegistryProcess

FIELDS = 1000
VERSIONS = 50
CHECKS = 8


def record(extra: str) -> str:
    """A record of FIELDS nested records (about 200 kB of Avro), plus one optional field ``extra``."""
    nested = [{"name": "a", "type": "string"}, {"name": "b", "type": "long"},
              {"name": "c", "type": {"type": "map", "values": "string"}}]
    fields = [{"name": f"f{i}", "type": {"type": "record", "name": f"R{i}", "fields": nested}} for i in range(FIELDS)]
    fields.append({"name": extra, "type": ["null", "string"], "default": None})
    return json.dumps({"type": "record", "name": "Big", "fields": fields})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    # A parse cache smaller than the history (a large registry): every check parses the versions again.
    process = RegistryProcess(tmp_path_factory.mktemp("starve") / "data", extra=["--schema-cache-size", "10"]).start()
    with httpx.Client(base_url=process.url, headers={"Content-Type": V1}, timeout=60) as client:
        assert client.put("/config/big-value", json={"compatibility": "NONE"}).status_code == 200
        for v in range(VERSIONS):
            r = client.post("/subjects/big-value/versions", json={"schema": record(f"x{v}")})
            assert r.status_code == 200, r.text[:300]
        r = client.put("/config/big-value", json={"compatibility": "BACKWARD_TRANSITIVE"})
        assert r.status_code == 200
    yield process
    process.stop()


def _check_forever(url: str, stop: threading.Event, answers: list[int], n: int) -> None:
    with httpx.Client(base_url=url, headers={"Content-Type": V1}, timeout=120) as client:
        while not stop.is_set():
            body = {"schema": record(f"candidate{n}_{len(answers)}")}  # a new candidate: parsed each time
            answers.append(client.post("/compatibility/subjects/big-value/versions", json=body).status_code)


@pytest.mark.timeout(240)
def test_a_small_registration_does_not_wait_for_heavy_checks(server: RegistryProcess) -> None:
    stop = threading.Event()
    answers: list[int] = []
    threads = [threading.Thread(target=_check_forever, args=(server.url, stop, answers, n)) for n in range(CHECKS)]
    for t in threads:
        t.start()
    try:
        time.sleep(3)  # the checks are running
        took = []
        with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=120) as client:
            for n in range(3):
                schema = json.dumps({"type": "record", "name": "Small", "fields": [{"name": f"a{n}", "type": "int"}]})
                started = time.perf_counter()
                r = client.post(f"/subjects/small-{n}-value/versions", json={"schema": schema})
                took.append(time.perf_counter() - started)
                assert r.status_code == 200, r.text[:300]
                started = time.perf_counter()
                assert client.get("/subjects").status_code == 200
                took.append(time.perf_counter() - started)
        print("small registration / read latencies under load:", [round(t, 3) for t in took], "checks:", answers)
        assert max(took) < 2.0, f"a small registration or read took {max(took):.1f} s behind the checks: {took}"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert answers and all(code == 200 for code in answers), answers


@pytest.mark.timeout(60)
def test_a_check_over_its_budget_is_refused_clearly(tmp_path_factory: pytest.TempPathFactory) -> None:
    process = RegistryProcess(tmp_path_factory.mktemp("budget") / "data", extra=["--max-check-chars", "3000"]).start()
    try:
        with httpx.Client(base_url=process.url, headers={"Content-Type": V1}, timeout=30) as client:
            assert client.put("/config/s-value", json={"compatibility": "BACKWARD_TRANSITIVE"}).status_code == 200
            for n in range(10):  # each version ~500 characters: the budget runs out by the fourth or so
                fields = [{"name": f"f{i}", "type": "string", "default": ""} for i in range(n + 10)]
                schema = json.dumps({"type": "record", "name": "R", "fields": fields})
                r = client.post("/subjects/s-value/versions", json={"schema": schema})
                if r.status_code != 200:
                    break
            assert n >= 2, n
            assert r.status_code == 422 and r.json()["error_code"] == 42205, r.text
            assert "--max-check-chars" in r.json()["message"], r.text
            r = client.post("/compatibility/subjects/s-value/versions", json={"schema": schema})
            assert r.status_code == 422 and r.json()["error_code"] == 42205, r.text
            r = client.post("/compatibility/subjects/s-value/versions/latest", json={"schema": schema})
            assert r.status_code == 200 and r.json()["is_compatible"] is True, r.text
    finally:
        process.stop()
