"""Start-up on the embedded log: 100,000 SCHEMA records, ``charter serve`` to ``/status/ready``,
where that time goes, the replay alone (in process), RSS after start and where the state's memory goes.

    .venv/bin/python bench/startup.py [--records 100000] [--trace 20000] [--runs 3] [--no-memory]

Prints one JSON object: ``serve_ready_s`` (process start until ready, best of ``--runs``, replaying
the whole log: no state snapshot), ``snapshot_serve_ready_s`` and the other ``snapshot_`` figures
(the same after a clean stop wrote ``state.snapshot``: :mod:`charter.registry.store.snapshot`),
``serve_cpu_s`` (the CPU time the server used until then, from /proc: on a shared machine it moves
less than the wall clock), ``replay_s`` (best of 3, opening the FileLog and ``StateWriter.replay``),
``rss_mb`` (VmRSS of the server once ready), ``idle_rss_mb`` (the same server on an empty log),
``stages_cpu_s`` (a fresh interpreter doing what ``charter serve`` does before it serves, each step's
CPU time, best of ``--runs``: ``python`` the interpreter's own start, ``imports`` every module serving
needs, ``open`` the log (checking every frame), ``replay`` the records into the state, ``app``
building the app; ``rest`` is ``serve_cpu_s`` minus them: argument parsing, uvicorn's start, the
first request), and ``memory_top`` (tracemalloc of the state built from ``--trace`` records, by
file:line, scaled to ``--records``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kafka_bench import free_port

from charter.registry.log.file import FileLog
from charter.registry.store.snapshot import SNAPSHOT_FILE
from charter.registry.store.state_writer import StateWriter
from datasets import REPLAY_VERSIONS, order_schema, schema_record, subject_name, write_log

BIN = Path(sys.executable).parent


def records(count: int) -> Iterator[tuple[bytes, bytes]]:
    """``count`` SCHEMA records: count / 10 subjects of 10 versions each, interleaved."""
    subjects = max(1, count // REPLAY_VERSIONS)
    for schema_id in range(1, count + 1):
        version, no = divmod(schema_id - 1, subjects)
        text = orjson.dumps(order_schema(no, version + 1)).decode()
        yield schema_record(subject_name(no), version + 1, schema_id, text)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(data: Path) -> tuple[float, float, float]:
    """Seconds from process start until ``/status/ready`` answers 200, the CPU seconds the server
    used until then, and its RSS then (MB)."""
    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen([str(BIN / "charter"), "serve", "--port", str(port), "--data-dir", str(data),
                             "--log-level", "warning", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(timeout=2) as client:  # one client: a new one per poll costs the bench milliseconds
            while time.monotonic() - started < 120:
                try:
                    if client.get(f"http://127.0.0.1:{port}/status/ready").status_code == 200:
                        ready, cpu = time.monotonic() - started, cpu_s(proc.pid)
                        time.sleep(0.5)
                        return ready, cpu, rss_mb(proc.pid)
                except httpx.HTTPError:
                    pass
                time.sleep(0.005)
        raise RuntimeError("never ready")
    finally:
        proc.terminate()
        proc.wait(20)


# What ``charter serve`` does before it serves, in a fresh interpreter, each step's CPU time.
STAGES = """
import time
python = time.process_time()  # the interpreter's start, before this line
import json, sys
import charter.cli.main, charter.cli.serve, charter.registry.bootstrap, charter.registry.api.app
import uvicorn.loops.auto, uvicorn.protocols.http.auto, uvicorn.lifespan.on
from charter.registry import bootstrap
from charter.registry.settings import resolve
imported = time.process_time()
registry = bootstrap.build(resolve({"data_dir": sys.argv[1]}).settings)
opened = time.process_time()
registry.replay()
replayed = time.process_time()
registry.app()
built = time.process_time()
print(json.dumps({"python": python, "imports": imported - python, "open": opened - imported,
                  "replay": replayed - opened, "app": built - replayed}))
"""


def stages(data: Path) -> dict[str, float]:
    """CPU seconds per start-up step in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", STAGES, str(data)], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout))


def best_stages(data: Path, runs: int) -> dict[str, float]:
    measured = [stages(data) for _ in range(runs)]
    return {name: min(m[name] for m in measured) for name in measured[0]}


def replay(data: Path) -> tuple[float, StateWriter]:
    """Seconds to open the log (every frame checked) and replay it, and the writer holding the state."""
    started = time.perf_counter()
    schema_log = FileLog(data)
    try:
        writer = StateWriter(schema_log)
        writer.replay()
        return time.perf_counter() - started, writer
    finally:
        schema_log.close()


def memory_top(data: Path, scale: float, top: int = 12) -> tuple[float, list[str]]:
    gc.collect()
    tracemalloc.start()
    _, writer = replay(data)
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats) * scale / 2**20
    lines = [f"{s.size * scale / 2**20:7.1f} MB  {s.traceback[0].filename.split('charter/')[-1]}:"
             f"{s.traceback[0].lineno}" for s in stats[:top]]
    del writer
    return total, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--trace", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3, help="serve and stages: best of this many")
    parser.add_argument("--no-memory", action="store_true", help="skip the idle server and tracemalloc")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, small, empty = Path(tmp) / "big", Path(tmp) / "small", Path(tmp) / "empty"
        write_log(data, records(args.records))
        write_log(small, records(args.trace))
        write_log(empty, [])
        results: dict[str, object] = {"records": args.records}
        results["replay_s"] = round(min(replay(data)[0] for _ in range(3)), 3)
        snapshot = data / SNAPSHOT_FILE
        for label, keep in (("", False), ("snapshot_", True)):
            if keep:
                serve(data)  # its clean stop writes the snapshot the runs below start from
            served = []
            for _ in range(args.runs):  # the first start may pay for cold caches
                if not keep:
                    snapshot.unlink(missing_ok=True)  # a server's clean stop writes one
                served.append(serve(data))
            if keep and not snapshot.exists():
                raise RuntimeError("a clean stop wrote no state snapshot")
            ready, cpu = min(r[0] for r in served), min(r[1] for r in served)
            results[f"{label}serve_ready_s"], results[f"{label}serve_cpu_s"] = round(ready, 2), round(cpu, 2)
            results[f"{label}rss_mb"] = round(min(r[2] for r in served), 1)
            if not keep:
                snapshot.unlink(missing_ok=True)
            steps = best_stages(data, args.runs)
            steps["rest"] = cpu - sum(steps.values())
            results[f"{label}stages_cpu_s"] = {name: round(value, 3) for name, value in steps.items()}
        if args.no_memory:
            print(json.dumps(results, indent=1))
            return
        idle_ready, _, idle_rss = serve(empty)
        results["idle_ready_s"], results["idle_rss_mb"] = round(idle_ready, 2), round(idle_rss, 1)
        total, lines = memory_top(small, args.records / args.trace)
        results["traced_state_mb"] = round(total, 1)
        results["memory_top"] = lines
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
