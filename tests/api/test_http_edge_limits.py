"""The HTTP edge under abuse (issue 17, item 11): connections that never finish their headers are
closed, a body over the limit gets its 413 (read, then refused, so the client sees the answer), and the
schema size limit counts bytes, not characters.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from support.process import V1, RegistryProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    process = RegistryProcess(tmp_path_factory.mktemp("edge") / "data",
                              extra=["--max-schema-bytes", "100000"]).start()
    yield process
    process.stop()


@pytest.mark.timeout(120)
def test_slow_header_connections_are_closed(server: RegistryProcess) -> None:
    sockets = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"GET /subjects HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
        sockets.append(s)
    try:
        deadline = time.monotonic() + 60
        closed = 0
        for s in sockets:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                while s.recv(4096):
                    pass
                closed += 1
            except TimeoutError:
                continue  # still open
            except ConnectionResetError:
                closed += 1
        assert closed == len(sockets), f"{closed} of {len(sockets)} idle-header connections were closed"
        assert httpx.get(server.url + "/subjects", timeout=5).status_code == 200
    finally:
        for s in sockets:
            s.close()


def test_an_oversized_body_gets_its_413(server: RegistryProcess) -> None:
    body = b'{"schema": "' + b"x" * (9 * 1024 * 1024) + b'"}'
    r = httpx.post(server.url + "/subjects/big-value/versions", content=body, headers={"Content-Type": V1},
                   timeout=60)
    assert r.status_code == 413, r.status_code
    assert r.json()["error_code"] == 413


def test_the_schema_limit_counts_bytes(server: RegistryProcess) -> None:
    doc = "\u00e9" * 60000  # 60,000 characters, 120,000 bytes in UTF-8
    text = json.dumps({"type": "record", "name": "R", "doc": doc, "fields": []}, ensure_ascii=False)
    assert len(text) < 100000 < len(text.encode())
    r = httpx.post(server.url + "/subjects/bytes-value/versions", json={"schema": text},
                   headers={"Content-Type": V1}, timeout=60)
    assert 400 <= r.status_code < 500 and r.status_code != 404, r.text[:300]
