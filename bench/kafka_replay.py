"""Start-up replay from Kafka: 100,000 SCHEMA records in a topic, ``charter serve`` until ``/status`` is ready.

    bash tests/kafka/fetch.sh; .venv/bin/python bench/kafka_replay.py [--runs 5] [--records 100000]
                                                    [--before GIT-REVISION] [--bootstrap HOST:PORT]

Starts its own Apache Kafka broker (KRaft, one node, full JIT, as bench/kafka_bench.py does) unless
``--bootstrap`` names a running one, fills a fresh topic with ``--records`` SCHEMA records (10 versions
per subject), then starts ``charter serve --kafka-bootstrap ...`` ``--runs`` times, one after the
other, each in its own group. Per run, from the server's own log lines (``--log-level info``) and the
wall clock at process start:

* ``ready_s``: process start until ``GET /status`` says ``ready`` (issue 18's "< 2 s" figure);
* ``cpu_s``: the CPU time the server used until then (all threads), steadier than ready_s when
  other work shares the machine;
* ``to_listening_s``: process start until the "listening" line (Python start, imports, settings, build);
* ``to_boot_s``: process start until the Kafka start-up thread begins (the app and uvicorn's start-up
  come between the two), i.e. ready_s less what the Kafka start-up takes;
* ``checks_s`` and ``replay_s``: from the "replayed N records in X s (broker and topic checks A s,
  reading and applying B s ...)" line; ``records_per_s`` = records / replay_s.

With ``--before REV`` the same runs alternate with runs of Charter's code at ``REV`` (``git archive``
of cli/, clients/, compat/ and registry/ into a temporary ``charter/`` on ``PYTHONPATH``, which comes
before the editable install), so both are measured on the same broker, topic and machine load.

Also ``imports_s``: a fresh interpreter importing what ``charter serve`` on Kafka imports (best of 3),
to say how much of ``ready_s`` is imports. Prints one JSON object (medians, best, and every run).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient

# bench/ is sys.path[0] (kafka_bench); the tests' broker launcher lives in tests/support.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from kafka_bench import Charter, fill_topic
from support.kafka_broker import KafkaBroker, kafka_version

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ [\w.]+: (.*)$")
# (older versions' line has no split into checks and replay)
REPLAYED = re.compile(r"replayed (\d+) records in ([\d.]+) s \((?:broker and topic checks ([\d.]+) s, "
                      r"reading and applying ([\d.]+) s)?")
ROOT = Path(__file__).resolve().parents[1]
IMPORTS = ("import charter.cli.main, charter.cli.serve, charter.registry.bootstrap, charter.registry.api.app, "
           "charter.registry.log.kafka, charter.registry.cluster.node, uvicorn")


def log_lines(path: Path) -> list[tuple[float, str]]:
    """(wall-clock time, message) of each timestamped line of a server's log."""
    found = []
    for line in path.read_text(errors="replace").splitlines():
        m = LINE.match(line)
        if m:
            when = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            found.append((when, m.group(2)))
    return found


def cpu_s(pid: int) -> float:
    """CPU seconds (user and system, all threads) the process has used: less sensitive than the wall
    clock to other work on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


def one_run(tmp: Path, bootstrap: str, topic: str, group: str) -> dict[str, Any]:
    wall = time.time()
    server = Charter(tmp, "--kafka-bootstrap", bootstrap, "--kafka-topic", topic, "--group-id", group,
                     "--log-level", "info")
    try:
        ready = server.wait(ready=True)
        cpu = cpu_s(server.proc.pid)
    finally:
        server.stop()
    lines = log_lines(tmp / f"charter-{server.port}.log")
    listening = next(t for t, msg in lines if " listening on " in msg)
    done, text = next((t, msg) for t, msg in lines if REPLAYED.search(msg))
    m = REPLAYED.search(text)
    assert m is not None
    records, total = int(m.group(1)), float(m.group(2))
    checks = float(m.group(3)) if m.group(3) else None
    replay = float(m.group(4)) if m.group(4) else total  # older lines: checks included
    return {"ready_s": round(ready, 3), "cpu_s": cpu, "to_listening_s": round(listening - wall, 3),
            "to_boot_s": round(done - total - wall, 3), "checks_s": checks, "replay_s": replay,
            "records": records, "records_per_s": round(records / replay)}


def source_at(revision: str, into: Path) -> Path:
    """Charter's packages at ``revision`` as ``into/charter/...``; returns the folder for PYTHONPATH."""
    (into / "charter").mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "cli", "clients", "compat", "registry"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into / "charter")], input=archive, check=True)
    found = subprocess.run([sys.executable, "-c", "import charter.registry.log.kafka as k; print(k.__file__)"],
                           check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(into)})
    assert found.stdout.startswith(str(into)), f"the code at {revision} is not the one imported: {found.stdout}"
    return into


@contextlib.contextmanager
def python_path(folder: Path | None) -> Iterator[None]:
    """Servers started inside import Charter from ``folder`` (None: the editable install)."""
    before = os.environ.get("PYTHONPATH")
    if folder is not None:
        os.environ["PYTHONPATH"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    figures = {k: round(statistics.median(r[k] for r in runs), 3) for k in
               ("ready_s", "cpu_s", "to_listening_s", "to_boot_s", "replay_s", "records_per_s")}
    checks = [r["checks_s"] for r in runs if r["checks_s"] is not None]
    figures["checks_s"] = round(statistics.median(checks), 3) if checks else None
    each = [" ".join(f"{k.removesuffix('_s')} {v}" for k, v in r.items() if k != "records") for r in runs]
    return {"median": figures, "best_ready_s": min(r["ready_s"] for r in runs), "each_run": each}


def imports_s() -> float:
    """A fresh interpreter's start and the imports of ``charter serve`` on Kafka (best of 3)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", IMPORTS], check=True)
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--bootstrap", help="a running broker (default: start one)")
    parser.add_argument("--before", help="a git revision to measure too, in alternate runs")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="charter-kafka-replay-"))
    old_code = source_at(args.before, tmp / "before") if args.before else None
    broker = None
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        broker = KafkaBroker(tmp / "kafka", heap="1g", quick_jit=False).start()
        bootstrap = broker.bootstrap
    topic = f"replay-{args.records}-{int(time.time())}"
    try:
        filling = time.perf_counter()
        fill_topic(bootstrap, topic, args.records)
        filled = time.perf_counter() - filling
        runs: list[dict[str, Any]] = []
        before_runs: list[dict[str, Any]] = []
        for i in range(args.runs):
            if old_code is not None:
                with python_path(old_code):
                    before_runs.append(one_run(tmp, bootstrap, topic, f"replay-before-{i}"))
            runs.append(one_run(tmp, bootstrap, topic, f"replay-bench-{i}"))
        admin = AdminClient({"bootstrap.servers": bootstrap})  # kept alive until the deletion is answered
        admin.delete_topics([topic])[topic].result(30)
    finally:
        if broker is not None:
            broker.stop()
    results: dict[str, Any] = {
        "broker": f"Apache Kafka {kafka_version()} (KRaft, one node)" if broker else bootstrap,
        "records": args.records, "fill_s": round(filled, 2), "runs": len(runs), "imports_s": imports_s(),
        "now": summary(runs),
    }
    if before_runs:
        before = results["before"] = {"revision": args.before, **summary(before_runs)}
        results["ready_s_before_to_now"] = (f"{before['median']['ready_s']:.2f} -> "
                                            f"{results['now']['median']['ready_s']:.2f} (medians)")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
