"""Charter on a secured Apache Kafka broker: SASL_SSL (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN) and mTLS,
for the topic's client (librdkafka) and the election's (kafka-python); refused credentials or
certificates stop `charter serve` at once with a message naming the setting; secrets never show
in the log, /status or /metrics. The broker is tests/support/kafka_broker.py (fixture ``kafka_broker``)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.kafka import kafka_registry, record_schema, register, unique, wait_status
from support.process import RegistryProcess

FAIL_FAST_S = 20.0  # start-up, one refused handshake, exit: seconds, not the retry-forever of an unreachable broker


@pytest.fixture
def broker(kafka_broker: Any) -> Any:
    if not hasattr(kafka_broker, "sasl_ssl_bootstrap"):
        pytest.skip("the test broker has no SASL_SSL / mTLS listeners")
    return kafka_broker


def sasl_flags(broker: Any, mechanism: str, password: str | None = None) -> list[str]:
    user, secret = broker.sasl_users[mechanism]
    return ["--kafka-security-protocol", "SASL_SSL", "--kafka-sasl-mechanism", mechanism,
            "--kafka-sasl-username", user, "--kafka-sasl-password", password or secret,
            "--kafka-ssl-ca", str(broker.ca_pem)]


def mtls_flags(broker: Any, cert: Path | None = None, key: Path | None = None) -> list[str]:
    return ["--kafka-security-protocol", "SSL", "--kafka-ssl-ca", str(broker.ca_pem),
            "--kafka-ssl-cert", str(cert or broker.client_cert_pem),
            "--kafka-ssl-key", str(key or broker.client_key_pem)]


def register_and_read_back(server: RegistryProcess) -> None:
    subject = unique("sec") + "-value"
    created = register(server.url, subject, record_schema("Secured"))
    assert created.status_code == 200, created.text
    got = httpx.get(f"{server.url}/subjects/{subject}/versions/1", timeout=10)
    assert got.status_code == 200 and got.json()["id"] == created.json()["id"]


def assert_no_secret(server: RegistryProcess, secret: str) -> None:
    """The secret is in none of: the server's log, /status, /metrics."""
    for path in ("/status", "/metrics"):
        body = httpx.get(server.url + path, timeout=10).text
        assert secret not in body, f"{path} shows the secret"
    assert secret not in server.read_log(), "the log shows the secret"


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"])
def test_serve_on_sasl_ssl_registers_and_reads_back(tmp_path: Path, broker: Any, mechanism: str) -> None:
    server = kafka_registry(tmp_path, broker.sasl_ssl_bootstrap, unique("sasl"), unique("g"),
                            *sasl_flags(broker, mechanism), "--log-level", "debug")
    server.start()
    try:
        state = wait_status(server, ready=True, role="primary")
        assert "SASL_SSL" in state["store"] and mechanism in state["store"]
        register_and_read_back(server)
        assert_no_secret(server, broker.sasl_users[mechanism][1])
    finally:
        server.stop()


def test_serve_on_mtls_registers_and_reads_back(tmp_path: Path, broker: Any) -> None:
    server = kafka_registry(tmp_path, broker.mtls_bootstrap, unique("mtls"), unique("g"), *mtls_flags(broker))
    server.start()
    try:
        wait_status(server, ready=True, role="primary")
        register_and_read_back(server)
    finally:
        server.stop()


def test_two_instances_elect_over_sasl_ssl_from_confluent_settings(tmp_path: Path, broker: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The election's client (kafka-python) authenticates too: one instance reads a Confluent
    properties file, the other SCHEMA_REGISTRY_* variables; a write to the follower is forwarded."""
    user, password = broker.sasl_users["SCRAM-SHA-512"]
    topic, group = unique("elect"), unique("g")
    jaas = f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="{password}";'
    confluent = {
        "kafkastore.bootstrap.servers": f"SASL_SSL://{broker.sasl_ssl_bootstrap}",
        "kafkastore.security.protocol": "SASL_SSL", "kafkastore.sasl.mechanism": "SCRAM-SHA-512",
        "kafkastore.sasl.jaas.config": jaas, "kafkastore.ssl.truststore.location": str(broker.ca_pem),
        "kafkastore.ssl.truststore.type": "PEM", "kafkastore.topic": topic, "schema.registry.group.id": group,
        "kafkagroup.session.timeout.ms": "3000",
    }
    properties = tmp_path / "schema-registry.properties"
    properties.write_text("".join(f"{key}={value.replace(chr(92), chr(92) * 2)}\n" for key, value in confluent.items()))
    a = RegistryProcess(tmp_path / "a", extra=["--config", str(properties)])
    b = RegistryProcess(tmp_path / "b")
    if b.url < a.url:
        a.port, b.port = b.port, a.port  # a has the smaller URL: it becomes the primary
    a.start()
    wait_status(a, ready=True, role="primary")
    for key, value in confluent.items():
        monkeypatch.setenv("SCHEMA_REGISTRY_" + key.replace(".", "_").upper(), value)
    b.start()
    monkeypatch.undo()
    try:
        wait_status(b, ready=True, role="follower", primary_url=a.url)
        register_and_read_back(b)  # forwarded to the primary over HTTP, read back from the follower
        for server in (a, b):
            assert_no_secret(server, password)
    finally:
        b.stop()
        a.stop()


def serve_until_exit(tmp_path: Path, bootstrap: str, *flags: str) -> tuple[int, str, float]:
    """Run `charter serve` on the topic; (exit code, output, seconds) — it must exit by itself."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "charter.cli.main", "serve", "--port", "0", "--data-dir", str(tmp_path / "d"),
         "--kafka-bootstrap", bootstrap, "--kafka-topic", unique("refused"), "--group-id", unique("g"), *flags],
        capture_output=True, text=True, timeout=FAIL_FAST_S * 3)
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "PLAIN"])
def test_a_wrong_sasl_password_stops_serve_at_once_naming_the_setting(tmp_path: Path, broker: Any,
                                                                       mechanism: str) -> None:
    code, output, seconds = serve_until_exit(tmp_path, broker.sasl_ssl_bootstrap,
                                             *sasl_flags(broker, mechanism, password="not-the-password-42"))
    user = broker.sasl_users[mechanism][0]
    assert code == 2, output
    assert seconds < FAIL_FAST_S, f"took {seconds:.1f} s"
    assert (f"charter: error: Kafka rejected the SASL credentials ({mechanism}) for user {user}: check "
            "kafkastore.sasl.jaas.config / --kafka-sasl-username and --kafka-sasl-password") in output
    assert "not-the-password-42" not in output


def test_an_untrusted_broker_certificate_stops_serve_naming_the_ca_setting(tmp_path: Path, broker: Any) -> None:
    flags = sasl_flags(broker, "SCRAM-SHA-256")
    flags[flags.index("--kafka-ssl-ca") + 1] = str(broker.untrusted_ca_pem)
    code, output, seconds = serve_until_exit(tmp_path, broker.sasl_ssl_bootstrap, *flags)
    assert code == 2 and seconds < FAIL_FAST_S, (code, seconds, output)
    assert "is not trusted" in output and "check kafkastore.ssl.truststore.location / --kafka-ssl-ca" in output


def test_a_client_certificate_the_broker_does_not_trust_stops_serve(tmp_path: Path, broker: Any) -> None:
    flags = mtls_flags(broker, broker.untrusted_client_cert_pem, broker.untrusted_client_key_pem)
    code, output, seconds = serve_until_exit(tmp_path, broker.mtls_bootstrap, *flags)
    assert code == 2 and seconds < FAIL_FAST_S, (code, seconds, output)
    assert "rejected this client's certificate" in output and "--kafka-ssl-cert and --kafka-ssl-key" in output


def test_a_missing_certificate_file_stops_serve_before_connecting(tmp_path: Path, broker: Any) -> None:
    flags = mtls_flags(broker, cert=tmp_path / "no-such-cert.pem")
    code, output, _ = serve_until_exit(tmp_path, broker.mtls_bootstrap, *flags)
    assert code == 2
    assert "cannot read" in output and "no-such-cert.pem" in output and "--kafka-ssl-cert" in output


def test_backup_reads_a_secured_topic_with_the_same_flags(tmp_path: Path, broker: Any) -> None:
    topic = unique("bk")
    flags = sasl_flags(broker, "SCRAM-SHA-512")
    server = kafka_registry(tmp_path, broker.sasl_ssl_bootstrap, topic, unique("g"), *flags)
    server.start()
    try:
        wait_status(server, ready=True, role="primary")
        subject = unique("bk") + "-value"
        assert register(server.url, subject, record_schema("Backed")).status_code == 200
    finally:
        server.stop()
    out = tmp_path / "backup.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "charter.cli.main", "backup", "--kafka-bootstrap", broker.sasl_ssl_bootstrap,
         "--kafka-topic", topic, *flags, "--out", str(out)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert subject in out.read_text() and broker.sasl_users["SCRAM-SHA-512"][1] not in result.stderr
