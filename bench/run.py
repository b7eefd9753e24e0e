"""Charter's benchmark suite: one run, every figure as a ratio to a baseline taken in the same run.

Run with ``bash bench/run.sh`` (which sets up the venv and wrk) or ``.venv/bin/python bench/run.py``.
All traffic goes to 127.0.0.1; every server is a child process on a free port with its own data
directory under ``bench/results/``, stopped (by pid) at the end.

What it measures, with ``wrk`` at 1 thread / 32 connections after a short warm-up:

1. ``GET /schemas/ids/{id}`` with 10,000 distinct Avro schemas stored (random ids);
2. ``POST /subjects/{s}`` lookups of existing schemas (rotating over 1,000 bodies, which stay in
   the parse cache, and over all 10,000, which do not);
3. ``GET /subjects/{s}/versions/latest`` (random subjects);
   each against a trivial FastAPI app served by the same uvicorn setup (``bench/baseline_app.py``:
   ``GET /ping`` for the reads, ``POST /echo/{s}`` reading the same bodies for the lookups),
   measured right before and right after each Charter run;
4. registration of new, distinct schemas (``POST /subjects/{s}/versions``, durable: fsynced per
   write) with 1 and with 8 connections;
5. start-up with 100,000 SCHEMA records in the log: time from process start until ``GET /``
   answers, the replay time the server logs, and its resident memory afterwards.

The stored data sets are written directly with :class:`charter.registry.log.file.FileLog` in the
Confluent ``_schemas`` record format, exactly as registration would write them (the schema text
stored is the parser's canonical form, as on registration). Results are printed as a table and
written as JSON to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from charter.registry.log.file import FileLog
from datasets import (
    LOOKUP_HOT,
    READ_SUBJECTS,
    READ_VERSIONS,
    REGISTER_SUBJECTS,
    Stored,
    build_read_set,
    build_replay_set,
    write_lookup_file,
)
from harness import Load, Server, Steps, WrkResult, charter_cmd, free_port, http

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

# Measured elsewhere (shared/reference/peer-figures.md): Karapace on a 2-core machine, wrk 1 thread /
# 32 connections, 8 s per endpoint, 1,000 schemas. Context only; never compared numerically.
KARAPACE = {
    "ids": "545 req/s, p99 209 ms",
    "latest": "519 req/s, p99 199 ms",
    "lookup": "247 req/s, p99 316 ms",
    "register_8": "137 req/s (8 conns)",
    "register_1": "-",
    "startup": "23.5 s until ready",
    "rss": "286 MB",
}
RATIO_AIM = 0.8
STARTUP_AIM_S = 5.0

# The read data set: READ_SUBJECTS subjects with READ_VERSIONS versions each (ids 1..10,000).


# ---- the suite ---------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    charter: WrkResult
    baseline_rps: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.charter.requests_per_s / self.baseline_rps if self.baseline_rps else None


@dataclass
class Startup:
    records: int
    ready_s: float
    logged_replay_s: float
    rss_mb: float
    runs: list[dict[str, float]] = field(default_factory=list)


@dataclass
class Suite(Steps):
    load: Load
    work: Path
    rows: list[Row] = field(default_factory=list)
    baselines: list[WrkResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    startup: Startup | None = None

    def measure_reads(self) -> None:
        """The read endpoints, each bracketed by baseline runs (the baseline server idles meanwhile)."""
        data_dir = self.work / "read-data"
        self.step(f"building {READ_SUBJECTS * READ_VERSIONS:,} schemas ({READ_SUBJECTS} subjects x "
                  f"{READ_VERSIONS} versions)")
        stored = build_read_set(data_dir)
        rng = random.Random(42)
        hot = stored[:: len(stored) // LOOKUP_HOT][:LOOKUP_HOT]
        everything = list(stored)
        rng.shuffle(everything)
        hot_file, all_file = self.work / "lookup-hot.txt", self.work / "lookup-all.txt"
        write_lookup_file(hot_file, hot)
        write_lookup_file(all_file, everything)
        echo_file = self.work / "echo.txt"
        write_lookup_file(echo_file, hot, prefix="/echo/")

        port = free_port()
        baseline = Server("baseline", [sys.executable, str(BENCH_DIR / "baseline_app.py"), "--port", str(port)],
                          port, self.work / "baseline.log")
        port = free_port()
        charter = Server("charter-read", charter_cmd(port, data_dir), port, self.work / "charter-read.log")
        try:
            baseline.start("/ping")
            charter.start("/")
            self.extra["rss_mb_10k_schemas_idle"] = round(charter.rss_mb(), 1)
            self.verify_reads(charter.url, stored)
            if self.load.warmup_s:
                self.load.run(baseline.url + "/ping", None, duration=self.load.warmup_s, warmup=False)
            n = str(len(stored))
            rows = [
                ("ids", f"GET /schemas/ids/{{id}} ({len(stored):,} schemas, random id)", "ids.lua", [n]),
                ("latest", f"GET /subjects/{{s}}/versions/latest ({READ_SUBJECTS:,} subjects)",
                 "latest.lua", [str(READ_SUBJECTS)]),
                ("lookup", f"POST /subjects/{{s}} lookup ({LOOKUP_HOT:,} bodies, cached parse)",
                 "lookup.lua", [str(hot_file)]),
                ("lookup_all", f"POST /subjects/{{s}} lookup ({len(stored):,} bodies, parsed once then cached)",
                 "lookup.lua", [str(all_file)]),
            ]
            for key, label, script, args in rows:
                # GET rows against GET /ping; POST lookups against a trivial POST that reads the same bodies
                post = script == "lookup.lua"
                before = self.baseline_slice(baseline.url, echo_file if post else None)
                result = self.load.run(charter.url, script, args)
                after = self.baseline_slice(baseline.url, echo_file if post else None)
                self.check(result.ok, f"{label}: {result}")
                row = Row(key, label, result, (before.requests_per_s + after.requests_per_s) / 2)
                self.rows.append(row)
                self.step(f"{label}: {result.requests_per_s:,.0f} req/s, p99 {result.p99_ms:.1f} ms; baseline "
                          f"{before.requests_per_s:,.0f} / {after.requests_per_s:,.0f} req/s; ratio {row.ratio:.2f}")
            self.extra["rss_mb_10k_schemas_after_load"] = round(charter.rss_mb(), 1)
        finally:
            charter.stop()
            baseline.stop()

    def baseline_slice(self, url: str, echo_file: Path | None = None) -> WrkResult:
        """The baseline for half the measuring time (one slice before and one after each Charter run):
        GET /ping, or with ``echo_file`` POST /echo/{s} with the lookup bodies."""
        duration = max(2, self.load.duration_s // 2)
        if echo_file is None:
            result = self.load.run(url + "/ping", None, duration=duration, warmup=False)
        else:
            result = self.load.run(url, "lookup.lua", [str(echo_file)], duration=duration, warmup=False)
        self.check(result.ok, f"baseline: {result}")
        self.baselines.append(result)
        return result

    def verify_reads(self, url: str, stored: Sequence[Stored]) -> None:
        """One request of each kind answers what the data set says, before any load."""
        last = stored[-1]
        status, body = http(f"{url}/schemas/ids/{last.schema_id}")
        self.check(status == 200 and json.loads(body["schema"]) == last.schema, "GET /schemas/ids/{id}")
        status, body = http(f"{url}/subjects/{last.subject}", {"schema": json.dumps(last.schema)})
        self.check(status == 200 and body["id"] == last.schema_id, f"lookup answered {status} {body}")
        status, body = http(f"{url}/subjects/{stored[0].subject}/versions/latest")
        self.check(status == 200 and body["version"] == READ_VERSIONS, f"latest answered {status} {body}")

    def measure_registration(self) -> None:
        data_dir = self.work / "register-data"
        port = free_port()
        server = Server("charter-register", charter_cmd(port, data_dir), port, self.work / "charter-register.log")
        acknowledged = 0
        try:
            server.start("/")
            for conns in (1, 8):
                if self.load.warmup_s:
                    warm = self.load.run(server.url, "register.lua", [f"w{conns}", str(REGISTER_SUBJECTS)],
                                         connections=conns, warmup=False)
                    acknowledged += warm.requests - warm.non_2xx
                result = self.load.run(server.url, "register.lua", [f"c{conns}", str(REGISTER_SUBJECTS)],
                                       connections=conns, warmup=False)
                acknowledged += result.requests - result.non_2xx
                label = f"POST /subjects/{{s}}/versions new schema ({REGISTER_SUBJECTS} subj), {conns} conn"
                self.check(result.ok, f"{label}: {result}")
                self.rows.append(Row(f"register_{conns}", label, result))
                self.step(f"{label}: {result.requests_per_s:,.0f} req/s, p99 {result.p99_ms:.1f} ms")
        finally:
            server.stop()
        log = FileLog(data_dir)
        try:
            in_log = sum(1 for _ in log.replay())
        finally:
            log.close()
        self.extra["registration_durability"] = {"acknowledged": acknowledged, "records_in_log": in_log}
        self.check(in_log >= acknowledged, f"log holds {in_log} records but {acknowledged} were acknowledged")

    def measure_startup(self, runs: int = 2) -> None:
        data_dir = self.work / "replay-data"
        started = time.perf_counter()
        count = build_replay_set(data_dir)
        self.step(f"wrote {count:,} SCHEMA records in {time.perf_counter() - started:.1f} s "
                  f"({(data_dir / 'schemas.log').stat().st_size / 2**20:.0f} MiB)")
        results = []
        for i in range(runs):
            port = free_port()
            server = Server("charter-replay", charter_cmd(port, data_dir), port, self.work / f"charter-replay-{i}.log")
            try:
                ready = server.start("/")
                m = server.wait_for_line(r"replayed (\d+) records in ([\d.]+) s")
                self.check(int(m.group(1)) == count, f"server replayed {m.group(1)} records, expected {count}")
                run = {"ready_s": ready, "logged_replay_s": float(m.group(2)), "rss_mb": server.rss_mb()}
                results.append(run)
                self.step(f"start-up {i + 1}/{runs}: ready in {ready:.2f} s (logged replay "
                          f"{run['logged_replay_s']:.2f} s), RSS {run['rss_mb']:.0f} MB")
            finally:
                server.stop()
        best = min(results, key=lambda r: r["ready_s"])
        self.startup = Startup(count, best["ready_s"], best["logged_replay_s"], best["rss_mb"], results)


# ---- report ------------------------------------------------------------------------------------


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(suite: Suite) -> str:
    load = suite.load
    lines = [
        "",
        f"Charter benchmark: wrk {load.threads} thread, {load.connections} connections, {load.duration_s} s per "
        f"endpoint after {load.warmup_s} s warm-up; {os.cpu_count()} CPUs; Python {platform.python_version()}",
        "base/s = a trivial FastAPI app (bench/baseline_app.py), same uvicorn setup, measured in this run right "
        "before and after each Charter run (mean of the two): GET /ping for the GET rows, POST /echo/{s} "
        "(reads the same JSON bodies) for the lookup rows",
        "",
    ]
    head = f"{'measure':<62} {'Charter/s':>10} {'base/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}  {'':<4}"
    karapace_head = "| Karapace (elsewhere, not this run)"
    lines += [head + karapace_head, "-" * (len(head) + len(karapace_head))]
    for row in suite.rows:
        ratio = row.ratio
        flag = ""
        if ratio is not None and ratio < RATIO_AIM:
            flag = "LOW"
        if not row.charter.ok:
            flag = "ERR"
        karapace = KARAPACE.get(row.key.removesuffix("_all"), "")
        lines.append(
            f"{row.label:<62} {row.charter.requests_per_s:>10,.0f} {fmt(row.baseline_rps, ',.0f'):>8} "
            f"{fmt(ratio, '.2f'):>6} {row.charter.p50_ms:>7.1f} {row.charter.p99_ms:>7.1f}  {flag:<4}| {karapace}"
        )
    if suite.startup:
        s = suite.startup
        flag = "SLOW" if s.ready_s >= STARTUP_AIM_S else ""
        lines += [
            "",
            f"start-up with {s.records:,} SCHEMA records (best of {len(s.runs)}): ready in {s.ready_s:.2f} s "
            f"(aim < {STARTUP_AIM_S:.0f} s) {flag}",
            f"  server-logged replay {s.logged_replay_s:.2f} s; RSS after start-up {s.rss_mb:.0f} MB"
            f"   | Karapace (elsewhere): {KARAPACE['startup']}, {KARAPACE['rss']}",
        ]
    durability = suite.extra.get("registration_durability")
    if durability:
        lines.append(f"registration: {durability['acknowledged']:,} acknowledged, "
                     f"{durability['records_in_log']:,} records in the log after shutdown")
    if "rss_mb_10k_schemas_after_load" in suite.extra:
        lines.append(f"RSS with 10,000 schemas: {suite.extra['rss_mb_10k_schemas_idle']:.0f} MB idle, "
                     f"{suite.extra['rss_mb_10k_schemas_after_load']:.0f} MB after the read runs")
    lines.append(f"aims: ratio >= {RATIO_AIM} (LOW below), start-up < {STARTUP_AIM_S:.0f} s; ERR = non-2xx or "
                 "socket errors")
    if suite.failures:
        lines += ["", "FAILURES:", *(f"  - {f}" for f in suite.failures)]
    return "\n".join(lines)


def save(suite: Suite, stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    data = {
        "timestamp": stamp,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load": asdict(suite.load),
        "baseline_runs": [asdict(b) for b in suite.baselines],
        "results": {
            row.key: {"label": row.label, "ratio": row.ratio, "baseline_rps": row.baseline_rps, **asdict(row.charter)}
            for row in suite.rows
        },
        "startup": asdict(suite.startup) if suite.startup else None,
        "extra": suite.extra,
        "karapace_elsewhere": KARAPACE,
        "failures": suite.failures,
    }
    path = RESULTS_DIR / f"bench-{stamp}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS_DIR / "latest.json").write_text(json.dumps(data, indent=2) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Charter's benchmark suite (see bench/run.py).")
    parser.add_argument("--duration", type=int, default=6, help="seconds of measured load per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load before each measure")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for the read endpoints")
    parser.add_argument("--startup-runs", type=int, default=2, help="start-ups timed with 100k records")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and server logs")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (bench/run.sh installs it)", file=sys.stderr)
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = RESULTS_DIR / f"work-{stamp}"
    work.mkdir(parents=True)
    suite = Suite(Load(args.duration, args.warmup, args.connections), work)
    began = time.perf_counter()
    keep = args.keep
    try:
        suite.measure_reads()
        suite.step("registration")
        suite.measure_registration()
        suite.step("start-up replay")
        suite.measure_startup(args.startup_runs)
    except BaseException:
        keep = True
        print(f"suite aborted; data directories and server logs kept in {work}", file=sys.stderr)
        raise
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print(report(suite))
    path = save(suite, stamp)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)} (and bench/results/latest.json); "
          f"suite took {time.perf_counter() - began:.0f} s")
    return 1 if suite.failures else 0


if __name__ == "__main__":
    sys.exit(main())
