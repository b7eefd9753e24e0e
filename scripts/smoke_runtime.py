"""Smoke test of an installed Charter: import every module, serve, register and read back schemas.

Run with the Python of the environment under test (stdlib only, so it needs nothing that
environment lacks), e.g. ``venv/bin/python scripts/smoke_runtime.py --charter venv/bin/charter``.
It imports every ``charter.*`` module, starts ``charter serve`` on a free port with a temporary
data directory, configured as the Docker image is (``SCHEMA_REGISTRY_LISTENERS``,
``CHARTER_DATA_DIR``), waits for ``GET /status/ready`` (the image's health check), registers one
Avro, one Protobuf (with a ``confluent/meta.proto`` option, no
reference) and one JSON schema, reads each back (latest version and by id), then stops the server
with SIGTERM and expects exit code 0. Every wait is bounded. Any failure prints the server log
and exits 1. ``scripts/smoke_runtime.sh`` builds the runtime-only environment and runs this.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

EDITABLE_PACKAGES = ("charter.cli", "charter.clients", "charter.compat", "charter.registry")
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0

AVRO = json.dumps({
    "type": "record", "name": "Order", "namespace": "smoke",
    "fields": [{"name": "id", "type": "string"}, {"name": "qty", "type": "int", "default": 1}],
})
PROTOBUF = (
    'syntax = "proto3";\npackage smoke;\n\nimport "confluent/meta.proto";\n\n'
    'message M {\n  string a = 1 [(confluent.field_meta).doc = "x"];\n}\n'
)
JSON_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#", "title": "Person", "type": "object",
    "properties": {"name": {"type": "string"}}, "required": ["name"],
})


class SmokeError(Exception):
    """A check failed; the message says which."""


def step(label: str, started: float) -> None:
    print(f"smoke: {label} ({time.perf_counter() - started:.2f} s)", flush=True)


def charter_modules() -> list[str]:
    """Every charter.* module the installed distribution holds (its RECORD); an editable install
    records none, so then the subpackages' source folders are walked instead."""
    files = metadata.files("charter-registry") or []
    names = sorted(
        ".".join(f.with_suffix("").parts).removesuffix(".__init__")
        for f in files if f.parts[0] == "charter" and f.suffix == ".py"
    )
    if names:
        return names
    for package in EDITABLE_PACKAGES:
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + ".")]
    return names


def import_everything() -> int:
    """Import every charter.* module; return how many."""
    names = charter_modules()
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            raise SmokeError(f"import {name} failed: {exc!r}") from exc
    if len(names) < 10:
        raise SmokeError(f"found only {len(names)} charter.* modules: {names}")
    return len(names)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Content-Type": "application/vnd.schemaregistry.v1+json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")
        try:
            return exc.code, json.loads(text)
        except ValueError:
            return exc.code, text


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last: object = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SmokeError(f"charter serve exited with {server.returncode} before it was ready")
        try:
            status, body = call(base, "GET", "/status/ready")  # what the image's HEALTHCHECK asks
            if status == 200 and call(base, "GET", "/subjects")[0] == 200:  # and the Confluent API
                return
            last = (status, body)
        except OSError as exc:  # not listening yet
            last = exc
        time.sleep(0.2)
    raise SmokeError(f"not ready within {START_TIMEOUT:.0f} s (last answer: {last!r})")


def same_schema(schema_type: str, sent: str, got: str) -> bool:
    if schema_type == "PROTOBUF":  # the registry answers with its canonical text
        return all(part in got for part in ('import "confluent/meta.proto";', "confluent.field_meta", '"x"'))
    return json.loads(sent) == json.loads(got)


def register_and_read(base: str, subject: str, schema_type: str, text: str) -> None:
    status, body = call(base, "POST", f"/subjects/{subject}/versions", {"schemaType": schema_type, "schema": text})
    if status != 200 or not isinstance(body, dict) or "id" not in body:
        raise SmokeError(f"register {schema_type} in {subject}: HTTP {status} {body!r}")
    schema_id = body["id"]
    status, latest = call(base, "GET", f"/subjects/{subject}/versions/latest")
    if status != 200 or latest.get("id") != schema_id or latest.get("subject") != subject:
        raise SmokeError(f"latest of {subject}: HTTP {status} {latest!r} (registered id {schema_id})")
    if latest.get("schemaType", "AVRO") != schema_type or not same_schema(schema_type, text, latest["schema"]):
        raise SmokeError(f"latest of {subject} is not the registered schema: {latest!r}")
    status, by_id = call(base, "GET", f"/schemas/ids/{schema_id}")
    if status != 200 or by_id.get("schema") != latest["schema"] or by_id.get("schemaType", "AVRO") != schema_type:
        raise SmokeError(f"schema id {schema_id}: HTTP {status} {by_id!r}, latest gave {latest!r}")


def run(charter: str, workdir: Path) -> None:
    started = time.perf_counter()
    count = import_everything()
    step(f"imported {count} charter.* modules", started)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        # Configured the way the Docker image is: Confluent's listener variable and CHARTER_DATA_DIR.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTER_", "SCHEMA_REGISTRY_"))}
        env.update(SCHEMA_REGISTRY_LISTENERS=f"http://127.0.0.1:{port}", CHARTER_DATA_DIR=str(workdir / "data"))
        server = subprocess.Popen([charter, "serve"], stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env)
    try:
        started = time.perf_counter()
        wait_ready(base, server)
        _, status = call(base, "GET", "/status")
        workers = status.get("pool", {}).get("workers", 1)  # the default: one worker per core, at most 4
        step(f"charter serve ready on port {port} ({workers} worker{'s' if workers > 1 else ''})", started)
        started = time.perf_counter()
        register_and_read(base, "smoke-avro-value", "AVRO", AVRO)
        register_and_read(base, "smoke-protobuf-value", "PROTOBUF", PROTOBUF)
        register_and_read(base, "smoke-json-value", "JSON", JSON_SCHEMA)
        step("registered and read back an Avro, a Protobuf (confluent/meta.proto) and a JSON schema", started)
        started = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise SmokeError(f"charter serve did not stop within {STOP_TIMEOUT:.0f} s of SIGTERM") from exc
        if code != 0:
            raise SmokeError(f"charter serve exited with {code} after SIGTERM (expected 0)")
        step("stopped with SIGTERM, exit code 0", started)
    except BaseException:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=STOP_TIMEOUT)
        raise
    if "Traceback" in log_path.read_text(errors="replace"):
        raise SmokeError("the server log holds a traceback")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charter", required=True, help="the charter executable of the environment under test")
    parser.add_argument("--workdir", help="where the data directory and server.log go (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="charter-smoke-") as temp:
        workdir = Path(args.workdir or temp)
        try:
            run(str(Path(args.charter).resolve()), workdir)
        except Exception as exc:  # a failed check, or an unexpected error (e.g. a request timed out)
            log_path = workdir / "server.log"
            if log_path.exists():
                server_log = log_path.read_text(errors="replace")
                print(f"---- server log ({log_path}) ----\n{server_log}---- end of server log ----", file=sys.stderr)
            print(f"smoke: FAILED: {exc if isinstance(exc, SmokeError) else repr(exc)}", file=sys.stderr)
            return 1
    print("smoke: OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
