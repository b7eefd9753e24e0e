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
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from charter.compat.formats import get_format
from charter.registry.log.file import FileLog
from charter.registry.records import schema_key, schema_value

BENCH_DIR = Path(__file__).resolve().parent
LUA_DIR = BENCH_DIR / "lua"
RESULTS_DIR = BENCH_DIR / "results"
V1_JSON = "application/vnd.schemaregistry.v1+json"

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
READ_SUBJECTS = 2000
READ_VERSIONS = 5
LOOKUP_HOT = 1000  # bodies in the "hot" lookup rotation (fits the default parse cache of 2,000)
# Registrations spread over this many subjects (each new version is compatibility-checked).
REGISTER_SUBJECTS = 32
# The replay data set: REPLAY_SUBJECTS x REPLAY_VERSIONS SCHEMA records.
REPLAY_SUBJECTS = 10_000
REPLAY_VERSIONS = 10


# ---- data sets --------------------------------------------------------------------------------


def order_schema(subject_no: int, version: int) -> dict[str, Any]:
    """A realistic Avro record (about 400 bytes); distinct for each (subject, version).

    Version ``v`` adds ``v - 1`` optional fields, so each version is BACKWARD compatible with the
    previous one, as if it had been registered through the API.
    """
    fields: list[dict[str, Any]] = [
        {"name": "id", "type": "long"},
        {"name": "customer", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "currency", "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD", "GBP"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
        {"name": "created", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ]
    fields += [{"name": f"extra{k}", "type": ["null", "string"], "default": None} for k in range(1, version)]
    return {"type": "record", "name": "Order", "namespace": f"bench.s{subject_no}", "fields": fields}


def subject_name(subject_no: int) -> str:
    return f"bench-{subject_no}-value"


@dataclass(frozen=True)
class Stored:
    subject: str
    version: int
    schema_id: int
    schema: dict[str, Any]


def schema_record(subject: str, version: int, schema_id: int, text: str) -> tuple[bytes, bytes]:
    value = schema_value(subject, version, schema_id, "AVRO", text, (), None, None, deleted=False)
    return schema_key(subject, version).encode(), orjson.dumps(value)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def write_log(data_dir: Path, records: Iterable[tuple[bytes, bytes]], batch: int = 10_000) -> int:
    """Append records to a new embedded log in big batches (one fsync per batch)."""

    async def append_all(log: FileLog) -> int:
        count = 0
        for chunk in batched(records, batch):
            count += len(await log.append(chunk))
        return count

    log = FileLog(data_dir)
    try:
        return asyncio.run(append_all(log))
    finally:
        log.close()


def build_read_set(data_dir: Path) -> list[Stored]:
    """10,000 schemas, stored in their canonical form as registration stores them."""
    avro = get_format("AVRO")
    stored: list[Stored] = []
    records = []
    schema_id = 0
    for version in range(1, READ_VERSIONS + 1):  # versions interleaved across subjects, like real traffic
        for no in range(READ_SUBJECTS):
            schema_id += 1
            schema = order_schema(no, version)
            text = avro.parse(json.dumps(schema), {}, validate=True).canonical()
            stored.append(Stored(subject_name(no), version, schema_id, schema))
            records.append(schema_record(subject_name(no), version, schema_id, text))
    write_log(data_dir, records)
    return stored


def build_replay_set(data_dir: Path) -> int:
    """100,000 SCHEMA records (compact JSON text; replay does not parse schemas)."""

    def records() -> Iterator[tuple[bytes, bytes]]:
        schema_id = 0
        for version in range(1, REPLAY_VERSIONS + 1):
            for no in range(REPLAY_SUBJECTS):
                schema_id += 1
                text = orjson.dumps(order_schema(no, version)).decode()
                yield schema_record(subject_name(no), version, schema_id, text)

    return write_log(data_dir, records())


def write_lookup_file(path: Path, stored: Sequence[Stored], prefix: str = "/subjects/") -> None:
    """One ``<path>\\t<body>`` line per lookup; bodies in non-canonical (spaced) JSON, as clients send.

    With ``prefix="/echo/"`` the same bodies go to the baseline's trivial POST endpoint.
    """
    with path.open("w") as f:
        for s in stored:
            body = json.dumps({"schema": json.dumps(s.schema)})
            f.write(f"{prefix}{s.subject}\t{body}\n")


# ---- processes and HTTP ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, body: Any = None, timeout: float = 5.0) -> tuple[int, Any]:
    """A request to 127.0.0.1; returns (status, decoded JSON body or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": V1_JSON})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


class Server:
    """A server child process on 127.0.0.1; its output is kept in memory and in a log file."""

    def __init__(self, name: str, cmd: list[str], port: int, log_path: Path) -> None:
        self.name, self.cmd, self.port, self.log_path = name, cmd, port, log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.lines: list[str] = []
        self.started_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, timeout: float = 60.0) -> float:
        """Start, wait until ``GET ready_path`` answers 200; returns seconds from spawn to ready."""
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n" + "\n".join(self.lines))
            try:
                if http(self.url + ready_path, timeout=1.0)[0] == 200:
                    return time.perf_counter() - self.started_at
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready after {timeout} s")

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with self.log_path.open("w") as log:
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace").rstrip()
                self.lines.append(line)
                log.write(line + "\n")
                log.flush()

    def wait_for_line(self, pattern: str, timeout: float = 5.0) -> re.Match[str]:
        deadline = time.perf_counter() + timeout
        regex = re.compile(pattern)
        while time.perf_counter() < deadline:
            for line in list(self.lines):
                if m := regex.search(line):
                    return m
            time.sleep(0.01)
        raise RuntimeError(f"{self.name}: no log line matching {pattern!r}")

    def rss_mb(self) -> float:
        assert self.proc is not None
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]
        return kb / 1024

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def charter_cmd(port: int, data_dir: Path) -> list[str]:
    script = Path(sys.executable).parent / "charter"
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "charter.cli.main"]
    return [*entry, "serve", "--port", str(port), "--data-dir", str(data_dir), "--log-level", "info"]


# ---- wrk --------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    requests_per_s: float
    requests: int
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def ok(self) -> bool:
        return self.non_2xx == 0 and self.socket_errors == 0 and self.requests > 0


def parse_wrk(output: str) -> WrkResult:
    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(m.group(1)) * _UNITS_MS[m.group(2)] if m else float("nan")

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    count = re.search(r"^\s+(\d+) requests in", output, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if rate is None or count is None:
        raise RuntimeError(f"could not parse wrk output:\n{output}")
    return WrkResult(
        requests_per_s=float(rate.group(1)),
        requests=int(count.group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in sock.groups()) if sock else 0,
    )


@dataclass
class Load:
    """How wrk drives each endpoint."""

    duration_s: int
    warmup_s: int
    connections: int = 32
    threads: int = 1

    def run(self, url: str, script: str | None, args: Sequence[str] = (), *,
            connections: int | None = None, duration: int | None = None, warmup: bool = True) -> WrkResult:
        conns = connections or self.connections
        if warmup and self.warmup_s > 0:
            self._wrk(url, script, args, self.warmup_s, conns)
        return parse_wrk(self._wrk(url, script, args, duration or self.duration_s, conns))

    def _wrk(self, url: str, script: str | None, args: Sequence[str], seconds: int, conns: int) -> str:
        cmd = ["wrk", f"-t{self.threads}", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
        if script:
            cmd += ["-s", str(LUA_DIR / script)]
        cmd.append(url)
        if args:
            cmd += ["--", *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}{done.stdout}")
        return done.stdout


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
class Suite:
    load: Load
    work: Path
    rows: list[Row] = field(default_factory=list)
    baselines: list[WrkResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    startup: Startup | None = None

    def step(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)
            print(f"  !! {what}", flush=True)

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
                ("lookup_all", f"POST /subjects/{{s}} lookup ({len(stored):,} bodies, parse each)",
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
