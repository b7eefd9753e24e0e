"""The HTTP connection: uvicorn's httptools protocol with a deadline on reading request headers.

uvicorn closes a keep-alive connection that stays idle between requests, but not one that opens
and never finishes its headers (a slowloris client, or a port scanner): each would stay open
forever. :class:`HeaderDeadlineProtocol` starts a timer when the connection opens and whenever a
request begins, stops it once the request's headers are complete, and closes the connection when
it fires (``--http-header-timeout-ms``). Request bodies and the app's work are not timed here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """httptools' protocol, closing a connection whose request headers take over ``header_timeout_s``."""

    header_timeout_s: float = 30.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_header_timer()

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        super().on_headers_complete()

    def _start_header_timer(self) -> None:
        if self._header_timer is None and self.header_timeout_s > 0:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            log.debug("closing %s: no complete request headers in %.1f s", self.client, self.header_timeout_s)
            self.transport.close()


def protocol_class(base: type[HeaderDeadlineProtocol], header_timeout_ms: int) -> type[HeaderDeadlineProtocol]:
    """``base`` with the header deadline set (uvicorn builds its protocol from a class)."""
    return type(base.__name__, (base,), {"header_timeout_s": header_timeout_ms / 1000})
