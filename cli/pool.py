"""``charter serve --workers N``: the supervisor of a pool of worker processes on one port.

The supervisor serves nothing itself. It

1. on the embedded log, opens the data directory as a single server would (its lock, the header,
   a torn tail cut off, corruption refused) and keeps the directory's lock while the pool runs, so
   no other Charter process can open it; the workers share the log file
   (:mod:`charter.registry.log.shared_file`);
2. holds the port: on Linux every worker listens on a socket of its own bound with ``SO_REUSEPORT``
   and the kernel spreads connections evenly across them (:func:`listen`); elsewhere the workers
   accept from one socket the supervisor listens on;
3. creates the pool's board (:mod:`charter.registry.cluster.board`), an unlinked shared file the
   workers inherit;
4. starts the workers (``python -m charter.cli.main`` with the same arguments, and
   ``CHARTER_POOL_WORKER`` saying which one it is), restarts any that dies (after 0.5 s, doubling
   up to 10 s while it keeps dying within 5 s of its start), and stops the pool when one exits with
   code 2 (a setting or a log that cannot work: restarting cannot help);
5. on SIGTERM or SIGINT, asks every worker to stop (each finishes its requests), then exits 0.

Each worker holds the read end of a pipe whose write end only the supervisor has: when the
supervisor dies, even by SIGKILL, the workers see the pipe close and stop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType

from charter.registry.cluster.board import Board
from charter.registry.settings import Settings

log = logging.getLogger("charter.pool")

POOL_ENV = "CHARTER_POOL_WORKER"  # index,fd:N or port:N,watch fd,board fd (set by the supervisor only)
AUTO_MAX = 4  # --workers 0: one per CPU core, at most this many
BACKOFF_S = (0.5, 10.0)  # first and longest wait before restarting a worker that keeps dying
STABLE_S = 5.0  # a worker that lived this long is restarted after the first wait again
STOP_WAIT_S = 30.0  # how long workers get to finish (uvicorn's 10 s, then leaving a Kafka group) before a kill


class PoolSettingsError(ValueError):
    """A pool that cannot work with these settings."""


def pool_size(settings: Settings) -> int:
    """How many processes ``settings`` asks for (0: one per CPU core, capped at :data:`AUTO_MAX`, on
    the embedded log; one on Kafka).

    With TLS on the embedded log, one: the workers forward writes to each other over loopback, and
    the listeners share the TLS settings (a certificate for the public name, client certificates
    with ``--tls-ca``), which such a connection cannot satisfy (:class:`PoolSettingsError` when more
    are asked for)."""
    if settings.tls_cert and not settings.kafka_bootstrap:
        if settings.workers > 1:
            raise PoolSettingsError(
                "--workers above 1 with --tls-cert on the embedded log is not supported: the workers forward "
                "writes to each other over loopback, which the TLS settings (certificate name, client "
                "certificates) do not allow; use --workers 1, or terminate TLS in front of the pool")
        return 1
    if settings.workers > 0:
        return settings.workers
    if settings.kafka_bootstrap:
        # Other instances forward writes to whichever worker is the primary, at its own port: an
        # explicit --workers says those ports are reachable (not behind one published port).
        return 1
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on (a container's cpuset)
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_MAX))


@dataclass
class _Worker:
    index: int
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    backoff: float = BACKOFF_S[0]
    restart_at: float = 0.0


SPREAD = hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")
BACKLOG = 2048


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(settings: Settings) -> tuple[socket.socket, str]:
    """The pool's socket and how a worker listens (``fd:N`` or ``port:N``, see :func:`worker_listener`).

    On Linux each worker listens on a socket of its own bound with ``SO_REUSEPORT``, and the kernel
    spreads new connections evenly across them: with one shared socket, the worker that wakes first
    accepts a whole burst (a client opening 32 keep-alive connections at once can land them all on
    one worker). The supervisor then holds a socket bound the same way but not listening: it gets no
    connections and keeps the port for the pool, after a plain bind proved nobody else had it (a
    second server started on the same port is refused, as a single server would be). Elsewhere the
    supervisor listens on one socket the workers inherit."""
    host, port, family = settings.host, settings.port, _family(settings.host)
    if not SPREAD:
        sock = socket.create_server((host, port), family=family, backlog=BACKLOG)
        sock.set_inheritable(True)
        return sock, f"fd:{sock.fileno()}"
    with socket.socket(family) as probe:  # EADDRINUSE when another server has the port
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]  # --port 0: the one the kernel chose
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock, f"port:{port}"


def worker_listener(host: str, how: str) -> socket.socket:
    """The listening socket of a worker: the supervisor's (``fd:N``, inherited) or its own on the
    pool's port (``port:N``, with ``SO_REUSEPORT``)."""
    kind, _, number = how.partition(":")
    if kind == "fd":
        return socket.socket(fileno=int(number))
    sock = socket.socket(_family(host))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, int(number)))
    sock.listen(BACKLOG)
    return sock


class Supervisor:
    """Starts, watches and stops the workers; see the module docstring."""

    def __init__(self, settings: Settings, argv: list[str], workers: int) -> None:
        self.settings = settings
        self.argv = argv
        self.workers = [_Worker(index) for index in range(workers)]
        self.stopping = False
        self.exit_code = 0

    def run(self) -> int:
        with contextlib.ExitStack() as resources:
            board = Board.create(len(self.workers))
            resources.callback(board.close)
            if not self.settings.kafka_bootstrap:
                from charter.registry.log.base import LogError
                from charter.registry.log.file import FileLog

                try:
                    owner = FileLog(self.settings.data_path)
                except (LogError, OSError) as exc:
                    print(f"charter: error: {exc}", file=sys.stderr)
                    return 2
                resources.callback(owner.close)  # the data directory's lock, held while the pool runs
                board.set_log_end(owner.hand_to_pool())
            try:
                listener, how = listen(self.settings)
            except OSError as exc:
                print(f"charter: error: cannot listen on {self.settings.host}:{self.settings.port}: {exc}",
                      file=sys.stderr)
                return 1
            resources.callback(listener.close)
            watch_read, watch_write = os.pipe()
            resources.callback(os.close, watch_read)
            resources.callback(os.close, watch_write)  # closed: any worker still running stops
            os.set_inheritable(watch_read, True)
            previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
            for sig, handler in previous.items():
                resources.callback(signal.signal, sig, handler)
            resources.callback(self._stop_all)
            fds = (watch_read, board.fd, *((listener.fileno(),) if how.startswith("fd:") else ()))
            spec = f"{how},{watch_read},{board.fd}"
            log.info("pool: %d workers on http%s://%s:%d (supervisor pid %d)", len(self.workers),
                     "s" if self.settings.tls_cert else "", self.settings.host, listener.getsockname()[1],
                     os.getpid())
            for worker in self.workers:
                self._spawn(worker, spec, fds)
            while not self.stopping:
                time.sleep(0.1)
                self._watch(board, spec, fds)
        return self.exit_code

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _spawn(self, worker: _Worker, spec: str, fds: tuple[int, ...]) -> None:
        env = {**os.environ, POOL_ENV: f"{worker.index},{spec}"}
        worker.proc = subprocess.Popen([sys.executable, "-m", "charter.cli.main", *self.argv], env=env, pass_fds=fds)
        worker.started = time.monotonic()
        log.info("pool: worker %d started (pid %d)", worker.index, worker.proc.pid)

    def _watch(self, board: Board, spec: str, fds: tuple[int, ...]) -> None:
        now = time.monotonic()
        for worker in self.workers:
            if worker.proc is None:
                if now >= worker.restart_at and not self.stopping:
                    board.count_restart()
                    self._spawn(worker, spec, fds)
                continue
            code = worker.proc.poll()
            if code is None:
                continue
            board.vacate(worker.index)
            pid, worker.proc = worker.proc.pid, None
            if code == 2:
                log.critical("pool: worker %d (pid %d) exited with code 2 (see its error above); stopping the pool",
                             worker.index, pid)
                self.stopping, self.exit_code = True, 2
                continue
            lived = now - worker.started
            if lived >= STABLE_S:
                worker.backoff = BACKOFF_S[0]
            wait, worker.backoff = worker.backoff, min(worker.backoff * 2, BACKOFF_S[1])
            worker.restart_at = now + wait
            how = f"signal {-code}" if code < 0 else f"code {code}"
            log.warning("pool: worker %d (pid %d) exited with %s after %.1f s; restarting it in %.1f s",
                        worker.index, pid, how, lived, wait)

    def _stop_all(self) -> None:
        live = [w.proc for w in self.workers if w.proc is not None and w.proc.poll() is None]
        if live:
            log.info("pool: stopping %d workers", len(live))
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for proc in live:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("pool: worker pid %d did not stop in %.0f s; killing it", proc.pid, STOP_WAIT_S)
                proc.kill()
                proc.wait()
