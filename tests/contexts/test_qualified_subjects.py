"""Spec review (black box), contexts: qualified subjects, GET /subjects across contexts, id reads
resolving the context. Written from the specification only."""

from __future__ import annotations

import json
import uuid

import httpx
from support.contexts import new_ctx, q, rec
from support.http import check_error, reg_ok

# --- qualified subjects ---------------------------------------------------------------------


def test_qualified_subject_register_and_read(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "orders-value")
    reg_ok(http, s, rec("Order"))
    r = http.get(f"/subjects/{s}/versions/1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"] == s
    assert body["version"] == 1
    assert json.loads(body["schema"])["name"] == "Order"


def test_qualified_subject_versions_list(http: httpx.Client) -> None:
    s = q(new_ctx(), "v")
    reg_ok(http, s, rec("R"))
    reg_ok(http, s, rec("R", ("a", "string"), {"name": "b", "type": ["null", "int"], "default": None}))
    assert http.get(f"/subjects/{s}/versions").json() == [1, 2]


def test_first_id_in_new_context_is_1(http: httpx.Client) -> None:
    # the session registry has many schemas in the default context; a new context starts at 1
    reg_ok(http, f"dflt-{uuid.uuid4().hex[:8]}", rec("Filler"))
    assert reg_ok(http, q(new_ctx(), "s"), rec("First")) == 1


def test_second_schema_in_context_is_id_2(http: httpx.Client) -> None:
    ctx = new_ctx()
    assert reg_ok(http, q(ctx, "a"), rec("A")) == 1
    assert reg_ok(http, q(ctx, "b"), rec("B")) == 2


def test_same_schema_two_subjects_same_context_same_id(http: httpx.Client) -> None:
    ctx = new_ctx()
    schema = rec("Shared")
    assert reg_ok(http, q(ctx, "a"), schema) == reg_ok(http, q(ctx, "b"), schema)


def test_ids_in_context_do_not_advance_default_ids(fhttp: httpx.Client) -> None:
    assert reg_ok(fhttp, "d1", rec("D1")) == 1
    ctx = new_ctx()
    assert reg_ok(fhttp, q(ctx, "x"), rec("X1")) == 1
    assert reg_ok(fhttp, q(ctx, "y"), rec("X2")) == 2
    assert reg_ok(fhttp, "d2", rec("D2")) == 2


def test_same_schema_in_two_contexts_gets_id_in_each(fhttp: httpx.Client) -> None:
    schema = rec("Both")
    reg_ok(fhttp, "other", rec("Other"))
    a, b = new_ctx(), new_ctx()
    assert reg_ok(fhttp, q(a, "s"), schema) == 1
    assert reg_ok(fhttp, q(b, "s"), schema) == 1
    assert reg_ok(fhttp, "s", schema) == 2


def test_default_context_explicit_prefix_is_unqualified(http: httpx.Client) -> None:
    name = f"plain-{uuid.uuid4().hex[:8]}"
    reg_ok(http, f":.:{name}", rec("P"))
    assert http.get(f"/subjects/{name}/versions").json() == [1]
    subjects = http.get("/subjects").json()
    assert name in subjects
    assert f":.:{name}" not in subjects


def test_unqualified_name_does_not_see_context_subject(http: httpx.Client) -> None:
    name = f"only-ctx-{uuid.uuid4().hex[:8]}"
    reg_ok(http, q(new_ctx(), name), rec("Q"))
    check_error(http.get(f"/subjects/{name}/versions"), 404, 40401)


def test_register_response_version_read_has_qualified_subject_in_lookup(http: httpx.Client) -> None:
    s = q(new_ctx(), "look")
    schema = rec("L")
    sid = reg_ok(http, s, schema)
    r = http.post(f"/subjects/{s}", json={"schema": schema})
    assert r.status_code == 200, r.text
    assert r.json()["subject"] == s
    assert r.json()["id"] == sid
    assert r.json()["version"] == 1


def test_lookup_in_other_context_not_found(http: httpx.Client) -> None:
    a, b = new_ctx(), new_ctx()
    schema = rec("NotThere")
    reg_ok(http, q(a, "s"), schema)
    reg_ok(http, q(b, "s"), rec("Different"))
    check_error(http.post(f"/subjects/{q(b, 's')}", json={"schema": schema}), 404, 40403)


def test_compatibility_check_in_context(http: httpx.Client) -> None:
    s = q(new_ctx(), "compat")
    reg_ok(http, s, rec("C", ("a", "string")))
    r = http.post(f"/compatibility/subjects/{s}/versions/latest",
                  json={"schema": rec("C", ("a", "string"), ("b", "int"))})
    assert r.status_code == 200, r.text
    assert r.json()["is_compatible"] is False


def test_soft_delete_subject_in_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    s = q(ctx, "del")
    reg_ok(http, s, rec("Del"))
    r = http.delete(f"/subjects/{s}")
    assert r.status_code == 200, r.text
    assert r.json() == [1]
    assert s not in http.get("/subjects", params={"subjectPrefix": f":{ctx}:"}).json()
    assert s in http.get("/subjects", params={"subjectPrefix": f":{ctx}:", "deleted": "true"}).json()


# --- GET /subjects --------------------------------------------------------------------------


def test_get_subjects_default_lists_every_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    plain = f"plain-{uuid.uuid4().hex[:8]}"
    reg_ok(http, plain, rec("P"))
    reg_ok(http, q(ctx, "s"), rec("P"))
    subjects = http.get("/subjects").json()
    assert plain in subjects
    assert q(ctx, "s") in subjects


def test_get_subjects_wildcard_prefix_lists_every_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    plain = f"plain-{uuid.uuid4().hex[:8]}"
    reg_ok(http, plain, rec("P"))
    reg_ok(http, q(ctx, "s"), rec("P"))
    subjects = http.get("/subjects", params={"subjectPrefix": ":*:"}).json()
    assert plain in subjects
    assert q(ctx, "s") in subjects


def test_get_subjects_context_prefix_lists_only_that_context(http: httpx.Client) -> None:
    a, b = new_ctx(), new_ctx()
    reg_ok(http, q(a, "one"), rec("P"))
    reg_ok(http, q(a, "two"), rec("P"))
    reg_ok(http, q(b, "three"), rec("P"))
    assert sorted(http.get("/subjects", params={"subjectPrefix": f":{a}:"}).json()) == [q(a, "one"), q(a, "two")]


def test_get_subjects_context_prefix_with_name_prefix(http: httpx.Client) -> None:
    a = new_ctx()
    reg_ok(http, q(a, "orders-value"), rec("P"))
    reg_ok(http, q(a, "users-value"), rec("P"))
    assert http.get("/subjects", params={"subjectPrefix": f":{a}:ord"}).json() == [q(a, "orders-value")]


def test_get_subjects_default_context_prefix_excludes_other_contexts(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("P"))
    subjects = http.get("/subjects", params={"subjectPrefix": ":.:"}).json()
    assert q(ctx, "s") not in subjects
    assert all(not x.startswith(":.") or x.startswith(":.:") for x in subjects)


def test_get_schemas_with_context_prefix(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("InSchemas"))
    r = http.get("/schemas", params={"subjectPrefix": f":{ctx}:"})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [x["subject"] for x in rows] == [q(ctx, "s")]
    assert rows[0]["id"] == 1


# --- id reads resolving the context ------------------------------------------------------


def test_schema_by_id_with_subject_reads_that_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("CtxOnly"))
    r = http.get("/schemas/ids/1", params={"subject": q(ctx, "s")})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["schema"])["name"] == "CtxOnly"


def test_schema_by_id_subject_of_context_not_registered_in_it(http: httpx.Client) -> None:
    # the subject only selects the context: another (even unknown) subject of the context works
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("CtxAny"))
    r = http.get("/schemas/ids/1", params={"subject": q(ctx, "unknown")})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["schema"])["name"] == "CtxAny"


def test_schema_by_id_without_subject_reads_default_context(fhttp: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(fhttp, "d", rec("Default1"))
    reg_ok(fhttp, q(ctx, "s"), rec("C1"))
    reg_ok(fhttp, q(ctx, "s2"), rec("C2"))
    assert json.loads(fhttp.get("/schemas/ids/1").json()["schema"])["name"] == "Default1"
    check_error(fhttp.get("/schemas/ids/2"), 404, 40403)
    assert json.loads(fhttp.get("/schemas/ids/2", params={"subject": q(ctx, "s")}).json()["schema"])["name"] == "C2"


def test_schema_by_id_missing_in_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("Only"))
    check_error(http.get("/schemas/ids/2", params={"subject": q(ctx, "s")}), 404, 40403)


def test_schema_by_id_raw_schema_with_subject(http: httpx.Client) -> None:
    ctx = new_ctx()
    schema = rec("Raw")
    reg_ok(http, q(ctx, "s"), schema)
    r = http.get("/schemas/ids/1/schema", params={"subject": q(ctx, "s")})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Raw"


def test_schema_id_subjects_with_subject(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("Subj"))
    r = http.get("/schemas/ids/1/subjects", params={"subject": q(ctx, "s")})
    assert r.status_code == 200, r.text
    assert r.json() == [q(ctx, "s")]


def test_schema_id_versions_with_subject(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "s"), rec("Vers"))
    r = http.get("/schemas/ids/1/versions", params={"subject": q(ctx, "s")})
    assert r.status_code == 200, r.text
    assert r.json() == [{"subject": q(ctx, "s"), "version": 1}]


def test_schema_id_subjects_lists_every_subject_of_the_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    schema = rec("Many")
    reg_ok(http, q(ctx, "a"), schema)
    reg_ok(http, q(ctx, "b"), schema)
    r = http.get("/schemas/ids/1/subjects", params={"subject": q(ctx, "a")})
    assert sorted(r.json()) == [q(ctx, "a"), q(ctx, "b")]


def test_schema_id_versions_excludes_other_contexts(http: httpx.Client) -> None:
    a, b = new_ctx(), new_ctx()
    schema = rec("Twice")
    reg_ok(http, q(a, "s"), schema)
    reg_ok(http, q(b, "s"), schema)
    r = http.get("/schemas/ids/1/versions", params={"subject": q(a, "s")})
    assert r.json() == [{"subject": q(a, "s"), "version": 1}]


def test_fetch_max_id_in_context(http: httpx.Client) -> None:
    ctx = new_ctx()
    reg_ok(http, q(ctx, "a"), rec("M1"))
    reg_ok(http, q(ctx, "b"), rec("M2"))
    reg_ok(http, q(ctx, "c"), rec("M3"))
    r = http.get("/schemas/ids/1", params={"subject": q(ctx, "a"), "fetchMaxId": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["maxId"] == 3
