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

HEADER_TIMEOUT_MS = 2000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    extra = ["--max-schema-bytes", "100000", "--http-header-timeout-ms", str(HEADER_TIMEOUT_MS)]
    process = RegistryProcess(tmp_path_factory.mktemp("edge") / "data", extra=extra).start()
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
        deadline = time.monotonic() + HEADER_TIMEOUT_MS / 1000 + 10
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


@pytest.mark.timeout(60)
def test_headers_finished_in_time_are_served(server: RegistryProcess) -> None:
    """The deadline is on the headers, not on the connection: a slow but steady client, and a
    keep-alive connection used again within uvicorn's idle timeout, are served."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        for _ in range(2):
            for part in (b"GET /subjects HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
                s.sendall(part)
                time.sleep(HEADER_TIMEOUT_MS / 1000 / 4)
            status, _, _ = read_response(s)
            assert status == 200


@pytest.mark.timeout(60)
def test_an_oversized_body_gets_its_413(server: RegistryProcess) -> None:
    body = b'{"schema": "' + b"x" * (9 * 1024 * 1024) + b'"}'
    r = httpx.post(server.url + "/subjects/big-value/versions", content=body, headers={"Content-Type": V1},
                   timeout=60)
    assert r.status_code == 413, r.status_code
    assert r.json()["error_code"] == 413


@pytest.mark.timeout(120)
def test_a_slowly_sent_oversized_body_gets_its_413_and_no_reset(server: RegistryProcess) -> None:
    """A raw client sends 9 MB (over the 8 MB limit) in small pieces, then reads: the whole 413 comes
    back, and the connection ends cleanly or stays usable (never a reset)."""
    size = 9 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(b"POST /subjects/big-value/versions HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: " + V1.encode() + b"\r\nContent-Length: " + str(size).encode() + b"\r\n\r\n")
        chunk = b"x" * (256 * 1024)
        for n in range(size // len(chunk)):
            s.sendall(chunk)
            if n % 8 == 0:
                time.sleep(0.05)
        status, headers, payload = read_response(s)
        assert status == 413, (status, payload[:200])
        assert json.loads(payload)["error_code"] == 413
        if headers.get("connection") == "close":
            assert s.recv(1) == b""  # an orderly close (FIN), not a reset
        else:
            s.sendall(b"GET /subjects HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(s)[0] == 200


def read_response(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length, read from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        got = s.recv(65536)
        assert got, f"connection closed before the response headers: {data!r}"
        data += got
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        got = s.recv(65536)
        assert got, "connection closed inside the response body"
        rest += got
    return int(lines[0].split()[1]), headers, rest[:length]


def test_the_schema_limit_counts_bytes(server: RegistryProcess) -> None:
    doc = "\u00e9" * 60000  # 60,000 characters, 120,000 bytes in UTF-8
    text = json.dumps({"type": "record", "name": "R", "doc": doc, "fields": []}, ensure_ascii=False)
    assert len(text) < 100000 < len(text.encode())
    r = httpx.post(server.url + "/subjects/bytes-value/versions", json={"schema": text},
                   headers={"Content-Type": V1}, timeout=60)
    assert 400 <= r.status_code < 500 and r.status_code != 404, r.text[:300]
    assert r.json()["error_code"] == 42209 and "120" in r.json()["message"], r.text[:300]
    # 4-byte characters: about 25,000 characters, over 100,000 bytes
    wide = json.dumps({"type": "record", "name": "W", "doc": "\U0001f600" * 25000, "fields": []}, ensure_ascii=False)
    r = httpx.post(server.url + "/subjects/wide-value/versions", json={"schema": wide},
                   headers={"Content-Type": V1}, timeout=60)
    assert r.status_code == 422 and r.json()["error_code"] == 42209, r.text[:300]
    small = json.dumps({"type": "record", "name": "S", "doc": "\u00e9" * 1000, "fields": []}, ensure_ascii=False)
    r = httpx.post(server.url + "/subjects/small-value/versions", json={"schema": small},
                   headers={"Content-Type": V1}, timeout=60)
    assert r.status_code == 200, r.text[:300]
