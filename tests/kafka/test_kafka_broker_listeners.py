"""The test broker's secured listeners are known good, checked with the two Kafka clients Charter uses
(confluent-kafka and kafka-python) directly: SASL_SSL with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN,
SSL with a required client certificate (mTLS), and the refusals (wrong password, a certificate from
an untrusted CA, no certificate)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError as KafkaPythonError
from support.kafka import unique

MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN")


def _round_trip(conf: dict[str, Any], topic: str) -> list[bytes]:
    """Produce three records with confluent-kafka, read them back (a group consumer: a group join too)."""
    producer = Producer({**conf, "acks": "all"})
    for i in range(3):
        producer.produce(topic, key=b"k", value=f"v{i}".encode(), partition=0)
    assert producer.flush(20) == 0
    consumer = Consumer({**conf, "group.id": unique("grp"), "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    got: list[bytes] = []
    for _ in range(100):  # at most 30 s
        msg = consumer.poll(0.3)
        if msg is not None and not msg.error():
            got.append(msg.value())
        if len(got) == 3:
            break
    consumer.commit(asynchronous=False)
    consumer.close()
    return got


def _kafka_python_round_trip(topic: str, **security: Any) -> list[bytes]:
    """The same with kafka-python (the client of Charter's election), joining a consumer group."""
    producer = KafkaProducer(**security, acks="all", request_timeout_ms=10000)
    for i in range(3):
        producer.send(topic, key=b"k", value=f"p{i}".encode(), partition=0).get(timeout=20)
    producer.close(5)
    consumer = KafkaConsumer(topic, **security, group_id=unique("grp"), auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=20000)
    try:
        got = []
        for record in consumer:
            got.append(record.value)
            if len(got) == 3:
                break
        consumer.commit()
        return got
    finally:
        consumer.close()


def _refused(conf: dict[str, Any]) -> str:
    """The errors a client with ``conf`` gets (within 10 s); the test fails if metadata is answered."""
    errors: list[Any] = []
    admin = AdminClient({**conf, "socket.connection.setup.timeout.ms": 5000, "log_level": 0,
                         "error_cb": errors.append})
    deadline = time.monotonic() + 10
    while not errors and time.monotonic() < deadline:
        admin.poll(0.2)  # connects and serves error_cb
    with pytest.raises(KafkaException):
        admin.list_topics(timeout=1)
    assert errors, "no error reported"
    return " ".join(str(e) for e in errors)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_sasl_ssl_with_each_mechanism(kafka_broker, mechanism: str) -> None:
    topic = unique(f"sasl-{mechanism.lower()}")
    assert _round_trip(kafka_broker.sasl_conf(mechanism), topic) == [b"v0", b"v1", b"v2"]
    user, password = kafka_broker.sasl_users[mechanism]
    security = {"bootstrap_servers": kafka_broker.sasl_ssl_bootstrap, "security_protocol": "SASL_SSL",
                "sasl_mechanism": mechanism, "sasl_plain_username": user, "sasl_plain_password": password,
                "ssl_cafile": str(kafka_broker.ca_pem)}
    assert _kafka_python_round_trip(topic, **security) == [b"v0", b"v1", b"v2"]


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_sasl_ssl_refuses_a_wrong_password(kafka_broker, mechanism: str) -> None:
    error = _refused({**kafka_broker.sasl_conf(mechanism), "sasl.password": "wrong"})
    assert "Authentication failed" in error or "_AUTHENTICATION" in error, error
    user, _ = kafka_broker.sasl_users[mechanism]
    with pytest.raises(KafkaPythonError):
        KafkaAdminClient(bootstrap_servers=kafka_broker.sasl_ssl_bootstrap, security_protocol="SASL_SSL",
                         sasl_mechanism=mechanism, sasl_plain_username=user, sasl_plain_password="wrong",
                         ssl_cafile=str(kafka_broker.ca_pem), bootstrap_timeout_ms=4000)


def test_sasl_ssl_checks_the_broker_certificate(kafka_broker) -> None:
    """A client trusting another CA does not talk to the broker (the server certificate is checked)."""
    _refused({**kafka_broker.sasl_conf("SCRAM-SHA-256"), "ssl.ca.location": str(kafka_broker.untrusted_ca_pem)})


def test_mtls_with_a_trusted_client_certificate(kafka_broker) -> None:
    topic = unique("mtls")
    assert _round_trip(kafka_broker.mtls_conf(), topic) == [b"v0", b"v1", b"v2"]
    security = {"bootstrap_servers": kafka_broker.mtls_bootstrap, "security_protocol": "SSL",
                "ssl_cafile": str(kafka_broker.ca_pem), "ssl_certfile": str(kafka_broker.client_cert_pem),
                "ssl_keyfile": str(kafka_broker.client_key_pem)}
    assert _kafka_python_round_trip(topic, **security) == [b"v0", b"v1", b"v2"]


def test_mtls_refuses_an_untrusted_or_missing_client_certificate(kafka_broker) -> None:
    _refused({**kafka_broker.mtls_conf(), "ssl.certificate.location": str(kafka_broker.untrusted_client_cert_pem),
              "ssl.key.location": str(kafka_broker.untrusted_client_key_pem)})
    no_cert = kafka_broker.mtls_conf()
    del no_cert["ssl.certificate.location"], no_cert["ssl.key.location"]
    _refused(no_cert)
