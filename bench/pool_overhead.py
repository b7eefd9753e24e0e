"""What a ``--workers`` pool worker's request path costs on top of a single server's, in-process.

``.venv/bin/python bench/pool_overhead.py`` builds the real app twice on an embedded log with one
schema: as a single server (:class:`~charter.registry.cluster.Standalone`) and as worker 0 of a
pool of 2 (the shared log file, the board, :class:`~charter.registry.cluster.pool.FilePool`, its
tail and lock threads running), and drives ``GET /schemas/ids/1`` straight through the ASGI
interface (no sockets, no uvicorn; bench/middleware.py's loop). Rounds alternate between the two;
it prints microseconds per request (best round of each) and the cost of the read barrier's look at
the board (:meth:`~charter.registry.cluster.board.Board.acked`, once per request). bench/workers.py
measures the pool over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import time
import timeit
from pathlib import Path

from middleware import _per_request_us

from charter.registry import bootstrap
from charter.registry.cluster.board import Board
from charter.registry.log.file import FileLog
from charter.registry.settings import Settings


def standalone(data_dir: Path) -> bootstrap.Registry:
    registry = bootstrap.build(Settings(data_dir=str(data_dir)))
    registry.replay()
    return registry


def pool_worker(data_dir: Path, workers: int = 2) -> bootstrap.Registry:
    """Worker 0 of a pool of ``workers``, set up as cli/pool.py and cli/pool_worker.py do."""
    owner = FileLog(data_dir)
    owner.hand_to_pool()  # the supervisor's part; its directory lock goes with the process
    board = Board.create(data_dir / "board", workers)
    board.take_seat(0, 1)
    settings = dataclasses.replace(Settings(data_dir=str(data_dir)), advertised_url="http://127.0.0.1:1")
    registry = bootstrap.build(settings, pool=(board, 0))
    registry.replay()
    return registry


async def _measure(registry: bootstrap.Registry, requests: int) -> float:
    app = registry.app()
    async with app.router.lifespan_context(app):  # starts the cluster (a pool worker: its threads)
        deadline = time.monotonic() + 5
        while not registry.cluster.writes_here() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # a pool worker takes the log's lock within CONTEND_S
        return await _per_request_us(app, registry.service, requests)


def acked_us(workers: int = 2, calls: int = 200_000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        board = Board.create(Path(tmp) / "board", workers)
        try:
            return min(timeit.repeat(board.acked, number=calls, repeat=5)) / calls * 1e6
        finally:
            board.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000, help="requests per round (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, alternating (default: %(default)s)")
    args = parser.parse_args()
    best = {"single server": float("inf"), "pool worker (2 workers)": float("inf")}
    for _ in range(args.rounds):
        for label, build in zip(best, (standalone, pool_worker), strict=True):
            with tempfile.TemporaryDirectory() as tmp:
                best[label] = min(best[label], asyncio.run(_measure(build(Path(tmp) / "data"), args.requests)))
    single = best["single server"]
    print(f"{'GET /schemas/ids/1, in-process ASGI':<40} {'us/req':>8} {'vs single':>10}")
    for label, us in best.items():
        print(f"{label:<40} {us:>8.1f} {us / single:>9.2f}x")
    print(f"{'Board.acked() (read barrier), 2 workers':<40} {acked_us():>8.2f}")


if __name__ == "__main__":
    main()
