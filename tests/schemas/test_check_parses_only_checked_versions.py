"""Which earlier versions a compatibility level checks: decided once, by compat.levels.versions_to_check.

The registry asks the same function which versions to parse, so a non-transitive check parses only
the latest version, never the whole history.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from charter.registry.api.bodies import read_config_update, read_schema_request
from charter.registry.log.file import FileLog
from charter.registry.service import RegistryService
from charter.registry.settings import Settings


def _record(fields: int) -> str:
    return json.dumps({"type": "record", "name": "R", "fields": [
        {"name": f"f{i}", "type": "int", "default": 0} for i in range(fields)]})


@pytest.mark.parametrize(("level", "parsed"), [("BACKWARD", 1), ("BACKWARD_TRANSITIVE", 3)])
def test_check_parses_only_the_versions_the_level_checks(tmp_path: Path, level: str, parsed: int) -> None:
    service = RegistryService(FileLog(tmp_path), Settings(data_dir=str(tmp_path)))
    service.replay()

    async def scenario() -> None:
        await service.config.set_config("s", read_config_update({"compatibility": level}))
        for fields in (1, 2, 3):
            await service.schemas.register("s", read_schema_request({"schema": _record(fields)}, 1 << 20))
        service.parser.stored.clear()  # forget every parsed version
        result = await service.schemas.check("s", None, read_schema_request({"schema": _record(4)}, 1 << 20),
                                             normalize=False)
        assert result.is_compatible
        assert len(service.parser.stored._items) == parsed

    asyncio.run(scenario())
    service.log.close()
