"""KafkaConnection without a broker: both clients' settings come from the same fields, settings
that cannot work are refused before connecting (naming the setting), broker refusals are told apart
from an unreachable broker, and no secret is ever shown."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from confluent_kafka import KafkaError

from charter.registry.log.kafka_connection import KafkaConnection, KafkaSecurityError, oidc_token_provider
from charter.registry.settings import Secret


def scram(**kw: object) -> KafkaConnection:
    base: dict[str, object] = {"bootstrap": "b1:9094,b2:9094", "security_protocol": "SASL_SSL",
                               "sasl_mechanism": "SCRAM-SHA-256", "sasl_username": "alice",
                               "sasl_password": Secret("s3cret-pw")}
    return KafkaConnection(**{**base, **kw})  # type: ignore[arg-type]


def test_both_clients_get_the_same_security_from_one_value() -> None:
    connection = scram(ssl_ca="/ca.pem", ssl_cert="/c.pem", ssl_key="/k.pem", ssl_key_password=Secret("kpw"))
    conf, kwargs = connection.librdkafka(), connection.kafka_python()
    pairs = {"bootstrap.servers": ("bootstrap_servers", ["b1:9094", "b2:9094"]),
             "security.protocol": ("security_protocol", "SASL_SSL"),
             "sasl.mechanism": ("sasl_mechanism", "SCRAM-SHA-256"),
             "sasl.username": ("sasl_plain_username", "alice"),
             "sasl.password": ("sasl_plain_password", "s3cret-pw"),
             "ssl.ca.location": ("ssl_cafile", "/ca.pem"),
             "ssl.certificate.location": ("ssl_certfile", "/c.pem"),
             "ssl.key.location": ("ssl_keyfile", "/k.pem"),
             "ssl.key.password": ("ssl_password", "kpw")}
    for rd_key, (py_key, value) in pairs.items():
        assert kwargs[py_key] == value
        assert conf[rd_key] == (",".join(value) if isinstance(value, list) else value)
    assert conf["ssl.endpoint.identification.algorithm"] == "https" and kwargs["ssl_check_hostname"] is True


def test_plaintext_renders_no_security_settings() -> None:
    connection = KafkaConnection("k:9092")
    assert connection.librdkafka() == {"bootstrap.servers": "k:9092", "security.protocol": "PLAINTEXT"}
    assert connection.kafka_python() == {"bootstrap_servers": ["k:9092"], "security_protocol": "PLAINTEXT"}


def test_no_secret_in_repr_str_or_description() -> None:
    connection = scram(oauth_client_secret=Secret("oauth-secret"), ssl_key_password=Secret("kpw"))
    for text in (repr(connection), str(connection), f"{connection}", repr(connection.sasl_password)):
        assert "s3cret-pw" not in text and "oauth-secret" not in text and "kpw" not in text
    assert str(connection) == "b1:9094,b2:9094 SASL_SSL SCRAM-SHA-256 as alice"


@pytest.mark.parametrize(("connection", "fragment"), [
    (scram(security_protocol="SASL_SSLX"), "--kafka-security-protocol"),
    (scram(sasl_mechanism="GSSAPI"), "--kafka-sasl-mechanism"),
    (scram(sasl_mechanism=""), "Confluent's default is GSSAPI"),
    (scram(sasl_password=Secret("")), "--kafka-sasl-username and --kafka-sasl-password"),
    (scram(sasl_mechanism="OAUTHBEARER"), "--kafka-oauth-token-url"),
    (scram(bootstrap="PLAINTEXT://k:9092"), "no Kafka bootstrap server for SASL_SSL"),
    (scram(ssl_ca="/no/such/ca.pem"), "cannot read /no/such/ca.pem"),
    (scram(ssl_cert="/c.pem"), "a client certificate needs its key"),
])
def test_settings_that_cannot_work_are_refused_naming_the_setting(connection: KafkaConnection,
                                                                   fragment: str) -> None:
    with pytest.raises(KafkaSecurityError) as caught:
        connection.check()
    assert fragment in str(caught.value) and "s3cret-pw" not in str(caught.value)


def test_a_file_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "truststore.jks"
    store.write_bytes(b"\xfe\xed\xfe\xed not a PEM file")
    with pytest.raises(KafkaSecurityError, match=r"holds no PEM certificate .*--kafka-ssl-ca"):
        scram(ssl_ca=str(store)).check()


@pytest.mark.parametrize(("code", "text", "fragment"), [
    (KafkaError._AUTHENTICATION, "sasl_ssl://b:9094/bootstrap: SASL authentication error: Authentication failed",
     "Kafka rejected the SASL credentials (SCRAM-SHA-256) for user alice: check kafkastore.sasl.jaas.config / "
     "--kafka-sasl-username and --kafka-sasl-password"),
    (KafkaError._SSL, "SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker "
     "certificate could not be verified, verify that ssl.ca.location is correctly configured",
     "is not trusted (SSL handshake failed: error:0A000086:SSL routines::certificate verify failed): check "
     "kafkastore.ssl.truststore.location / --kafka-ssl-ca"),
    (KafkaError._TRANSPORT, "Receive failed: error:0A000412:SSL routines::ssl/tls alert bad certificate",
     "--kafka-ssl-cert and --kafka-ssl-key"),
    (KafkaError._TRANSPORT, "SSL handshake failed: Disconnected: connecting to a PLAINTEXT broker listener?",
     "--kafka-security-protocol"),
])
def test_librdkafka_refusals_name_the_setting(code: int, text: str, fragment: str) -> None:
    assert fragment in (scram().librdkafka_refusal(code, text) or "")


def test_an_unreachable_broker_is_not_a_refusal() -> None:
    text = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"
    assert scram().librdkafka_refusal(KafkaError._TRANSPORT, text) is None
    assert scram().python_refusal(ConnectionRefusedError("refused")) is None


def test_kafka_python_refusals_name_the_setting() -> None:
    from kafka.errors import KafkaConnectionError, SaslAuthenticationFailedError

    assert "--kafka-sasl-password" in (scram().python_refusal(SaslAuthenticationFailedError("bad")) or "")
    verify = KafkaConnectionError("Handshake failed: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert "--kafka-ssl-ca" in (scram().python_refusal(verify) or "")


@pytest.fixture
def token_endpoint() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A client-credentials token endpoint on loopback; records each request's form and Authorization."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            seen.append({"form": body, "auth": self.headers.get("Authorization", "")})
            ok = self.headers.get("Authorization") == "Basic Y2xpZW50LTE6Y2xpZW50LXNlY3JldA=="
            payload = json.dumps({"access_token": f"token-{len(seen)}", "expires_in": 3600} if ok else {}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/token", seen
    server.shutdown()


def test_the_kafka_python_oauth_provider_asks_the_token_endpoint_once(token_endpoint) -> None:
    url, seen = token_endpoint
    provider = oidc_token_provider(url, "client-1", Secret("client-secret"), "kafka")
    assert provider.token() == "token-1" and provider.token() == "token-1"  # kept until it nearly expires
    assert len(seen) == 1 and "grant_type=client_credentials" in seen[0]["form"] and "scope=kafka" in seen[0]["form"]
    with pytest.raises(KafkaSecurityError, match="answered 401 for client client-1") as caught:
        oidc_token_provider(url, "client-1", Secret("wrong"), "").token()
    assert "wrong" not in str(caught.value).replace("client-1", "")


def test_oauthbearer_renders_oidc_for_librdkafka_and_a_provider_for_kafka_python() -> None:
    connection = scram(sasl_mechanism="OAUTHBEARER", oauth_token_url="https://idp/token", oauth_client_id="c",
                       oauth_client_secret=Secret("cs"), oauth_scope="kafka", sasl_username="", sasl_password=Secret())
    connection.check()
    conf = connection.librdkafka()
    assert conf["sasl.oauthbearer.method"] == "oidc" and conf["sasl.oauthbearer.client.secret"] == "cs"
    assert conf["sasl.oauthbearer.token.endpoint.url"] == "https://idp/token" and "sasl.password" not in conf
    assert hasattr(connection.kafka_python()["sasl_oauth_token_provider"], "token")
