"""Requests built to freeze or crash the server through parsing (issue 17, items 8 and 10): each is
answered quickly with a 4xx, and other requests keep being served while it runs.

- Inputs that make a backtracking parser or regex slow: Avro comment stripping, the Protobuf base64
  check, a JSON Schema ``patternProperties`` pattern with catastrophic backtracking.
- Schemas nested deeply enough to exhaust Python's recursion in some later operation.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from support.process import V1, RegistryProcess

FAST_S = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    process = RegistryProcess(tmp_path_factory.mktemp("hostile") / "data",
                              extra=["--max-schema-bytes", "100000"]).start()
    yield process
    process.stop()


def _while_serving(server: RegistryProcess, slow: Callable[[], httpx.Response]) -> tuple[httpx.Response, float, float]:
    """Run ``slow`` and, meanwhile, time a cheap read: returns (response, its seconds, the read's worst)."""
    worst = [0.0]
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while not done.is_set():
                start = time.perf_counter()
                c.get("/subjects")
                worst[0] = max(worst[0], time.perf_counter() - start)
                time.sleep(0.05)

    thread = threading.Thread(target=probe)
    thread.start()
    start = time.perf_counter()
    try:
        response = slow()
    finally:
        elapsed = time.perf_counter() - start
        done.set()
        thread.join()
    return response, elapsed, worst[0]


HOSTILE = {
    "avro-comments": {"schema": "/* " * 16000},
    "protobuf-base64": {"schemaType": "PROTOBUF", "schema": "a" + " " * 40000 + "!"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_slow_to_parse_inputs_are_answered_fast(server: RegistryProcess, name: str) -> None:
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as http:
        assert http.post("/subjects/hostile-value/versions", json={"schema": '"int"'}).status_code == 200
        r, elapsed, worst = _while_serving(server, lambda: http.post("/subjects/hostile-value", json=HOSTILE[name]))
    assert 400 <= r.status_code < 500, r.text[:300]
    assert elapsed < FAST_S and worst < FAST_S, (name, elapsed, worst)


def test_a_catastrophic_pattern_does_not_freeze_the_check(server: RegistryProcess) -> None:
    old = {"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}}, "additionalProperties": False}
    new = {"type": "object", "properties": {"a" * 27 + "!": {"type": "integer"}}, "additionalProperties": False}
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=120) as http:
        r = http.post("/subjects/pattern-value/versions", json={"schemaType": "JSON", "schema": json.dumps(old)})
        assert r.status_code == 200, r.text
        r, elapsed, worst = _while_serving(server, lambda: http.post(
            "/compatibility/subjects/pattern-value/versions/latest",
            json={"schemaType": "JSON", "schema": json.dumps(new)}))
    assert r.status_code in (200, 422), r.text[:300]
    assert elapsed < FAST_S and worst < FAST_S, (elapsed, worst)


def _deep_avro(depth: int) -> str:
    schema: dict = {"type": "record", "name": "L0", "fields": [{"name": "v", "type": "int"}]}
    for level in range(1, depth):
        schema = {"type": "record", "name": f"L{level}", "fields": [{"name": "inner", "type": schema}]}
    return json.dumps(schema)


def test_deep_schemas_get_a_4xx_never_a_500(server: RegistryProcess) -> None:
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as http:
        r = http.post("/subjects/deep-value/versions", json={"schema": _deep_avro(200)})
        assert r.status_code in (200, 422), r.text[:300]
        if r.status_code == 200:
            for answer in (
                http.post("/subjects/deep-value/versions/1/tags",
                          json={"tagsToAdd": [{"entityType": "SR_RECORD", "entityPath": "L199", "tags": ["PII"]}]}),
                http.get("/subjects/deep-value/versions/1", params={"format": "resolved"}),
                http.post("/compatibility/subjects/deep-value/versions/latest", json={"schema": _deep_avro(201)}),
            ):
                assert answer.status_code < 500, answer.text[:300]


