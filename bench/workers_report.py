"""The table and the JSON file of ``bench/workers.py`` (``charter serve --workers 2`` vs ``1``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import CORES, Usage, WrkResult

if TYPE_CHECKING:
    from workers import Bench

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CONFIGS = (1, 2)
READ_AIM = 1.8  # --workers 2 over --workers 1, for the reads
ROWS = (("ids", "GET /schemas/ids/{id}"), ("latest", "GET /subjects/{s}/versions/latest"),
        ("lookup", "POST /subjects/{s} lookup (1,000 bodies)"),
        ("ids_pipelined", "GET /schemas/ids/{id}, 16 pipelined per conn"),
        ("register_8", "POST register, 8 conns (new schemas)"))


@dataclass
class Run:
    key: str
    workers: int
    target: str  # "charter" or "baseline"
    result: WrkResult
    usage: Usage
    per_worker_requests: dict[str, float] | None = None


def charter_run(bench: Bench, key: str, workers: int) -> Run:
    """The median Charter run (by rate) of ``key`` with ``workers``."""
    runs = sorted((r for r in bench.runs if r.key == key and r.workers == workers and r.target == "charter"),
                  key=lambda r: r.result.requests_per_s)
    return runs[(len(runs) - 1) // 2]


def num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def per_core(rps: float, usage: Usage) -> float:
    return rps / max(usage.server * CORES, 1e-9)


def mb(memory: dict[str, Any] | None) -> str:
    return f"{memory['rss_mb']:.0f} / {memory['pss_mb']:.0f}" if memory else "-"


def report(bench: Bench) -> str:
    load = bench.load
    lines = ["", f"charter serve --workers 2 vs 1: wrk {load.threads} thread(s), {load.connections} connections, "
             f"{load.duration_s} s per run after {load.warmup_s} s warm-up; {CORES} cores shared by wrk and the server",
             "base/s: bench/baseline_app.py under uvicorn with the same number of workers (slices before and after "
             "each run); cpu: share of wall x cores (wrk / server / everything else on the machine)", ""]
    head = (f"{'measure':<36} {'workers':>7} {'req/s':>8} {'base/s':>8} {'ratio':>6} {'p99 ms':>7} {'/core':>7} "
            f"{'base/core':>9}  cpu wrk/server/others")
    lines += [head, "-" * len(head)]
    for key, label in ROWS:
        rates: dict[int, tuple[float, float | None, float, float | None]] = {}
        for n in CONFIGS:
            run = charter_run(bench, key, n)
            u = run.usage
            base = bench.base_rps(key, n) if (key, n) in bench.baselines else None
            rps = run.result.requests_per_s
            rates[n] = (rps, base, per_core(rps, u), bench.base_core(key, n))
            lines.append(f"{label if n == 1 else '':<36} {n:>7} {rps:>8,.0f} {num(base, ',.0f'):>8} "
                         f"{num(base and rps / base, '.2f'):>6} {run.result.p99_ms:>7.1f} {rates[n][2]:>7,.0f} "
                         f"{num(rates[n][3], ',.0f'):>9}  {u.wrk:.0%} / {u.server:.0%} / {u.others:.0%}")
            if run.per_worker_requests:
                total = sum(run.per_worker_requests.values()) or 1.0
                split = ", ".join(f"{w} {c / total:.0%}" for w, c in run.per_worker_requests.items())
                lines.append(f"{'':<44} requests: {split}; cores used: {u.per_process}")
        (c1, b1, e1, f1), (c2, b2, e2, f2) = rates[1], rates[2]
        scaling = f"  2 vs 1: Charter x{c2 / c1:.2f}" + (f", baseline x{b2 / b1:.2f}" if b1 and b2 else "")
        scaling += f"; per server core: Charter x{e2 / e1:.2f}" + (f", baseline x{f2 / f1:.2f}" if f1 and f2 else "")
        aim = READ_AIM if key != "register_8" else 1.0
        lines.append(scaling + f" (aim >= {aim}){'' if c2 / c1 >= aim else '  BELOW AIM'}")
    lines.append("/core: requests per second of CPU the server's processes used (what the cores it got bought); "
                 "register: the writer's count includes the requests forwarded to it")
    lines.append("idle server, cores used: " + "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in bench.idle.items()))
    by_port = [r for r in bench.runs if r.key.startswith("register_8_")]
    for run in by_port:
        lines.append(f"register, 8 conns, pool of 2, sent to the {run.key.rsplit('_', 1)[1]}'s private port: "
                     f"{run.result.requests_per_s:,.0f} req/s, {per_core(run.result.requests_per_s, run.usage):,.0f} "
                     f"per server core, cores used {run.usage.per_process}")
    for name, shares in bench.splits.items():
        lines.append(f"accept split, {name} with 2 workers: busiest worker's share of each 1 s run {shares}")
    if bench.probe:
        lines += ["", "wrk threads (GET, 2 workers):"]
        for p in bench.probe:
            u = p["usage"]
            lines.append(f"  -t{p['threads']} {p['target']:<9} {p['requests_per_s']:>8,.0f} req/s  "
                         f"cpu wrk {u['wrk']:.0%} / server {u['server']:.0%} / others {u['others']:.0%}")
    lines += ["", "memory, MB (RSS / PSS)          " + "   ".join(f"{k:>22}" for k in bench.memory)]
    roles = dict.fromkeys(role for m in bench.memory.values() for role in m["processes"])
    for role in roles:
        cells = [m["processes"].get(role) for m in bench.memory.values()]
        lines.append(f"  {role:<30}" + "   ".join(f"{mb(c):>22}" for c in cells))
    lines.append(f"  {'whole server':<30}" + "   ".join(f"{mb(m):>22}" for m in bench.memory.values()))
    if bench.startup:
        lines.append("start-up with 100,000 records, until every worker serves: " +
                     ", ".join(f"{k.replace('_', ' ')} {v:.1f} s" for k, v in bench.startup.items()))
    for key, d in bench.durability.items():
        lines.append(f"registration, {key.replace('_', ' ')}: {d['acknowledged']:,} acknowledged, "
                     f"{d['records_in_log']:,} records in the log")
    if bench.failures:
        lines += ["", "FAILURES:", *(f"  - {f}" for f in bench.failures)]
    return "\n".join(lines)


def save(bench: Bench, stamp: str) -> Path:
    data = {
        "timestamp": stamp, "cores": CORES, "load": asdict(bench.load),
        "runs": [asdict(r) for r in bench.runs],
        "baseline_mean_rps": {f"{k}_w{n}": bench.base_rps(k, n) for k, n in bench.baselines},
        "scaling_2_vs_1": {key: charter_run(bench, key, 2).result.requests_per_s
                           / charter_run(bench, key, 1).result.requests_per_s
                           for key, _ in ROWS},
        "wrk_threads_probe": bench.probe, "accept_split_busiest_share": bench.splits, "idle_cores": bench.idle,
        "memory": bench.memory, "startup_100k_s": bench.startup,
        "registration_durability": bench.durability, "failures": bench.failures,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"workers-{stamp}.json"
    for target in (path, RESULTS_DIR / "workers-latest.json"):
        target.write_text(json.dumps(data, indent=2) + "\n")
    return path


