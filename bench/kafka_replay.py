"""Start-up replay from Kafka: 100,000 SCHEMA records in a topic, ``charter serve`` until ``/status`` is ready.

    bash tests/kafka/fetch.sh; .venv/bin/python bench/kafka_replay.py [--runs 5] [--records 100000]
                                                                     [--bootstrap HOST:PORT]

Starts its own Apache Kafka broker (KRaft, one node, full JIT, as bench/kafka_bench.py does) unless
``--bootstrap`` names a running one, fills a fresh topic with ``--records`` SCHEMA records (10 versions
per subject), then starts ``charter serve --kafka-bootstrap ...`` ``--runs`` times, one after the
other, each in its own group. Per run, from the server's own log lines (``--log-level info``) and the
wall clock at process start:

* ``ready_s``: process start until ``GET /status`` says ``ready`` (issue 18's "< 2 s" figure);
* ``to_listening_s``: process start until the "listening" line (Python start, imports, settings, build);
* ``to_boot_s``: process start until the Kafka start-up thread begins (the app and uvicorn's start-up
  come between the two), i.e. ready_s less what the Kafka start-up takes;
* ``checks_s`` and ``replay_s``: from the "replayed N records in X s (broker and topic checks A s,
  reading and applying B s ...)" line; ``records_per_s`` = records / replay_s.

Also ``imports_s``: a fresh interpreter importing what ``charter serve`` on Kafka imports (best of 3),
to say how much of ``ready_s`` is imports. Prints one JSON object (medians, best, and every run).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient

# bench/ is sys.path[0] (kafka_bench); the tests' broker launcher lives in tests/support.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from kafka_bench import Charter, fill_topic
from support.kafka_broker import KafkaBroker, kafka_version

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ [\w.]+: (.*)$")
REPLAYED = re.compile(r"replayed (\d+) records in ([\d.]+) s \(broker and topic checks ([\d.]+) s, "
                      r"reading and applying ([\d.]+) s")
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


def one_run(tmp: Path, bootstrap: str, topic: str, group: str) -> dict[str, Any]:
    wall = time.time()
    server = Charter(tmp, "--kafka-bootstrap", bootstrap, "--kafka-topic", topic, "--group-id", group,
                     "--log-level", "info")
    try:
        ready = server.wait(ready=True)
    finally:
        server.stop()
    lines = log_lines(tmp / f"charter-{server.port}.log")
    listening = next(t for t, msg in lines if " listening on " in msg)
    done, text = next((t, msg) for t, msg in lines if REPLAYED.search(msg))
    m = REPLAYED.search(text)
    assert m is not None
    records, total, checks, replay = int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))
    return {"ready_s": round(ready, 3), "to_listening_s": round(listening - wall, 3),
            "to_boot_s": round(done - total - wall, 3), "checks_s": checks, "replay_s": replay,
            "records": records, "records_per_s": round(records / replay) if replay else None}


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
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="charter-kafka-replay-"))
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
        runs = [one_run(tmp, bootstrap, topic, f"replay-bench-{i}") for i in range(args.runs)]
        admin = AdminClient({"bootstrap.servers": bootstrap})  # kept alive until the deletion is answered
        admin.delete_topics([topic])[topic].result(30)
    finally:
        if broker is not None:
            broker.stop()
    figures = {k: round(statistics.median(r[k] for r in runs), 3)
               for k in ("ready_s", "to_listening_s", "to_boot_s", "checks_s", "replay_s", "records_per_s")}
    results = {
        "broker": f"Apache Kafka {kafka_version()} (KRaft, one node)" if broker else bootstrap,
        "records": args.records, "fill_s": round(filled, 2), "runs": len(runs),
        "median": figures, "best_ready_s": min(r["ready_s"] for r in runs),
        "imports_s": imports_s(), "each_run": runs,
    }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
