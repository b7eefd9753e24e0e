"""Every setting of `charter serve`, in one table: CLI flag, environment variable, default, help.

The CLI builds its options from :data:`OPTIONS`, the README documents the same table, and
:class:`Settings` is what the service receives. An environment variable sets a default that a
command-line flag overrides.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Option:
    name: str  # attribute of Settings
    flag: str
    env: str
    default: Any
    kind: type
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("host", "--host", "CHARTER_HOST", "127.0.0.1", str, "address to listen on"),
    Option("port", "--port", "CHARTER_PORT", 8081, int, "TCP port to listen on"),
    Option(
        "data_dir", "--data-dir", "CHARTER_DATA_DIR", "./charter-data", str,
        "directory of the embedded durable log (one process per directory)",
    ),
    Option(
        "compatibility", "--compatibility", "SCHEMA_REGISTRY_SCHEMA_COMPATIBILITY_LEVEL", "BACKWARD", str,
        "global compatibility level until one is set with PUT /config",
    ),
    Option(
        "max_schema_bytes", "--max-schema-bytes", "CHARTER_MAX_SCHEMA_BYTES", 4 * 1024 * 1024, int,
        "largest schema text accepted (42209 above it)",
    ),
    Option(
        "max_request_bytes", "--max-request-bytes", "CHARTER_MAX_REQUEST_BYTES", 8 * 1024 * 1024, int,
        "largest request body accepted (413 above it)",
    ),
    Option(
        "schema_cache_size", "--schema-cache-size", "CHARTER_SCHEMA_CACHE_SIZE", 2000, int,
        "parsed schemas kept in memory for compatibility checks and lookups",
    ),
    Option(
        "kafka_bootstrap", "--kafka-bootstrap", "CHARTER_KAFKA_BOOTSTRAP", "", str,
        "Kafka bootstrap servers HOST:PORT: keep the schemas in a Kafka topic (empty: embedded log)",
    ),
    Option("kafka_topic", "--kafka-topic", "CHARTER_KAFKA_TOPIC", "_schemas", str,
           "the compacted one-partition schemas topic"),
    Option("group_id", "--group-id", "CHARTER_GROUP_ID", "schema-registry", str,
           "Kafka group in which the instances elect their primary"),
    Option(
        "advertised_url", "--advertised-url", "CHARTER_ADVERTISED_URL", "", str,
        "URL other instances use to reach this one (empty: http://HOST:PORT)",
    ),
    Option(
        "kafka_session_timeout_ms", "--kafka-session-timeout-ms", "CHARTER_KAFKA_SESSION_TIMEOUT_MS", 10000, int,
        "election group session timeout: how long a dead primary keeps its role",
    ),
    Option(
        "log_level", "--log-level", "CHARTER_LOG_LEVEL", "info", str,
        "log level: debug, info, warning, error",
    ),
    Option("log_format", "--log-format", "CHARTER_LOG_FORMAT", "text", str,
           "log format: text, or json (one object per line, with request ids)"),
    Option(
        "users_file", "--users-file", "CHARTER_USERS_FILE", "", str,
        "JSON users file (argon2 hashes, subject ACLs): enables HTTP Basic auth (empty: open)",
    ),
    Option("tls_cert", "--tls-cert", "CHARTER_TLS_CERT", "", str, "PEM server certificate: serve HTTPS"),
    Option("tls_key", "--tls-key", "CHARTER_TLS_KEY", "", str, "PEM private key of --tls-cert"),
    Option(
        "tls_ca", "--tls-ca", "CHARTER_TLS_CA", "", str,
        "PEM CA: require and verify client certificates (mTLS); the CN can authenticate a user",
    ),
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8081
    data_dir: str = "./charter-data"
    compatibility: str = "BACKWARD"
    max_schema_bytes: int = 4 * 1024 * 1024
    max_request_bytes: int = 8 * 1024 * 1024
    schema_cache_size: int = 2000
    kafka_bootstrap: str = ""
    kafka_topic: str = "_schemas"
    group_id: str = "schema-registry"
    advertised_url: str = ""
    kafka_session_timeout_ms: int = 10000
    log_level: str = "info"
    log_format: str = "text"
    users_file: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def public_url(self) -> str:
        """How other instances reach this one: --advertised-url, else http://HOST:PORT."""
        if self.advertised_url:
            return self.advertised_url.rstrip("/")
        host = self.host if self.host not in ("0.0.0.0", "::", "") else socket.getfqdn()
        return f"http://{host}:{self.port}"


def defaults_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Option defaults with environment overrides applied; ValueError names a bad variable."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = environ.get(opt.env)
        if raw is None or raw == "":
            values[opt.name] = opt.default
            continue
        try:
            values[opt.name] = opt.kind(raw)
        except ValueError:
            raise ValueError(f"{opt.env}={raw!r} is not a valid {opt.kind.__name__}") from None
    return values
