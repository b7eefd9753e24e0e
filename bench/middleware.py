"""What each middleware costs per request: the app in-process, with and without it.

``bash bench/run.sh --middleware`` builds the real app on an empty embedded log with one schema,
then drives ``GET /schemas/ids/1`` straight through its ASGI interface (no sockets, no uvicorn, so
the middleware is a visible share of the time): once with the full stack, once without each
middleware in turn. It prints microseconds per request (best of five rounds) and each
middleware's share; the wrk figures of ``bench/run.sh`` put the same app behind uvicorn, where a
request costs several times more, so the share there is smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from charter.registry import bootstrap
from charter.registry.api.bodies import read_schema_request
from charter.registry.api.middleware import ConfluentHttpMiddleware
from charter.registry.api.observe import ObservabilityMiddleware
from charter.registry.service import RegistryService
from charter.registry.settings import Settings

MIDDLEWARES: dict[str, type | None] = {
    "full stack": None,
    "without observability (ids, metrics, access log)": ObservabilityMiddleware,
    "without the Confluent HTTP checks (Accept, sizes)": ConfluentHttpMiddleware,
}
SCOPE: dict[str, Any] = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
    "path": "/schemas/ids/1", "raw_path": b"/schemas/ids/1", "query_string": b"", "root_path": "",
    "headers": [(b"host", b"127.0.0.1:8081"), (b"accept", b"application/vnd.schemaregistry.v1+json")],
    "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8081),
}


async def _per_request_us(app: Any, service: RegistryService, requests: int) -> float:
    await service.schemas.register("bench-value", read_schema_request({"schema": '"int"'}, 1 << 20))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for _ in range(300):  # warm-up; also checks the answer once
        await app({**SCOPE, "state": {}}, receive, send)
    assert sent[0]["status"] == 200, sent[0]
    rounds = []
    for _ in range(5):
        sent.clear()
        start = time.perf_counter()
        for _ in range(requests):
            await app({**SCOPE, "state": {}}, receive, send)
        rounds.append((time.perf_counter() - start) / requests * 1e6)
    return min(rounds)


def measure(without: type | None, requests: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        registry = bootstrap.build(Settings(data_dir=str(Path(tmp))))
        registry.replay()
        service, app = registry.service, registry.app()
        if without is not None:
            app.user_middleware = [m for m in app.user_middleware if m.cls is not without]
        try:
            return asyncio.run(_per_request_us(app, service, requests))
        finally:
            service.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000, help="requests per round (default: %(default)s)")
    args = parser.parse_args()
    results = {label: measure(cls, args.requests) for label, cls in MIDDLEWARES.items()}
    full = results["full stack"]
    print(f"{'GET /schemas/ids/1, in-process ASGI':<52} {'us/req':>8} {'share of full':>14}")
    for label, us in results.items():
        share = "" if label == "full stack" else f"{(full - us) / full:>13.1%}"
        print(f"{label:<52} {us:>8.1f} {share:>14}")


if __name__ == "__main__":
    main()
