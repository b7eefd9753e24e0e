"""Proof under load and faults (embedded log): 50 concurrent clients register 1,000 distinct schemas
(each also re-registered, as duplicates) while the server is SIGKILLed and restarted.

Afterwards: every acknowledged registration is present with the id it was given, no id is shared
by two different schemas, and the same schema has one id. The load and the checks are in
tests/support/proof.py; Kafka (one and two instances): tests/proof/test_proof_kafka.py.
"""

from __future__ import annotations

from pathlib import Path

from support.process import RegistryProcess
from support.proof import run_load


def test_load_with_sigkill_on_the_embedded_log(tmp_path: Path) -> None:
    server = RegistryProcess(tmp_path / "data", extra=["--compatibility", "NONE"]).start()
    current = [server]

    def crash() -> None:
        current[0].kill()
        current[0] = RegistryProcess(tmp_path / "data", port=server.port,
                                     extra=["--compatibility", "NONE"]).start()

    try:
        run_load(lambda: [current[0].url], crash)
    finally:
        current[0].stop()
