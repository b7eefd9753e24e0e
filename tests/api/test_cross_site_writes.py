"""A browser's write sent for another site is refused, with authentication off too (issue 17, item 7).

With a users file, ``test_acl_isolation.py`` shows the cached-credentials case. Without one, a page
outside the network can still make a browser inside it write to an internal registry; clients that
are not browsers send neither ``Origin`` nor ``Sec-Fetch-Site`` and are never refused.
"""

from __future__ import annotations

import json

import httpx
import pytest
from support.process import RegistryProcess

from charter.registry.api.origin import cross_site

OPEN = json.dumps({"type": "record", "name": "Open", "fields": [{"name": "a", "type": "int"}]})
CROSS = {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}


@pytest.mark.parametrize(("headers", "refused"), [
    ({}, False),
    ({"host": "reg:8081"}, False),
    ({"sec-fetch-site": "same-origin"}, False),
    ({"sec-fetch-site": "none"}, False),
    ({"sec-fetch-site": "same-site"}, True),
    ({"sec-fetch-site": "Cross-Site"}, True),
    ({"origin": "http://reg:8081", "host": "reg:8081"}, False),
    ({"origin": "https://REG:8081", "host": "reg:8081"}, False),
    ({"origin": "http://reg:8081", "host": "proxy:80", "x-forwarded-host": "reg:8081"}, False),
    ({"origin": "http://evil.example", "host": "reg:8081"}, True),
    ({"origin": "null", "host": "reg:8081"}, True),
    ({"origin": "http://reg:8081", "host": "reg:8081", "sec-fetch-site": "cross-site"}, True),
])
def test_cross_site_reads_what_the_browser_says(headers: dict[str, str], refused: bool) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    assert (cross_site(raw) is not None) is refused


@pytest.mark.timeout(120)
def test_writes_from_another_site_are_refused_without_auth(registry: RegistryProcess, subject: str) -> None:
    with httpx.Client(base_url=registry.url, timeout=30) as browser:
        for method, path, body in (("POST", f"/subjects/{subject}/versions", {"schema": OPEN}),
                                   ("PUT", f"/config/{subject}", {"compatibility": "NONE"}),
                                   ("PUT", "/mode", {"mode": "READONLY"}),
                                   ("DELETE", "/config", None)):
            content = None if body is None else json.dumps(body).encode()  # no Content-Type: no preflight
            r = browser.request(method, path, content=content, headers=CROSS)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["error_code"] == 40301 and "another site" in r.json()["message"]
        assert browser.get(f"/subjects/{subject}/versions").status_code == 404
        assert browser.get("/mode").json()["mode"] == "READWRITE"
        # Reads are never refused, and a client that is not a browser writes as before.
        assert browser.get("/subjects", headers=CROSS).status_code == 200
        r = browser.post(f"/subjects/{subject}/versions", content=json.dumps({"schema": OPEN}).encode())
        assert r.status_code == 200, r.text
        r = browser.delete(f"/subjects/{subject}", headers=CROSS)
        assert r.status_code == 403
        assert browser.delete(f"/subjects/{subject}").status_code == 200
