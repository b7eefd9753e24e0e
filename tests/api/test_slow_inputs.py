"""Requests built to freeze or crash the server through parsing (issue 17, items 8 and 10): each is
answered quickly with a 4xx, and other requests keep being served while it runs.

- Inputs that make a backtracking parser or regex slow: Avro comment stripping, the Protobuf base64
  check, a JSON Schema ``patternProperties`` pattern with catastrophic backtracking.
- Schemas nested deeply enough to exhaust Python's recursion in some later operation.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from support.process import V1, RegistryProcess

from charter.registry.log.file import FileLog
from charter.registry.store.records import schema_key, schema_value
from charter.registry.store.state import Reference

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


def _deep_json_refs(depth: int) -> str:
    """A JSON Schema whose ``$ref`` chain is ``depth`` long: d0 -> d1 -> ... -> d(depth-1)."""
    defs = {f"d{i}": {"$ref": f"#/definitions/d{i + 1}"} for i in range(depth - 1)}
    defs[f"d{depth - 1}"] = {"type": "string"}
    return json.dumps({"definitions": defs, "$ref": "#/definitions/d0"})


def _deep_json_nesting(depth: int) -> str:
    schema: dict = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return json.dumps(schema)


def _deep_protobuf(depth: int) -> str:
    text = "int32 v = 1;"
    for level in reversed(range(depth)):
        text = f"message M{level} {{ {text} }}" + (f" M{level} m{level} = {level + 2};" if level else "")
    return 'syntax = "proto3";\n' + text


def _chained_protobuf(depth: int) -> str:
    """``depth`` top-level messages, each with a field of the next one's type."""
    messages = [f"message M{i} {{ M{i + 1} next = 1; int32 v = 2; }}" for i in range(depth - 1)]
    return 'syntax = "proto3";\n' + "\n".join([*messages, f"message M{depth - 1} {{ int32 v = 1; }}"])


def _register_then_use(http: httpx.Client, subject: str, body: dict, changed: dict, *, fits: bool = False) -> None:
    """Register ``body`` (it may be refused with a 4xx); when accepted, every later operation on it
    answers below 500: tags, format=resolved, a compatibility check, the console diff."""
    r = http.post(f"/subjects/{subject}/versions", json=body)
    assert r.status_code in ((200,) if fits else (200, 422)), (subject, r.text[:300])
    if r.status_code == 422:
        message = r.json()["message"]
        assert r.json()["error_code"] == 42201 and ("deeper than" in message or "recursion limit" in message), message
        return
    second = http.post(f"/subjects/{subject}/versions", json=changed)
    assert second.status_code < 500, second.text[:300]
    for answer in (
        http.post(f"/subjects/{subject}/versions/1/tags",
                  json={"tagsToAdd": [{"entityType": "SR_RECORD", "entityPath": "L199", "tags": ["PII"]}]}),
        http.get(f"/subjects/{subject}/versions/1", params={"format": "resolved"}),
        http.post(f"/compatibility/subjects/{subject}/versions/latest", json=changed),
        http.get(f"/ui/subjects/{subject}/diff", params={"from": 1, "to": "latest"}),
    ):
        assert answer.status_code < 500, (subject, answer.request.url, answer.text[:300])


@pytest.mark.timeout(120)
def test_deep_schemas_get_a_4xx_never_a_500(server: RegistryProcess) -> None:
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as http:
        http.put("/config", json={"compatibility": "NONE"}).raise_for_status()
        try:
            _register_then_use(http, "deep-value", {"schema": _deep_avro(200)}, {"schema": _deep_avro(201)})
            _register_then_use(http, "deep-refs", {"schemaType": "JSON", "schema": _deep_json_refs(400)},
                               {"schemaType": "JSON", "schema": _deep_json_refs(401)})
            _register_then_use(http, "deep-json", {"schemaType": "JSON", "schema": _deep_json_nesting(200)},
                               {"schemaType": "JSON", "schema": _deep_json_nesting(201)})
            _register_then_use(http, "deep-proto", {"schemaType": "PROTOBUF", "schema": _deep_protobuf(200)},
                               {"schemaType": "PROTOBUF", "schema": _deep_protobuf(201)})
            _register_then_use(http, "chain-proto", {"schemaType": "PROTOBUF", "schema": _chained_protobuf(200)},
                               {"schemaType": "PROTOBUF", "schema": _chained_protobuf(201)})
            _register_then_use(http, "fit-avro", {"schema": _deep_avro(64)}, {"schema": _deep_avro(63)}, fits=True)
            _register_then_use(http, "fit-proto", {"schemaType": "PROTOBUF", "schema": _chained_protobuf(64)},
                               {"schemaType": "PROTOBUF", "schema": _chained_protobuf(63)}, fits=True)
        finally:
            http.delete("/config")


@pytest.mark.timeout(60)
def test_the_console_check_refuses_deeply_nested_references(server: RegistryProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as ui:
        for references in ("[" * 100_000, json.dumps([{"name": "x", "subject": "s", "version": 1, "extra": {}}])
                           .replace("{}", "[" * 50_000 + "]" * 50_000)):
            r = ui.post("/ui/check", data={"subject": "deep-ui", "schemaType": "AVRO", "schema": '"int"',
                                            "references": references, "action": "check"})
            assert 400 <= r.status_code < 500, r.text[:300]


def _write_reference_cycle(data_dir: Path) -> None:
    """Two Avro schemas that reference each other, written straight into a new embedded log (as a
    log written before registration checked references could hold them)."""
    a = {"type": "record", "name": "A", "fields": [{"name": "b", "type": ["null", "B"], "default": None}]}
    b = {"type": "record", "name": "B", "fields": [{"name": "a", "type": ["null", "A"], "default": None}]}
    records = [
        (schema_key(subject, 1).encode(),
         orjson.dumps(schema_value(subject, 1, schema_id, "AVRO", json.dumps(text), (ref,), None, None, deleted=False)))
        for subject, schema_id, text, ref in (("cycle-a", 1, a, Reference("B", "cycle-b", 1)),
                                              ("cycle-b", 2, b, Reference("A", "cycle-a", 1)))
    ]
    log = FileLog(data_dir)
    try:
        asyncio.run(log.append(records))
    finally:
        log.close()


@pytest.mark.timeout(120)
def test_a_reference_cycle_in_the_log_gets_a_4xx(tmp_path: Path) -> None:
    _write_reference_cycle(tmp_path / "data")
    process = RegistryProcess(tmp_path / "data").start()
    try:
        with httpx.Client(base_url=process.url, headers={"Content-Type": V1}, timeout=30) as http:
            assert http.get("/subjects/cycle-a/versions/1").status_code == 200  # the stored text is still served
            refer = {"schema": json.dumps({"type": "record", "name": "C", "fields": [{"name": "a", "type": "A"}]}),
                     "references": [{"name": "A", "subject": "cycle-a", "version": 1}]}
            for answer in (
                http.get("/subjects/cycle-a/versions/1", params={"format": "resolved"}),
                http.post("/compatibility/subjects/cycle-a/versions/latest", json={"schema": '"int"'}),
                http.post("/subjects/cycle-a/versions", json={"schema": '"string"'}),
                http.post("/subjects/other-value/versions", json=refer),
                http.post("/subjects/cycle-a/versions/1/tags",
                          json={"tagsToAdd": [{"entityType": "SR_RECORD", "entityPath": "A", "tags": ["PII"]}]}),
                http.get("/ui/subjects/cycle-a/diff", params={"from": 1, "to": 1}),
            ):
                assert answer.status_code < 500, (answer.request.url, answer.text[:300])
            cycle = http.post("/subjects/other-value/versions", json=refer)
            assert cycle.status_code == 422 and "cycle" in cycle.json()["message"], cycle.text
    finally:
        process.stop()


@pytest.mark.timeout(180)
def test_reference_chains_stop_at_the_one_limit(server: RegistryProcess) -> None:
    """ref-i references ref-(i-1): a chain of 64 references is accepted and usable, 65 are refused."""
    with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=60) as http:
        for i in range(66):
            fields = [{"name": "v", "type": "int"}] + ([{"name": "prev", "type": f"R{i - 1}"}] if i else [])
            body = {"schema": json.dumps({"type": "record", "name": f"R{i}", "fields": fields}),
                    "references": [{"name": f"R{i - 1}", "subject": f"ref-{i - 1}", "version": 1}] if i else []}
            r = http.post(f"/subjects/ref-{i}/versions", json=body)
            if i <= 64:
                assert r.status_code == 200, (i, r.text[:300])
            else:
                assert r.status_code == 422 and "references are nested deeper than 64" in r.text, r.text[:300]
        for answer in (http.get("/subjects/ref-64/versions/1", params={"format": "resolved"}),
                       http.post("/compatibility/subjects/ref-64/versions/latest", json=body),
                       http.get("/ui/subjects/ref-64/diff", params={"from": 1, "to": 1})):
            assert answer.status_code < 500, (answer.request.url, answer.text[:300])
