"""Security: HTTP Basic against a users file (argon2), subject ACLs on every route, 401/403 shapes.

Every route of the OpenAPI document (and the /ui console) is tried without credentials, with a
wrong password, with an unknown user, and as a user lacking the ACL; then as a user who holds it.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.cli import charter
from support.process import V1, RegistryProcess

from charter.registry.api.app import api_table
from charter.registry.api.auth import need
from charter.registry.auth.acl import Grant, Need, allowed
from charter.registry.auth.users import add_user

USERS = {
    "admin": ("admin-pw", [{"subject": "*", "role": "admin"}]),
    "writer": ("writer-pw", [{"subject": "orders-*", "role": "write"}]),
    "reader": ("reader-pw", [{"subject": "orders-*", "role": "read"}]),
    "ctx": ("ctx-pw", [{"subject": ":.team:*", "role": "admin"}]),
    "nobody": ("nobody-pw", []),
}
SCHEMA = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
SUMMARY: dict[str, int] = {}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    tmp = tmp_path_factory.mktemp("auth")
    users_file = tmp / "users.json"
    # One user through the CLI (password on stdin), the rest through the same function.
    name, (password, acl) = "admin", USERS["admin"]
    done = subprocess.run(
        [sys.executable, "-m", "charter.cli.main", "passwd", name, "--users-file", str(users_file),
         *[f"--acl={rule['subject']}={rule['role']}" for rule in acl], "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for name, (password, acl) in USERS.items():
        if name != "admin":
            add_user(users_file, name, password, acl)
    text = users_file.read_text()
    assert "admin-pw" not in text and "$argon2id$" in text
    server = RegistryProcess(tmp / "data", extra=["--users-file", str(users_file), "--access-log"]).start()
    yield server
    server.stop()
    log = server.read_log()
    for name, (password, _) in USERS.items():
        assert password not in log, f"the password of {name} is in the server log"
        assert base64.b64encode(f"{name}:{password}".encode()).decode() not in log


def client(server: RegistryProcess, user: str | None = None, password: str | None = None) -> httpx.Client:
    auth = None
    if user is not None:
        auth = (user, password if password is not None else USERS[user][0])
    return httpx.Client(base_url=server.url, auth=auth, headers={"Content-Type": V1}, timeout=30)


def routes(server: RegistryProcess) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document with sample parameters, plus the console."""
    spec = httpx.get(server.url + "/openapi.json", auth=("admin", "admin-pw")).json()
    sample = {"subject": "orders-value", "version": "1", "schema_id": "1", "namespace": "ns", "name": "n",
              "guid": "00000000-0000-0000-0000-000000000000", "context": ".team"}
    out = []
    for path, methods in spec["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: sample.get(m.group(1), "x"), path)
        out.extend((method.upper(), concrete) for method in methods)
    out += [("GET", "/ui/subjects"), ("GET", "/ui/subjects/orders-value"), ("POST", "/ui/check")]
    return [(m, p) for m, p in out if not (m == "GET" and p in ("/", "/status"))]


def test_open_routes_need_no_credentials(secured: RegistryProcess) -> None:
    with client(secured) as c:
        for path in ("/", "/status", "/status/live", "/metrics"):
            assert c.get(path).status_code == 200, path


def _denied(r: httpx.Response, status: int, code: int) -> None:
    assert r.status_code == status, (r.request.method, r.request.url, r.text)
    body = r.json()
    assert body["error_code"] == code and body["message"]
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Basic ")


def test_every_route_refuses_missing_wrong_and_unauthorized_callers(secured: RegistryProcess) -> None:
    tried = 0
    cases = [(None, None, 401, 40101), ("admin", "wrong", 401, 40101), ("ghost", "x", 401, 40101),
             ("nobody", None, 403, 40301)]
    all_routes = routes(secured)
    assert len(all_routes) >= 25
    for user, password, status, code in cases:
        with client(secured, user, password) as c:
            for method, path in all_routes:
                _denied(c.request(method, path, json={"schema": SCHEMA}), status, code)
                tried += 1
    # A broken Authorization header is a 401 too.
    for header in ("Bearer abc", "Basic !!!", "Basic " + "dXNlcg=="):
        _denied(httpx.get(secured.url + "/subjects", headers={"Authorization": header}), 401, 40101)
        tried += 1
    SUMMARY["auth_requests"] = tried


def test_subject_acls(secured: RegistryProcess) -> None:
    with client(secured, "writer") as w, client(secured, "reader") as r, client(secured, "admin") as a:
        assert w.post("/subjects/orders-value/versions", json={"schema": SCHEMA}).status_code == 200
        _denied(w.post("/subjects/payments-value/versions", json={"schema": SCHEMA}), 403, 40301)
        _denied(r.post("/subjects/orders-value/versions", json={"schema": SCHEMA}), 403, 40301)
        assert r.get("/subjects/orders-value/versions/1").status_code == 200
        assert r.post("/subjects/orders-value", json={"schema": SCHEMA}).status_code == 200  # lookup = read
        assert r.post("/compatibility/subjects/orders-value/versions/latest",
                      json={"schema": SCHEMA}).status_code == 200
        _denied(r.get("/subjects/payments-value/versions"), 403, 40301)
        # admin-only: deletes, subject config and mode; global writes need '*' admin.
        _denied(w.delete("/subjects/orders-value/versions/1"), 403, 40301)
        _denied(w.put("/config/orders-value", json={"compatibility": "NONE"}), 403, 40301)
        _denied(w.put("/config", json={"compatibility": "NONE"}), 403, 40301)
        _denied(w.put("/mode", json={"mode": "READONLY"}), 403, 40301)
        assert w.get("/schemas/ids/1").status_code == 200  # global reads: any grant
        assert a.put("/config/orders-value", json={"compatibility": "NONE"}).status_code == 200
        assert a.delete("/config/orders-value").status_code == 200
        # A percent-encoded subject is matched decoded.
        _denied(w.post("/subjects/payments%2Forders-x/versions", json={"schema": SCHEMA}), 403, 40301)
        # The web console honours auth.
        assert r.get("/ui/subjects/orders-value").status_code == 200
        _denied(r.get("/ui/subjects/payments-value"), 403, 40301)


def test_qualified_subjects_match_as_a_whole(secured: RegistryProcess) -> None:
    with client(secured, "ctx") as c, client(secured, "writer") as w:
        r = c.post("/subjects/:.team:orders-value/versions", json={"schema": SCHEMA})
        assert r.status_code not in (401, 403), r.text
        _denied(c.post("/subjects/orders-value/versions", json={"schema": SCHEMA}), 403, 40301)
        _denied(w.post("/subjects/:.team:orders-value/versions", json={"schema": SCHEMA}), 403, 40301)


def required(method: str, path: str) -> Need:
    return need(api_table(), method, path)


def test_rules() -> None:
    assert required("POST", "/subjects/a/versions").role == "write"
    assert required("DELETE", "/subjects/a").role == "admin"
    assert required("GET", "/subjects").subject is None
    assert required("PUT", "/config").global_write
    assert required("POST", "/subjects/a%2Fb/versions").subject == "a/b"
    star_admin, star_write = (Grant("*", "admin"),), (Grant("*", "write"),)
    assert allowed(star_admin, required("PUT", "/mode"))
    assert not allowed(star_write, required("PUT", "/mode"))
    assert not allowed((Grant("orders-*", "admin"),), required("PUT", "/config"))


def test_bad_users_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "users.json"
    bad.write_text(json.dumps({"users": {"u": {"password": "plain-text", "acl": []}}}))
    done = subprocess.run([sys.executable, "-m", "charter.cli.main", "serve", "--data-dir", str(tmp_path / "d"),
                           "--users-file", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "argon2" in done.stderr and "plain-text" not in done.stderr


def test_ci_check_exits_3_when_the_registry_refuses_the_credentials(secured: RegistryProcess, tmp_path: Path) -> None:
    """``charter check`` against a secured registry: 401 and 403 are exit 3 with a message naming the fix."""
    subject = "orders-cli-value"
    with client(secured, "writer") as c:
        assert c.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}).status_code == 200
    evolved = json.loads(SCHEMA)
    evolved["fields"].append({"name": "b", "type": "int", "default": 0})
    schema_file = tmp_path / "orders.avsc"
    schema_file.write_text(json.dumps(evolved))
    base = ["check", str(schema_file), "--subject", subject, "--registry", secured.url]
    missing = charter(*base)
    assert missing.returncode == 3 and "HTTP 401" in missing.stderr and "--user" in missing.stderr
    wrong = charter(*base, "--user", "reader:not-the-password")
    assert wrong.returncode == 3 and "HTTP 401" in wrong.stderr
    outsider = charter(*base, "--user", "nobody:nobody-pw")
    assert outsider.returncode == 3 and "HTTP 403" in outsider.stderr
    allowed_reader = charter(*base, "--user", "reader:reader-pw")
    assert allowed_reader.returncode == 0, allowed_reader.stdout + allowed_reader.stderr
