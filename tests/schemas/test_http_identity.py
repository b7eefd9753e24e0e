"""HTTP tests for schema identity and lifecycle edge cases (Confluent behaviour).

Confluent identifies an Avro schema by its canonical `Schema.toString()` text, so JSON key order,
whitespace, `{"type":"int"}` vs `"int"` and split vs dotted names do not create new versions,
while `doc` does. Also covers `latest` after soft deletes, pagination of versions, and what a
permanent subject delete takes with it.
"""

from __future__ import annotations

import json

import httpx
import pytest
from support.http import check_error, compact


def reg(http: httpx.Client, subject: str, schema: str) -> int:
    r = http.post(f"/subjects/{subject}/versions", json={"schema": schema})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def uniq(subject: str) -> str:
    return "N" + subject.replace("-", "_")


@pytest.mark.parametrize(
    "variant",
    [
        lambda n: json.dumps({"fields": [{"type": "int", "name": "a"}], "name": n, "type": "record"}),
        lambda n: json.dumps({"type": "record", "namespace": "", "name": n, "fields": [{"name": "a", "type": "int"}]}),
        lambda n: json.dumps({"type": "record", "name": n, "fields": [{"name": "a", "type": {"type": "int"}}]}),
    ],
    ids=["key-order", "empty-namespace", "type-object"],
)
def test_equivalent_texts_are_one_schema(http: httpx.Client, subject: str, variant) -> None:
    n = uniq(subject)
    base = compact({"type": "record", "name": n, "fields": [{"name": "a", "type": "int"}]})
    sid = reg(http, subject, base)
    assert reg(http, subject, variant(n)) == sid
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    r = http.post(f"/subjects/{subject}", json={"schema": variant(n)})
    assert r.status_code == 200 and r.json()["version"] == 1


def test_dotted_name_equals_split_namespace(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    dotted = json.dumps({"type": "record", "name": f"com.ex.{n}", "fields": [{"name": "a", "type": "int"}]})
    split = json.dumps({"type": "record", "name": n, "namespace": "com.ex", "fields": [{"name": "a", "type": "int"}]})
    sid = reg(http, subject, dotted)
    assert reg(http, subject, split) == sid
    stored = http.get(f"/subjects/{subject}/versions/1").json()["schema"]
    assert stored == compact(
        {"type": "record", "name": n, "namespace": "com.ex", "fields": [{"name": "a", "type": "int"}]}
    )


def test_primitive_object_form_is_canonicalised(http: httpx.Client, subject: str) -> None:
    sid = reg(http, subject, '{"type": "long"}')
    assert http.get(f"/schemas/ids/{sid}").json()["schema"] == '"long"'
    assert reg(http, subject, '"long"') == sid


def test_doc_change_is_a_new_version(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    plain = compact({"type": "record", "name": n, "fields": [{"name": "a", "type": "int"}]})
    documented = compact({"type": "record", "name": n, "doc": "hello", "fields": [{"name": "a", "type": "int"}]})
    first = reg(http, subject, plain)
    second = reg(http, subject, documented)
    assert second != first
    assert http.get(f"/subjects/{subject}/versions").json() == [1, 2]
    assert http.get(f"/schemas/ids/{second}").json()["schema"] == documented


def test_canonical_text_keeps_doc_default_aliases_logical_type(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    text = compact(
        {
            "type": "record",
            "name": n,
            "doc": "d",
            "fields": [
                {"name": "a", "type": "int", "doc": "fd", "default": 3, "aliases": ["old_a"]},
                {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            ],
            "aliases": ["Old"],
        }
    )
    sid = reg(http, subject, json.dumps(json.loads(text), indent=3))
    assert http.get(f"/schemas/ids/{sid}").json()["schema"] == text


def test_latest_skips_soft_deleted(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    s1 = compact({"type": "record", "name": n, "fields": [{"name": "a", "type": "int"}]})
    fields = [{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 1}]
    s2 = compact({"type": "record", "name": n, "fields": fields})
    reg(http, subject, s1)
    reg(http, subject, s2)
    assert http.delete(f"/subjects/{subject}/versions/2").json() == 2
    assert http.get(f"/subjects/{subject}/versions/latest").json()["version"] == 1
    assert http.get(f"/subjects/{subject}/versions/-1").json()["version"] == 1
    r = http.get(f"/subjects/{subject}/versions/2/schema", params={"deleted": "true"})
    assert r.status_code == 200 and r.text == s2
    check_error(http.get(f"/subjects/{subject}/versions/2/schema"), 404, 40402)


def test_versions_pagination(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    fields = [{"name": "a", "type": "int"}]
    for i in range(4):
        reg(http, subject, compact({"type": "record", "name": n, "fields": fields}))
        fields = [*fields, {"name": f"f{i}", "type": "int", "default": i}]
    url = f"/subjects/{subject}/versions"
    assert http.get(url).json() == [1, 2, 3, 4]
    assert http.get(url, params={"offset": 1, "limit": 2}).json() == [2, 3]
    assert http.get(url, params={"offset": 3}).json() == [4]
    assert http.get(url, params={"limit": 1}).json() == [1]


def test_permanent_subject_delete_removes_subject_config_and_mode(http: httpx.Client, subject: str) -> None:
    reg(http, subject, compact({"type": "record", "name": uniq(subject), "fields": []}))
    assert http.put(f"/config/{subject}", json={"compatibility": "FULL"}).status_code == 200
    assert http.put(f"/mode/{subject}", json={"mode": "READWRITE"}).status_code == 200
    http.delete(f"/subjects/{subject}")
    assert http.delete(f"/subjects/{subject}?permanent=true").status_code == 200
    check_error(http.get(f"/config/{subject}"), 404, 40408)
    check_error(http.get(f"/mode/{subject}"), 404, 40409)


def test_register_after_permanent_subject_delete_restarts_versions(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    s1 = compact({"type": "record", "name": n, "fields": [{"name": "a", "type": "int"}]})
    s2 = compact({"type": "record", "name": n, "fields": [{"name": "z", "type": "string"}]})
    reg(http, subject, s1)
    http.delete(f"/subjects/{subject}")
    http.delete(f"/subjects/{subject}?permanent=true")
    reg(http, subject, s2)  # no history left: no compatibility conflict
    assert http.get(f"/subjects/{subject}/versions").json() == [1]


def test_soft_deleted_subject_history_still_checked(http: httpx.Client, subject: str) -> None:
    n = uniq(subject)
    s1 = compact({"type": "record", "name": n, "fields": [{"name": "a", "type": "int"}]})
    s2 = compact({"type": "record", "name": n, "fields": [{"name": "z", "type": "string"}]})
    reg(http, subject, s1)
    http.delete(f"/subjects/{subject}")
    # soft-deleted versions are excluded from compatibility checks
    reg(http, subject, s2)
    assert http.get(f"/subjects/{subject}/versions").json() == [2]
