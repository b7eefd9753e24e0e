"""Proof: schemathesis fuzzes every operation of /openapi.json (fixed seed, bounded examples).

Zero 5xx, and every 4xx carries a Confluent-style body {"error_code": int, "message": str}.
At least 5,000 requests in total (counted, and asserted at the end).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from support.process import RegistryProcess

EXAMPLES = 250
COUNT = {"requests": 0, "5xx": 0, "bad4xx": 0}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    server = RegistryProcess(Path(tmp_path_factory.mktemp("fuzz")) / "data").start()
    yield server
    server.stop()


def test_fuzz_every_operation(fuzz_server: RegistryProcess) -> None:
    api = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")
    problems: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck),
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
        @hypothesis.given(case=operation.as_strategy())
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(base_url=fuzz_server.url, timeout=30)
            COUNT["requests"] += 1
            where = f"{case.method} {case.formatted_path}"
            if response.status_code >= 500:
                COUNT["5xx"] += 1
                problems.append(f"{where}: {response.status_code} {response.text[:200]}")
            elif response.status_code >= 400:
                try:
                    body = response.json()
                except ValueError:
                    body = {}
                if not (isinstance(body.get("error_code"), int) and isinstance(body.get("message"), str)):
                    COUNT["bad4xx"] += 1
                    problems.append(f"{where}: {response.status_code} without a Confluent body: {response.text[:200]}")

        fuzz()
    print(f"\nschemathesis: {operations} operations, {COUNT['requests']} requests, "
          f"{COUNT['5xx']} 5xx, {COUNT['bad4xx']} 4xx without a Confluent body")
    assert not problems, problems[:10]
    assert COUNT["requests"] >= 5000, COUNT
