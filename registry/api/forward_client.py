"""A lean HTTP/1.1 client for forwarding writes to a primary reached over plain HTTP.

On a ``--workers`` pool every write a follower accepts goes to the writer's private listener on
loopback. httpx makes about 2,500 Python calls per request (0.7 ms of CPU each on the 2-core bench
machine; ``bench/workers.py`` shows a follower spending as much CPU on forwarding a registration as
the writer spends on registering it). This client writes the request in one piece on a kept-alive
connection and parses the answer with httptools, uvicorn's own parser. HTTPS primaries keep going
through httpx (:mod:`charter.registry.api.forward`).

A connection idle for :data:`IDLE_S` is not reused: the server may close it at any moment after
its keep-alive timeout (uvicorn's: 5 s), and a request written as it closes would be lost without
knowing whether it ran.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import httptools

IDLE_S = 2.0  # reuse a kept-alive connection only if it has been idle for less than this
MAX_IDLE = 64  # idle connections kept per primary


class NotSent(Exception):
    """The request never reached the primary (the connection was refused or timed out)."""


class ForwardFailed(Exception):
    """The request was sent, but no complete answer came back."""


class _Answer:
    """httptools' callbacks for one response."""

    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.body = bytearray()
        self.complete = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class PlainHttpClient:
    """Keep-alive connections per ``host:port``; :meth:`request` answers (status, body, headers by
    lower-case name)."""

    def __init__(self, timeout_s: float = 60.0, connect_timeout_s: float = 5.0) -> None:
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self._idle: dict[tuple[str, int], list[tuple[_Connection, float]]] = {}

    async def request(self, method: str, url: str, body: bytes,
                      headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes, dict[bytes, bytes]]:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = [f"{method} {target} HTTP/1.1\r\nhost: {parts.netloc}\r\ncontent-length: {len(body)}\r\n".encode()]
        head += [name + b": " + value + b"\r\n" for name, value in headers if name not in (b"host", b"content-length")]
        connection = self._take((host, port)) or await self._connect(host, port)
        reader, writer = connection
        try:
            writer.write(b"".join(head) + b"\r\n" + body)
            answer = _Answer()
            parser = httptools.HttpResponseParser(answer)
            async with asyncio.timeout(self.timeout_s):
                while not answer.complete:
                    data = await reader.read(65536)
                    if not data:
                        raise ForwardFailed("the primary closed the connection before answering")
                    parser.feed_data(data)
        except (OSError, TimeoutError, httptools.HttpParserError) as exc:
            writer.close()
            raise ForwardFailed(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            writer.close()
            raise
        if parser.should_keep_alive():
            self._give((host, port), connection)
        else:
            writer.close()
        return parser.get_status_code(), bytes(answer.body), answer.headers

    async def _connect(self, host: str, port: int) -> _Connection:
        try:
            return await asyncio.wait_for(asyncio.open_connection(host, port), self.connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            raise NotSent(f"cannot connect to {host}:{port}: {exc}") from exc

    def _take(self, key: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection, since = idle.pop()
            if now - since < IDLE_S and not connection[0].at_eof() and not connection[1].is_closing():
                return connection
            connection[1].close()
        return None

    def _give(self, key: tuple[str, int], connection: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < MAX_IDLE:
            idle.append((connection, time.monotonic()))
        else:
            connection[1].close()

    def close(self) -> None:
        for idle in self._idle.values():
            for (_, writer), _ in idle:
                writer.close()
        self._idle.clear()
