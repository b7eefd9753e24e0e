"""Confluent Schema Registry's configuration, read as Charter's: a properties file and SCHEMA_REGISTRY_* variables.

A Confluent ``schema-registry.properties`` file is read with ``javaproperties`` (the Java
``Properties.load`` syntax: ``=``/``:``/space separators, comments, line continuations, escapes).
Confluent's Docker image turns ``SCHEMA_REGISTRY_*`` variables into the same keys; :func:`env_to_key`
follows its converter (confluent-docker-utils ``dub.env_to_props`` and common-docker ``ub.ConvertKey``):
strip the prefix, lower-case, ``_`` -> ``.``, ``__`` -> ``_``, ``___`` -> ``-``. (Confluent's
Docker documentation states the last two the other way round; the code that runs in the image is
what is followed here.)

Which key feeds which Charter setting is written in the settings table
(:data:`charter.registry.settings.OPTIONS`); the value converters used there live here, next to
the keys that are only checked (store types, client authentication). No value is ever echoed in an
error: JAAS lines and passwords are secrets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ENV_PREFIX = "SCHEMA_REGISTRY_"

# Variables the Docker image's launch scripts read (JVM and logging set-up): not registry properties.
LAUNCHER_VARIABLES = frozenset({
    "SCHEMA_REGISTRY_HEAP_OPTS", "SCHEMA_REGISTRY_JVM_PERFORMANCE_OPTS", "SCHEMA_REGISTRY_JMX_OPTS",
    "SCHEMA_REGISTRY_JMX_PORT", "SCHEMA_REGISTRY_JMX_HOSTNAME", "SCHEMA_REGISTRY_LOG4J_OPTS",
    "SCHEMA_REGISTRY_LOG4J_LOGGERS", "SCHEMA_REGISTRY_OPTS", "SCHEMA_REGISTRY_LOG_DIR",
    "SCHEMA_REGISTRY_CLASSPATH",
})

PEM_ONLY = (
    "Charter reads PEM files only. Convert a JKS or PKCS12 store once and point the same key at the "
    "PEM file with type PEM: `keytool -importkeystore -srckeystore STORE.jks -destkeystore STORE.p12 "
    "-deststoretype PKCS12`, then `openssl pkcs12 -in STORE.p12 -nodes -out STORE.pem` (for a keystore "
    "this gives the certificate chain and the private key in one file)"
)


class ConfluentConfigError(ValueError):
    """A Confluent key whose value Charter cannot use; the message names the key, never the value."""


def env_to_key(name: str) -> str:
    """``SCHEMA_REGISTRY_KAFKASTORE_SSL_KEY_PASSWORD`` -> ``kafkastore.ssl.key.password``."""
    raw = name[len(ENV_PREFIX):].lower()
    dotted = re.sub(r"(?<=[^_])_(?=[^_])", ".", raw)
    return dotted.replace("___", "-").replace("__", "_")


def from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The Confluent keys set by ``SCHEMA_REGISTRY_*`` variables (launcher variables left out)."""
    return {
        env_to_key(name): value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX) and name not in LAUNCHER_VARIABLES and value != ""
    }


def read_properties(path: str | Path) -> dict[str, str]:
    """A Java properties file as a dict; ConfluentConfigError when it cannot be read."""
    import javaproperties

    try:
        with open(path, encoding="latin-1") as stream:  # Properties.load(InputStream) reads ISO-8859-1
            return dict(javaproperties.load(stream))
    except OSError as exc:
        raise ConfluentConfigError(f"cannot read the configuration file {path}: {exc.strerror}") from None


# ---- value converters used by the settings table ------------------------------------------------

def boolean(value: str) -> bool:
    text = value.strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ConfluentConfigError("expected true or false")


def _listener(value: str) -> tuple[str, str, int]:
    """(scheme, host, port) of the first http/https listener (Confluent's ``listeners`` list)."""
    for item in (part.strip() for part in value.split(",")):
        parts = urlsplit(item)
        if parts.scheme.lower() in ("http", "https"):
            try:
                port = parts.port
            except ValueError:
                port = None
            if port is None:
                raise ConfluentConfigError("a listener needs a port, e.g. http://0.0.0.0:8081")
            return parts.scheme.lower(), parts.hostname or "0.0.0.0", port
    raise ConfluentConfigError("no http:// or https:// listener in the list")


def listener_host(value: str) -> str:
    return _listener(value)[1]


def listener_port(value: str) -> int:
    return _listener(value)[2]


def server_list(value: str) -> str:
    """A comma list with the blanks removed (prefixes such as ``SASL_SSL://`` are kept: see KafkaConnection)."""
    return ",".join(part.strip() for part in value.split(",") if part.strip())


def upper(value: str) -> str:
    return value.strip().upper()


def lower(value: str) -> str:
    return value.strip().lower()


def endpoint_identification(value: str) -> bool:
    """``https`` (Kafka's default) checks the broker's host name; an empty value turns the check off."""
    text = value.strip().lower()
    if text == "https":
        return True
    if text == "":
        return False
    raise ConfluentConfigError("only 'https' (check the host name) or an empty value (do not) are known")


# ---- JAAS ---------------------------------------------------------------------------------------

_JAAS = re.compile(r"^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s+(.*?)\s*;\s*$", re.S)
_JAAS_OPTION = re.compile(r'\s*([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))')
_LOGIN_MODULES = {
    "org.apache.kafka.common.security.scram.ScramLoginModule": "password",
    "org.apache.kafka.common.security.plain.PlainLoginModule": "password",
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule": "oauth",
}


def jaas_options(value: str) -> tuple[str, dict[str, str]]:
    """(kind, options) of a Kafka client JAAS line: ``Module required key="value" ...;``.

    ``kind`` is ``password`` (SCRAM, PLAIN) or ``oauth`` (OAUTHBEARER client credentials).
    """
    match = _JAAS.match(value)
    if match is None:
        raise ConfluentConfigError(
            'expected `org.apache.kafka.common.security.scram.ScramLoginModule required username="..." '
            'password="...";` (or PlainLoginModule, OAuthBearerLoginModule)')
    module, _flag, rest = match.groups()
    kind = _LOGIN_MODULES.get(module)
    if kind is None:
        raise ConfluentConfigError(f"login module {module} is not supported (SCRAM, PLAIN and OAUTHBEARER are; "
                                   "Kerberos/GSSAPI is not)")
    options: dict[str, str] = {}
    position = 0
    while position < len(rest):
        option = _JAAS_OPTION.match(rest, position)
        if option is None:
            raise ConfluentConfigError("cannot read the options of the login module (key=\"value\" pairs)")
        key, quoted, bare = option.groups()
        options[key] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        position = option.end()
    return kind, options


def _jaas_option(value: str, kind: str, key: str) -> str | None:
    found_kind, options = jaas_options(value)
    return options.get(key) if found_kind == kind else None


def jaas_username(value: str) -> str | None:
    return _jaas_option(value, "password", "username")


def jaas_password(value: str) -> str | None:
    return _jaas_option(value, "password", "password")


def jaas_client_id(value: str) -> str | None:
    return _jaas_option(value, "oauth", "clientId")


def jaas_client_secret(value: str) -> str | None:
    return _jaas_option(value, "oauth", "clientSecret")


def jaas_scope(value: str) -> str | None:
    return _jaas_option(value, "oauth", "scope")


# ---- keys that are checked, not copied ----------------------------------------------------------

def _pem_store(value: str) -> None:
    if value.strip().upper() != "PEM":
        raise ConfluentConfigError(PEM_ONLY)


CHECKED_KEYS = {
    "kafkastore.ssl.truststore.type": _pem_store,
    "kafkastore.ssl.keystore.type": _pem_store,
    "ssl.truststore.type": _pem_store,
    "ssl.keystore.type": _pem_store,
}

# Keys read together with others (see client_auth_required and the settings' cross-checks).
COMPANION_KEYS = frozenset({"ssl.client.authentication", "ssl.client.auth", "authentication.method"})


def client_auth_required(props: Mapping[str, str]) -> bool:
    """Confluent's (rest-utils) ``ssl.client.authentication=REQUIRED``, or the older ``ssl.client.auth=true``."""
    if "ssl.client.authentication" in props:
        return props["ssl.client.authentication"].strip().upper() == "REQUIRED"
    return props.get("ssl.client.auth", "").strip().lower() == "true"
