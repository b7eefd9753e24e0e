"""Confluent's configuration read by Charter: a schema-registry.properties file (--config), the
SCHEMA_REGISTRY_* variables of Confluent's Docker image, their precedence, the one warning for keys
Charter does not support, and the README's settings table generated from the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT
from support.process import RegistryProcess

from charter.registry.confluent_config import env_to_key
from charter.registry.settings import OPTIONS, Secret, Settings, SettingsError, markdown_table, resolve

PROPERTIES = r"""
# A Confluent schema-registry.properties, in the syntax Java's Properties.load reads.
listeners=http://0.0.0.0:8085,https://0.0.0.0:8443
host.name = registry-1.example.com
kafkastore.bootstrap.servers: SASL_SSL://broker-1:9094, PLAINTEXT://broker-1:9092,\
    SASL_SSL://broker-2:9094
kafkastore.topic=_schemas_prod
schema.registry.group.id=sr-prod
leader.eligibility=false
schema.compatibility.level=full_transitive
kafkastore.security.protocol=SASL_SSL
kafkastore.sasl.mechanism=SCRAM-SHA-512
kafkastore.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
    username="sr-user" password="p\u00e4ss;word\\"x";
kafkastore.ssl.truststore.location=/etc/kafka/ca.pem
kafkastore.ssl.truststore.type=PEM
kafkastore.ssl.endpoint.identification.algorithm=
kafkastore.timeout.ms=750
kafkastore.init.timeout.ms=30000
kafkagroup.session.timeout.ms=12000
kafkagroup.heartbeat.interval.ms=2500
schema.cache.size=500
! another comment style
debug=false
"""


def write(tmp_path: Path, text: str, name: str = "schema-registry.properties") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="latin-1")
    return path


def test_a_confluent_properties_file_maps_onto_the_settings(tmp_path: Path) -> None:
    resolved = resolve({"config": str(write(tmp_path, PROPERTIES))}, environ={})
    s = resolved.settings
    assert (s.host, s.port) == ("0.0.0.0", 8085)  # the first http(s) listener
    assert s.public_url == "http://registry-1.example.com:8085"  # host.name is the advertised host
    assert s.kafka_bootstrap == "SASL_SSL://broker-1:9094,PLAINTEXT://broker-1:9092,SASL_SSL://broker-2:9094"
    assert (s.kafka_topic, s.group_id, s.leader_eligibility) == ("_schemas_prod", "sr-prod", False)
    assert s.compatibility == "full_transitive"
    assert (s.kafka_security_protocol, s.kafka_sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert s.kafka_sasl_username == "sr-user"
    assert s.kafka_sasl_password.reveal() == 'päss;word"x'  # escapes and a quoted ; in the JAAS line
    assert (s.kafka_ssl_ca, s.kafka_ssl_check_hostname) == ("/etc/kafka/ca.pem", False)
    assert (s.kafkastore_timeout_ms, s.kafkastore_init_timeout_ms) == (750, 30000)
    assert (s.kafka_session_timeout_ms, s.kafka_heartbeat_interval_ms, s.schema_cache_size) == (12000, 2500, 500)
    assert resolved.unsupported == (f"debug ({tmp_path / 'schema-registry.properties'})",)


def test_the_secured_connection_keeps_only_the_endpoints_of_its_protocol(tmp_path: Path) -> None:
    from charter.registry.log.kafka_connection import KafkaConnection

    settings = resolve({"config": str(write(tmp_path, PROPERTIES))}, environ={}).settings
    connection = KafkaConnection.from_settings(settings)
    assert connection.servers == "broker-1:9094,broker-2:9094"  # as Confluent's endpointsToBootstrapServers
    conf, kwargs = connection.librdkafka(), connection.kafka_python()
    assert conf["sasl.username"] == kwargs["sasl_plain_username"] == "sr-user"
    assert conf["sasl.password"] == kwargs["sasl_plain_password"] == 'päss;word"x'
    assert conf["ssl.endpoint.identification.algorithm"] == "none" and kwargs["ssl_check_hostname"] is False
    for shown in (repr(connection), str(connection), repr(settings), str(settings)):
        assert "päss" not in shown


@pytest.mark.parametrize(("name", "key"), [
    ("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "kafkastore.bootstrap.servers"),
    ("SCHEMA_REGISTRY_SCHEMA_REGISTRY_GROUP_ID", "schema.registry.group.id"),
    ("SCHEMA_REGISTRY_KAFKASTORE_SASL_JAAS_CONFIG", "kafkastore.sasl.jaas.config"),
    ("SCHEMA_REGISTRY_SOME__UNDERSCORED_KEY", "some_underscored.key"),
    ("SCHEMA_REGISTRY_WITH___DASH", "with-dash"),
])
def test_docker_variables_are_named_as_confluent_s_image_names_them(name: str, key: str) -> None:
    assert env_to_key(name) == key


def test_schema_registry_variables_set_the_same_keys() -> None:
    environ = {
        "SCHEMA_REGISTRY_LISTENERS": "http://127.0.0.1:9091",
        "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS": "PLAINTEXT://k1:9092",
        "SCHEMA_REGISTRY_MASTER_ELIGIBILITY": "false",  # deprecated key, read too
        "SCHEMA_REGISTRY_KAFKASTORE_SSL_KEY_PASSWORD": "key-secret",
        "SCHEMA_REGISTRY_HEAP_OPTS": "-Xmx1g",  # the image's launcher variable: not a property
    }
    resolved = resolve({}, environ)
    s = resolved.settings
    assert (s.host, s.port, s.kafka_bootstrap, s.leader_eligibility) == ("127.0.0.1", 9091, "PLAINTEXT://k1:9092",
                                                                         False)
    assert isinstance(s.kafka_ssl_key_password, Secret) and s.kafka_ssl_key_password.reveal() == "key-secret"
    assert resolved.unsupported == ()


def test_deprecated_keys_win_when_both_are_set_as_in_confluent(tmp_path: Path) -> None:
    path = write(tmp_path, "avro.compatibility.level=none\nschema.compatibility.level=full\n"
                           "master.eligibility=false\nleader.eligibility=true\n")
    s = resolve({"config": str(path)}, environ={}).settings
    assert (s.compatibility, s.leader_eligibility) == ("none", False)


@pytest.mark.parametrize(("flags", "environ", "expected"), [
    ({"port": 1001}, {"CHARTER_PORT": "1002", "SCHEMA_REGISTRY_LISTENERS": "http://h:1003"}, 1001),
    ({}, {"CHARTER_PORT": "1002", "SCHEMA_REGISTRY_LISTENERS": "http://h:1003"}, 1002),
    ({}, {"SCHEMA_REGISTRY_LISTENERS": "http://h:1003"}, 1003),
    ({}, {}, 1004),  # the file
])
def test_precedence_flag_charter_env_docker_env_file_default(tmp_path: Path, flags: dict[str, int],
                                                              environ: dict[str, str], expected: int) -> None:
    path = write(tmp_path, "listeners=http://h:1004\n")
    assert resolve({**flags, "config": str(path)}, environ).settings.port == expected
    assert resolve({}, {}).settings.port == 8081  # and the default


def test_the_config_file_can_come_from_its_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "kafkastore.topic=from-file\n")
    assert resolve({}, {"CHARTER_CONFIG": str(path)}).settings.kafka_topic == "from-file"


@pytest.mark.parametrize(("text", "fragment"), [
    ("kafkastore.ssl.truststore.type=JKS\n", "keytool -importkeystore"),
    ("kafkastore.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required keyTab=\"k\";\n",
     "Kerberos/GSSAPI is not"),
    ("kafkastore.sasl.jaas.config=nonsense password=hunter2\n", "expected `org.apache.kafka"),
    ("listeners=PLAINTEXT://0.0.0.0:9092\n", "no http:// or https:// listener"),
    ("leader.eligibility=maybe\n", "expected true or false"),
    ("authentication.method=BASIC\nauthentication.realm=SchemaRegistry\n", "--users-file"),
])
def test_keys_that_cannot_be_honoured_stop_with_a_message_naming_them(tmp_path: Path, text: str,
                                                                      fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve({"config": str(write(tmp_path, text))}, environ={})
    assert fragment in str(caught.value)
    assert "hunter2" not in str(caught.value)  # a JAAS line is never echoed


def test_the_server_truststore_is_used_only_for_required_client_certificates(tmp_path: Path) -> None:
    base = "ssl.keystore.location=/tls/server.pem\nssl.keystore.type=PEM\nssl.truststore.location=/tls/ca.pem\n"
    plain = resolve({"config": str(write(tmp_path, base))}, environ={})
    assert (plain.settings.tls_cert, plain.settings.tls_key, plain.settings.tls_ca) == (
        "/tls/server.pem", "/tls/server.pem", "")
    assert plain.unsupported[0].startswith("ssl.truststore.location")
    mtls = resolve({"config": str(write(tmp_path, base + "ssl.client.authentication=REQUIRED\n"))}, environ={})
    assert mtls.settings.tls_ca == "/tls/ca.pem" and mtls.unsupported == ()
    assert mtls.settings.public_url.startswith("https://")


def test_unsupported_keys_are_named_in_one_warning_at_start(tmp_path: Path) -> None:
    path = write(tmp_path, "kafkastore.topic.replication.factor=3\nschema.cache.size=100\n"
                           "resource.extension.class=com.example.Ext\n")
    server = RegistryProcess(tmp_path / "data", extra=["--config", str(path)])
    server.start()
    try:
        lines = [line for line in server.read_log().splitlines() if "does not support" in line]
    finally:
        server.stop()
    assert len(lines) == 1, lines
    assert "kafkastore.topic.replication.factor" in lines[0] and "resource.extension.class" in lines[0]
    assert "schema.cache.size" not in lines[0]


def test_a_bad_config_file_fails_at_start_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "charter.cli.main", "serve", "--data-dir", str(tmp_path / "d"),
         "--config", str(tmp_path / "missing.properties")],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "cannot read the configuration file" in result.stderr


def test_settings_defaults_match_the_table() -> None:
    defaults = Settings()
    for opt in OPTIONS:
        assert getattr(defaults, opt.name) == opt.default, opt.name


def test_readme_configuration_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- settings-table:start -->\n(.*?)<!-- settings-table:end -->", readme, re.S)
    assert found is not None, "README has no generated settings table"
    assert found.group(1) == markdown_table(), (
        "README's configuration table differs from the settings table: regenerate it with "
        "`python -m charter.registry.settings --markdown`")
