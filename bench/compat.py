"""Compatibility-check cost: Protobuf and JSON Schema against Avro, in process and over HTTP.

The workload (issue 4): a 200-field Protobuf message and a 200-property JSON schema checked
BACKWARD_TRANSITIVE against 50 earlier versions, where each version added fields compatibly
(version v has 149 + v fields; the candidate has 200). The Avro baseline is an equivalent 200-field
record (added fields carry defaults), measured in the same run; ratios are against it.

In process (``charter.compat``): parse of the candidate (``validate=True``, as for a new schema),
parse of the 50 stored versions (``validate=False``; the registry caches these, so a live check
does not pay it), and the check itself (``levels.check_compatibility``) are timed separately.
Over HTTP: ``POST /compatibility/subjects/{s}/versions?verbose=true`` against a real
``charter serve`` with the 50 versions registered (includes parsing the candidate, the JSON
round trip and the server's cached history).

Run: ``.venv/bin/python bench/compat.py [--repeat 30] [--http-repeat 30] [--no-http]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from charter.compat.formats import get_format
from charter.compat.levels import check_compatibility
from charter.compat.model import CompatibilityLevel

FIELDS = 200
VERSIONS = 50
LEVEL = CompatibilityLevel.BACKWARD_TRANSITIVE
V1 = "application/vnd.schemaregistry.v1+json"

PROTO_TYPES = ["int32", "string", "int64", "bool", "double", "bytes", "Kind", "Inner"]
JSON_TYPES = [
    {"type": "integer"},
    {"type": "string", "maxLength": 64},
    {"type": "number", "minimum": 0},
    {"type": "boolean"},
    {"type": ["string", "null"]},
    {"enum": ["A", "B", "C"]},
    {"type": "array", "items": {"type": "string"}},
    {"type": "object", "properties": {"x": {"type": "integer"}}, "additionalProperties": False},
]
AVRO_TYPES: list[object] = [
    "int",
    "string",
    "long",
    "boolean",
    "double",
    ["null", "string"],
    {"type": "array", "items": "string"},
    "bytes",
]
AVRO_DEFAULTS: list[object] = [0, "", 0, False, 0.0, None, [], ""]


def proto_text(n: int) -> str:
    fields = "".join(f"  {PROTO_TYPES[i % len(PROTO_TYPES)]} f{i} = {i + 1};\n" for i in range(n))
    return (
        'syntax = "proto3";\npackage bench;\n\n'
        f"message Big {{\n{fields}}}\n\n"
        "message Inner {\n  string a = 1;\n  int64 b = 2;\n}\n\n"
        "enum Kind {\n  K0 = 0;\n  K1 = 1;\n}\n"
    )


def json_text(n: int) -> str:
    props = {f"p{i}": JSON_TYPES[i % len(JSON_TYPES)] for i in range(n)}
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": props,
        "required": ["p0", "p1"],
        "additionalProperties": False,  # closed: adding an optional property is backward compatible
    }
    return json.dumps(schema, separators=(",", ":"))


def avro_text(n: int) -> str:
    fields = []
    for i in range(n):
        f: dict = {"name": f"f{i}", "type": AVRO_TYPES[i % len(AVRO_TYPES)]}
        if i >= 2:
            f["default"] = AVRO_DEFAULTS[i % len(AVRO_DEFAULTS)]
        fields.append(f)
    return json.dumps({"type": "record", "name": "Big", "namespace": "bench", "fields": fields})


MAKERS: dict[str, Callable[[int], str]] = {"PROTOBUF": proto_text, "JSON": json_text, "AVRO": avro_text}


def history(schema_type: str) -> tuple[str, list[str]]:
    """The candidate text and the 50 earlier versions, oldest first."""
    make = MAKERS[schema_type]
    return make(FIELDS), [make(FIELDS - VERSIONS - 1 + v) for v in range(1, VERSIONS + 1)]


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered) * 1e3, p95 * 1e3


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    """Run ``fn`` once untimed (warm-up: imports, lazy caches), then ``repeat`` timed runs."""
    out: list[float] = []
    result: object = fn()
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t0)
    return out, result


def in_process(schema_type: str, repeat: int) -> dict[str, tuple[float, float]]:
    fmt = get_format(schema_type)
    cand_text, old_texts = history(schema_type)
    parse_cand, candidate = timed(lambda: fmt.parse(cand_text, {}, validate=True), repeat)
    parse_old, olds = timed(lambda: [fmt.parse(t, {}, validate=False) for t in old_texts], repeat)
    previous = list(reversed(list(enumerate(olds, start=1))))  # newest first
    check, result = timed(lambda: check_compatibility(LEVEL, candidate, previous), repeat)
    assert result.is_compatible, (schema_type, result.messages[:3])
    return {"parse_candidate": stats(parse_cand), "parse_50_versions": stats(parse_old), "check": stats(check)}


def over_http(schema_types: list[str], repeat: int) -> dict[str, tuple[float, float]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from support.process import RegistryProcess

    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = RegistryProcess(Path(tmp) / "data").start()
        try:
            with httpx.Client(base_url=server.url, headers={"Content-Type": V1}, timeout=120) as http:
                for schema_type in schema_types:
                    subject = f"bench-{schema_type.lower()}-value"
                    r = http.put(f"/config/{subject}", json={"compatibility": LEVEL.value})
                    r.raise_for_status()
                    cand_text, old_texts = history(schema_type)
                    for text in old_texts:
                        r = http.post(f"/subjects/{subject}/versions", json={"schema": text, "schemaType": schema_type})
                        assert r.status_code == 200, r.text
                    body = {"schema": cand_text, "schemaType": schema_type}
                    url = f"/compatibility/subjects/{subject}/versions?verbose=true"
                    warm = http.post(url, json=body)  # first call fills the server's parse cache
                    assert warm.status_code == 200 and warm.json()["is_compatible"], warm.text[:500]
                    samples, _ = timed(lambda u=url, b=body: http.post(u, json=b).raise_for_status(), repeat)
                    results[schema_type] = stats(samples)
        finally:
            server.stop()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=30, help="in-process repetitions (default 30)")
    ap.add_argument("--http-repeat", type=int, default=30, help="HTTP repetitions (default 30)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args()

    types = ["AVRO", "PROTOBUF", "JSON"]
    local = {t: in_process(t, args.repeat) for t in types}
    remote = {} if args.no_http else over_http(types, args.http_repeat)

    print(
        f"{FIELDS} fields, {VERSIONS} earlier versions, {LEVEL.value}; median / p95 in ms "
        f"(in-process x{args.repeat}, HTTP x{args.http_repeat})"
    )
    head = f"{'format':<9} {'parse cand':>15} {'parse 50 vers':>17} {'check':>15} {'check/avro':>10}"
    if remote:
        head += f" {'HTTP compat':>15} {'HTTP/avro':>9}"
    print(head)
    print("-" * len(head))
    base_check = local["AVRO"]["check"][0]
    base_http = remote["AVRO"][0] if remote else 1.0
    for t in types:
        row = local[t]
        line = (
            f"{t:<9} {row['parse_candidate'][0]:>7.2f} / {row['parse_candidate'][1]:<5.2f}"
            f" {row['parse_50_versions'][0]:>8.1f} / {row['parse_50_versions'][1]:<6.1f}"
            f" {row['check'][0]:>7.2f} / {row['check'][1]:<5.2f} {row['check'][0] / base_check:>9.2f}x"
        )
        if remote:
            line += f" {remote[t][0]:>7.2f} / {remote[t][1]:<5.2f} {remote[t][0] / base_http:>8.2f}x"
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"in_process": local, "http": remote}, indent=2))


if __name__ == "__main__":
    main()
