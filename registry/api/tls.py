"""TLS for ``charter serve``: uvicorn ssl options and the client certificate's CN in the ASGI scope.

With ``--tls-ca`` client certificates are required and verified against that CA (mTLS); the
verified certificate's subject common name is put in the request scope (``charter.tls_client_cn``)
so that a user with ``cert_cn: true`` in the users file can authenticate with it.
"""

from __future__ import annotations

import ssl
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from charter.registry.api.auth import CLIENT_CN


def common_name(peercert: dict[str, Any] | None) -> str | None:
    """The subject CN of a certificate as returned by ``SSLSocket.getpeercert()``."""
    for rdn in (peercert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class ClientCertProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, adding the verified client certificate's CN to each scope."""

    _client_cn: str | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._client_cn = common_name(transport.get_extra_info("peercert"))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._client_cn:
            self.scope[CLIENT_CN] = self._client_cn  # type: ignore[literal-required]


def uvicorn_ssl_options(cert: str, key: str, ca: str) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config``: none without a certificate."""
    if not cert:
        return {}
    options: dict[str, Any] = {"ssl_certfile": cert, "ssl_keyfile": key or None}
    if ca:
        options.update(ssl_ca_certs=ca, ssl_cert_reqs=ssl.CERT_REQUIRED, http=ClientCertProtocol)
    return options
