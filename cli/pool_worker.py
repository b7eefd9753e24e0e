"""One worker of a ``charter serve --workers N`` pool (started by :mod:`charter.cli.pool`).

A worker serves the pool's port (a socket of its own bound with ``SO_REUSEPORT`` on Linux, else the
supervisor's, inherited) and a private listener
of its own on an ephemeral port: the address the other workers (and, on Kafka, the other instances)
forward writes to. On the embedded log it replays the shared log file before it accepts
connections; on Kafka it is one more member of the topic's group (it replays in the background and
may be elected primary). It stops when the supervisor asks (SIGTERM) or disappears (the watch
pipe closes).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from charter.registry.cluster.board import Board
from charter.registry.log.shared_file import SharedFileLog
from charter.registry.settings import Settings

log = logging.getLogger("charter.pool")


def _private_listener(settings: Settings) -> tuple[socket.socket, str]:
    """This worker's own listener and the URL it is reached at: loopback on the embedded log (only
    the pool's workers use it), the instance's host on Kafka (other instances forward to it)."""
    kafka = bool(settings.kafka_bootstrap)
    bind = settings.host if kafka else "127.0.0.1"
    sock = socket.create_server((bind, 0), family=socket.AF_INET6 if ":" in bind else socket.AF_INET)
    host = (urlsplit(settings.public_url).hostname or bind) if kafka else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return sock, f"{'https' if settings.tls_cert else 'http'}://{host}:{sock.getsockname()[1]}"


def _watch_supervisor(fd: int, on_gone: Callable[[], None]) -> None:
    def watch() -> None:
        try:
            while os.read(fd, 1):
                pass
        except OSError:
            pass
        log.warning("pool: the supervisor is gone; this worker stops")
        on_gone()

    threading.Thread(target=watch, name="charter-pool-watch", daemon=True).start()


def run_worker(settings: Settings, args: argparse.Namespace, spec: str,
               make_server: Callable[[Any, Settings, argparse.Namespace], Any]) -> int:
    """Serve as the worker ``spec`` names (``index,fd:N or port:N,watch fd,board fd``)."""
    from charter.registry import bootstrap
    from charter.registry.log.base import LogError

    gc.disable()  # as a single server does (cli/serve.py): no collection walks the state being built
    from charter.cli.pool import worker_listener

    index_text, how, watch_text, board_text = spec.split(",")
    index, watch_fd = int(index_text), int(watch_text)
    board = Board.attach(int(board_text))
    private, url = _private_listener(settings)
    settings = dataclasses.replace(settings, advertised_url=url)
    board.take_seat(index, private.getsockname()[1])
    server: Any = None

    def stop(message: str | None = None) -> None:
        if server is not None:
            server.should_exit = True

    started = time.perf_counter()
    try:
        registry = bootstrap.build(settings, on_fatal=stop, pool=(board, index))
        count = registry.replay() if not settings.kafka_bootstrap else 0
    except LogError as exc:  # the log or the settings cannot work: the pool stops
        print(f"charter: error: worker {index}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # this worker's trouble (descriptors, memory): the supervisor restarts it
        print(f"charter: error: worker {index}: {exc}", file=sys.stderr)
        return 1
    if not settings.kafka_bootstrap:
        state = registry.service.state
        restored = registry.service.writer.from_snapshot
        log.info("worker %d: state of %d records (%d from the state snapshot, %d replayed) in %.2f s (%d subjects, "
                 "%d schemas); serving, private URL %s", index, count, restored, count - restored,
                 time.perf_counter() - started, len(state.subjects), state.schema_count(), url)
    else:
        log.info("worker %d: %s; private URL %s; replaying in the background", index, registry.log.describe(), url)
    app = registry.app()
    gc.freeze()  # everything start-up built is never walked by a collection
    gc.enable()
    # Listen only now: with SO_REUSEPORT the kernel sends a listening socket its share of new
    # connections at once, and a worker still replaying would hold them.
    listener = worker_listener(settings.host, how)
    server = make_server(app, settings, args)
    if isinstance(registry.log, SharedFileLog):  # a stopping worker never takes the writer's role
        server.on_stop_signal = registry.log.stop_contending
    _watch_supervisor(watch_fd, stop)
    server.run(sockets=[listener, private])
    if registry.cluster.fatal:
        print(f"charter: error: worker {index}: {registry.cluster.fatal}", file=sys.stderr)
        return 2
    return 0 if server.started else 1
