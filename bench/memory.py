"""Memory of ``charter serve``: resident memory after start-up with 10,000 and 100,000 schemas and
on an empty log, where the state's memory goes, and what reading a schema text back costs.

    .venv/bin/python bench/memory.py [--sizes 10000 100000] [--trace N] [--versions 10]
                                     [--before /path/to/other/.venv/bin/python] [--wrk 5]

Prints one JSON object:

- ``rss_mb``: per size, VmRSS of ``charter serve`` (embedded log, SCHEMA records as in
  ``bench/startup.py``: ``--versions`` versions a subject, 10 by default, Avro texts of about 700
  bytes) half a second after
  ``/status/ready``; ``idle`` is the same on an empty log. With ``--before PYTHON`` the same figures
  for the Charter installed beside that interpreter (e.g. the main checkout), and ``after / before``.
- ``state_breakdown_mb``: tracemalloc of the state replayed in this process from ``--trace`` records
  (the largest size by default: exact; a smaller one is scaled, which overstates one-off tables and
  buffers), by allocation site; ``unaccounted`` is the largest size's RSS less the idle RSS and the
  traced total (the allocator's free and partly used blocks); ``texts_file_mb`` the schema texts kept
  in the text store's file (page cache, not RSS) at that size.
- ``text_read``: nanoseconds to read one stored text (``content.text``: a ``pread`` and a decode)
  against taking a ``str`` kept in memory, and microseconds for a 1 MB text.
- ``ids_read`` (with ``--wrk S``): ``GET /schemas/ids/{id}`` at random ids of the largest size, wrk
  1 thread / 32 connections for S seconds after a 1 s warm-up, for each server measured.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from charter.registry.store.state_writer import read_state
from datasets import order_schema, schema_record, subject_name, write_log
from harness import Load, Server, free_port

BIN = Path(sys.executable).parent


def records(count: int, versions: int) -> Iterator[tuple[bytes, bytes]]:
    """``count`` SCHEMA records: ``count / versions`` subjects of ``versions`` versions each, interleaved."""
    subjects = max(1, count // versions)
    for schema_id in range(1, count + 1):
        version, no = divmod(schema_id - 1, subjects)
        text = orjson.dumps(order_schema(no, version + 1)).decode()
        yield schema_record(subject_name(no), version + 1, schema_id, text)


def serve_rss(python: Path, data: Path, name: str, wrk: int, max_id: int) -> tuple[float, dict[str, float] | None]:
    """RSS (MB) of the Charter beside ``python`` once ready on ``data``; with ``wrk``, its ids read rate."""
    port = free_port()
    cmd = [str(python.parent / "charter"), "serve", "--port", str(port), "--data-dir", str(data),
           "--log-level", "warning"]
    server = Server(name, cmd, port, data.parent / f"{name}.log")
    try:
        server.start("/status/ready", timeout=120)
        time.sleep(0.5)
        rss = round(server.rss_mb(), 1)
        ids = None
        if wrk:
            result = Load(duration_s=wrk, warmup_s=1).run(server.url, "ids.lua", [str(max_id)])
            ids = {"requests_per_s": round(result.requests_per_s), "p50_ms": result.p50_ms, "ok": result.ok}
        return rss, ids
    finally:
        server.stop()


def breakdown(data: Path, scale: float, top: int = 14) -> dict[str, float]:
    """The state's allocations by site (file:line), in MB scaled by ``scale``."""
    gc.collect()
    tracemalloc.start()
    writer = read_state(data)
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    sizes: Counter[str] = Counter()
    for stat in snapshot.statistics("lineno"):
        frame = stat.traceback[0]
        sizes[f"{frame.filename.split('/wt/')[-1].split('/main/')[-1]}:{frame.lineno}"] += stat.size
    total = sum(sizes.values())
    out = {site: round(size * scale / 2**20, 2) for site, size in sizes.most_common(top)}
    out["total"] = round(total * scale / 2**20, 1)
    del writer
    return out


def texts_file_mb(scale: float) -> float | None:
    try:
        from charter.registry.store.texts import TEXTS
    except ImportError:  # a Charter without the text store
        return None
    return round(TEXTS.bytes_written() * scale / 2**20, 1)


def text_read(data: Path) -> dict[str, float]:
    """Per-read cost of a stored text against a str in memory, and of one 1 MB text."""
    writer = read_state(data)
    contents = list(writer.state.all_schemas())
    in_memory = [c.text for c in contents]
    rounds = 5
    started = time.perf_counter()
    for _ in range(rounds):
        for c in contents:
            c.text  # noqa: B018 - the read measured
    stored_ns = (time.perf_counter() - started) / (rounds * len(contents)) * 1e9
    started = time.perf_counter()
    for _ in range(rounds):
        for i in range(len(contents)):
            in_memory[i]
    memory_ns = (time.perf_counter() - started) / (rounds * len(contents)) * 1e9
    from charter.registry.store.contents import SchemaContent

    big = SchemaContent(0, "AVRO", "x" * 2**20, (), None, None, b"")
    started = time.perf_counter()
    for _ in range(100):
        big.text  # noqa: B018 - the read measured
    big_us = (time.perf_counter() - started) / 100 * 1e6
    return {"stored_ns": round(stored_ns), "in_memory_ns": round(memory_ns), "one_mb_us": round(big_us)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--trace", type=int, help="records replayed under tracemalloc (default: the largest size)")
    parser.add_argument("--versions", type=int, default=10, help="versions per subject (1: one subject a schema)")
    parser.add_argument("--before", type=Path, help="the python of another Charter install, measured alike")
    parser.add_argument("--wrk", type=int, default=0, help="seconds of GET /schemas/ids at the largest size")
    args = parser.parse_args()
    servers = {"after": Path(sys.executable)}
    if args.before:
        servers["before"] = args.before
    largest = max(args.sizes)
    results: dict[str, object] = {"versions_per_subject": args.versions}
    rss: dict[str, dict[str, float]] = {name: {} for name in servers}
    ids: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in [0, *args.sizes]:
            data = Path(tmp) / f"log{size}" / "data"
            write_log(data, records(size, args.versions) if size else [])
            for name, python in servers.items():
                wrk = args.wrk if size == largest else 0
                rss[name]["idle" if size == 0 else str(size)], found = serve_rss(python, data, name, wrk, size)
                if found is not None:
                    ids[name] = found
        if args.before:
            rss["after / before"] = {k: round(v / rss["before"][k], 2) for k, v in rss["after"].items()}
        results["rss_mb"] = rss
        if ids:
            results["ids_read"] = ids
        trace = Path(tmp) / "trace" / "data"
        traced = args.trace or largest
        write_log(trace, records(traced, args.versions))
        scale = largest / traced
        written = texts_file_mb(1.0) or 0.0
        results["state_breakdown_mb"] = breakdown(trace, scale)
        state_mb = results["state_breakdown_mb"]["total"]
        results["unaccounted_mb"] = round(rss["after"][str(largest)] - rss["after"]["idle"] - state_mb, 1)
        now = texts_file_mb(1.0)
        results["texts_file_mb"] = None if now is None else round((now - written) * scale, 1)
        results["text_read"] = text_read(trace)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
