"""Benchmark plumbing: free ports, tiny HTTP calls, server processes, and wrk runs parsed."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
LUA_DIR = BENCH_DIR / "lua"
V1_JSON = "application/vnd.schemaregistry.v1+json"

# ---- processes and HTTP ------------------------------------------------------------------------


class Steps:
    """A bench suite's progress lines and the aims it missed (``failures``, set by the suite)."""

    failures: list[str]

    def step(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)
            print(f"  !! {what}", flush=True)


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
class Usage:
    """CPU over one measured wrk run, as a share of wall time x cores (1.0: every core busy)."""

    wall_s: float
    wrk: float
    server: float
    others: float  # the rest of the machine: busy time from /proc/stat minus wrk and the server
    per_process: dict[str, float]  # role -> cores it used (1.0: one core busy all the time)


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

    def metered(self, url: str, script: str | None, args: Sequence[str], pids: dict[int, str], *,
                connections: int | None = None, duration: int | None = None) -> tuple[WrkResult, Usage]:
        """One run without warm-up, with the CPU of wrk, of ``pids`` (pid -> role) and of the rest
        of the machine over it (wrk shares the cores with the server)."""
        before = {pid: cpu_seconds(pid) for pid in pids}
        wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child reaped meanwhile
        busy_before, started = system_busy_seconds(), time.perf_counter()
        result = self.run(url, script, args, connections=connections, duration=duration, warmup=False)
        wall, busy = time.perf_counter() - started, system_busy_seconds() - busy_before
        wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)
        used = {pid: cpu_seconds(pid) - before[pid] for pid in pids}
        capacity, server_cpu = wall * CORES, sum(used.values())
        return result, Usage(round(wall, 2), round(wrk_cpu / capacity, 3), round(server_cpu / capacity, 3),
                             round(max(0.0, busy - wrk_cpu - server_cpu) / capacity, 3),
                             {pids[pid]: round(cpu / wall, 2) for pid, cpu in used.items()})

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


# ---- CPU and memory of process trees (from /proc) ----------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (index 0 is field 3, the state)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree_pids(root: int) -> list[int]:
    """``root`` and every live descendant of it (found through each process's parent pid)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) ``pid`` used so far; 0 once it is gone."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def system_busy_seconds() -> float:
    """CPU time every core of the machine spent busy (not idle, not waiting for I/O) since boot."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK_TICKS  # user..steal, minus idle and iowait


def memory_mb(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS: shared pages split among their users) memory of ``pid``."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        text = Path(f"/proc/{pid}/status").read_text().replace("VmRSS:", "Rss:")
    found = {k: int(v) / 1024 for k, v in re.findall(r"^(Rss|Pss):\s+(\d+) kB", text, re.M)}
    return {"rss_mb": round(found.get("Rss", 0.0), 1), "pss_mb": round(found.get("Pss", found.get("Rss", 0.0)), 1)}
