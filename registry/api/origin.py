"""Cross-site writes: whether a browser sent a request on behalf of another site.

A page of another site can make the browser send a write here with the user's cached credentials
(HTTP Basic, a client certificate) without any preflight: a ``no-cors`` ``fetch`` or a form, with a
body whose type needs none (no ``Content-Type`` at all for a Blob). The browser says where the
request comes from, and a page cannot change it:

- ``Sec-Fetch-Site`` (every current browser): only ``same-origin`` and ``none`` (typed by the user)
  are this site; ``same-site`` (a sibling host) and ``cross-site`` are not;
- ``Origin`` (older browsers; read when ``Sec-Fetch-Site`` is absent): its host must be the one the
  request was sent to (``Host``, or ``X-Forwarded-Host`` behind a proxy); ``null`` never is.

Clients that are not browsers (Confluent's serializers, curl, Charter's own tools) send neither
header, so the check never refuses them. It applies whether or not authentication is on: with it
off, a browser inside the network could still be made to write for a page outside it. The JSON
API (:mod:`.middleware`, on every POST, PUT and DELETE) and the console's form (``/ui/check``) ask
the same :func:`cross_site`.
"""

from __future__ import annotations

from collections.abc import Iterable

SAME_SITE_VALUES = frozenset({"same-origin", "none"})


def cross_site(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """Why the request comes from another site (for the refusal's message), or None when it does
    not, or when no browser says where it comes from."""
    site = origin = None
    hosts: set[str] = set()
    for name, value in headers:
        if name == b"sec-fetch-site":
            site = value.decode("latin-1").strip().lower()
        elif name == b"origin":
            origin = value.decode("latin-1").strip()
        elif name in (b"host", b"x-forwarded-host"):
            hosts.add(value.decode("latin-1").strip().lower())
    if site is not None:
        return None if site in SAME_SITE_VALUES else f"the browser says it was sent from another site " \
                                                        f"(Sec-Fetch-Site: {site})"
    if origin is None:
        return None
    if origin != "null" and origin.split("://", 1)[-1].lower() in hosts:
        return None
    return f"the browser says it was sent from another origin (Origin: {origin})"
