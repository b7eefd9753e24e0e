"""The baseline server: a trivial FastAPI endpoint on the same uvicorn setup as ``charter serve``.

Charter's request rates are reported as a ratio to this server's rate, measured in the same run
on the same machine, so the ratio says how much Charter's own work costs on top of the
framework. The uvicorn configuration mirrors :func:`charter.cli.serve.run`: one worker,
``loop="auto"`` and ``http="auto"`` (uvloop and httptools when installed), access log off.

Run: ``python bench/baseline_app.py --port 8090``.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {}


@app.post("/echo/{name}")
async def echo(name: str, request: Request) -> dict[str, int]:
    """The POST baseline: read the JSON body, answer a small object (what a lookup must at least do)."""
    return {"bytes": len(await request.body())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="auto",
        http="auto",
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
