"""Every setting of `charter serve`, in one table: CLI flag, environment variable, default, help.

The CLI builds its options from :data:`OPTIONS`, the README documents the same table, and
:class:`Settings` is what the service receives. An environment variable sets a default that a
command-line flag overrides.
"""

from __future__ import annotations

import os
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
        "log_level", "--log-level", "CHARTER_LOG_LEVEL", "info", str,
        "log level: debug, info, warning, error",
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
    log_level: str = "info"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


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
