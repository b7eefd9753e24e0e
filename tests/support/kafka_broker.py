"""A real Apache Kafka broker (KRaft, one combined broker + controller node) for tests and benches.

The jars come from Maven Central through tests/kafka/pom.xml: ``bash tests/kafka/fetch.sh`` (run by
scripts/test.sh) copies them into ``.cache/kafka/<version>/libs``. :class:`KafkaBroker` picks free
ports, keeps its own data directory, formats the storage once (SCRAM users are created then), starts
``kafka.Kafka`` under Java 17, waits until every listener accepts and metadata answers, and stops it
with SIGTERM, then SIGKILL. Its output goes to ``broker.log`` in the data directory's parent, which
stays there for a failing test to read.

Listeners, all on 127.0.0.1: PLAINTEXT (:attr:`bootstrap`), SASL_SSL with SCRAM-SHA-256,
SCRAM-SHA-512 and PLAIN (:attr:`sasl_ssl_bootstrap`, users in :attr:`sasl_users`), SSL with client
certificates required (:attr:`mtls_bootstrap`), and the CONTROLLER. Certificates: tests/support/kafka_certs.py.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from support.kafka_certs import Pki, make_pki
from support.paths import ROOT

POM = ROOT / "tests" / "kafka" / "pom.xml"
LOG4J_CONFIG = ROOT / "tests" / "kafka" / "log4j2.properties"
FETCH = "bash tests/kafka/fetch.sh"

# One node, and fast failure tests: short sessions allowed, prompt aborts of dead transactions, eager cleaner.
TEST_SETTINGS = {
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 5,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 5,
    "group.initial.rebalance.delay.ms": 0,
    "group.min.session.timeout.ms": 1000,  # tests use 3000 ms sessions (the default minimum is 6000)
    "transaction.max.timeout.ms": 900000,  # any producer transaction.timeout.ms up to 15 min
    "transaction.abort.timed.out.transaction.cleanup.interval.ms": 1000,  # abort a dead producer's txn promptly
    "transactional.id.expiration.ms": 3600000,
    "log.cleaner.backoff.ms": 200,  # compaction on demand (with per-topic small segments)
    "log.cleaner.dedupe.buffer.size": 16 * 1024 * 1024,
    "log.segment.delete.delay.ms": 500,
    "num.partitions": 1,
    "default.replication.factor": 1,
    "min.insync.replicas": 1,
    "auto.create.topics.enable": "true",
    "num.network.threads": 2,
    "num.io.threads": 4,
}
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")


class KafkaJarsMissing(RuntimeError):
    """The broker's jars are not in .cache/kafka/<version>/libs."""


def kafka_version() -> str:
    """The broker version tests/kafka/pom.xml fetches (``<kafka.version>``)."""
    found = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    assert found, f"no <kafka.version> in {POM}"
    return found.group(1)


def libs_dir() -> Path:
    """Where the jars are (``CHARTER_KAFKA_LIBS`` overrides); raises a clear error when they are missing."""
    version = kafka_version()
    libs = Path(os.environ.get("CHARTER_KAFKA_LIBS") or ROOT / ".cache" / "kafka" / version / "libs")
    if not (libs / f"kafka_2.13-{version}.jar").exists():
        raise KafkaJarsMissing(
            f"the Apache Kafka {version} broker jars are not in {libs}: fetch them with `{FETCH}` "
            f"(scripts/test.sh does it), i.e. `mvn -q -B -f tests/kafka/pom.xml dependency:copy-dependencies "
            f"-DoutputDirectory={libs}` (needs Maven and Java 17)")
    if shutil.which("java") is None:
        raise KafkaJarsMissing("no `java` on PATH: the Kafka broker needs Java 17 or newer")
    return libs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM when the parent dies, so that a test run that is
    killed (e.g. by pytest-timeout, which exits without teardown) leaves no broker behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


def wait_for_metadata(bootstrap: str, timeout: float = 30.0) -> None:
    """Until a metadata request to ``bootstrap`` answers (KafkaException after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=2)
            return
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class KafkaBroker:
    """One Apache Kafka node in ``folder`` (data in ``folder/data``, log in ``folder/broker.log``)."""

    def __init__(self, folder: Path, heap: str = "512m", quick_jit: bool = True) -> None:
        self.folder = folder
        self.quick_jit = quick_jit  # C1 only: starts faster; a benchmark wants the full JIT
        self.data_dir = folder / "data"
        self.log_path = folder / "broker.log"
        self.heap = heap
        self._choose_ports()
        # One user per mechanism: {mechanism: (username, password)}.
        self.sasl_users = {"SCRAM-SHA-256": ("scram256-user", "scram256-secret"),
                           "SCRAM-SHA-512": ("scram512-user", "scram512-secret"),
                           "PLAIN": ("plain-user", "plain-secret")}
        self.pki: Pki = make_pki(folder / "tls")
        self.ca_pem = self.pki.ca_pem
        self.client_cert_pem = self.pki.client_cert_pem
        self.client_key_pem = self.pki.client_key_pem
        self.untrusted_ca_pem = self.pki.untrusted_ca_pem
        self.untrusted_client_cert_pem = self.pki.untrusted_client_cert_pem
        self.untrusted_client_key_pem = self.pki.untrusted_client_key_pem
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    # ---- client settings ---------------------------------------------------------------------

    def sasl_conf(self, mechanism: str) -> dict[str, str]:
        """confluent-kafka (librdkafka) settings for the SASL_SSL listener with ``mechanism``."""
        user, password = self.sasl_users[mechanism]
        return {"bootstrap.servers": self.sasl_ssl_bootstrap, "security.protocol": "SASL_SSL",
                "sasl.mechanism": mechanism, "sasl.username": user, "sasl.password": password,
                "ssl.ca.location": str(self.ca_pem)}

    def mtls_conf(self) -> dict[str, str]:
        """confluent-kafka settings for the SSL listener with the trusted client certificate."""
        return {"bootstrap.servers": self.mtls_bootstrap, "security.protocol": "SSL",
                "ssl.ca.location": str(self.ca_pem), "ssl.certificate.location": str(self.client_cert_pem),
                "ssl.key.location": str(self.client_key_pem)}

    # ---- configuration -----------------------------------------------------------------------

    def _properties(self) -> str:
        p = self.ports
        plain_users = " ".join(f'user_{u}="{pw}"' for m, (u, pw) in self.sasl_users.items() if m == "PLAIN")
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        settings: dict[str, Any] = {
            "process.roles": "broker,controller",
            "node.id": 1,
            "controller.quorum.voters": f"1@127.0.0.1:{p['CONTROLLER']}",
            "listeners": ",".join(f"{name}://127.0.0.1:{port}" for name, port in p.items()),
            "advertised.listeners": ",".join(f"{n}://127.0.0.1:{p[n]}" for n in ("PLAINTEXT", "SASL_SSL", "SSL")),
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.data_dir),
            **TEST_SETTINGS,
            # TLS (both secured listeners): PEM keystore (key + certificate) and the test CA.
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(self.pki.broker_keystore_pem),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(self.ca_pem),
            "listener.name.ssl.ssl.client.auth": "required",
            "listener.name.sasl_ssl.ssl.client.auth": "none",
            # SASL_SSL: SCRAM users live in the metadata (created at format time); PLAIN users here.
            "sasl.enabled.mechanisms": "SCRAM-SHA-256,SCRAM-SHA-512,PLAIN",
            "listener.name.sasl_ssl.sasl.enabled.mechanisms": "SCRAM-SHA-256,SCRAM-SHA-512,PLAIN",
            "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": scram,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram,
            "listener.name.sasl_ssl.plain.sasl.jaas.config":
                f"org.apache.kafka.common.security.plain.PlainLoginModule required {plain_users};",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _choose_ports(self) -> None:
        self.ports = {name: free_port() for name in ("PLAINTEXT", "SASL_SSL", "SSL", "CONTROLLER")}
        self.bootstrap = f"127.0.0.1:{self.ports['PLAINTEXT']}"
        self.sasl_ssl_bootstrap = f"127.0.0.1:{self.ports['SASL_SSL']}"
        self.mtls_bootstrap = f"127.0.0.1:{self.ports['SSL']}"

    def _java(self, *args: str) -> list[str]:
        jit = ["-XX:TieredStopAtLevel=1"] if self.quick_jit else []
        return ["java", f"-Xmx{self.heap}", "-Xms128m", "-XX:+UseSerialGC", *jit, "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
                "-cp", f"{libs_dir()}/*", *args]

    def _format(self, properties: Path) -> None:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        scram = [arg for mechanism in SCRAM_MECHANISMS for arg in (
            "--add-scram", f"{mechanism}=[name={self.sasl_users[mechanism][0]},"
                           f"password={self.sasl_users[mechanism][1]}]")]
        done = subprocess.run(self._java("kafka.tools.StorageTool", "format", "-t", cluster_id,
                                         "-c", str(properties), *scram),
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"kafka storage format failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> KafkaBroker:
        """Format the storage (first start only), start the broker and wait until it serves. On the
        first start, a port another process took between :func:`free_port` and the broker's bind
        (servers on ephemeral ports run beside it) is replaced: new ports, a fresh storage, again."""
        for _ in range(2):
            if self.data_dir.exists():
                return self._start(timeout)
            try:
                return self._start(timeout)
            except RuntimeError as exc:
                if "Address already in use" not in str(exc):
                    raise
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self._choose_ports()
        return self._start(timeout)

    def _start(self, timeout: float) -> KafkaBroker:
        self.folder.mkdir(parents=True, exist_ok=True)
        properties = self.folder / "server.properties"
        properties.write_text(self._properties())
        if not (self.data_dir / "meta.properties").exists():
            self._format(properties)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the broker's lifetime
        self.proc = subprocess.Popen(self._java("kafka.Kafka", str(properties)), stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + timeout
        try:
            for port in self.ports.values():
                while not _accepts(port):
                    if self.proc.poll() is not None:
                        raise RuntimeError(f"the Kafka broker exited with {self.proc.returncode}")
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the Kafka broker's port {port} did not open in {timeout:.0f} s")
                    time.sleep(0.1)
            wait_for_metadata(self.bootstrap, max(1.0, deadline - time.monotonic()))
        except (RuntimeError, KafkaException) as exc:
            self.stop()
            raise RuntimeError(f"{exc}; broker log {self.log_path}:\n{self.log_tail()}") from None
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a clean shutdown), SIGKILL after ``timeout`` seconds."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None
