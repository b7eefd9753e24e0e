"""Tenant isolation under ACLs: a user limited to ``team-a-*`` sees and changes only team-a's subjects.

Reproductions of the hardening audit (issue 17, items 4-7): the console's check form must not
register without a write grant; listings and id/GUID reads must not show other teams' subjects or
schemas (a schema is readable when some subject using it is readable, as Confluent's RBAC does);
aliases and references must not reach a subject the caller may not read; and a browser's
cross-site request must not write with cached credentials.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from support.process import V1, RegistryProcess

from charter.registry.auth.users import add_user

USERS = {
    "root": ("root-pw", [{"subject": "*", "role": "admin"}]),
    "a-reader": ("a-reader-pw", [{"subject": "team-a-*", "role": "read"}]),
    "a-admin": ("a-admin-pw", [{"subject": "team-a-*", "role": "admin"}]),
}
SECRET = json.dumps({"type": "record", "name": "Secret", "fields": [{"name": "b_secret_field", "type": "string"}]})
OPEN = json.dumps({"type": "record", "name": "Open", "fields": [{"name": "a_field", "type": "int"}]})


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RegistryProcess, dict[str, int]]]:
    tmp = tmp_path_factory.mktemp("teams")
    users_file = tmp / "users.json"
    for name, (password, acl) in USERS.items():
        add_user(users_file, name, password, acl)
    server = RegistryProcess(tmp / "data", extra=["--users-file", str(users_file)]).start()
    ids = {}
    with as_user(server, "root") as root:
        for subject, schema in (("team-b-secret", SECRET), ("team-a-orders", OPEN)):
            r = root.post(f"/subjects/{subject}/versions", json={"schema": schema})
            assert r.status_code == 200, r.text
            ids[subject] = r.json()["id"]
    yield server, ids
    server.stop()


def as_user(server: RegistryProcess, user: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, auth=(user, USERS[user][0]), headers={"Content-Type": V1}, timeout=30)


def _forbidden(r: httpx.Response) -> None:
    assert r.status_code == 403, (r.request.method, str(r.request.url), r.status_code, r.text)
    assert r.json()["error_code"] == 40301


def test_console_register_needs_a_write_grant(teams: tuple[RegistryProcess, dict[str, int]]) -> None:
    server, _ = teams
    with as_user(server, "a-reader") as reader:
        for subject in ("team-b-new", "team-a-new"):
            form = {"action": "register", "subject": subject, "schemaType": "AVRO", "schema": OPEN}
            r = reader.post("/ui/check", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status_code == 403, (subject, r.status_code, r.text[:300])
    with as_user(server, "root") as root:
        for subject in ("team-b-new", "team-a-new"):
            assert root.get(f"/subjects/{subject}/versions").status_code == 404


def test_listings_show_only_readable_subjects(teams: tuple[RegistryProcess, dict[str, int]]) -> None:
    server, ids = teams
    with as_user(server, "a-reader") as reader:
        subjects = reader.get("/subjects").json()
        assert "team-a-orders" in subjects and "team-b-secret" not in subjects
        listed = reader.get("/schemas").json()
        assert {s["subject"] for s in listed} == {"team-a-orders"}
        assert "b_secret_field" not in json.dumps(listed)
        assert "team-b-secret" not in reader.get(f"/schemas/ids/{ids['team-a-orders']}/subjects").text
        page = reader.get("/ui/subjects")
        assert page.status_code == 200 and "team-b-secret" not in page.text


def test_ids_of_other_teams_are_forbidden(teams: tuple[RegistryProcess, dict[str, int]]) -> None:
    server, ids = teams
    b_id, a_id = ids["team-b-secret"], ids["team-a-orders"]
    with as_user(server, "a-reader") as reader:
        assert reader.get(f"/schemas/ids/{a_id}").status_code == 200
        for path in (f"/schemas/ids/{b_id}", f"/schemas/ids/{b_id}/schema", f"/schemas/ids/{b_id}/subjects",
                     f"/schemas/ids/{b_id}/versions"):
            _forbidden(reader.get(path))
        with as_user(server, "root") as root:
            guid = root.get(f"/schemas/ids/{b_id}").json()["guid"]
        _forbidden(reader.get(f"/schemas/guids/{guid}"))


def test_an_alias_does_not_open_another_teams_subject(teams: tuple[RegistryProcess, dict[str, int]]) -> None:
    server, _ = teams
    with as_user(server, "a-admin") as admin:
        r = admin.put("/config/team-a-alias", json={"alias": "team-b-secret"})
        if r.status_code == 200:  # refused up front is fine too; if accepted, it must not open the target
            _forbidden(admin.get("/subjects/team-a-alias/versions/latest"))
            _forbidden(admin.post("/subjects/team-a-alias/versions", json={"schema": OPEN}))
        else:
            _forbidden(r)


def test_a_reference_does_not_show_another_teams_schema(teams: tuple[RegistryProcess, dict[str, int]]) -> None:
    server, _ = teams
    with as_user(server, "a-admin") as admin:
        using = json.dumps({"type": "record", "name": "Uses", "fields": [{"name": "s", "type": "Secret"}]})
        r = admin.post("/subjects/team-a-uses/versions",
                       json={"schema": using, "references": [{"name": "Secret", "subject": "team-b-secret",
                                                               "version": 1}]})
        if r.status_code == 200:
            version = admin.get("/subjects/team-a-uses/versions/latest", params={"format": "resolved"})
            assert "b_secret_field" not in version.text
        else:
            _forbidden(r)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://evil.example"},
])
def test_cross_site_writes_are_refused(teams: tuple[RegistryProcess, dict[str, int]], headers: dict[str, str]) -> None:
    server, _ = teams
    with httpx.Client(base_url=server.url, auth=("root", "root-pw"), timeout=30) as browser:
        # A no-cors fetch with a Blob body: no Content-Type, no preflight.
        r = browser.post("/subjects/team-a-csrf/versions", content=json.dumps({"schema": OPEN}).encode(),
                         headers=headers)
        assert r.status_code == 403, (headers, r.status_code, r.text)
        assert r.json()["error_code"] == 40301
        assert browser.get("/subjects/team-a-csrf/versions").status_code == 404
        same_site = browser.post("/subjects/team-a-csrf/versions", json={"schema": OPEN},
                                 headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
        assert same_site.status_code == 200, same_site.text
        assert browser.delete("/subjects/team-a-csrf").status_code == 200
