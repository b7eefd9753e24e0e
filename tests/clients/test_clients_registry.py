"""charter.clients.SchemaRegistryClient / AsyncSchemaRegistryClient against a real Charter server:
every endpoint, typed results, errors, failover across URLs, retries with backoff, caches."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.http import compact
from support.process import RegistryProcess, free_port

from charter.clients import (
    AsyncSchemaRegistryClient,
    CompatibilityResult,
    RegisteredSchema,
    Schema,
    SchemaRegistryClient,
    SchemaRegistryError,
    ServerConfig,
)

# A namespace of this module's own: the session's shared registry holds other tests' "Rec" records,
# and a schema registered elsewhere under the same text would share its id (and its subjects list).
NS = f"clients.t{uuid.uuid4().hex[:8]}"
V1 = compact({"type": "record", "name": "Rec", "namespace": NS, "fields": [{"name": "a", "type": "int"}]})
V2 = compact({"type": "record", "name": "Rec", "namespace": NS, "fields": [
    {"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}]})
BAD = compact({"type": "record", "name": "Rec", "namespace": NS, "fields": [{"name": "a", "type": "string"}]})


@pytest.fixture
def client(registry: RegistryProcess):
    with SchemaRegistryClient({"url": registry.url}) as c:
        yield c


def test_subject_lifecycle_every_endpoint(client: SchemaRegistryClient, subject: str) -> None:
    assert client.is_alive()
    assert "AVRO" in client.get_schema_types()
    sid = client.register_schema(subject, Schema(V1))
    assert isinstance(sid, int)
    reg = client.lookup_schema(subject, Schema(V1))
    assert isinstance(reg, RegisteredSchema) and reg.schema_id == sid and reg.version == 1 and reg.subject == subject
    assert client.get_schema(sid).schema_str == V1
    assert json.loads(client.get_schema_string(sid)) == json.loads(V1)
    assert subject in client.get_subjects()
    assert subject in client.get_subjects(subject_prefix=subject[:10])
    assert client.get_subjects_by_schema_id(sid) == [subject]
    assert [(v.subject, v.version) for v in client.get_schema_versions(sid)] == [(subject, 1)]
    assert any(s.subject == subject for s in client.get_schemas(subject_prefix=subject))
    assert client.check_compatibility(subject, Schema(V2), verbose=True) == CompatibilityResult(True, ())
    bad = client.check_compatibility(subject, Schema(BAD), verbose=True)
    assert not bad.is_compatible and bad.messages
    assert client.test_compatibility(subject, Schema(V2)) is True
    assert client.test_compatibility_all_versions(subject, Schema(BAD)) is False
    sid2 = client.register_schema(subject, Schema(V2))
    assert client.get_versions(subject) == [1, 2]
    latest = client.get_latest_version(subject)
    assert (latest.version, latest.schema_id) == (2, sid2)
    assert client.get_version(subject, 1).schema.schema_str == V1
    assert json.loads(client.get_version_schema_string(subject, 2)) == json.loads(V2)
    assert client.get_referenced_by(subject, 1) == []
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema(subject, Schema(BAD))
    assert e.value.http_status_code == 409
    assert client.delete_version(subject, 2) == 2
    assert client.get_versions(subject) == [1]
    assert client.get_versions(subject, deleted=True) == [1, 2]
    assert client.delete_version(subject, 2, permanent=True) == 2
    assert client.delete_subject(subject) == [1]
    assert subject not in client.get_subjects()
    assert subject in client.get_subjects(deleted=True)
    assert client.delete_subject(subject, permanent=True) == [1]
    with pytest.raises(SchemaRegistryError) as e:
        client.get_versions(subject)
    assert (e.value.http_status_code, e.value.error_code) == (404, 40401)


def test_references_and_referencedby(client: SchemaRegistryClient, subject: str) -> None:
    from charter.clients import SchemaReference

    dep = json.dumps({"type": "record", "name": "Dep", "namespace": "ref", "fields": [{"name": "x", "type": "int"}]})
    client.register_schema(subject + "-dep", Schema(dep))
    main = json.dumps({"type": "record", "name": "Main", "fields": [{"name": "d", "type": "ref.Dep"}]})
    sid = client.register_schema(subject, Schema(main, "AVRO", (SchemaReference("ref.Dep", subject + "-dep", 1),)))
    assert client.get_referenced_by(subject + "-dep", 1) == [sid]
    assert client.get_schema(sid).references[0].subject == subject + "-dep"


def test_config_and_mode(fresh_registry: RegistryProcess) -> None:
    with SchemaRegistryClient({"url": fresh_registry.url}) as c:
        assert c.get_compatibility() == "BACKWARD"
        assert c.set_compatibility(level="full") == "FULL"
        assert c.get_config().compatibility_level == "FULL"
        assert c.set_config("s-value", ServerConfig("NONE")).compatibility_level == "NONE"
        assert c.get_config("s-value").compatibility_level == "NONE"
        assert c.delete_config("s-value").compatibility_level == "NONE"
        with pytest.raises(SchemaRegistryError) as e:
            c.get_config("s-value")
        assert e.value.error_code == 40408
        assert c.get_config("s-value", default_to_global=True).compatibility_level == "FULL"
        assert c.get_global_mode() == "READWRITE"
        assert c.update_mode("s-value", "READONLY") == "READONLY"
        assert c.get_mode("s-value") == "READONLY"
        assert c.delete_mode("s-value") == "READONLY"
        assert c.update_global_mode("READONLY") == "READONLY"
        with pytest.raises(SchemaRegistryError) as e:
            c.register_schema("s-value", Schema(V1))
        assert e.value.error_code == 42205
        assert c.update_global_mode("READWRITE") == "READWRITE"


def test_errors_carry_status_code_and_message(client: SchemaRegistryClient) -> None:
    with pytest.raises(SchemaRegistryError) as e:
        client.get_schema(987654321)
    assert (e.value.http_status_code, e.value.error_code) == (404, 40403)
    assert "not found" in e.value.error_message.lower()
    assert client.get_associations_by_resource_name("no-such-topic") == []


def test_failover_to_second_url(registry: RegistryProcess, subject: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    conf = {"url": f"{dead},{registry.url}", "max.retries": 1, "retries.wait.ms": 1, "retries.max.wait.ms": 5}
    with SchemaRegistryClient(conf) as c:
        sid = c.register_schema(subject, Schema(V1))
        sent = c.requests_sent
        assert c.get_versions(subject) == [1] and isinstance(sid, int)
        assert c.requests_sent == sent + 1  # sticky: the answering URL is tried first afterwards


def test_all_urls_dead_is_a_registry_error() -> None:
    conf = {"url": f"http://127.0.0.1:{free_port()}", "max.retries": 1, "retries.wait.ms": 1}
    with SchemaRegistryClient(conf) as c, pytest.raises(SchemaRegistryError) as e:
        c.get_subjects()
    assert e.value.http_status_code == -1


class _Flaky(BaseHTTPRequestHandler):
    failures = 0
    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            self.send_response(503)
            body = b'{"error_code":50003,"message":"busy"}'
        else:
            self.send_response(200)
            body = b'["AVRO"]'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("failures,ok", [(2, True), (5, False)])
def test_retries_on_503_with_backoff(failures: int, ok: bool) -> None:
    _Flaky.failures, _Flaky.calls = failures, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conf = {"url": f"http://127.0.0.1:{server.server_port}", "max.retries": 3, "retries.wait.ms": 1}
        with SchemaRegistryClient(conf) as c:
            if ok:
                assert c.get_schema_types() == ["AVRO"]
                assert _Flaky.calls == 3
            else:
                with pytest.raises(SchemaRegistryError) as e:
                    c.get_schema_types()
                assert (e.value.http_status_code, e.value.error_code) == (503, 50003)
                assert _Flaky.calls == 4
    finally:
        server.shutdown()


def test_caches_id_schema_and_latest_ttl(client: SchemaRegistryClient, subject: str) -> None:
    sid = client.register_schema(subject, Schema(V1))
    before = client.requests_sent
    for _ in range(100):
        client.register_schema(subject, Schema(V1))
        client.get_schema(sid)
    assert client.requests_sent == before  # both answered from the caches
    client.get_latest_version(subject)
    client.get_latest_version(subject)
    assert client.requests_sent == before + 1


def test_latest_cache_expires_with_ttl(registry: RegistryProcess, subject: str) -> None:
    import time

    with SchemaRegistryClient({"url": registry.url, "cache.latest.ttl.sec": 0.2}) as c:
        c.register_schema(subject, Schema(V1))
        assert c.get_latest_version(subject).version == 1
        with SchemaRegistryClient({"url": registry.url}) as other:
            other.register_schema(subject, Schema(V2))
        assert c.get_latest_version(subject).version == 1  # cached
        time.sleep(0.3)
        assert c.get_latest_version(subject).version == 2


def test_conf_validation() -> None:
    with pytest.raises(ValueError):
        SchemaRegistryClient({})
    with pytest.raises(ValueError, match="Unrecognized"):
        SchemaRegistryClient({"url": "http://x", "bogus": 1})
    with pytest.raises(ValueError):
        SchemaRegistryClient({"url": "http://u:p@x", "basic.auth.user.info": "a:b"})
    c = SchemaRegistryClient({"url": "http://x", "basic.auth.user.info": "user:pw:x"})
    assert c._cfg.auth == ("user", "pw:x")
    c = SchemaRegistryClient({"url": "http://us%40er:pw@x:1"})
    assert c._cfg.auth == ("us@er", "pw") and c._cfg.base_urls == ["http://x:1"]
    c = SchemaRegistryClient({"url": "http://x", "bearer.auth.token": "t", "bearer.auth.logical.cluster": "lsrc"})
    assert c._cfg.headers["Authorization"] == "Bearer t" and c._cfg.headers["target-sr-cluster"] == "lsrc"
    with pytest.raises(ValueError, match=r"ssl\.certificate\.location"):
        SchemaRegistryClient({"url": "https://x", "ssl.key.location": "/k.pem"})


def test_async_client_same_operations(registry: RegistryProcess, subject: str) -> None:
    async def run() -> None:
        async with AsyncSchemaRegistryClient({"url": registry.url}) as c:
            sid = await c.register_schema(subject, Schema(V1))
            assert (await c.get_schema(sid)).schema_str == V1
            assert (await c.get_latest_version(subject)).version == 1
            assert (await c.lookup_schema(subject, Schema(V1))).schema_id == sid
            assert await c.get_versions(subject) == [1]
            assert (await c.check_compatibility(subject, Schema(V2))).is_compatible
            with pytest.raises(SchemaRegistryError):
                await c.get_schema(987654322)
            assert await c.delete_subject(subject) == [1]

    asyncio.run(run())


def test_request_reaches_any_endpoint_with_the_clients_errors(client: SchemaRegistryClient, subject: str) -> None:
    """``request``: an endpoint by path, decoded JSON back, Confluent errors as SchemaRegistryError."""
    sid = client.register_schema(subject, Schema(V1))
    assert client.request("GET", f"/subjects/{subject}/versions") == [1]
    assert client.request("GET", "/schemas/ids/" + str(sid), {"fetchMaxId": "true"})["maxId"] >= sid
    with pytest.raises(SchemaRegistryError) as refused:
        client.request("GET", f"/subjects/{subject}-absent/versions")
    assert refused.value.error_code == 40401
