"""Spec review (black box), contexts: /contexts, context-scoped config and mode, references across
contexts, the confluent-kafka client. Written from the specification only."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from support.contexts import V1, new_ctx, q, rec
from support.http import check_error, compact, reg, reg_ok

# --- /contexts ------------------------------------------------------------------------------


def test_get_contexts_lists_default_and_new(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("C"))
    contexts = http.get("/contexts").json()
    assert "." in contexts
    assert ctx in contexts


def test_get_contexts_fresh_registry_is_default_only(fhttp: httpx.Client) -> None:
    r = fhttp.get("/contexts")
    assert r.status_code == 200, r.text
    assert r.json() == ["."]


def test_get_contexts_pagination(fhttp: httpx.Client) -> None:
    reg_ok(fhttp, q(".aa", "s"), rec("A"))
    reg_ok(fhttp, q(".bb", "s"), rec("B"))
    everything = fhttp.get("/contexts").json()
    assert sorted(everything) == [".", ".aa", ".bb"]
    assert fhttp.get("/contexts", params={"limit": 1}).json() == everything[:1]
    assert fhttp.get("/contexts", params={"offset": 1, "limit": 1}).json() == everything[1:2]
    assert fhttp.get("/contexts", params={"offset": 2}).json() == everything[2:]


def test_get_contexts_context_prefix(fhttp: httpx.Client) -> None:
    reg_ok(fhttp, q(".team-a", "s"), rec("A"))
    reg_ok(fhttp, q(".team-b", "s"), rec("B"))
    reg_ok(fhttp, q(".other", "s"), rec("C"))
    assert sorted(fhttp.get("/contexts", params={"contextPrefix": ".team"}).json()) == [".team-a", ".team-b"]


def test_delete_context_not_empty(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("C"))
    check_error(http.delete(f"/contexts/{ctx}"), 422, 42211)
    assert ctx in http.get("/contexts").json()


def test_delete_context_with_soft_deleted_subject_not_empty(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("C"))
    assert http.delete(f"/subjects/{q(ctx, 's')}").status_code == 200
    check_error(http.delete(f"/contexts/{ctx}"), 422, 42211)


def test_delete_default_context_not_empty(http: httpx.Client) -> None:
    reg_ok(http, f"keep-{uuid.uuid4().hex[:8]}", rec("K"))
    check_error(http.delete("/contexts/%2E"), 422, 42211)


def test_delete_empty_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "s")
    reg_ok(http, s, rec("C"))
    assert http.delete(f"/subjects/{s}").status_code == 200
    assert http.delete(f"/subjects/{s}", params={"permanent": "true"}).status_code == 200
    r = http.delete(f"/contexts/{ctx}")
    assert r.status_code in (200, 204), r.text
    assert ctx not in http.get("/contexts").json()


def test_context_reusable_after_delete(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "s")
    reg_ok(http, s, rec("C"))
    http.delete(f"/subjects/{s}")
    http.delete(f"/subjects/{s}", params={"permanent": "true"})
    assert http.delete(f"/contexts/{ctx}").status_code in (200, 204)
    reg_ok(http, s, rec("Again"))
    assert ctx in http.get("/contexts").json()


def test_delete_unknown_context_is_404(http: httpx.Client) -> None:
    r = http.delete(f"/contexts/{new_ctx()}")
    assert r.status_code == 404, r.text
    assert "Traceback" not in r.text
    body = r.json()
    assert isinstance(body["error_code"], int) and body["message"]


@pytest.mark.parametrize("name", ["no-dot", "*", ".bad ctx", ".a:b"])
def test_delete_malformed_context_name_is_a_client_error(http: httpx.Client, name: str) -> None:
    r = http.delete("/contexts/" + quote(name, safe=""))
    assert 400 <= r.status_code < 500, r.text
    assert "Traceback" not in r.text
    assert r.json()["message"]


def test_register_with_wildcard_context_rejected(http: httpx.Client) -> None:
    r = reg(http, ":*:wild", rec("W"))
    check_error(r, 422, 42208)


def test_register_with_malformed_context_rejected(http: httpx.Client) -> None:
    r = reg(http, ":.bad ctx:s", rec("W"))
    check_error(r, 422, 42208)


# --- context-scoped config and mode --------------------------------------------------------


def test_context_config_put_and_get(http: httpx.Client) -> None:
    ctx = new_ctx()
    r = http.put(f"/config/:{ctx}:", json={"compatibility": "FULL"})
    assert r.status_code == 200, r.text
    assert r.json()["compatibility"] == "FULL"
    assert http.get(f"/config/:{ctx}:").json()["compatibilityLevel"] == "FULL"


def test_context_config_applies_to_subjects_of_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    assert http.put(f"/config/:{ctx}:", json={"compatibility": "NONE"}).status_code == 200
    s = q(ctx, "s")
    reg_ok(http, s, rec("R", ("a", "string")))
    # adding a field without default is not BACKWARD compatible (the global default)
    assert reg(http, s, rec("R", ("a", "string"), ("b", "int"))).status_code == 200


def test_context_config_does_not_apply_to_default_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    name = f"same-{uuid.uuid4().hex[:8]}"
    http.put(f"/config/:{ctx}:", json={"compatibility": "NONE"})
    reg_ok(http, name, rec("R", ("a", "string")))
    check_error(reg(http, name, rec("R", ("a", "string"), ("b", "int"))), 409, (409, 40901))


def test_context_config_does_not_apply_to_other_context(http: httpx.Client) -> None:
    a, b = new_ctx(), new_ctx()
    http.put(f"/config/:{a}:", json={"compatibility": "NONE"})
    s = q(b, "s")
    reg_ok(http, s, rec("R", ("a", "string")))
    check_error(reg(http, s, rec("R", ("a", "string"), ("b", "int"))), 409, (409, 40901))


def test_subject_config_overrides_context_config(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "s")
    http.put(f"/config/:{ctx}:", json={"compatibility": "NONE"})
    assert http.put(f"/config/{s}", json={"compatibility": "BACKWARD"}).status_code == 200
    reg_ok(http, s, rec("R", ("a", "string")))
    check_error(reg(http, s, rec("R", ("a", "string"), ("b", "int"))), 409, (409, 40901))


def test_subject_config_default_to_global_falls_back_to_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/config/:{ctx}:", json={"compatibility": "FORWARD_TRANSITIVE"})
    r = http.get(f"/config/{q(ctx, 's')}", params={"defaultToGlobal": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["compatibilityLevel"] == "FORWARD_TRANSITIVE"


def test_subject_config_without_default_to_global_is_40408(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/config/:{ctx}:", json={"compatibility": "FULL"})
    check_error(http.get(f"/config/{q(ctx, 's')}"), 404, 40408)


def test_delete_context_config(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/config/:{ctx}:", json={"compatibility": "FULL"})
    r = http.delete(f"/config/:{ctx}:")
    assert r.status_code == 200, r.text
    assert r.json()["compatibilityLevel"] == "FULL"
    check_error(http.get(f"/config/:{ctx}:"), 404, 40408)


def test_context_mode_put_and_get(http: httpx.Client) -> None:
    ctx = new_ctx()
    r = http.put(f"/mode/:{ctx}:", json={"mode": "READONLY"})
    assert r.status_code == 200, r.text
    assert http.get(f"/mode/:{ctx}:").json()["mode"] == "READONLY"


def test_context_mode_readonly_blocks_register_in_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/mode/:{ctx}:", json={"mode": "READONLY"})
    check_error(reg(http, q(ctx, "s"), rec("RO")), 422, 42205)


def test_context_mode_readonly_leaves_default_context_writable(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/mode/:{ctx}:", json={"mode": "READONLY"})
    reg_ok(http, f"rw-{uuid.uuid4().hex[:8]}", rec("RW"))


def test_subject_mode_overrides_context_mode(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "s")
    http.put(f"/mode/:{ctx}:", json={"mode": "READONLY"})
    assert http.put(f"/mode/{s}", json={"mode": "READWRITE"}).status_code == 200
    reg_ok(http, s, rec("Writable"))


def test_subject_mode_default_to_global_falls_back_to_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/mode/:{ctx}:", json={"mode": "READONLY"})
    r = http.get(f"/mode/{q(ctx, 's')}", params={"defaultToGlobal": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["mode"] == "READONLY"


def test_delete_context_mode_restores_writes(http: httpx.Client) -> None:
    ctx = new_ctx()
    http.put(f"/mode/:{ctx}:", json={"mode": "READONLY"})
    assert http.delete(f"/mode/:{ctx}:").status_code == 200
    reg_ok(http, q(ctx, "s"), rec("Back"))


# --- references across contexts -----------------------------------------------------------


def _ref_schemas() -> tuple[str, str]:
    child = compact({"type": "record", "name": "Child", "namespace": "rv",
                     "fields": [{"name": "x", "type": "int"}]})
    parent = compact({"type": "record", "name": "Parent", "namespace": "rv",
                      "fields": [{"name": "c", "type": "rv.Child"}]})
    return child, parent


def test_reference_to_qualified_subject_in_same_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    child, parent = _ref_schemas()
    reg_ok(http, q(ctx, "child"), child)
    pid = reg_ok(http, q(ctx, "parent"), parent,
                 references=[{"name": "rv.Child", "subject": q(ctx, "child"), "version": 1}])
    r = http.get(f"/subjects/{q(ctx, 'child')}/versions/1/referencedby")
    assert r.status_code == 200, r.text
    assert r.json() == [pid]


def test_unqualified_reference_resolves_in_referrer_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    child, parent = _ref_schemas()
    name = f"child-{uuid.uuid4().hex[:8]}"
    reg_ok(http, q(ctx, name), child)
    r = reg(http, q(ctx, "parent"), parent, references=[{"name": "rv.Child", "subject": name, "version": 1}])
    assert r.status_code == 200, r.text


def test_reference_to_subject_in_other_context(http: httpx.Client) -> None:
    a, b = new_ctx(), new_ctx()
    child, parent = _ref_schemas()
    reg_ok(http, q(a, "child"), child)
    r = reg(http, q(b, "parent"), parent, references=[{"name": "rv.Child", "subject": q(a, "child"), "version": 1}])
    assert r.status_code == 200, r.text
    got = http.get(f"/subjects/{q(b, 'parent')}/versions/1").json()
    assert got["references"] == [{"name": "rv.Child", "subject": q(a, "child"), "version": 1}]


# --- confluent-kafka client --------------------------------------------------------------


def test_confluent_client_contexts_and_context_id_read(registry) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    ctx = new_ctx()
    s = q(ctx, "client-value")
    sid = client.register_schema(s, Schema(rec("ClientCtx"), "AVRO"))
    assert sid == 1
    assert ctx in client.get_contexts()
    got = client.get_schema(1, subject_name=s)
    assert json.loads(got.schema_str)["name"] == "ClientCtx"
    assert client.get_latest_version(s).subject == s
    assert s in client.get_subjects()


def test_confluent_client_context_config(registry) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    ctx = new_ctx()
    assert client.set_compatibility(f":{ctx}:", "NONE") == {"compatibility": "NONE"}
    assert client.get_compatibility(f":{ctx}:") == "NONE"


# --- more context edge cases ---------------------------------------------------------------------


def test_schema_by_id_context_only_subject_param(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("CtxParamOnly"))
    r = http.get("/schemas/ids/1", params={"subject": f":{ctx}:"})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["schema"])["name"] == "CtxParamOnly"


def test_schema_by_id_unknown_context(http: httpx.Client) -> None:
    check_error(http.get("/schemas/ids/1", params={"subject": q(new_ctx(), "x")}), 404, 40403)


def test_schema_by_id_unqualified_subject_searches_contexts(fhttp: httpx.Client) -> None:
    # Confluent (getSchemaKeyUsingContexts): an id not found for an unqualified subject in the
    # default context is looked up under the same subject name in every known context (this is
    # how a consumer reads records whose schemas were linked into a context).
    ctx = new_ctx()
    reg_ok(fhttp, q(ctx, "linked-value"), rec("Linked"))
    r = fhttp.get("/schemas/ids/1", params={"subject": "linked-value"})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["schema"])["name"] == "Linked"


def test_schema_id_subjects_without_subject_is_default_context_only(fhttp: httpx.Client) -> None:
    schema = rec("DefaultOnly")
    reg_ok(fhttp, "dflt", schema)
    reg_ok(fhttp, q(new_ctx(), "dflt"), schema)
    assert fhttp.get("/schemas/ids/1/subjects").json() == ["dflt"]
    assert fhttp.get("/schemas/ids/1/versions").json() == [{"subject": "dflt", "version": 1}]


def test_context_listed_until_deleted(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "s")
    reg_ok(http, s, rec("Stays"))
    http.delete(f"/subjects/{s}")
    http.delete(f"/subjects/{s}", params={"permanent": "true"})
    assert ctx in http.get("/contexts").json()


def test_unknown_context_subjects_empty(http: httpx.Client) -> None:
    r = http.get("/subjects", params={"subjectPrefix": f":{new_ctx()}:"})
    assert r.status_code == 200, r.text
    assert r.json() == []


def test_unknown_context_config_and_mode_not_configured(http: httpx.Client) -> None:
    ctx = new_ctx()
    check_error(http.get(f"/config/:{ctx}:"), 404, 40408)
    check_error(http.get(f"/mode/:{ctx}:"), 404, 40409)


def test_context_config_default_to_global(http: httpx.Client) -> None:
    r = http.get(f"/config/:{new_ctx()}:", params={"defaultToGlobal": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["compatibilityLevel"] == http.get("/config").json()["compatibilityLevel"]


def test_put_config_malformed_context(http: httpx.Client) -> None:
    check_error(http.put("/config/" + quote(":.bad ctx:", safe=""), json={"compatibility": "NONE"}), 422, 42208)


def test_register_empty_subject_in_context_rejected(http: httpx.Client) -> None:
    check_error(reg(http, f":{new_ctx()}:", rec("Empty")), 422, 42208)


def test_import_mode_in_context_keeps_ids_per_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    assert http.put(f"/mode/:{ctx}:", json={"mode": "IMPORT"}).status_code == 200
    r = reg(http, q(ctx, "imp"), rec("Imported"), id=41, version=1)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == 41
    assert http.delete(f"/mode/:{ctx}:").status_code == 200
    assert reg_ok(http, q(ctx, "next"), rec("AfterImport")) == 42
    got = http.get("/schemas/ids/41", params={"subject": q(ctx, "imp")})
    assert json.loads(got.json()["schema"])["name"] == "Imported"


def test_confluent_deserializer_reads_context_schema_via_associated_subject(registry) -> None:
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    ctx = new_ctx()
    topic = f"ctx-topic-{uuid.uuid4().hex[:8]}"
    s = q(ctx, "assoc-value")
    schema = rec("CtxWire", ("name", "string"))
    with httpx.Client(base_url=registry.url, headers={"Content-Type": V1}) as http:
        reg_ok(http, s, schema)
        r = http.post("/associations", json={"resourceName": topic, "resourceNamespace": "lkc-x",
                                              "resourceType": "topic",
                                              "associations": [{"subject": s, "associationType": "value"}]})
        assert r.status_code == 200, r.text
    client = SchemaRegistryClient({"url": registry.url})
    sctx = SerializationContext(topic, MessageField.VALUE)
    data = AvroSerializer(client, schema)({"name": "in-context"}, sctx)
    assert data[1:5] == b"\x00\x00\x00\x01"
    assert AvroDeserializer(SchemaRegistryClient({"url": registry.url}))(data, sctx) == {"name": "in-context"}
