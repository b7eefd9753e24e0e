"""``charter serve``: replay the embedded log, then serve the Confluent API with uvicorn; with
``--workers N`` (default: one per CPU core, at most 4), a pool of N such processes on one port
(:mod:`charter.cli.pool`)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

import uvicorn

from charter.registry.settings import Settings, SettingsError, add_arguments, given_flags, resolve

log = logging.getLogger("charter")


def package_version() -> str:
    try:
        return metadata.version("charter-registry")
    except metadata.PackageNotFoundError:
        return "unknown"


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="run the registry (embedded durable log, or a Kafka topic with --kafka-bootstrap)",
        description=(
            "Run the registry. State lives in an embedded durable log in --data-dir, or with "
            "--kafka-bootstrap in a compacted Kafka topic shared by several instances (one primary "
            "elected, the others forward writes to it); it is replayed on start. Every option can "
            "also be set with the CHARTER_* variable shown, or with the Confluent key shown, in a "
            "--config schema-registry.properties file or a SCHEMA_REGISTRY_* variable as Confluent's "
            "Docker image names them (flag > CHARTER_* > SCHEMA_REGISTRY_* > --config > default)."
        ),
    )
    add_arguments(parser)
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        resolved = resolve(given_flags(args))
    except SettingsError as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    settings = resolved.settings
    _configure_logging(settings, args)
    if resolved.unsupported:
        log.warning("Confluent settings Charter does not support, ignored: %s", ", ".join(resolved.unsupported))
    if settings.users_file:
        from charter.registry.auth.users import Users, UsersFileError

        try:
            users = Users.load(settings.users_file)
        except UsersFileError as exc:
            print(f"charter: error: {exc}", file=sys.stderr)
            return 2
        log.info("auth: HTTP Basic with %d users from %s", len(users.users), settings.users_file)
    if bool(settings.tls_cert) != bool(settings.tls_key) or (settings.tls_ca and not settings.tls_cert):
        print("charter: error: --tls-cert and --tls-key go together; --tls-ca needs them", file=sys.stderr)
        return 2
    # Imported here so that `charter --help` stays fast.
    from charter.compat import CompatibilityLevel

    try:
        CompatibilityLevel.parse(settings.compatibility)
    except ValueError:
        print(f"charter: error: unknown compatibility level {settings.compatibility!r}", file=sys.stderr)
        return 2
    from charter.cli import pool

    spec = os.environ.get(pool.POOL_ENV)
    if spec:
        from charter.cli.pool_worker import run_worker

        return run_worker(settings, args, spec, _make_server)
    try:
        workers = pool.pool_size(settings)
    except pool.PoolSettingsError as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    if workers > 1:
        return pool.Supervisor(settings, list(getattr(args, "argv", sys.argv[1:])), workers).run()
    if settings.kafka_bootstrap:
        return _run_kafka(settings, args)
    return _run_file(settings, args)


def _run_file(settings: Settings, args: argparse.Namespace) -> int:
    """One instance on the embedded log: replay it, then serve."""
    # Until the app is built, start-up only allocates what it keeps (modules, the state): the cyclic
    # collector stays off, then everything built so far is frozen (never walked by a collection: the
    # first one after start would otherwise walk the whole state while serving).
    gc.disable()
    from charter.registry import bootstrap
    from charter.registry.log.base import LogError

    started = time.perf_counter()  # covers opening (checksumming) the log and replaying it
    try:
        registry = bootstrap.build(settings)
    except (LogError, OSError) as exc:
        gc.enable()
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    count = registry.replay()
    state = registry.service.state
    restored = registry.service.writer.from_snapshot
    log.info(
        "store: %s; state of %d records (%d from the state snapshot, %d replayed) in %.2f s (%d subjects, "
        "%d schemas, %d skipped)", registry.log.describe(), count, restored, count - restored,
        time.perf_counter() - started,
        len(state.subjects), state.schema_count(), state.skipped,
    )
    log.info("role: primary (single instance on the embedded log)")
    log.info("Charter %s listening on http://%s:%d", package_version(), settings.host, settings.port)
    app = registry.app()
    gc.freeze()
    gc.enable()
    return _serve(app, settings, args)


def _run_kafka(settings: Settings, args: argparse.Namespace) -> int:
    """Several instances on a Kafka topic: replay, election and forwarding run in the background."""
    from charter.registry import bootstrap
    from charter.registry.log.base import LogError

    server: _Server | None = None

    def fatal(message: str) -> None:
        if server is not None:
            server.should_exit = True

    try:
        registry = bootstrap.build(settings, on_fatal=fatal)  # settings and files that cannot work: stop here
    except LogError as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    log.info("store: %s; advertised as %s%s; replaying in the background (GET /status shows readiness)",
             registry.log.describe(), settings.public_url,
             "" if settings.leader_eligibility else " (leader.eligibility=false: never primary)")
    log.info("Charter %s listening on http://%s:%d", package_version(), settings.host, settings.port)
    server = _make_server(registry.app(), settings, args)
    server.run()
    if registry.cluster.fatal:
        print(f"charter: error: {registry.cluster.fatal}", file=sys.stderr)
        return 2
    return 0 if server.started else 1


def _configure_logging(settings: Settings, args: argparse.Namespace) -> None:
    """Text or JSON lines (--log-format json: request ids, and the access log written by Charter)."""
    if settings.log_format == "json":
        from charter.registry.api.observe import JsonFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])
    else:
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    json_access = args.access_log and settings.log_format == "json"
    logging.getLogger("charter.access").setLevel(logging.INFO if json_access else logging.WARNING)
    # kafka-python's debug log prints the bytes it sends, the SASL handshake included: never below INFO.
    logging.getLogger("kafka").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    secrets = settings.secret_values()
    if secrets:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_Redact(secrets))


class _Redact(logging.Filter):
    """Defence in depth: a record whose text holds a secret setting's value is logged with *** instead."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


def _make_server(app: Any, settings: Settings, args: argparse.Namespace) -> _Server:
    from charter.registry.api.tls import uvicorn_protocol_options

    options: dict[str, Any] = {"loop": "auto"}
    options.update(uvicorn_protocol_options(settings.tls_cert, settings.tls_key, settings.tls_ca,
                                            settings.http_header_timeout_ms))
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        # JSON logs: Charter writes the access log itself (with the request id).
        access_log=args.access_log and settings.log_format != "json",
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=10,
        **options,
    )
    return _Server(config)


def _serve(app: Any, settings: Settings, args: argparse.Namespace) -> int:
    server = _make_server(app, settings, args)
    server.run()
    return 0 if server.started else 1


class _Server(uvicorn.Server):
    """uvicorn's server, but SIGTERM/SIGINT end it with exit code 0 after a graceful shutdown.

    (uvicorn re-raises the captured signal after shutting down, which makes the process exit
    with -15; a clean, requested stop is a success for a service manager.)
    """

    on_stop_signal: Callable[[], None] | None = None  # told first when SIGTERM/SIGINT arrives

    def handle_exit(self, sig: int, frame: Any) -> None:
        if self.on_stop_signal is not None:
            self.on_stop_signal()
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
