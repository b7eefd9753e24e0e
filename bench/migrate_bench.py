"""``charter migrate`` benchmark: schemas per second Charter -> Charter, and the ``--follow`` lag.

    .venv/bin/python bench/migrate_bench.py [--events 2450] [--versions 4] [--interval 0.5] [--samples 10]

Builds a source registry of about 10,000 schemas (200 shared record types, 2,450 subjects whose
4 versions each reference one of them, soft-deleted versions, one schema under two subjects)
straight into a log (tests/support/migrate.py), starts it and an empty target, and times
``charter migrate --from SOURCE --to TARGET`` (reads, plan and writes), then a re-run with
``--verify`` (nothing left to copy; both sides compared). Then runs
``charter migrate --follow`` and registers new schemas on the source one at a time, timing how
long each takes to appear on the target.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.migrate import build_source
from support.process import V1, RegistryProcess

CHARTER = [sys.executable, "-m", "charter.cli.main", "migrate"]


def copy_rate(source: RegistryProcess, target: RegistryProcess, expected: int) -> None:
    started = time.monotonic()
    done = subprocess.run([*CHARTER, "--from", source.url, "--to", target.url, "--quiet"],
                          capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"migrate failed ({done.returncode}): {done.stdout}{done.stderr}")
    registered = int(re.search(r"(\d+) version\(s\) registered \((\d+)/s\)", done.stdout).group(1))  # type: ignore[union-attr]
    write_rate = int(re.search(r"registered \((\d+)/s\)", done.stdout).group(1))  # type: ignore[union-attr]
    assert registered == expected, (registered, expected)
    print(f"copy: {registered} schemas (versions) in {elapsed:.1f}s, command end to end: "
          f"{registered / elapsed:.0f} schemas/s (write phase alone: {write_rate}/s)")
    print(f"  {done.stdout.strip()}")


def rerun_and_verify(source: RegistryProcess, target: RegistryProcess) -> None:
    started = time.monotonic()
    done = subprocess.run([*CHARTER, "--from", source.url, "--to", target.url, "--quiet", "--verify"],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        sys.exit(f"migrate --verify failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr}")
    print(f"re-run with --verify (nothing to copy, then both sides compared): {time.monotonic() - started:.1f}s; "
          f"{done.stdout.strip().splitlines()[-1]}")


def follow_lag(source: RegistryProcess, target: RegistryProcess, interval: float, samples: int) -> None:
    cmd = [*CHARTER, "--from", source.url, "--to", target.url, "--follow", "--interval", str(interval)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # the initial pass (nothing to copy: the copy above did it) is over
        if "following" in line:
            break
    lags = []
    try:
        with httpx.Client(base_url=source.url, headers={"Content-Type": V1}, timeout=30) as src, \
                httpx.Client(base_url=target.url, timeout=30) as dst:
            for n in range(samples):
                subject = f"lag-{n}"
                schema = {"type": "record", "name": f"Lag{n}", "fields": [{"name": "f", "type": "string"}]}
                src.post(f"/subjects/{subject}/versions", json={"schema": json.dumps(schema)}).raise_for_status()
                started = time.monotonic()
                while dst.get(f"/subjects/{subject}/versions/1").status_code != 200:
                    if time.monotonic() - started > 60:
                        sys.exit("follow: no copy within 60s")
                    time.sleep(0.01)
                lags.append(time.monotonic() - started)
                time.sleep(interval * 0.37)  # land at different points of the poll cycle
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)  # the rest of its log
    if proc.returncode != 0:
        sys.exit(f"follow exited {proc.returncode}: {err}")
    print(f"follow (--interval {interval}): lag from registration on the source to the version on the target "
          f"over {samples} registrations: median {statistics.median(lags):.2f}s, min {min(lags):.2f}s, "
          f"max {max(lags):.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bases", type=int, default=200)
    parser.add_argument("--events", type=int, default=2450)
    parser.add_argument("--versions", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="migrate-bench-") as tmp:
        ds = build_source(Path(tmp) / "source", args.bases, args.events, args.versions)
        print(f"source: {ds.versions} schemas (versions) in {ds.subjects} subjects, {ds.with_references} with a "
              f"reference, {ds.deleted} soft-deleted")
        source = RegistryProcess(Path(tmp) / "source").start(timeout=120)
        target = RegistryProcess(Path(tmp) / "target").start()
        try:
            copy_rate(source, target, ds.versions)
            rerun_and_verify(source, target)
            follow_lag(source, target, args.interval, args.samples)
        finally:
            source.stop()
            target.stop()


if __name__ == "__main__":
    main()
