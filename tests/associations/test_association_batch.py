"""The association batch calls :batchGet and :batchMutate (Charter's shapes, atomic writes)."""

from __future__ import annotations

import uuid

import httpx
from support.associations import RECORD, gone, link, new_topic, subject_with
from support.http import check_error


def _batch(http: httpx.Client, call: str, *entries: object) -> httpx.Response:
    return http.post(f"/associations:{call}", json={"requests": list(entries)})


def test_batch_get(http: httpx.Client, subject: str) -> None:
    t1, t2, other = new_topic(), new_topic(), subject + "-2"
    subject_with(http, subject)
    subject_with(http, other)
    rid = link(http, t1, key=(other, "WEAK"), value=(subject, "STRONG"))
    link(http, t2, value=(subject, "WEAK"))
    r = _batch(http, "batchGet",
               {"subject": subject},
               {"resourceId": rid, "associationTypes": ["key"]},
               {"resourceName": t2, "resourceNamespace": "-", "resourceType": "topic"},
               {"resourceName": t1, "resourceNamespace": "lkc-1", "lifecycle": "strong"},
               {"resourceName": "no-such-topic", "resourceNamespace": "-"})
    assert r.status_code == 200, r.text
    got = [[(a["resourceName"], a["associationType"], a["subject"]) for a in e["associations"]]
           for e in r.json()["responses"]]
    assert got == [
        sorted([(t1, "value", subject), (t2, "value", subject)]),
        [(t1, "key", other)],
        [(t2, "value", subject)],
        [(t1, "value", subject)],
        [],
    ]
    first = r.json()["responses"][0]["associations"][0]
    assert first["guid"] == http.get(f"/subjects/{subject}/versions/latest").json()["guid"]
    assert first["resourceId"] and first["lifecycle"] in ("STRONG", "WEAK")
    # the colon may come percent-encoded
    assert http.post("/associations%3AbatchGet", json={"requests": []}).json() == {"responses": []}
    # malformed entries fail the whole call and name the index
    for bad, words in (({"resourceName": t1}, "resourceNamespace"),
                       ({"subject": subject, "resourceId": rid}, "exactly one"),
                       ({"subject": subject, "associationType": "key"}, "unknown field"),
                       ({"subject": subject, "associationTypes": "key"}, "associationTypes"),
                       ({"subject": subject, "associationTypes": ["header"]}, "associationType"),
                       ({"subject": ":.bad ctx:x"}, "context"),
                       ("a string", "JSON object"),
                       ({}, "exactly one")):
        msg = check_error(_batch(http, "batchGet", {"subject": subject}, bad), 422, 42212)["message"]
        assert msg.startswith("requests[1]:") and words in msg, msg
    check_error(http.post("/associations:batchGet", json={"requests": {"subject": subject}}), 422, 42212)
    check_error(http.post("/associations:batchGet", json=[{"subject": subject}]), 400, 400)
    check_error(http.post("/associations:batchGet", content=b"{nope"), 400, 400)
    check_error(http.get("/associations:batchGet"), 405, 405)
    check_error(http.post("/associations:batchFrob", json={"requests": []}), 404, 404)


def test_batch_mutate_applies_every_entry_in_order(http: httpx.Client, subject: str) -> None:
    t1, t2, t3, other = new_topic(), new_topic(), new_topic(), subject + "-2"
    subject_with(http, subject)
    subject_with(http, other)
    link(http, t3, value=(other, "WEAK"))
    link(http, t1, value=(subject, "WEAK"))
    r = _batch(http, "batchMutate",
               # t1's value moves to `other`: CREATE would conflict, but the DELETE comes first
               {"op": "DELETE", "resourceName": t1, "resourceNamespace": "lkc-1"},
               {"op": "create", "resourceName": t1, "resourceNamespace": "lkc-1",
                "associations": [{"subject": other, "associationType": "value"}]},
               {"op": "UPSERT", "resourceName": t2, "resourceNamespace": "lkc-1", "resourceId": "rid-t2",
                "associations": [{"subject": subject, "associationType": "key", "lifecycle": "STRONG"}]},
               {"op": "DELETE", "resourceName": t3, "resourceNamespace": "-", "associationTypes": ["value"]})
    assert r.status_code == 200, r.text
    responses = r.json()["responses"]
    assert responses[0] == {"deleted": 1} and responses[3] == {"deleted": 1}
    assert responses[1]["associations"] == [{"subject": other, "associationType": "value",
                                             "lifecycle": "WEAK", "frozen": False}]
    assert responses[2]["resourceId"] == "rid-t2" and responses[2]["resourceName"] == t2
    assert [a["subject"] for a in http.get(f"/associations/resources/lkc-1/{t1}").json()] == [other]
    assert http.get("/associations/resources/rid-t2").json()[0]["lifecycle"] == "STRONG"
    assert http.get(f"/associations/resources/-/{t3}").json() == []  # AssociationsResource: 200 []
    # a cascading DELETE in a batch: the STRONG subject goes too
    r = _batch(http, "batchMutate", {"op": "DELETE", "resourceId": "rid-t2", "cascadeLifecycle": True})
    assert r.json() == {"responses": [{"deleted": 1}]}
    assert gone(http, subject)


def test_batch_mutate_is_all_or_nothing(http: httpx.Client, subject: str) -> None:
    t1, t2, other = new_topic(), new_topic(), subject + "-2"
    subject_with(http, subject)
    subject_with(http, other)
    link(http, t1, value=(subject, "STRONG"))
    create_t2 = {"op": "CREATE", "resourceName": t2, "resourceNamespace": "lkc-1",
                 "associations": [{"subject": other}]}

    def refused(entry: object, status: int, code: int, words: str) -> None:
        body = check_error(_batch(http, "batchMutate", create_t2, entry), status, code)
        assert body["message"].startswith("requests[1]:") and words in body["message"], body
        assert http.get(f"/associations/resources/-/{t2}").json() == []  # entry 0 not written: 200 []

    refused({"op": "CREATE", "resourceName": t1, "resourceNamespace": "lkc-1",
             "associations": [{"subject": other}]}, 409, 40902, "already has")
    refused({"op": "CREATE", "resourceName": t1, "resourceNamespace": "lkc-1",
             "associations": [{"subject": "no-such-" + uuid.uuid4().hex}]}, 404, 40401, "not found")
    refused({"op": "DELETE", "resourceName": "nothing-" + uuid.uuid4().hex, "resourceNamespace": "-"},
            404, 40410, "No associations")
    refused({"op": "CREATE", "resourceName": t1, "resourceNamespace": "lkc-1",
             "associations": [{"subject": other, "schema": {"schema": RECORD}}]}, 422, 42212, "register the schema")
    refused({"op": "RENAME"}, 422, 42212, "op")
    refused({"resourceName": t1}, 422, 42212, "'op' is required")
    refused({"op": "DELETE", "subject": subject, "cascadeLifecycle": "yes"}, 422, 42212, "cascadeLifecycle")
    refused({"op": "DELETE", "subject": subject, "lifecycles": ["STRONG"]}, 422, 42212, "unknown field")
    refused({"op": "UPSERT", "resourceName": t1, "resourceNamespace": "-",
             "associations": [{"subject": other}]}, 422, 42212, "wildcard")
    # a cascade that deletes a subject, then an entry that needs it: refused, and the subject stays
    body = check_error(_batch(http, "batchMutate",
                              {"op": "DELETE", "subject": subject, "cascadeLifecycle": True},
                              {"op": "CREATE", "resourceName": t2, "resourceNamespace": "lkc-1",
                               "associations": [{"subject": subject}]}), 404, 40401)
    assert body["message"].startswith("requests[1]:")
    assert http.get(f"/subjects/{subject}/versions").json() == [1]
    assert http.get(f"/associations/subjects/{subject}").json()[0]["resourceName"] == t1
    # an empty batch writes nothing and answers no responses
    assert _batch(http, "batchMutate").json() == {"responses": []}
    check_error(http.post("/associations:batchMutate", json={"requests": "all"}), 422, 42212)
