"""Registry connection options shared by ``check``, ``register`` and ``diff``.

They map onto the client's confluent-kafka style conf keys (``url``, ``basic.auth.user.info``,
``bearer.auth.token``, ``ssl.*``), so auth and TLS behave exactly as in the Charter clients.
Registry failures become :class:`CliError` with exit code 3 (unreachable, auth refused).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any, TypeVar

from charter.cli.common import EXIT_REGISTRY, EXIT_USAGE, CliError, SchemaEntry, Source
from charter.clients import Schema, SchemaReference, SchemaRegistryClient, SchemaRegistryError

T = TypeVar("T")

SUBJECT_NOT_FOUND = 40401
SCHEMA_NOT_FOUND = 40403
INVALID_SCHEMA = 42201


def add_registry_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("registry connection (same settings as the Charter/confluent-kafka clients)")
    group.add_argument("--registry", metavar="URL", default=os.environ.get("SCHEMA_REGISTRY_URL"),
                       help="registry URL(s), comma-separated [env SCHEMA_REGISTRY_URL]")
    group.add_argument("--user", metavar="USER:PASSWORD", default=os.environ.get("SCHEMA_REGISTRY_USER_INFO"),
                       help="basic auth (basic.auth.user.info) [env SCHEMA_REGISTRY_USER_INFO]")
    group.add_argument("--token", metavar="TOKEN", default=os.environ.get("SCHEMA_REGISTRY_TOKEN"),
                       help="bearer token (bearer.auth.token) [env SCHEMA_REGISTRY_TOKEN]")
    group.add_argument("--ca", metavar="FILE", help="CA bundle to verify the registry (ssl.ca.location)")
    group.add_argument("--cert", metavar="FILE", help="client certificate for mTLS (ssl.certificate.location)")
    group.add_argument("--key", metavar="FILE", help="client private key for mTLS (ssl.key.location)")
    group.add_argument("--registry-config", metavar="KEY=VALUE", action="append", default=[],
                       help="any other client setting, e.g. timeout=10 (repeatable)")


def client_conf(args: argparse.Namespace, url: str) -> dict[str, Any]:
    conf: dict[str, Any] = {"url": url, "max.retries": 1, "retries.wait.ms": 200, "timeout": 15}
    for key, value in (("basic.auth.user.info", args.user), ("bearer.auth.token", args.token),
                       ("ssl.ca.location", args.ca), ("ssl.certificate.location", args.cert),
                       ("ssl.key.location", args.key)):
        if value:
            conf[key] = value
    for item in args.registry_config:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--registry-config {item!r}: use KEY=VALUE")
        conf[key.strip()] = int(value) if value.strip().lstrip("-").isdigit() else value.strip()
    return conf


def make_client(args: argparse.Namespace, url: str | None) -> SchemaRegistryClient:
    if not url:
        raise CliError("no registry: pass --registry URL (or set SCHEMA_REGISTRY_URL, or registry in the manifest)")
    try:
        return SchemaRegistryClient(client_conf(args, url))
    except (ValueError, TypeError, OSError) as exc:
        raise CliError(f"registry settings: {exc}", EXIT_USAGE) from None


def fatal_registry_error(exc: SchemaRegistryError, url: str) -> CliError | None:
    """The exit-3 error for unreachable/auth failures; None for answers the caller handles."""
    if exc.http_status_code == -1:
        return CliError(f"registry unreachable at {url}: {exc.error_message}. Check --registry and the network.",
                        EXIT_REGISTRY)
    if exc.http_status_code in (401, 403):
        return CliError(f"registry refused the credentials (HTTP {exc.http_status_code}: {exc.error_message}); "
                        "check --user / --token / client certificate", EXIT_REGISTRY)
    if exc.http_status_code >= 500:
        return CliError(f"registry error at {url}: {exc}", EXIT_REGISTRY)
    return None


def call(fn: Callable[[], T], url: str) -> T:
    """Run one registry call; unreachable/auth failures raise the exit-3 :class:`CliError`."""
    try:
        return fn()
    except SchemaRegistryError as exc:
        fatal = fatal_registry_error(exc, url)
        if fatal is not None:
            raise fatal from None
        raise


def registry_schema(client: SchemaRegistryClient, url: str, entry: SchemaEntry, source: Source,
                    entries_by_file: dict[str, SchemaEntry], text: str | None = None) -> Schema:
    """The ``Schema`` to send for ``entry``: its text and references resolved to registered versions."""
    if text is None:
        text = source(entry.file) or ""
    refs: list[SchemaReference] = []
    for ref in entry.references:
        sub = entries_by_file.get(ref.file) or SchemaEntry(ref.subject or ref.name, ref.file, entry.schema_type)
        ref_schema = registry_schema(client, url, sub, source, entries_by_file)
        subject = ref.subject or ref.name
        try:
            found = call(lambda s=subject, r=ref_schema: client.lookup_schema(s, r), url)
        except SchemaRegistryError as exc:
            if exc.error_code in (SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND):
                raise CliError(f"{entry.file}: reference {ref.name!r} ({ref.file}) is not registered under subject "
                               f"{subject!r}; run 'charter register' first") from None
            raise CliError(f"{entry.file}: looking up reference {ref.name!r}: {exc}") from None
        refs.append(SchemaReference(ref.name, subject, int(found.version)))
    return Schema(text, entry.schema_type, tuple(refs))
