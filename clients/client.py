"""``SchemaRegistryClient`` (sync) and ``AsyncSchemaRegistryClient`` (asyncio), both on httpx.

Both take confluent-kafka's conf dict (``url`` with comma-separated failover URLs,
``basic.auth.user.info`` or URL userinfo, ``bearer.auth.token``, ``ssl.ca.location``,
``ssl.certificate.location``, ``ssl.key.location``, ``max.retries``, ``retries.wait.ms``,
``retries.max.wait.ms``, ``cache.capacity``, ``cache.latest.ttl.sec``, ``timeout``, ``proxy``).
The endpoint operations, caches and retry policy are shared (``_api``, ``_core``); this module only
runs them: one HTTP send or one sleep at a time, blocking or awaited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from ._api import Op, RegistryApi
from ._core import Send

__all__ = ["AsyncSchemaRegistryClient", "SchemaRegistryClient"]


class SchemaRegistryClient(RegistryApi):
    """A blocking registry client. Thread-safe; use one per process and share it between serdes.

    Example::

        client = SchemaRegistryClient({"url": "http://localhost:8081"})
        schema_id = client.register_schema("orders-value", Schema(avro_text))
    """

    def __init__(self, conf: dict[str, Any]) -> None:
        super().__init__(conf)
        self._http = httpx.Client(**self._cfg.client_kwargs())

    def _bind(self, fn: Callable[..., Op]) -> Callable[..., Any]:
        def method(*args: Any, **kwargs: Any) -> Any:
            return self._run(fn(self, *args, **kwargs))

        return method

    def _run(self, op: Op) -> Any:
        outcome: Any = None
        try:
            while True:
                action = op.send(outcome)
                if isinstance(action, Send):
                    self.requests_sent += 1
                    try:
                        outcome = self._http.request(
                            action.method, action.url, params=action.params, content=action.content,
                            headers=action.headers)
                    except httpx.TransportError as e:
                        outcome = e
                else:
                    time.sleep(action.seconds)
                    outcome = None
        except StopIteration as stop:
            return stop.value

    def close(self) -> None:
        """Close the HTTP connections; the client is unusable afterwards."""
        self._http.close()

    def __enter__(self) -> SchemaRegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSchemaRegistryClient(RegistryApi):
    """The asyncio registry client: the same methods as ``SchemaRegistryClient``, each awaited.

    Example::

        async with AsyncSchemaRegistryClient({"url": "http://localhost:8081"}) as client:
            latest = await client.get_latest_version("orders-value")
    """

    def __init__(self, conf: dict[str, Any]) -> None:
        super().__init__(conf)
        self._http = httpx.AsyncClient(**self._cfg.client_kwargs())

    def _bind(self, fn: Callable[..., Op]) -> Callable[..., Any]:
        async def method(*args: Any, **kwargs: Any) -> Any:
            return await self._run(fn(self, *args, **kwargs))

        return method

    async def _run(self, op: Op) -> Any:
        outcome: Any = None
        try:
            while True:
                action = op.send(outcome)
                if isinstance(action, Send):
                    self.requests_sent += 1
                    try:
                        outcome = await self._http.request(
                            action.method, action.url, params=action.params, content=action.content,
                            headers=action.headers)
                    except httpx.TransportError as e:
                        outcome = e
                else:
                    await asyncio.sleep(action.seconds)
                    outcome = None
        except StopIteration as stop:
            return stop.value

    async def close(self) -> None:
        """Close the HTTP connections; the client is unusable afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncSchemaRegistryClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
