"""Every setting of `charter serve`, in one table: flag, CHARTER_* variable, Confluent key, default, help.

The CLI builds its options from :data:`OPTIONS`, the README's configuration table is generated from
it (``python -m charter.registry.settings --markdown``; a test keeps them equal), and
:class:`Settings` is what the service receives. Each value comes from, first found:

1. the command-line flag;
2. the ``CHARTER_*`` environment variable;
3. the Confluent key from a ``SCHEMA_REGISTRY_*`` variable (Confluent's Docker image naming);
4. the Confluent key from the ``--config`` properties file;
5. the default.

Confluent keys Charter has no use for are returned by :func:`resolve` so that the caller logs them
in one warning. Secret values are :class:`Secret`: their repr and str never show them.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from charter.registry import confluent_config as cc


class Secret:
    """A password or token: ``reveal()`` gives it, anything else (repr, str, format) shows ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str = "") -> None:
        self._value = str(value)

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return repr(str(self))

    def __str__(self) -> str:
        return "***" if self._value else ""


def parse_bool(text: str) -> bool:
    return cc.boolean(text)


parse_bool.__name__ = "bool"  # argparse and our messages name the kind


@dataclass(frozen=True)
class Option:
    name: str  # attribute of Settings
    flag: str
    env: str
    default: Any
    kind: Callable[[str], Any]
    help: str
    # Confluent keys, the first one set wins, in Confluent's own order: a deprecated key is read first
    # where Confluent does (KafkaSchemaRegistry: master.eligibility; SchemaRegistryConfig: avro.compatibility.level).
    confluent: tuple[str, ...] = ()
    convert: Callable[[str], Any] | None = None  # Confluent value -> ours (None: not set); default: kind

    def parse(self, raw: str) -> Any:
        return self.kind(raw)


OPTIONS: tuple[Option, ...] = (
    Option("config", "--config", "CHARTER_CONFIG", "", str,
           "Confluent schema-registry.properties file to read; flags and variables override its keys"),
    Option("host", "--host", "CHARTER_HOST", "127.0.0.1", str, "address to listen on",
           ("listeners",), cc.listener_host),
    Option("port", "--port", "CHARTER_PORT", 8081, int, "TCP port to listen on", ("listeners",), cc.listener_port),
    Option("advertised_host", "--advertised-host", "CHARTER_ADVERTISED_HOST", "", str,
           "host name other instances reach this one at (empty: --host, or this machine's name for 0.0.0.0)",
           ("host.name",)),
    Option("advertised_url", "--advertised-url", "CHARTER_ADVERTISED_URL", "", str,
           "URL other instances use to reach this one, overriding --advertised-host (empty: "
           "http(s)://HOST:PORT); the smallest eligible URL becomes primary"),
    Option("workers", "--workers", "CHARTER_WORKERS", 0, int,
           "processes serving the port (0: one per CPU core, at most 4, on the embedded log, one on Kafka; "
           "1: a single process); one of them writes the log, the others follow it and hand writes to it"),
    Option("data_dir", "--data-dir", "CHARTER_DATA_DIR", "./charter-data", str,
           "directory of the embedded durable log (one process per directory)"),
    Option("compatibility", "--compatibility", "CHARTER_COMPATIBILITY", "BACKWARD", str,
           "global compatibility level until one is set with PUT /config",
           ("avro.compatibility.level", "schema.compatibility.level")),
    Option("max_schema_bytes", "--max-schema-bytes", "CHARTER_MAX_SCHEMA_BYTES", 4 * 1024 * 1024, int,
           "largest schema text accepted, in UTF-8 bytes (42209 above it)"),
    Option("max_request_bytes", "--max-request-bytes", "CHARTER_MAX_REQUEST_BYTES", 8 * 1024 * 1024, int,
           "largest request body accepted (413 above it)"),
    Option("schema_cache_size", "--schema-cache-size", "CHARTER_SCHEMA_CACHE_SIZE", 2000, int,
           "parsed schemas kept in memory for compatibility checks and lookups", ("schema.cache.size",)),
    Option("max_check_chars", "--max-check-chars", "CHARTER_MAX_CHECK_CHARS", 128_000_000, int,
           "most schema text one compatibility check compares: the candidate's and each checked version's "
           "characters, summed over the versions (42205 above it)"),
    Option("http_header_timeout_ms", "--http-header-timeout-ms", "CHARTER_HTTP_HEADER_TIMEOUT_MS", 30000, int,
           "a connection whose request headers are not complete this long after it opens (or after the "
           "previous response) is closed (0: never)"),
    Option("kafka_bootstrap", "--kafka-bootstrap", "CHARTER_KAFKA_BOOTSTRAP", "", str,
           "Kafka bootstrap servers HOST:PORT[,...]: keep the schemas in a Kafka topic shared by several "
           "instances (empty: embedded log)", ("kafkastore.bootstrap.servers",), cc.server_list),
    Option("kafka_topic", "--kafka-topic", "CHARTER_KAFKA_TOPIC", "_schemas", str,
           "the topic: created with 1 partition and cleanup.policy=compact if missing; any other is refused",
           ("kafkastore.topic",)),
    Option("group_id", "--group-id", "CHARTER_GROUP_ID", "schema-registry", str,
           "Kafka group in which the instances elect their primary (protocol sr, as Confluent)",
           ("schema.registry.group.id",)),
    Option("leader_eligibility", "--leader-eligibility", "CHARTER_LEADER_ELIGIBILITY", True, parse_bool,
           "false: this instance never becomes the primary (it forwards writes)",
           ("master.eligibility", "leader.eligibility"), cc.boolean),
    Option("kafka_session_timeout_ms", "--kafka-session-timeout-ms", "CHARTER_KAFKA_SESSION_TIMEOUT_MS", 10000, int,
           "election group session timeout: how long a dead primary keeps its role",
           ("kafkagroup.session.timeout.ms",)),
    Option("kafka_heartbeat_interval_ms", "--kafka-heartbeat-interval-ms", "CHARTER_KAFKA_HEARTBEAT_INTERVAL_MS",
           3000, int, "election group heartbeat interval (at most a third of the session timeout is used)",
           ("kafkagroup.heartbeat.interval.ms",)),
    Option("kafkastore_timeout_ms", "--kafkastore-timeout-ms", "CHARTER_KAFKASTORE_TIMEOUT_MS", 500, int,
           "how long a write waits for Kafka", ("kafkastore.timeout.ms",)),
    Option("kafkastore_init_timeout_ms", "--kafkastore-init-timeout-ms", "CHARTER_KAFKASTORE_INIT_TIMEOUT_MS",
           60000, int, "how long start-up steps (topic check or creation) wait for Kafka",
           ("kafkastore.init.timeout.ms",)),
    Option("kafka_security_protocol", "--kafka-security-protocol", "CHARTER_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT",
           str, "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", ("kafkastore.security.protocol",), cc.upper),
    Option("kafka_sasl_mechanism", "--kafka-sasl-mechanism", "CHARTER_KAFKA_SASL_MECHANISM", "", str,
           "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", ("kafkastore.sasl.mechanism",), cc.upper),
    Option("kafka_sasl_username", "--kafka-sasl-username", "CHARTER_KAFKA_SASL_USERNAME", "", str,
           "SASL user (PLAIN, SCRAM)", ("kafkastore.sasl.jaas.config",), cc.jaas_username),
    Option("kafka_sasl_password", "--kafka-sasl-password", "CHARTER_KAFKA_SASL_PASSWORD", Secret(), Secret,
           "SASL password (PLAIN, SCRAM); never logged (prefer the variable: a flag shows in ps)",
           ("kafkastore.sasl.jaas.config",), cc.jaas_password),
    Option("kafka_oauth_token_url", "--kafka-oauth-token-url", "CHARTER_KAFKA_OAUTH_TOKEN_URL", "", str,
           "OAUTHBEARER: the OIDC token endpoint (client-credentials grant)",
           ("kafkastore.sasl.oauthbearer.token.endpoint.url",)),
    Option("kafka_oauth_client_id", "--kafka-oauth-client-id", "CHARTER_KAFKA_OAUTH_CLIENT_ID", "", str,
           "OAUTHBEARER: the OIDC client id", ("kafkastore.sasl.jaas.config",), cc.jaas_client_id),
    Option("kafka_oauth_client_secret", "--kafka-oauth-client-secret", "CHARTER_KAFKA_OAUTH_CLIENT_SECRET",
           Secret(), Secret, "OAUTHBEARER: the OIDC client secret; never logged",
           ("kafkastore.sasl.jaas.config",), cc.jaas_client_secret),
    Option("kafka_oauth_scope", "--kafka-oauth-scope", "CHARTER_KAFKA_OAUTH_SCOPE", "", str,
           "OAUTHBEARER: the scope to ask for (empty: none)", ("kafkastore.sasl.jaas.config",), cc.jaas_scope),
    Option("kafka_ssl_ca", "--kafka-ssl-ca", "CHARTER_KAFKA_SSL_CA", "", str,
           "PEM CA certificates that sign the brokers' certificates (empty: the system's)",
           ("kafkastore.ssl.truststore.location",)),
    Option("kafka_ssl_cert", "--kafka-ssl-cert", "CHARTER_KAFKA_SSL_CERT", "", str,
           "PEM client certificate (chain) for brokers that require one (mTLS)",
           ("kafkastore.ssl.keystore.location",)),
    Option("kafka_ssl_key", "--kafka-ssl-key", "CHARTER_KAFKA_SSL_KEY", "", str,
           "PEM private key of --kafka-ssl-cert (may be the same file)", ("kafkastore.ssl.keystore.location",)),
    Option("kafka_ssl_key_password", "--kafka-ssl-key-password", "CHARTER_KAFKA_SSL_KEY_PASSWORD", Secret(), Secret,
           "password of an encrypted --kafka-ssl-key; never logged", ("kafkastore.ssl.key.password",)),
    Option("kafka_ssl_check_hostname", "--kafka-ssl-check-hostname", "CHARTER_KAFKA_SSL_CHECK_HOSTNAME", True,
           parse_bool, "check that a broker's certificate names its host (false: only that it is trusted)",
           ("kafkastore.ssl.endpoint.identification.algorithm",), cc.endpoint_identification),
    Option("log_level", "--log-level", "CHARTER_LOG_LEVEL", "info", str, "debug, info, warning or error",
           ("log4j.root.loglevel",), cc.lower),
    Option("log_format", "--log-format", "CHARTER_LOG_FORMAT", "text", str,
           "text, or json: one object per line, with the request id of each access-log line"),
    Option("users_file", "--users-file", "CHARTER_USERS_FILE", "", str,
           "JSON users file (argon2 hashes, subject ACLs): turns on HTTP Basic auth (empty: open)"),
    Option("tls_cert", "--tls-cert", "CHARTER_TLS_CERT", "", str, "PEM server certificate: serve HTTPS",
           ("ssl.keystore.location",)),
    Option("tls_key", "--tls-key", "CHARTER_TLS_KEY", "", str, "PEM private key of --tls-cert (may be the same file)",
           ("ssl.keystore.location",)),
    Option("tls_ca", "--tls-ca", "CHARTER_TLS_CA", "", str,
           "PEM CA: require and verify client certificates (mTLS); the CN can authenticate a user",
           ("ssl.truststore.location",)),
)

BY_NAME = {opt.name: opt for opt in OPTIONS}


@dataclass(frozen=True)
class Settings:
    config: str = ""
    host: str = "127.0.0.1"
    port: int = 8081
    advertised_host: str = ""
    advertised_url: str = ""
    workers: int = 0
    data_dir: str = "./charter-data"
    compatibility: str = "BACKWARD"
    max_schema_bytes: int = 4 * 1024 * 1024
    max_request_bytes: int = 8 * 1024 * 1024
    schema_cache_size: int = 2000
    max_check_chars: int = 128_000_000
    http_header_timeout_ms: int = 30000
    kafka_bootstrap: str = ""
    kafka_topic: str = "_schemas"
    group_id: str = "schema-registry"
    leader_eligibility: bool = True
    kafka_session_timeout_ms: int = 10000
    kafka_heartbeat_interval_ms: int = 3000
    kafkastore_timeout_ms: int = 500
    kafkastore_init_timeout_ms: int = 60000
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str = ""
    kafka_sasl_username: str = ""
    kafka_sasl_password: Secret = field(default_factory=Secret)
    kafka_oauth_token_url: str = ""
    kafka_oauth_client_id: str = ""
    kafka_oauth_client_secret: Secret = field(default_factory=Secret)
    kafka_oauth_scope: str = ""
    kafka_ssl_ca: str = ""
    kafka_ssl_cert: str = ""
    kafka_ssl_key: str = ""
    kafka_ssl_key_password: Secret = field(default_factory=Secret)
    kafka_ssl_check_hostname: bool = True
    log_level: str = "info"
    log_format: str = "text"
    users_file: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""

    def secret_values(self) -> list[str]:
        """The values of the secret settings (for a log filter that hides them)."""
        return [value.reveal() for f in fields(self) if isinstance(value := getattr(self, f.name), Secret) and value]

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def public_url(self) -> str:
        """How other instances reach this one: --advertised-url, else SCHEME://ADVERTISED-HOST:PORT."""
        if self.advertised_url:
            return self.advertised_url.rstrip("/")
        host = self.advertised_host or self.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.getfqdn()
        return f"{'https' if self.tls_cert else 'http'}://{host}:{self.port}"


def setting_names(*names: str) -> str:
    """How a user sets these: ``kafkastore.sasl.jaas.config / --kafka-sasl-password`` (for messages)."""
    keys = dict.fromkeys(key for name in names for key in BY_NAME[name].confluent[-1:])
    flags = " and ".join(BY_NAME[name].flag for name in names)
    return " / ".join([*keys, flags])


class SettingsError(ValueError):
    """A setting that cannot be used; the message names where it came from, never a secret value."""


def _from_charter_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = environ.get(opt.env)
        if raw is None or raw == "":
            continue
        try:
            values[opt.name] = opt.parse(raw)
        except ValueError:
            shown = "***" if opt.kind is Secret else repr(raw)
            raise SettingsError(f"{opt.env}={shown} is not a valid {opt.kind.__name__}") from None
    return values


def _translate(props: Mapping[str, str], source: str) -> tuple[dict[str, Any], list[str]]:
    """(our values, keys not used) for Confluent ``props`` read from ``source``."""
    values: dict[str, Any] = {}
    used: set[str] = set(cc.COMPANION_KEYS) & set(props)
    for key, check in cc.CHECKED_KEYS.items():
        if key in props:
            try:
                check(props[key])
            except cc.ConfluentConfigError as exc:
                raise SettingsError(f"{key} ({source}): {exc}") from None
            used.add(key)
    mtls = cc.client_auth_required(props)
    for opt in OPTIONS:
        for key in opt.confluent:
            if key not in props or (key == "ssl.truststore.location" and not mtls):
                continue
            try:
                value = (opt.convert or opt.kind)(props[key])
            except (ValueError, cc.ConfluentConfigError) as exc:
                reason = str(exc) if isinstance(exc, cc.ConfluentConfigError) else f"not a valid {opt.kind.__name__}"
                raise SettingsError(f"{key} ({source}): {reason}") from None
            used.add(key)
            if value is not None:
                values[opt.name] = Secret(value) if opt.kind is Secret and not isinstance(value, Secret) else value
                break
    return values, sorted(set(props) - used)


@dataclass(frozen=True)
class Resolved:
    settings: Settings
    unsupported: tuple[str, ...]  # Confluent keys Charter did not use, with their source


def resolve(flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Resolved:
    """Settings from flags (None = not given), CHARTER_*, SCHEMA_REGISTRY_*, --config and defaults."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    charter_env = _from_charter_env(environ)
    layers: list[dict[str, Any]] = [flags, charter_env]
    unsupported: list[str] = []
    confluent_sets: list[dict[str, str]] = []
    docker = cc.from_environment(environ)
    config_path = flags.get("config") or charter_env.get("config") or ""
    file_props: dict[str, str] = {}
    if config_path:
        try:
            file_props = cc.read_properties(config_path)
        except cc.ConfluentConfigError as exc:
            raise SettingsError(str(exc)) from None
    for props, source in ((docker, "SCHEMA_REGISTRY_* environment"), (file_props, str(config_path))):
        values, unused = _translate(props, source)
        layers.append(values)
        confluent_sets.append(props)
        unsupported.extend(f"{key} ({source})" for key in unused)
    merged = {opt.name: next((layer[opt.name] for layer in layers if opt.name in layer), opt.default)
              for opt in OPTIONS}
    settings = Settings(**merged)
    for props in confluent_sets:
        method = props.get("authentication.method", "NONE").strip().upper()
        if method != "NONE" and not settings.users_file:
            raise SettingsError(
                f"authentication.method={method}: Charter's HTTP Basic auth reads its own JSON users file "
                f"(argon2 hashes; see `charter passwd`), not a JAAS realm; set {BY_NAME['users_file'].flag} / "
                f"{BY_NAME['users_file'].env}. Refusing to start without the authentication asked for")
    return Resolved(settings, tuple(unsupported))


# How to reach a secured Kafka cluster: what `charter backup` and `restore` take besides the topic.
KAFKA_SECURITY_OPTIONS = tuple(
    name for name in BY_NAME if name.startswith(("kafka_security", "kafka_sasl", "kafka_oauth", "kafka_ssl")))


def add_arguments(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    """One flag per option (all, or ``names``); a flag not given is None, so :func:`resolve` can tell."""
    for opt in OPTIONS if names is None else [BY_NAME[name] for name in names]:
        default = "unset" if opt.default == "" or isinstance(opt.default, Secret) else opt.default
        keys = f"; Confluent {', '.join(opt.confluent)}" if opt.confluent else ""
        parser.add_argument(opt.flag, dest=opt.name, type=opt.kind, default=None,
                            help=f"{opt.help} (default: {default}) [env {opt.env}{keys}]".replace("%", "%%"))


def given_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The option values set on the command line (None for the others)."""
    return {opt.name: getattr(args, opt.name, None) for opt in OPTIONS}


def defaults_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every option's value without command-line flags; ValueError names a bad variable."""
    settings = resolve({}, environ).settings
    return {opt.name: getattr(settings, opt.name) for opt in OPTIONS}


# ---- the README's table ----------------------------------------------------------------------

def _cell(value: Any) -> str:
    if isinstance(value, Secret):
        return "`` `` (unset)"
    if value == "":
        return "`` `` (unset)"
    return f"`{value}`"


def markdown_table() -> str:
    """The configuration table of the README, generated from :data:`OPTIONS`."""
    lines = ["| flag | environment variable | Confluent key | default | meaning |", "|---|---|---|---|---|"]
    for opt in OPTIONS:
        keys = ", ".join(f"`{key}`" for key in opt.confluent) or ""
        lines.append(f"| `{opt.flag}` | `{opt.env}` | {keys} | {_cell(opt.default)} | {opt.help} |")
    return "\n".join(lines) + "\n"


def _check_defaults() -> None:
    """The dataclass defaults and the table agree (imported at start-up: a mismatch is a bug here)."""
    for f in fields(Settings):
        default = f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]
        if BY_NAME[f.name].default != default:
            raise AssertionError(f"Settings.{f.name} default differs from OPTIONS")


_check_defaults()

if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m charter.registry.settings --markdown")
    sys.stdout.write(markdown_table())
