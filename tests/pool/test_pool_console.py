"""The console's "Register" on a pool: a worker that does not write hands the registration to the
writer (a browser cannot choose the worker), and the page shows the version from its own state,
under the subject an alias stands for too."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.pool import wait_healthy
from support.process import V1, RegistryProcess
from support.ui import avro_record


def test_register_from_the_console_of_the_worker_that_does_not_write(tmp_path: Path) -> None:
    pool = RegistryProcess(tmp_path / "data", extra=["--workers", "2"]).start()
    try:
        follower = next(m for m in wait_healthy(pool.url, 2) if m["role"] == "follower")
        url = f"http://127.0.0.1:{follower['port']}"
        httpx.put(f"{url}/config/orders-alias", json={"alias": "orders-value"}, headers={"Content-Type": V1})
        for subject, shown in (("orders-value", "orders-value"), ("orders-alias", "orders-value")):
            schema = avro_record("Order", ("id", "string")) if subject == "orders-value" else \
                avro_record("Order", ("id", "string"), ("note", "string"))
            page = httpx.post(f"{url}/ui/check", data={"subject": subject, "schemaType": "AVRO", "schema": schema,
                                                        "action": "register"})
            assert page.status_code == 200, page.text
            assert "Registered" in page.text and f"{shown} version" in page.text, page.text
        versions = httpx.get(f"{url}/subjects/orders-value/versions").json()
        assert versions == [1, 2]
    finally:
        pool.stop()
