"""TLS for ``charter serve``: uvicorn ssl options and the client certificate's CN in the ASGI scope;
the protocol options of ``uvicorn.Config`` (:mod:`charter.registry.api.connection`'s header deadline).

With ``--tls-ca`` client certificates are required and verified against that CA (mTLS); the
verified certificate's subject common name is put in the request scope (``charter.tls_client_cn``)
so that a user with ``cert_cn: true`` in the users file can authenticate with it.
"""

from __future__ import annotations

import ssl
from typing import Any

from charter.registry.api.auth import CLIENT_CN
from charter.registry.api.connection import HeaderDeadlineProtocol, protocol_class


def common_name(peercert: dict[str, Any] | None) -> str | None:
    """The subject CN of a certificate as returned by ``SSLSocket.getpeercert()``."""
    for rdn in (peercert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class ClientCertProtocol(HeaderDeadlineProtocol):
    """uvicorn's httptools protocol (with the header deadline), adding the verified client
    certificate's CN to each scope."""

    _client_cn: str | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._client_cn = common_name(transport.get_extra_info("peercert"))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._client_cn:
            self.scope[CLIENT_CN] = self._client_cn  # type: ignore[literal-required]


def uvicorn_protocol_options(cert: str, key: str, ca: str, header_timeout_ms: int) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config``: the HTTP protocol (header deadline, and the client
    certificate's CN with ``ca``) and, with a certificate, the ssl options."""
    base = ClientCertProtocol if cert and ca else HeaderDeadlineProtocol
    options: dict[str, Any] = {"http": protocol_class(base, header_timeout_ms)}
    if cert:
        options.update(ssl_certfile=cert, ssl_keyfile=key or None)
    if cert and ca:
        options.update(ssl_ca_certs=ca, ssl_cert_reqs=ssl.CERT_REQUIRED)
    return options
