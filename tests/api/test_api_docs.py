"""The OpenAPI document and /docs describe the API the server actually serves."""

from __future__ import annotations

import httpx


def test_openapi_lists_the_confluent_paths(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    expected = ["/schemas/ids/{schema_id}", "/subjects/{subject}/versions", "/config/{subject}", "/mode",
                "/compatibility/subjects/{subject}/versions"]
    for path in expected:
        assert path in paths
    assert set(paths["/subjects/{subject}/versions"]) == {"get", "post"}


def test_docs_page_is_served(http: httpx.Client) -> None:
    r = http.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()
