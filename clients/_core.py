"""The I/O-free core shared by the sync and async registry clients.

Configuration (confluent-kafka's conf keys), request headers, the retry/failover policy and error
parsing live here once. The policy is a generator (``exchange``) that yields two kinds of actions,
``Send`` (one HTTP request to one base URL) and ``Sleep`` (a backoff), and receives the outcome of
each ``Send`` (an ``httpx.Response`` or the transport exception). The sync client drives it with
``httpx.Client`` and ``time.sleep``, the async client with ``httpx.AsyncClient`` and
``asyncio.sleep``; neither contains any retry or endpoint logic of its own.
"""

from __future__ import annotations

import json
import os
import random
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Generator, Hashable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from .errors import SchemaRegistryError

RETRIABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json"
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
CLIENT_VERSION = "python/charter-0.1.0"


@dataclass(slots=True)
class Send:
    """One HTTP request to one base URL (yielded by ``exchange``)."""

    method: str
    url: str
    params: dict[str, Any] | None
    content: bytes | None
    headers: dict[str, str]


@dataclass(slots=True)
class Sleep:
    """A backoff pause (yielded by ``exchange``)."""

    seconds: float


Outcome = httpx.Response | Exception
Exchange = Generator[Send | Sleep, Outcome | None, Any]


def full_jitter(base_ms: int, max_ms: int, attempt: int) -> float:
    """AWS 'full jitter' backoff in seconds: uniform in [0, min(max, base * 2**attempt)]."""
    return random.uniform(0, min(max_ms, base_ms * (2**attempt))) / 1000.0


def _number(conf: dict[str, Any], key: str, default: Any) -> Any:
    value = conf.pop(key, None)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number, not {type(value).__name__}")
    return value


class RestConfig:
    """The client's configuration, parsed from a confluent-kafka style conf dict."""

    def __init__(self, conf: dict[str, Any]) -> None:
        conf = dict(conf)
        url = conf.pop("url", None)
        if not url:
            raise ValueError("Missing required configuration property url")
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        userinfo: tuple[str, str] | None = None
        self.base_urls: list[str] = []
        for raw in url.split(","):
            raw = raw.strip().rstrip("/")
            if not raw:
                continue
            if not raw.startswith(("http://", "https://")):
                raise ValueError(f"Invalid url {raw}")
            parts = urlsplit(raw)
            if parts.username is not None and userinfo is None:
                userinfo = (unquote(parts.username), unquote(parts.password or ""))
            netloc = parts.hostname or ""
            if ":" in netloc:  # IPv6 literal
                netloc = f"[{netloc}]"
            if parts.port is not None:
                netloc += f":{parts.port}"
            self.base_urls.append(urlunsplit((parts.scheme, netloc, parts.path, "", "")))
        if not self.base_urls:
            raise ValueError("Missing required configuration property url")
        self.preferred = 0  # index of the URL that answered last

        user_info = conf.pop("basic.auth.user.info", None)
        source = conf.pop("basic.auth.credentials.source", None)
        if user_info is not None:
            if userinfo is not None and source != "USER_INFO":
                raise ValueError("basic.auth.user.info configured with userinfo credentials in the URL")
            user, sep, password = str(user_info).partition(":")
            if not sep:
                raise ValueError("basic.auth.user.info must be in the form of {username}:{password}")
            userinfo = (user, password)
        self.auth = userinfo

        self.headers: dict[str, str] = {"Accept": ACCEPT, "Confluent-Client-Version": CLIENT_VERSION}
        token = conf.pop("bearer.auth.token", None)
        bearer_source = conf.pop("bearer.auth.credentials.source", None)
        cluster = conf.pop("bearer.auth.logical.cluster", None)
        pool = conf.pop("bearer.auth.identity.pool.id", None)
        if token is not None or bearer_source == "STATIC_TOKEN":
            if token is None:
                raise ValueError("bearer.auth.token is required with bearer.auth.credentials.source STATIC_TOKEN")
            if self.auth is not None:
                raise ValueError("basic auth and bearer auth cannot both be configured")
            self.headers["Authorization"] = f"Bearer {token}"
            if cluster:
                self.headers["target-sr-cluster"] = str(cluster)
            if pool:
                self.headers["Confluent-Identity-Pool-Id"] = str(pool)
        elif bearer_source is not None:
            raise ValueError(f"Unsupported bearer.auth.credentials.source {bearer_source!r} (only STATIC_TOKEN)")
        extra_headers = conf.pop("http.headers", None) or {}
        self.headers.update({str(k): str(v) for k, v in dict(extra_headers).items()})

        self.verify = self._ssl_context(conf)
        self.proxy: str | None = conf.pop("proxy", None)
        timeout = _number(conf, "timeout", None)
        self.timeout = httpx.Timeout(timeout if timeout is not None else 30.0)
        self.cache_capacity = int(_number(conf, "cache.capacity", 1000))
        self.cache_latest_ttl_sec: float | None = _number(conf, "cache.latest.ttl.sec", None)
        self.max_retries = int(_number(conf, "max.retries", 3))
        self.retries_wait_ms = int(_number(conf, "retries.wait.ms", 1000))
        self.retries_max_wait_ms = int(_number(conf, "retries.max.wait.ms", 20000))
        if conf:
            raise ValueError("Unrecognized properties: " + ", ".join(sorted(conf)))

    @staticmethod
    def _ssl_context(conf: dict[str, Any]) -> ssl.SSLContext | bool:
        ca = conf.pop("ssl.ca.location", None)
        cert = conf.pop("ssl.certificate.location", None)
        key = conf.pop("ssl.key.location", None)
        password = conf.pop("ssl.key.password", None)
        if (key is not None or password is not None) and cert is None:
            raise ValueError("ssl.certificate.location required when configuring ssl.key.location or ssl.key.password")
        if ca is None and cert is None:
            return True  # httpx's default verification
        if ca is False:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif isinstance(ca, str) and os.path.isdir(ca):
            ctx = ssl.create_default_context(capath=ca)
        elif isinstance(ca, str):
            ctx = ssl.create_default_context(cafile=ca)
        else:
            ctx = ssl.create_default_context()
        if cert is not None:
            ctx.load_cert_chain(certfile=cert, keyfile=key, password=password)
        return ctx

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client`` / ``httpx.AsyncClient``."""
        kwargs: dict[str, Any] = {"verify": self.verify, "timeout": self.timeout, "auth": self.auth}
        if self.proxy:
            kwargs["proxy"] = self.proxy
        return kwargs


def error_from_response(response: httpx.Response) -> SchemaRegistryError:
    """A ``SchemaRegistryError`` from an error response, tolerating non-JSON bodies."""
    try:
        body = response.json()
        return SchemaRegistryError(response.status_code, int(body["error_code"]), str(body.get("message", "")))
    except (ValueError, KeyError, TypeError, AttributeError):
        text = response.text[:500] if response.content else ""
        return SchemaRegistryError(response.status_code, -1, f"Unknown Schema Registry Error: {text}")


def exchange(cfg: RestConfig, method: str, path: str, params: dict[str, Any] | None, body: Any) -> Exchange:
    """Send one API request with retries (same URL) and failover (next URL); return the parsed JSON.

    Retries: up to ``max.retries`` on 408/429/5xx and on transport errors, sleeping a full-jitter
    backoff between tries. When a URL is exhausted with a retriable outcome, the next URL is tried.
    A non-retriable error answer (4xx) is final.
    """
    headers = dict(cfg.headers)
    content = None
    if body is not None:
        content = json.dumps(body).encode()
        headers["Content-Type"] = CONTENT_TYPE
        headers["Confluent-Accept-Unknown-Properties"] = "true"
    last: Outcome | None = None
    n = len(cfg.base_urls)
    for i in range(n):
        index = (cfg.preferred + i) % n  # start with the URL that answered last (sticky failover)
        url = cfg.base_urls[index] + path
        for attempt in range(cfg.max_retries + 1):
            last = yield Send(method, url, params, content, headers)
            if isinstance(last, httpx.Response):
                status = last.status_code
                if status < 300:
                    cfg.preferred = index
                    if status == 204 or not last.content:
                        return None
                    return last.json()
                if status not in RETRIABLE_STATUS:
                    cfg.preferred = index
                    raise error_from_response(last)
            elif not isinstance(last, httpx.TransportError):
                raise last  # type: ignore[misc]
            if attempt < cfg.max_retries:
                yield Sleep(full_jitter(cfg.retries_wait_ms, cfg.retries_max_wait_ms, attempt))
    if isinstance(last, httpx.Response):
        raise error_from_response(last)
    raise SchemaRegistryError(-1, -1, f"Schema Registry unreachable at {', '.join(cfg.base_urls)}: {last!r}")


class LRUCache:
    """A small thread-safe LRU map with an optional per-entry TTL (seconds)."""

    def __init__(self, capacity: int, ttl: float | None = None) -> None:
        self.capacity = max(1, capacity)
        self.ttl = ttl
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if self.ttl is not None and item[0] < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return item[1]

    def set(self, key: Hashable, value: Any) -> None:
        expires = time.monotonic() + self.ttl if self.ttl is not None else 0.0
        with self._lock:
            self._data[key] = (expires, value)
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def evict(self, predicate: Any) -> None:
        """Drop every entry whose key satisfies ``predicate(key)``."""
        with self._lock:
            for key in [k for k in self._data if predicate(k)]:
                del self._data[key]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
