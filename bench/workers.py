"""Issue 18's measurements of ``charter serve --workers N``: reads, registration and memory, 2 vs 1.

Run: ``.venv/bin/python bench/workers.py [--duration S]`` (or ``bash bench/run.sh --workers``). All
traffic goes to 127.0.0.1; every server is a child process on a free port, stopped by pid at the end.

1. Reads with 10,000 schemas stored (``bench/datasets.py``'s read set): ``GET /schemas/ids/{id}``,
   ``GET /subjects/{s}/versions/latest`` and ``POST /subjects/{s}`` lookups, each against Charter
   with ``--workers 1`` and ``--workers 2`` (two copies of the data, both servers up), and each
   against the trivial baseline app (``bench/baseline_app.py``) served by uvicorn with 1 and with 2
   workers (like for like), in slices right before and after each Charter run. The ratios: Charter's
   2-worker rate over its 1-worker rate (aim >= 1.8 for reads), the same for the baseline, and
   each rate over its baseline. A fourth row sends ``GET /schemas/ids/{id}`` 16 at a time on each
   connection (HTTP/1.1 pipelining, ``lua/pipelined.lua``; the baseline's ``/ping`` likewise): wrk
   then writes and reads once per 16 requests, so less of the two cores goes to the load generator
   and more of the ratio is the server's own scaling.
2. Registration of distinct new schemas with 8 connections (``lua/register.lua``), on an empty
   log, ``--workers 2`` (followers forward to the writer) vs ``--workers 1``; afterwards the log
   must hold every acknowledged write.
3. Memory of every process (RSS and PSS) with 10,000 schemas (idle, and after the read runs) and
   with 100,000 (the replay set, just started), for ``--workers 1`` and ``2`` (the supervisor too),
   and the time until every worker serves: each started once replaying the whole log and once from
   the state snapshot the first start's clean stop wrote (``_snapshot``).

The load generator shares the machine's cores with the servers, so every measured run also reports
CPU as a share of wall time x cores: wrk's own (its getrusage as a reaped child), the server's
process tree, and everything else on the machine (busy time from /proc/stat minus those two).
For a pool, the requests and CPU time each worker took are listed (from each worker's /metrics on
its private port, and /proc), and a probe of short runs shows how evenly the kernel hands wrk's
connections to the two workers. ``--wrk-threads`` picks wrk's threads (1 by default); a probe runs
``GET /schemas/ids/{id}`` with 1 and 2 wrk threads against both 2-worker servers to show the choice.
``--rounds R`` alternates R Charter runs per endpoint and worker count (the table shows the median).
bench/pool_overhead.py measures a pool worker's request path in-process (no sockets, no scheduling).
Results: a table on stdout, JSON in ``bench/results/workers-<time>.json`` and ``workers-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from workers_report import CONFIGS, Run, per_core, report, save

from charter.registry.log.file import FileLog
from charter.registry.store.snapshot import SNAPSHOT_FILE
from datasets import LOOKUP_HOT, READ_SUBJECTS, REGISTER_SUBJECTS, build_read_set, build_replay_set, write_lookup_file
from harness import (
    CORES,
    Load,
    Server,
    Steps,
    Usage,
    WrkResult,
    charter_cmd,
    cpu_seconds,
    free_port,
    http,
    memory_mb,
    tree_pids,
)

BENCH_DIR = Path(__file__).resolve().parent
PIPELINE = 16  # requests in flight per connection in the pipelined row (wrk's share of the cores shrinks)
RESULTS_DIR = BENCH_DIR / "results"

_REQUESTS = re.compile(r'^charter_http_requests_total\{method="(\w+)",route="([^"]*)",status="\d+"\} (\S+)$', re.M)


# ---- servers ----------------------------------------------------------------------------------


def start_charter(work: Path, data_dir: Path, workers: int, name: str) -> Server:
    """Charter with ``--workers`` given explicitly (the default is one per core), every worker up."""
    port = free_port()
    server = Server(name, [*charter_cmd(port, data_dir), "--workers", str(workers)], port, work / f"{name}.log")
    server.start("/")
    deadline = time.perf_counter() + 120
    while len(processes(server)) < workers + (workers > 1) or not writable(server):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{name}: the pool did not come up:\n" + "\n".join(server.lines[-20:]))
        time.sleep(0.05)
    return server


def writable(server: Server) -> bool:
    status = http(server.url + "/status")[1] or {}
    return bool(status.get("writable"))


def start_baseline(work: Path, workers: int) -> Server:
    """The trivial app under uvicorn's own ``--workers`` (loop and http "auto", as Charter's)."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(BENCH_DIR), "baseline_app:app", "--port", str(port),
           "--workers", str(workers), "--log-level", "info", "--no-access-log"]
    server = Server(f"baseline-{workers}", cmd, port, work / f"baseline-{workers}.log")
    server.start("/ping")
    deadline = time.perf_counter() + 60
    while sum("Application startup complete" in line for line in list(server.lines)) < workers:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"baseline with {workers} workers did not come up")
        time.sleep(0.05)
    return server


def processes(server: Server) -> dict[int, str]:
    """pid -> role of a server's processes: "server", or "supervisor" and "worker <i>" for a pool."""
    assert server.proc is not None
    root = server.proc.pid
    status = http(server.url + "/status")[1] if server.name.startswith("charter") else None
    pool = (status or {}).get("pool")
    if pool:
        named = {m["pid"]: f"worker {m['worker']}" + (" (writer)" if m["role"] == "writer" else "")
                 for m in pool["members"] if m["pid"] and m["role"] != "starting"}
        return {root: "supervisor", **named}
    pids = tree_pids(root)
    if len(pids) == 1:
        return {root: "server"}
    return {root: "supervisor", **{pid: f"worker {i}" for i, pid in enumerate(pids[1:])}}


def memory(server: Server) -> dict[str, Any]:
    per = {role.removesuffix(" (writer)"): memory_mb(pid) for pid, role in processes(server).items()}
    return {"processes": per, "rss_mb": round(sum(m["rss_mb"] for m in per.values()), 1),
            "pss_mb": round(sum(m["pss_mb"] for m in per.values()), 1)}


def worker_requests(server: Server) -> dict[str, float]:
    """Requests each pool worker served so far (its /metrics on its private port; not /metrics, /status)."""
    status = (http(server.url + "/status")[1] if server.name.startswith("charter") else None) or {}
    counts = {}
    for member in status.get("pool", {}).get("members", []):
        with urllib.request.urlopen(f"http://127.0.0.1:{member['port']}/metrics", timeout=5) as resp:
            text = resp.read().decode()
        counts[f"worker {member['worker']}"] = sum(
            float(n) for _, route, n in _REQUESTS.findall(text) if route not in ("/metrics", "/status"))
    return counts



def drive(load: Load, server: Server, script: str | None, args: Sequence[str], *, path: str = "",
          connections: int | None = None, duration: int | None = None, warmup: bool = True,
          base: str | None = None) -> tuple[WrkResult, Usage, dict[str, float] | None]:
    """One wrk run against ``server`` (``base``: one of its workers' private URL) after its warm-up,
    with the CPU its processes used and, on a pool, the requests each worker served meanwhile."""
    url = (base or server.url) + path
    if warmup and load.warmup_s:
        load.run(url, script, args, connections=connections, duration=load.warmup_s, warmup=False)
    counts = worker_requests(server)
    result, usage = load.metered(url, script, args, processes(server), connections=connections, duration=duration)
    if counts:
        after = worker_requests(server)
        counts = {w: after[w] - counts.get(w, 0.0) for w in after}
    return result, usage, counts or None


def idle_cores(server: Server, seconds: float = 3.0) -> dict[str, float]:
    """Cores each process of an idle server uses (a pool's followers poll the shared log)."""
    roles = processes(server)
    before = {pid: cpu_seconds(pid) for pid in roles}
    time.sleep(seconds)
    return {roles[pid]: round((cpu_seconds(pid) - cpu) / seconds, 3) for pid, cpu in before.items()}


class Bench(Steps):
    def __init__(self, load: Load, work: Path, rounds: int = 1) -> None:
        self.load = load
        self.rounds = rounds
        self.work = work
        self.runs: list[Run] = []
        self.baselines: dict[tuple[str, int], list[float]] = {}
        self.memory: dict[str, dict[str, Any]] = {}
        self.startup: dict[str, float] = {}
        self.durability: dict[str, dict[str, int]] = {}
        self.probe: list[dict[str, Any]] = []
        self.splits: dict[str, list[float]] = {}
        self.idle: dict[str, dict[str, float]] = {}
        self.failures: list[str] = []

    def reads(self) -> None:
        first = self.work / "read-1"
        self.step("building 10,000 schemas; two copies of the data (one per server)")
        stored = build_read_set(first)
        shutil.copytree(first, self.work / "read-2")
        hot = stored[:: len(stored) // LOOKUP_HOT][:LOOKUP_HOT]
        lookup, echo = self.work / "lookup.txt", self.work / "echo.txt"
        write_lookup_file(lookup, hot)
        write_lookup_file(echo, hot, prefix="/echo/")
        rows = [
            ("ids", "GET /schemas/ids/{id}", "ids.lua", [str(len(stored))], None),
            ("latest", "GET /subjects/{s}/versions/latest", "latest.lua", [str(READ_SUBJECTS)], None),
            ("lookup", "POST /subjects/{s} lookup", "lookup.lua", [str(lookup)], echo),
            ("ids_pipelined", f"GET /schemas/ids/{{id}}, {PIPELINE} pipelined", "pipelined.lua",
             [str(PIPELINE), str(len(stored))], None),
        ]
        servers: list[Server] = []
        try:
            bases = {n: start_baseline(self.work, n) for n in CONFIGS}
            servers += bases.values()
            charters = {}
            for n in CONFIGS:
                charters[n] = start_charter(self.work, self.work / f"read-{n}", n, f"charter-read-{n}")
                servers.append(charters[n])
                self.memory[f"10k_idle_w{n}"] = memory(charters[n])
                self.idle[f"workers_{n}"] = idle_cores(charters[n])
                last = stored[-1]
                status, body = http(f"{charters[n].url}/subjects/{last.subject}", {"schema": json.dumps(last.schema)})
                self.check(status == 200 and body["id"] == last.schema_id, f"workers {n}: lookup answered {status}")
            for key, label, script, args, echo_file in rows:
                for n in [n for _ in range(self.rounds) for n in CONFIGS]:
                    self.baseline_slice(key, bases[n], n, echo_file)
                    result, usage, counts = drive(self.load, charters[n], script, args)
                    self.runs.append(Run(key, n, "charter", result, usage, counts))
                    self.check(result.ok, f"{label} workers {n}: {result}")
                    self.baseline_slice(key, bases[n], n, echo_file)
                    self.step(f"{label}, --workers {n}: {result.requests_per_s:,.0f} req/s (baseline "
                              f"{self.base_rps(key, n):,.0f}); wrk {usage.wrk:.0%}, server {usage.server:.0%}, "
                              f"others {usage.others:.0%} of {CORES} cores; per process {usage.per_process}"
                              + (f"; requests per worker {counts}" if counts else ""))
            for n in CONFIGS:
                self.memory[f"10k_after_reads_w{n}"] = memory(charters[n])
            self.wrk_threads_probe(charters[2], bases[2], str(len(stored)))
            self.accept_split(charters[2], bases[2], str(len(stored)))
        finally:
            for server in servers:
                server.stop()

    def baseline_slice(self, key: str, server: Server, workers: int, echo_file: Path | None) -> None:
        duration = max(2, self.load.duration_s // 2)
        script, args, path = ("lookup.lua", [str(echo_file)], "") if echo_file else (None, [], "/ping")
        if key.endswith("_pipelined"):
            script, args = "pipelined.lua", [str(PIPELINE)]
        result, usage, _ = drive(self.load, server, script, args, path=path, duration=duration, warmup=False)
        self.check(result.ok, f"baseline {key} workers {workers}: {result}")
        self.runs.append(Run(key, workers, "baseline", result, usage))
        self.baselines.setdefault((key, workers), []).append(result.requests_per_s)

    def base_rps(self, key: str, workers: int) -> float:
        rates = self.baselines[(key, workers)]
        return sum(rates) / len(rates)

    def base_core(self, key: str, workers: int) -> float | None:
        runs = [r for r in self.runs if r.key == key and r.workers == workers and r.target == "baseline"]
        return sum(per_core(r.result.requests_per_s, r.usage) for r in runs) / len(runs) if runs else None

    def accept_split(self, charter: Server, baseline: Server, ids: str, runs: int = 8) -> None:
        """How evenly the kernel hands wrk's connections to 2 workers: short runs, each opening its
        32 connections afresh; the busiest worker's share of the requests (Charter, from /metrics)
        or of the workers' CPU time (the baseline)."""
        for name, server, script, args, path in (("charter", charter, "ids.lua", [ids], ""),
                                                 ("baseline", baseline, None, [], "/ping")):
            shares = []
            for _ in range(runs):
                _, usage, counts = drive(self.load, server, script, args, path=path, duration=1, warmup=False)
                per = counts or {k: v for k, v in usage.per_process.items() if k.startswith("worker")}
                shares.append(round(max(per.values()) / (sum(per.values()) or 1.0), 2))
            self.splits[name] = shares
            self.step(f"accept split, {name} (2 workers), busiest worker's share in {runs} runs of 1 s: {shares}")

    def wrk_threads_probe(self, charter: Server, baseline: Server, ids: str) -> None:
        """GET /schemas/ids/{id} (Charter) and GET /ping (baseline), 2 workers each, wrk -t1 vs -t2."""
        for threads in (1, 2):
            load = replace(self.load, threads=threads)
            for name, server, script, args, path in (("charter", charter, "ids.lua", [ids], ""),
                                                     ("baseline", baseline, None, [], "/ping")):
                result, usage, _ = drive(load, server, script, args, path=path)
                self.probe.append({"threads": threads, "target": name, "requests_per_s": result.requests_per_s,
                                   "p99_ms": result.p99_ms, "usage": asdict(usage)})
                self.step(f"wrk -t{threads}, {name} (2 workers): {result.requests_per_s:,.0f} req/s, "
                          f"wrk {usage.wrk:.0%}, server {usage.server:.0%}, others {usage.others:.0%}")

    def registration(self) -> None:
        for n in CONFIGS:
            data_dir = self.work / f"register-{n}"
            server = start_charter(self.work, data_dir, n, f"charter-register-{n}")
            acknowledged = 0
            try:
                for tag, warm in ((f"w{n}", True), (f"c{n}", False)):
                    if warm and not self.load.warmup_s:
                        continue
                    result, usage, counts = drive(self.load, server, "register.lua", [tag, str(REGISTER_SUBJECTS)],
                                          connections=8, duration=self.load.warmup_s if warm else None, warmup=False)
                    acknowledged += result.requests - result.non_2xx
                self.check(result.ok, f"register workers {n}: {result}")
                self.runs.append(Run("register_8", n, "charter", result, usage, counts))
                self.step(f"register, 8 connections, --workers {n}: {result.requests_per_s:,.0f} req/s, p99 "
                          f"{result.p99_ms:.1f} ms; wrk {usage.wrk:.0%}, server {usage.server:.0%}, others "
                          f"{usage.others:.0%}; per process {usage.per_process}")
                if n > 1:
                    acknowledged += self.register_by_port(server)
            finally:
                server.stop()
            log = FileLog(data_dir)
            try:
                in_log = sum(1 for _ in log.replay())
            finally:
                log.close()
            self.durability[f"workers_{n}"] = {"acknowledged": acknowledged, "records_in_log": in_log}
            self.check(in_log >= acknowledged, f"workers {n}: {in_log} records in the log, {acknowledged} acknowledged")

    def register_by_port(self, server: Server) -> int:
        """Registration sent to the writer's private port (nothing forwarded), then to a follower's
        (everything forwarded): what forwarding costs. Returns the writes acknowledged."""
        members = (http(server.url + "/status")[1] or {})["pool"]["members"]
        acknowledged = 0
        for role in ("writer", "follower"):
            port = next(m["port"] for m in members if m["role"] == role)
            result, usage, counts = drive(self.load, server, "register.lua", [role, str(REGISTER_SUBJECTS)],
                                          connections=8, warmup=False, base=f"http://127.0.0.1:{port}")
            acknowledged += result.requests - result.non_2xx
            self.check(result.ok, f"register at the {role}'s port: {result}")
            self.runs.append(Run(f"register_8_{role}", 2, "charter", result, usage, counts))
            self.step(f"register, 8 connections, at the {role}'s private port: {result.requests_per_s:,.0f} req/s, "
                      f"{per_core(result.requests_per_s, usage):,.0f} per server core; per process {usage.per_process}")
        return acknowledged

    def big_memory(self) -> None:
        """Start-up and memory with 100,000 records, each pool size started twice: replaying the whole
        log (no state snapshot), then from the snapshot the first start's clean stop wrote."""
        data_dir = self.work / "replay"
        count = build_replay_set(data_dir)
        self.step(f"wrote {count:,} SCHEMA records")
        for n in CONFIGS:
            for how in ("replay", "snapshot"):
                if how == "replay":
                    (data_dir / SNAPSHOT_FILE).unlink(missing_ok=True)
                key = f"w{n}" + ("_snapshot" if how == "snapshot" else "")
                started = time.perf_counter()
                server = start_charter(self.work, data_dir, n, f"charter-replay-{n}-{how}")
                try:
                    self.startup[key] = round(time.perf_counter() - started, 2)
                    self.memory[f"100k_{key}"] = memory(server)
                    self.step(f"100,000 records, --workers {n}, {how}: every worker up in {self.startup[key]:.1f} s; "
                              f"RSS {self.memory[f'100k_{key}']['rss_mb']:.0f} MB in all")
                finally:
                    server.stop()
                self.check(how == "snapshot" or (data_dir / SNAPSHOT_FILE).exists(), "a clean stop wrote no snapshot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="charter serve --workers 2 vs 1 (see bench/workers.py).")
    parser.add_argument("--duration", type=int, default=6, help="seconds of measured load per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load before each run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for the reads")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads for every run but the probe")
    parser.add_argument("--rounds", type=int, default=1, help="Charter runs per endpoint and worker count "
                        "(alternating; the table shows the median)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and server logs")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (bench/run.sh installs it)", file=sys.stderr)
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = RESULTS_DIR / f"workers-work-{stamp}"
    work.mkdir(parents=True)
    bench = Bench(Load(args.duration, args.warmup, args.connections, args.wrk_threads), work, args.rounds)
    keep = args.keep
    try:
        bench.reads()
        bench.step("registration")
        bench.registration()
        bench.step("memory with 100,000 records")
        bench.big_memory()
    except BaseException:
        keep = True
        print(f"aborted; data directories and server logs kept in {work}", file=sys.stderr)
        raise
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print(report(bench))
    print(f"\nresults: {save(bench, stamp).relative_to(BENCH_DIR.parent)} (and bench/results/workers-latest.json)")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
