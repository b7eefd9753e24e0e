"""Schema texts that must read back byte-identical (issue 18: texts live in a spill file, not in
the heap): a mix of formats, non-ASCII and large texts, references, soft- and hard-deleted
versions, registered through the API; and a snapshot of everything the API answers about them,
to compare before and after a restart (the texts are then read back from the log by replay)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from support.process import V1

UNICODE = json.dumps({"type": "record", "name": "Uni", "doc": "é 漢字 😀 \u2028 \\ \"q\"",
                      "fields": [{"name": "a", "type": "string", "doc": "ß→∑"}]}, ensure_ascii=False)
SHORT = '"string"'  # kept in memory by the text store (too short to be worth a pread)
PROTO = 'syntax = "proto3";\npackage t;\n\nmessage Snow {\n  string a = 1; // ☃\n}\n'
REFERENCED = json.dumps({"type": "record", "name": "Address", "namespace": "t",
                         "fields": [{"name": "street", "type": "string"}]})
REFERRING = json.dumps({"type": "record", "name": "Person", "namespace": "t",
                        "fields": [{"name": "home", "type": "t.Address"}]})


def large_schema(fields: int = 4000) -> str:
    """An Avro record of a few hundred KB (far above a page, the store's and the kernel's)."""
    return json.dumps({"type": "record", "name": "Big", "fields": [
        {"name": f"f{i}", "type": ["null", "string"], "default": None, "doc": f"field {i} ✓ " + "x" * 40}
        for i in range(fields)]}, ensure_ascii=False)


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def populate(url: str, prefix: str) -> list[tuple[str, int]]:
    """Register the mix under subjects starting with ``prefix``; returns every (subject, version)."""
    with httpx.Client(base_url=url, headers={"Content-Type": V1}, timeout=60) as client:
        made = []
        for name, body in [
            ("uni", {"schema": UNICODE}),
            ("short", {"schema": SHORT}),
            ("proto", {"schema": PROTO, "schemaType": "PROTOBUF"}),
            ("big", {"schema": large_schema()}),
            ("addr", {"schema": REFERENCED}),
        ]:
            made.append((f"{prefix}-{name}", _post(client, f"/subjects/{prefix}-{name}/versions", body)["version"]))
        refs = [{"name": "t.Address", "subject": f"{prefix}-addr", "version": 1}]
        made.append((f"{prefix}-person", _post(client, f"/subjects/{prefix}-person/versions",
                                               {"schema": REFERRING, "references": refs})["version"]))
        # a second version, then soft-deleted; and a third version hard-deleted (its text is gone)
        _post(client, f"/subjects/{prefix}-uni/versions", {"schema": UNICODE.replace("ß→∑", "ß→∑ v2")})
        made.append((f"{prefix}-uni", 2))
        assert client.delete(f"/subjects/{prefix}-uni/versions/2").status_code == 200
        _post(client, f"/subjects/{prefix}-short/versions", {"schema": '"bytes"'})
        assert client.delete(f"/subjects/{prefix}-short/versions/2").status_code == 200
        assert client.delete(f"/subjects/{prefix}-short/versions/2", params={"permanent": "true"}).status_code == 200
        return made


def snapshot(url: str, versions: list[tuple[str, int]]) -> dict[str, Any]:
    """Everything the API says about the versions and their ids, raw bytes where it sends text."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for subject, version in versions:
            sv = client.get(f"/subjects/{subject}/versions/{version}", params={"deleted": "true"})
            assert sv.status_code == 200, sv.text
            out[f"{subject}/{version}"] = sv.json()
            raw = client.get(f"/subjects/{subject}/versions/{version}/schema", params={"deleted": "true"})
            out[f"{subject}/{version}/schema"] = raw.content
            schema_id = sv.json()["id"]
            out[f"id {schema_id}"] = client.get(f"/schemas/ids/{schema_id}").json()
            out[f"id {schema_id}/schema"] = client.get(f"/schemas/ids/{schema_id}/schema").content
    return out
