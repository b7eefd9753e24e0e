"""What a user limited to ``team-a-*`` reaches beyond the path's subject (issue 17, items 4-6).

The reproductions in ``test_acl_isolation.py`` take the users' own steps; here an administrator of
every subject sets up what a team-a user must still not see through: a schema in ``team-a-uses``
that references ``team-b-secret`` (``format=resolved`` would inline it), an alias
``team-a-alias -> team-b-secret``, one schema shared by a team-a and a team-b subject, a team-b
schema referencing a team-a one, and a topic associated with subjects of both teams.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from support.process import V1, RegistryProcess

from charter.registry.auth.users import add_user

USERS = {
    "root": ("root-pw", [{"subject": "*", "role": "admin"}]),
    "a-reader": ("a-reader-pw", [{"subject": "team-a-*", "role": "read"}]),
    "a-writer": ("a-writer-pw", [{"subject": "team-a-*", "role": "write"}]),
    "a-admin": ("a-admin-pw", [{"subject": "team-a-*", "role": "admin"}]),
}
SECRET = json.dumps({"type": "record", "name": "Secret", "fields": [{"name": "b_secret_field", "type": "string"}]})
OPEN = json.dumps({"type": "record", "name": "Open", "fields": [{"name": "a_field", "type": "int"}]})
SHARED = json.dumps({"type": "record", "name": "Shared", "fields": [{"name": "x", "type": "long"}]})
USES = json.dumps({"type": "record", "name": "Uses", "fields": [{"name": "s", "type": "Secret"}]})
USES_OPEN = json.dumps({"type": "record", "name": "UsesOpen", "fields": [{"name": "o", "type": "Open"}]})
TOPIC = "orders-topic"


@dataclass
class Teams:
    server: RegistryProcess
    ids: dict[str, int]


def as_user(server: RegistryProcess, user: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, auth=(user, USERS[user][0]), headers={"Content-Type": V1}, timeout=30)


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Teams]:
    tmp = tmp_path_factory.mktemp("reach")
    users_file = tmp / "users.json"
    for name, (password, acl) in USERS.items():
        add_user(users_file, name, password, acl)
    server = RegistryProcess(tmp / "data", extra=["--users-file", str(users_file)]).start()
    ids = {}
    with as_user(server, "root") as root:
        for subject, body in (
            ("team-b-secret", {"schema": SECRET}),
            ("team-a-orders", {"schema": OPEN}),
            ("team-a-shared", {"schema": SHARED}),
            ("team-b-shared", {"schema": SHARED}),
            ("team-a-uses", {"schema": USES, "references": [{"name": "Secret", "subject": "team-b-secret",
                                                             "version": 1}]}),
            ("team-b-user", {"schema": USES_OPEN, "references": [{"name": "Open", "subject": "team-a-orders",
                                                                  "version": 1}]}),
        ):
            r = root.post(f"/subjects/{subject}/versions", json=body)
            assert r.status_code == 200, r.text
            ids[subject] = r.json()["id"]
        assert root.put("/config/team-a-alias", json={"alias": "team-b-secret"}).status_code == 200
        r = root.post("/associations", json={
            "resourceName": TOPIC, "resourceNamespace": "lkc-1", "resourceType": "topic",
            "associations": [{"subject": "team-a-orders", "associationType": "value"},
                             {"subject": "team-b-secret", "associationType": "key"}]})
        assert r.status_code == 200, r.text
    yield Teams(server, ids)
    server.stop()


def _forbidden(r: httpx.Response) -> None:
    assert r.status_code == 403, (r.request.method, str(r.request.url), r.status_code, r.text)
    assert r.json()["error_code"] == 40301 and "b_secret_field" not in r.text


@pytest.mark.timeout(120)
def test_resolved_format_needs_read_on_the_referenced_subjects(teams: Teams) -> None:
    uses = teams.ids["team-a-uses"]
    with as_user(teams.server, "a-reader") as reader:
        plain = reader.get("/subjects/team-a-uses/versions/1")
        assert plain.status_code == 200 and "b_secret_field" not in plain.text  # the reference is only named
        for path in ("/subjects/team-a-uses/versions/1", "/subjects/team-a-uses/versions/1/schema",
                     f"/schemas/ids/{uses}", f"/schemas/ids/{uses}/schema", "/subjects/team-a-uses/metadata"):
            _forbidden(reader.get(path, params={"format": "resolved"}))
    with as_user(teams.server, "root") as root:  # the same read by a user who may read both inlines it
        assert "b_secret_field" in root.get(f"/schemas/ids/{uses}", params={"format": "resolved"}).text


@pytest.mark.timeout(120)
def test_requests_with_references_need_read_on_them(teams: Teams) -> None:
    body = {"schema": USES, "references": [{"name": "Secret", "subject": "team-b-secret", "version": 1}]}
    with as_user(teams.server, "a-admin") as admin:
        _forbidden(admin.post("/subjects/team-a-uses", json=body))  # lookup
        _forbidden(admin.post("/compatibility/subjects/team-a-uses/versions", json=body, params={"verbose": "true"}))
        form = {"action": "check", "subject": "team-a-uses", "schemaType": "AVRO", "schema": USES,
                "references": json.dumps(body["references"])}
        r = admin.post("/ui/check", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403 and "b_secret_field" not in r.text
        # Without references of its own, a schema is still compared with team-a-uses' versions, which
        # reference team-b-secret: a FORWARD check's messages would name the fields they miss.
        assert admin.put("/config/team-a-uses", json={"compatibility": "FORWARD"}).status_code == 200
        inline = json.dumps({"type": "record", "name": "Uses", "fields": [
            {"name": "s", "type": {"type": "record", "name": "Secret", "fields": []}}]})
        _forbidden(admin.post("/compatibility/subjects/team-a-uses/versions", json={"schema": inline},
                              params={"verbose": "true"}))
        _forbidden(admin.post("/subjects/team-a-uses/versions", json={"schema": inline}))
        form = {"action": "check", "subject": "team-a-uses", "schemaType": "AVRO", "schema": inline}
        r = admin.post("/ui/check", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403 and "b_secret_field" not in r.text
    with as_user(teams.server, "root") as root:
        r = root.post("/compatibility/subjects/team-a-uses/versions", json={"schema": inline},
                      params={"verbose": "true"})
        assert "b_secret_field" in r.text  # what the refusal keeps from team-a
        assert root.delete("/config/team-a-uses").status_code == 200


@pytest.mark.timeout(120)
def test_an_alias_set_by_an_administrator_does_not_open_its_target(teams: Teams) -> None:
    with as_user(teams.server, "a-admin") as admin:
        for method, path in (("GET", "/subjects/team-a-alias/versions"), ("GET", "/subjects/team-a-alias/versions/1"),
                             ("GET", "/subjects/team-a-alias/metadata"), ("POST", "/subjects/team-a-alias"),
                             ("POST", "/subjects/team-a-alias/versions"),
                             ("POST", "/compatibility/subjects/team-a-alias/versions")):
            _forbidden(admin.request(method, path, json={"schema": OPEN} if method == "POST" else None))
        form = {"action": "register", "subject": "team-a-alias", "schemaType": "AVRO", "schema": OPEN}
        r = admin.post("/ui/check", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403
        # An alias between subjects the admin administers is fine.
        assert admin.put("/config/team-a-alias2", json={"alias": "team-a-orders"}).status_code == 200
        assert admin.get("/subjects/team-a-alias2/versions").json() == [1]
        # The alias's own settings stay the admin's: it can be read and removed.
        assert admin.get("/config/team-a-alias").json().get("alias") == "team-b-secret"
        assert admin.delete("/config/team-a-alias").status_code == 200
        assert admin.get("/subjects/team-a-alias/versions").json()["error_code"] == 40401
    with as_user(teams.server, "root") as root:
        assert root.put("/config/team-a-alias", json={"alias": "team-b-secret"}).status_code == 200


@pytest.mark.timeout(120)
def test_a_shared_schema_shows_only_the_readable_subjects(teams: Teams) -> None:
    shared = teams.ids["team-a-shared"]
    with as_user(teams.server, "a-reader") as reader:
        assert reader.get(f"/schemas/ids/{shared}/subjects").json() == ["team-a-shared"]
        assert reader.get(f"/schemas/ids/{shared}/versions").json() == [{"subject": "team-a-shared", "version": 1}]
        found = reader.get(f"/schemas/ids/{shared}", params={"subject": "team-b-shared"}).json()
        assert found["subject"] == "team-a-shared"
        guid = found["guid"]
        assert reader.get(f"/schemas/guids/{guid}").status_code == 200
        assert reader.get(f"/schemas/guids/{guid}/ids").json() == [{"context": ".", "id": shared}]
        page = reader.get(f"/ui/schemas/ids/{shared}")
        assert page.status_code == 200 and "team-a-shared" in page.text and "team-b-shared" not in page.text
        assert reader.get(f"/ui/schemas/ids/{teams.ids['team-b-secret']}").status_code == 403
        with as_user(teams.server, "root") as root:
            b_guid = root.get(f"/schemas/ids/{teams.ids['team-b-secret']}").json()["guid"]
        _forbidden(reader.get(f"/schemas/guids/{b_guid}/ids"))
        assert reader.get(f"/ui/schemas/guids/{b_guid}").status_code == 403


@pytest.mark.timeout(120)
def test_other_listings_show_only_readable_subjects(teams: Teams) -> None:
    with as_user(teams.server, "a-reader") as reader:
        assert reader.get("/subjects/team-a-orders/versions/1/referencedby").json() == []
        page = reader.get("/ui/subjects/team-a-orders/versions/1")
        assert page.status_code == 200 and "team-b-user" not in page.text
        listed = reader.get("/schemas", params={"aliases": "true", "subjectPrefix": "team-"}).json()
        assert {s["subject"] for s in listed} == {"team-a-orders", "team-a-shared", "team-a-uses"}
        assert "b_secret_field" not in json.dumps(listed)
        found = reader.get(f"/associations/resources/lkc-1/{TOPIC}").json()
        assert [a["subject"] for a in found] == ["team-a-orders"]
        assert reader.get("/associations/subjects/team-b-secret").json() == []
        batch = reader.post("/associations:batchGet", json={"requests": [{"subject": "team-b-secret"},
                                                                          {"resourceName": TOPIC,
                                                                           "resourceNamespace": "lkc-1"}]})
        assert [[a["subject"] for a in e["associations"]] for e in batch.json()["responses"]] == [[], ["team-a-orders"]]
        check = reader.get("/ui/check", params={"subject": "team-b-secret"})
        assert check.status_code == 200 and "b_secret_field" not in check.text
    with as_user(teams.server, "root") as root:
        assert root.get("/subjects/team-a-orders/versions/1/referencedby").json() == [teams.ids["team-b-user"]]


@pytest.mark.timeout(120)
def test_the_console_registers_with_a_write_grant(teams: Teams) -> None:
    with as_user(teams.server, "a-writer") as writer:
        form = {"action": "register", "subject": "team-a-console", "schemaType": "AVRO", "schema": OPEN}
        r = writer.post("/ui/check", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 200 and "Registered" in r.text
        form["subject"] = "team-b-console"
        r = writer.post("/ui/check", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403
        assert writer.get("/subjects/team-a-console/versions").json() == [1]


@pytest.mark.timeout(120)
def test_a_schema_becomes_readable_when_a_readable_subject_uses_it(teams: Teams) -> None:
    later = json.dumps({"type": "record", "name": "Later", "fields": [{"name": "y", "type": "int"}]})
    with as_user(teams.server, "root") as root, as_user(teams.server, "a-reader") as reader:
        schema_id = root.post("/subjects/team-b-later/versions", json={"schema": later}).json()["id"]
        for _ in range(2):  # the second answer comes from the user's memo
            _forbidden(reader.get(f"/schemas/ids/{schema_id}"))
        assert root.post("/subjects/team-a-later/versions", json={"schema": later}).json()["id"] == schema_id
        assert reader.get(f"/schemas/ids/{schema_id}").status_code == 200
        assert root.delete("/subjects/team-a-later").status_code == 200
        assert root.delete("/subjects/team-a-later", params={"permanent": "true"}).status_code == 200
        _forbidden(reader.get(f"/schemas/ids/{schema_id}"))
