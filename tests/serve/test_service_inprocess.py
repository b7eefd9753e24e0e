"""The service without HTTP: duplicate schemas share one stored copy, refused writes append nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from charter.registry import bootstrap
from charter.registry.api.bodies import read_schema_request
from charter.registry.errors import RegistryError
from charter.registry.service import RegistryService
from charter.registry.settings import Settings

FIELDS = [{"name": f"f{i}", "type": "string"} for i in range(50)]
SCHEMA = json.dumps({"type": "record", "name": "Big", "fields": FIELDS})


def make_service(path: Path) -> RegistryService:
    registry = bootstrap.build(Settings(data_dir=str(path)))
    registry.replay()
    return registry.service


def test_duplicates_share_one_stored_schema(tmp_path: Path) -> None:
    service = make_service(tmp_path)

    async def register_everywhere() -> set[int]:
        request = read_schema_request({"schema": SCHEMA}, 1 << 20)
        ids = set()
        for i in range(300):
            sv, created = await service.schemas.register(f"topic-{i}-value", request)
            assert created
            ids.add(sv.schema.id)
        return ids

    assert asyncio.run(register_everywhere()) == {1}
    assert len(service.state.schemas_by_id) == 1
    contents = {id(sv.schema) for sv in service.state.iter_versions()}
    assert len(contents) == 1, "every version must point at the same stored content"
    service.log.close()
    reopened = make_service(tmp_path)
    assert len(reopened.state.schemas_by_id) == 1
    assert len({id(sv.schema) for sv in reopened.state.iter_versions()}) == 1
    reopened.log.close()


def test_refused_writes_append_nothing(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    log_file = tmp_path / "schemas.log"

    async def scenario() -> None:
        await service.schemas.register("s", read_schema_request({"schema": SCHEMA}, 1 << 20))
        size = log_file.stat().st_size
        bad = [
            {"schema": "{not json"},
            {"schema": json.dumps({"type": "record", "name": "Big", "fields": [{"name": "x", "type": "int"}]})},
            {"schema": '"string"', "references": [{"name": "a.B", "subject": "missing", "version": 1}]},
        ]
        for body in bad:
            with pytest.raises(RegistryError):
                await service.schemas.register("s", read_schema_request(body, 1 << 20))
        with pytest.raises(RegistryError):
            await service.deletes.delete_version("s", 1, permanent=True)  # not soft-deleted first
        assert log_file.stat().st_size == size
        assert [v.version for v in service.state.versions("s")] == [1]

    asyncio.run(scenario())
    service.log.close()
