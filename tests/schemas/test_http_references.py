"""HTTP tests for Avro schema references (Confluent behaviour).

A record registered under one subject refers to a named type registered under another subject
via `references: [{name, subject, version}]`; `referencedby` lists referrers, and referenced
versions cannot be deleted (42206) while referrers exist.
"""

from __future__ import annotations

import json

import httpx
from support.http import check_error


def ns(subject: str) -> str:
    return "t" + subject.replace("-", "_")


def address(subject: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Address",
            "namespace": ns(subject),
            "fields": [{"name": "street", "type": "string"}],
        }
    )


def person(subject: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Person",
            "namespace": ns(subject),
            "fields": [{"name": "name", "type": "string"}, {"name": "home", "type": f"{ns(subject)}.Address"}],
        }
    )


def setup(http: httpx.Client, subject: str) -> tuple[str, str, int, int]:
    ref_subject, main_subject = subject + "-addr", subject + "-person"
    r = http.post(f"/subjects/{ref_subject}/versions", json={"schema": address(subject)})
    assert r.status_code == 200, r.text
    addr_id = r.json()["id"]
    refs = [{"name": f"{ns(subject)}.Address", "subject": ref_subject, "version": 1}]
    r = http.post(f"/subjects/{main_subject}/versions", json={"schema": person(subject), "references": refs})
    assert r.status_code == 200, r.text
    return ref_subject, main_subject, addr_id, r.json()["id"]


def test_register_with_reference(http: httpx.Client, subject: str) -> None:
    ref_subject, main_subject, addr_id, person_id = setup(http, subject)
    assert person_id != addr_id
    refs = [{"name": f"{ns(subject)}.Address", "subject": ref_subject, "version": 1}]
    got = http.get(f"/subjects/{main_subject}/versions/1").json()
    assert got["references"] == refs
    assert got["id"] == person_id
    # the stored text refers to the type by name (Avro toString: same namespace -> simple name)
    assert json.loads(got["schema"])["fields"][1]["type"] == "Address"
    by_id = http.get(f"/schemas/ids/{person_id}").json()
    assert by_id["references"] == refs
    # lookup needs the references too, and finds the version
    r = http.post(f"/subjects/{main_subject}", json={"schema": person(subject), "references": refs})
    assert r.status_code == 200 and r.json()["id"] == person_id
    # re-registering is idempotent
    r = http.post(f"/subjects/{main_subject}/versions", json={"schema": person(subject), "references": refs})
    assert r.status_code == 200 and r.json()["id"] == person_id
    assert http.get(f"/subjects/{main_subject}/versions").json() == [1]


def test_referencedby(http: httpx.Client, subject: str) -> None:
    ref_subject, main_subject, _addr_id, person_id = setup(http, subject)
    r = http.get(f"/subjects/{ref_subject}/versions/1/referencedby")
    assert r.status_code == 200 and r.json() == [person_id]
    r = http.get(f"/subjects/{ref_subject}/versions/latest/referencedby")
    assert r.json() == [person_id]
    assert http.get(f"/subjects/{main_subject}/versions/1/referencedby").json() == []
    check_error(http.get(f"/subjects/{ref_subject}/versions/9/referencedby"), 404, 40402)
    check_error(http.get(f"/subjects/{subject}-nope/versions/1/referencedby"), 404, 40401)


def test_referenced_version_cannot_be_deleted(http: httpx.Client, subject: str) -> None:
    ref_subject, main_subject, _addr_id, _person_id = setup(http, subject)
    body = check_error(http.delete(f"/subjects/{ref_subject}/versions/1"), 422, 42206)
    assert body["message"].startswith("One or more references exist to the schema")
    check_error(http.delete(f"/subjects/{ref_subject}"), 422, 42206)
    assert http.get(f"/subjects/{ref_subject}/versions").json() == [1]
    # once the referrer is gone for good, the referenced version can be deleted
    assert http.delete(f"/subjects/{main_subject}").json() == [1]
    assert http.delete(f"/subjects/{main_subject}?permanent=true").json() == [1]
    assert http.get(f"/subjects/{ref_subject}/versions/1/referencedby").json() == []
    assert http.delete(f"/subjects/{ref_subject}/versions/1").json() == 1
    assert http.delete(f"/subjects/{ref_subject}/versions/1?permanent=true").json() == 1


def test_permanent_subject_delete_of_referenced_subject(http: httpx.Client, subject: str) -> None:
    ref_subject, _main, _a, _p = setup(http, subject)
    # CSR's deleteSubject checks references for each version before the "soft-delete first" rule
    check_error(http.delete(f"/subjects/{ref_subject}?permanent=true"), 422, 42206)
    assert http.get(f"/subjects/{ref_subject}/versions").json() == [1]


def test_soft_deleted_referrer_still_blocks_permanent_delete(http: httpx.Client, subject: str) -> None:
    ref_subject, main_subject, _a, person_id = setup(http, subject)
    assert http.delete(f"/subjects/{main_subject}").json() == [1]
    assert http.get(f"/subjects/{ref_subject}/versions/1/referencedby").json() == []
    r = http.get(f"/subjects/{ref_subject}/versions/1/referencedby", params={"deleted": "true"})
    assert r.json() == [person_id]
    assert http.delete(f"/subjects/{ref_subject}/versions/1").json() == 1
    body = check_error(http.delete(f"/subjects/{ref_subject}/versions/1?permanent=true"), 422, 42206)
    assert body["message"].startswith("One or more references exist to the schema")
    assert http.get(f"/subjects/{ref_subject}/versions", params={"deleted": "true"}).json() == [1]


def test_reference_to_missing_subject_or_version(http: httpx.Client, subject: str) -> None:
    ref_subject = subject + "-addr"
    assert http.post(f"/subjects/{ref_subject}/versions", json={"schema": address(subject)}).status_code == 200
    name = f"{ns(subject)}.Address"
    for refs in (
        [{"name": name, "subject": subject + "-missing", "version": 1}],
        [{"name": name, "subject": ref_subject, "version": 2}],
    ):
        r = http.post(f"/subjects/{subject}/versions", json={"schema": person(subject), "references": refs})
        check_error(r, 422, 42201)
    check_error(http.get(f"/subjects/{subject}/versions"), 404, 40401)


def test_unresolved_named_type_without_references(http: httpx.Client, subject: str) -> None:
    check_error(http.post(f"/subjects/{subject}/versions", json={"schema": person(subject)}), 422, 42201)


def test_compatibility_check_with_references(http: httpx.Client, subject: str) -> None:
    ref_subject, main_subject, _a, _p = setup(http, subject)
    refs = [{"name": f"{ns(subject)}.Address", "subject": ref_subject, "version": 1}]
    evolved = json.loads(person(subject))
    evolved["fields"].append({"name": "age", "type": "int"})
    r = http.post(
        f"/compatibility/subjects/{main_subject}/versions/latest?verbose=true",
        json={"schema": json.dumps(evolved), "references": refs},
    )
    assert r.status_code == 200, r.text
    assert r.json()["is_compatible"] is False
    assert any("READER_FIELD_MISSING_DEFAULT_VALUE" in m for m in r.json()["messages"])
    evolved["fields"][-1]["default"] = 0
    r = http.post(
        f"/compatibility/subjects/{main_subject}/versions/latest",
        json={"schema": json.dumps(evolved), "references": refs},
    )
    assert r.json()["is_compatible"] is True


def test_format_resolved_inlines_references(http: httpx.Client, subject: str) -> None:
    _ref_subject, main_subject, _a, person_id = setup(http, subject)
    r = http.get(f"/subjects/{main_subject}/versions/1", params={"format": "resolved"})
    assert r.status_code == 200, r.text
    home = json.loads(r.json()["schema"])["fields"][1]["type"]
    assert isinstance(home, dict) and home["name"] == "Address" and home["fields"][0]["name"] == "street"
    r = http.get(f"/schemas/ids/{person_id}", params={"format": "resolved"})
    assert isinstance(json.loads(r.json()["schema"])["fields"][1]["type"], dict)
