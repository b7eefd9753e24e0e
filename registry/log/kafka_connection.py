"""How Charter connects to Kafka, in one value: servers, security protocol, SASL and TLS.

:class:`KafkaConnection` is the single place both Kafka clients get their security from: the
schemas topic (confluent-kafka, librdkafka property names: :meth:`KafkaConnection.librdkafka`) and
the election group member (kafka-python keyword arguments: :meth:`KafkaConnection.kafka_python`)
are configured from the same fields. Supported: PLAINTEXT, SSL (with an optional client
certificate: mTLS), SASL_PLAINTEXT and SASL_SSL with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or
OAUTHBEARER (OIDC client credentials: librdkafka's ``sasl.oauthbearer.method=oidc`` and a
kafka-python token provider that asks the same token endpoint).

Its repr and str never show a secret, and neither do the failure messages it writes: those name
the setting to fix (``kafkastore.sasl.jaas.config / --kafka-sasl-username and --kafka-sasl-password``)
so that ``charter serve`` can stop at once on credentials or certificates a broker refuses,
instead of retrying as it does for a broker that is merely unreachable.
"""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from charter.registry.log.base import LogConfigError
from charter.registry.settings import Secret, Settings, setting_names

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER")


class KafkaSecurityError(LogConfigError):
    """The broker refused this client's credentials or certificate, or they cannot be used: do not retry."""


def _servers(bootstrap: str, protocol: str) -> str:
    """Confluent's ``endpointsToBootstrapServers``: keep plain HOST:PORT entries and those whose
    ``PROTOCOL://`` prefix is the security protocol in use (prefix dropped); others are left out."""
    kept = []
    for entry in (part.strip() for part in bootstrap.split(",")):
        if "://" in entry:
            prefix, _, address = entry.partition("://")
            if prefix.upper() != protocol:
                continue
            entry = address
        if entry:
            kept.append(entry)
    return ",".join(kept)


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: Secret = field(default_factory=Secret)
    ssl_ca: str = ""
    ssl_cert: str = ""
    ssl_key: str = ""
    ssl_key_password: Secret = field(default_factory=Secret)
    ssl_check_hostname: bool = True
    oauth_token_url: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: Secret = field(default_factory=Secret)
    oauth_scope: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaConnection:
        return cls(
            bootstrap=settings.kafka_bootstrap,
            security_protocol=settings.kafka_security_protocol.upper(),
            sasl_mechanism=settings.kafka_sasl_mechanism.upper(),
            sasl_username=settings.kafka_sasl_username,
            sasl_password=settings.kafka_sasl_password,
            ssl_ca=settings.kafka_ssl_ca,
            ssl_cert=settings.kafka_ssl_cert,
            ssl_key=settings.kafka_ssl_key,
            ssl_key_password=settings.kafka_ssl_key_password,
            ssl_check_hostname=settings.kafka_ssl_check_hostname,
            oauth_token_url=settings.kafka_oauth_token_url,
            oauth_client_id=settings.kafka_oauth_client_id,
            oauth_client_secret=settings.kafka_oauth_client_secret,
            oauth_scope=settings.kafka_oauth_scope,
        )

    # ---- what it is ------------------------------------------------------------------------

    @property
    def servers(self) -> str:
        return _servers(self.bootstrap, self.security_protocol)

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def __str__(self) -> str:
        parts = [self.servers]
        if self.security_protocol != "PLAINTEXT":
            parts.append(self.security_protocol)
        if self.sasl:
            who = self.oauth_client_id if self.sasl_mechanism == "OAUTHBEARER" else self.sasl_username
            parts.append(f"{self.sasl_mechanism} as {who}")
        if self.tls and self.ssl_cert:
            parts.append("client certificate")
        return " ".join(parts)

    # ---- checks before any connection ------------------------------------------------------

    def check(self) -> None:
        """Raise KafkaSecurityError (naming the setting) for settings that cannot work."""
        if self.security_protocol not in PROTOCOLS:
            raise KafkaSecurityError(f"unknown Kafka security protocol {self.security_protocol!r}; use one of "
                                     f"{', '.join(PROTOCOLS)} ({setting_names('kafka_security_protocol')})")
        if not self.servers:
            raise KafkaSecurityError(f"no Kafka bootstrap server for {self.security_protocol} in "
                                     f"{self.bootstrap!r} ({setting_names('kafka_bootstrap')})")
        if self.sasl:
            self._check_sasl()
        if self.tls:
            self._check_tls_files()

    def _check_sasl(self) -> None:
        mechanism = self.sasl_mechanism
        if mechanism not in MECHANISMS:
            shown = mechanism or "none (Confluent's default is GSSAPI, Kerberos)"
            raise KafkaSecurityError(f"SASL mechanism {shown} is not supported; use one of {', '.join(MECHANISMS)} "
                                     f"({setting_names('kafka_sasl_mechanism')})")
        if mechanism == "OAUTHBEARER":
            missing = [n for n in ("kafka_oauth_token_url", "kafka_oauth_client_id", "kafka_oauth_client_secret")
                       if not getattr(self, n.removeprefix("kafka_"))]
            if missing:
                raise KafkaSecurityError(f"OAUTHBEARER needs a token endpoint, client id and secret: set "
                                         f"{setting_names(*missing)}")
        elif not self.sasl_username or not self.sasl_password:
            raise KafkaSecurityError(f"SASL {mechanism} needs a user name and a password: set "
                                     f"{setting_names('kafka_sasl_username', 'kafka_sasl_password')}")

    def _check_tls_files(self) -> None:
        """Every file exists, is PEM, and the key opens with its password (Python's ssl reads them)."""
        if bool(self.ssl_cert) != bool(self.ssl_key):
            raise KafkaSecurityError(f"a client certificate needs its key: set both "
                                     f"{setting_names('kafka_ssl_cert', 'kafka_ssl_key')}")
        for name, path in (("kafka_ssl_ca", self.ssl_ca), ("kafka_ssl_cert", self.ssl_cert),
                           ("kafka_ssl_key", self.ssl_key)):
            if path:
                try:
                    with open(path, "rb"):
                        pass
                except OSError as exc:
                    raise KafkaSecurityError(f"cannot read {path}: {exc.strerror} ({setting_names(name)})") from None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if self.ssl_ca:
            try:
                context.load_verify_locations(cafile=self.ssl_ca)
            except ssl.SSLError:
                raise KafkaSecurityError(f"{self.ssl_ca} holds no PEM certificate ({setting_names('kafka_ssl_ca')}; "
                                         "JKS and PKCS12 stores must be converted to PEM)") from None
        if self.ssl_cert:
            try:
                context.load_cert_chain(self.ssl_cert, self.ssl_key, password=self.ssl_key_password.reveal() or None)
            except ssl.SSLError:
                raise KafkaSecurityError(
                    f"cannot use the client certificate {self.ssl_cert} with the key {self.ssl_key} (not PEM, not "
                    "a matching pair, or the key's password is wrong): check "
                    f"{setting_names('kafka_ssl_cert', 'kafka_ssl_key', 'kafka_ssl_key_password')}") from None

    # ---- the two clients' configurations -----------------------------------------------------

    def librdkafka(self) -> dict[str, Any]:
        """confluent-kafka (librdkafka) properties; holds secrets: never log it."""
        conf: dict[str, Any] = {"bootstrap.servers": self.servers, "security.protocol": self.security_protocol}
        if self.sasl:
            conf["sasl.mechanism"] = self.sasl_mechanism
            if self.sasl_mechanism == "OAUTHBEARER":
                conf.update({
                    "sasl.oauthbearer.method": "oidc",
                    "sasl.oauthbearer.client.id": self.oauth_client_id,
                    "sasl.oauthbearer.client.secret": self.oauth_client_secret.reveal(),
                    "sasl.oauthbearer.token.endpoint.url": self.oauth_token_url,
                })
                if self.oauth_scope:
                    conf["sasl.oauthbearer.scope"] = self.oauth_scope
            else:
                conf["sasl.username"] = self.sasl_username
                conf["sasl.password"] = self.sasl_password.reveal()
        if self.tls:
            conf["ssl.endpoint.identification.algorithm"] = "https" if self.ssl_check_hostname else "none"
            if self.ssl_ca:
                conf["ssl.ca.location"] = self.ssl_ca
            if self.ssl_cert:
                conf["ssl.certificate.location"] = self.ssl_cert
                conf["ssl.key.location"] = self.ssl_key
            if self.ssl_key_password:
                conf["ssl.key.password"] = self.ssl_key_password.reveal()
        return conf

    def kafka_python(self) -> dict[str, Any]:
        """kafka-python keyword arguments; holds secrets: never log it."""
        kwargs: dict[str, Any] = {"bootstrap_servers": self.servers.split(","),
                                  "security_protocol": self.security_protocol}
        if self.sasl:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            if self.sasl_mechanism == "OAUTHBEARER":
                kwargs["sasl_oauth_token_provider"] = oidc_token_provider(
                    self.oauth_token_url, self.oauth_client_id, self.oauth_client_secret, self.oauth_scope)
            else:
                kwargs["sasl_plain_username"] = self.sasl_username
                kwargs["sasl_plain_password"] = self.sasl_password.reveal()
        if self.tls:
            kwargs["ssl_check_hostname"] = self.ssl_check_hostname
            kwargs["ssl_cafile"] = self.ssl_ca or None
            kwargs["ssl_certfile"] = self.ssl_cert or None
            kwargs["ssl_keyfile"] = self.ssl_key or None
            kwargs["ssl_password"] = self.ssl_key_password.reveal() or None
        return kwargs

    # ---- refusals, as each client reports them ------------------------------------------------

    def librdkafka_refusal(self, code: int, text: str) -> str | None:
        """The message for a librdkafka error that retrying cannot fix, else None (e.g. unreachable)."""
        from confluent_kafka import KafkaError

        if code in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED):
            return self._refused_credentials(text)
        return self._refusal_from_text(text, ssl_error=code == KafkaError._SSL)

    def python_refusal(self, exc: BaseException) -> str | None:
        """The message for a kafka-python connection failure that retrying cannot fix, else None."""
        from kafka.errors import SaslAuthenticationFailedError

        if isinstance(exc, SaslAuthenticationFailedError):
            return self._refused_credentials(str(exc))
        return self._refusal_from_text(str(exc), ssl_error=False)

    def _refused_credentials(self, detail: str) -> str:
        if self.sasl_mechanism == "OAUTHBEARER":
            return (f"Kafka rejected the OAUTHBEARER token of client {self.oauth_client_id} ({_short(detail)}): "
                    f"check {setting_names('kafka_oauth_client_id', 'kafka_oauth_client_secret')}")
        return (f"Kafka rejected the SASL credentials ({self.sasl_mechanism}) for user {self.sasl_username}: check "
                f"{setting_names('kafka_sasl_username', 'kafka_sasl_password')}")

    def _refusal_from_text(self, text: str, *, ssl_error: bool) -> str | None:
        lowered = text.lower()
        if "alert bad certificate" in lowered or "certificate required" in lowered or "alert unknown ca" in lowered:
            what = "this client's certificate" if self.ssl_cert else "the connection: it requires a client certificate"
            return (f"the Kafka broker at {self.servers} rejected {what} ({_short(text)}): check "
                    f"{setting_names('kafka_ssl_cert', 'kafka_ssl_key')}")
        if "certificate verify failed" in lowered:
            if "hostname" in lowered or "ip address mismatch" in lowered:
                return (f"the certificate of the Kafka broker at {self.servers} does not name its host "
                        f"({_short(text)}): check {setting_names('kafka_ssl_check_hostname')}")
            return (f"the certificate of the Kafka broker at {self.servers} is not trusted ({_short(text)}): "
                    f"check {setting_names('kafka_ssl_ca')}")
        if "connecting to a plaintext broker listener" in lowered or "wrong version number" in lowered:
            return (f"the Kafka listener at {self.servers} does not speak TLS: check "
                    f"{setting_names('kafka_security_protocol')} and {setting_names('kafka_bootstrap')}")
        if ssl_error:
            return f"TLS with the Kafka broker at {self.servers} failed ({_short(text)}): check " \
                   f"{setting_names('kafka_ssl_ca', 'kafka_ssl_cert', 'kafka_ssl_key')}"
        return None


def _short(text: str) -> str:
    """librdkafka's text without its ``sasl_ssl://host:port/bootstrap:`` prefix and timing suffix."""
    text = text.split("/bootstrap: ", 1)[-1].split(" (after ", 1)[0]
    return text.split(": broker certificate could not be verified", 1)[0].strip()


def oidc_token_provider(url: str, client_id: str, secret: Secret, scope: str) -> Any:
    """A kafka-python OAUTHBEARER token provider: OIDC client-credentials grant against ``url``,
    the token kept until a minute before it expires (librdkafka's ``oidc`` method does the same)."""
    from kafka.net.sasl.oauth import AbstractTokenProvider

    class ClientCredentials(AbstractTokenProvider):
        def __init__(self) -> None:
            self._lock = threading.Lock()
            self._token = ""
            self._expires = 0.0

        def token(self) -> str:
            import httpx

            with self._lock:
                if self._token and time.monotonic() < self._expires:
                    return self._token
                form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
                response = httpx.post(url, data=form, auth=(client_id, secret.reveal()), timeout=10)
                if response.status_code != 200:
                    raise KafkaSecurityError(f"the OIDC token endpoint {url} answered {response.status_code} for "
                                             f"client {client_id}: check "
                                             f"{setting_names('kafka_oauth_client_id', 'kafka_oauth_client_secret')}")
                body = response.json()
                self._token = str(body["access_token"])
                self._expires = time.monotonic() + max(0.0, float(body.get("expires_in", 300)) - 60)
                return self._token

    return ClientCredentials()
