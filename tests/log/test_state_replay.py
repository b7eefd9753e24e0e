"""Replaying `_schemas` records written by Confluent or Karapace, built by hand from the format."""

from __future__ import annotations

import orjson
import pytest

from charter.registry.store.records import KeyType, RecordFormatError, decode_key, schema_key
from charter.registry.store.state import RegistryState

AVRO_INT = '{"type":"record","name":"A","fields":[{"name":"a","type":"int"}]}'


def replay(records: list[tuple[bytes, bytes | None]]) -> RegistryState:
    state = RegistryState()
    for offset, (key, value) in enumerate(records):
        state.apply(decode_key(key), orjson.loads(value) if value is not None else None, offset, 1000 + offset)
    return state


def schema_record(subject: str, version: int, schema_id: int, text: str = AVRO_INT, deleted: bool = False,
                  **extra: object) -> tuple[bytes, bytes]:
    key = f'{{"keytype":"SCHEMA","subject":"{subject}","version":{version},"magic":1}}'.encode()
    value = {"subject": subject, "version": version, "id": schema_id, "schema": text, "deleted": deleted, **extra}
    return key, orjson.dumps(value)


def test_key_bytes_are_confluent_canonical() -> None:
    assert schema_key("s", 3).encode() == b'{"keytype":"SCHEMA","subject":"s","version":3,"magic":1}'


def test_karapace_key_order_is_read() -> None:
    key = decode_key(b'{"subject":"s","version":2,"magic":1,"keytype":"SCHEMA"}')
    assert (key.keytype, key.subject, key.version) == (KeyType.SCHEMA, "s", 2)


def test_versions_ids_and_dedup_across_subjects() -> None:
    state = replay([schema_record("a", 1, 7), schema_record("b", 1, 7)])
    assert state.max_id == 7
    assert len(state.schemas_by_id) == 1
    assert state.version("a", 1).schema is state.version("b", 1).schema  # one copy in memory


def test_soft_delete_tombstone_and_delete_subject() -> None:
    state = replay(
        [
            schema_record("s", 1, 1),
            schema_record("s", 2, 2, text='"string"'),
            schema_record("s", 1, 1, deleted=True),
            (b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', None),
        ]
    )
    assert [v.version for v in state.versions("s", include_deleted=True)] == [2]
    assert 1 not in state.schemas_by_id and 2 in state.schemas_by_id
    state = replay(
        [
            schema_record("t", 1, 1),
            schema_record("t", 2, 2, text='"string"'),
            (b'{"keytype":"DELETE_SUBJECT","subject":"t","magic":0}', b'{"subject":"t","version":2}'),
        ]
    )
    assert state.versions("t") == []
    assert len(state.versions("t", include_deleted=True)) == 2


def test_config_and_mode_records_global_and_subject() -> None:
    state = replay(
        [
            (b'{"keytype":"CONFIG","subject":null,"magic":0}', b'{"compatibilityLevel":"FULL"}'),
            (b'{"keytype":"CONFIG","magic":0}', b'{"compatibilityLevel":"NONE"}'),
            (b'{"keytype":"CONFIG","subject":"s","magic":0}', b'{"subject":"s","compatibilityLevel":"FORWARD"}'),
            (b'{"keytype":"MODE","subject":"s","magic":0}', b'{"subject":"s","mode":"READONLY"}'),
            (b'{"keytype":"MODE","subject":"s","magic":0}', None),
        ]
    )
    assert state.configs[None] == {"compatibilityLevel": "NONE"}
    assert state.configs["s"] == {"compatibilityLevel": "FORWARD"}
    assert "s" not in state.modes


def test_references_are_tracked_for_referencedby() -> None:
    refs = [{"name": "com.x.Inner", "subject": "inner", "version": 1}]
    state = replay([schema_record("inner", 1, 1), schema_record("outer", 1, 2, text='"x"', references=refs)])
    assert [sv.subject for sv in state.referencing("inner", 1, include_deleted=False)] == ["outer"]


def test_unusable_records_raise_a_format_error_not_a_crash() -> None:
    with pytest.raises(RecordFormatError):
        decode_key(b'{"keytype":"SOMETHING_NEW","magic":0}')
    with pytest.raises(RecordFormatError):
        decode_key(b"not json")
    state = RegistryState()
    with pytest.raises(RecordFormatError):
        state.apply(decode_key(schema_record("s", 1, 1)[0]), {"subject": "s"}, 0, 0)


def test_an_id_taken_by_other_content_is_refused() -> None:
    state = replay([schema_record("a", 1, 1)])
    key, value = schema_record("b", 1, 1, text='"string"')
    with pytest.raises(RecordFormatError, match="already taken"):
        state.apply(decode_key(key), orjson.loads(value), 1, 0)
    assert state.version("b", 1) is None


def test_versions_stay_in_ascending_order_when_imported_out_of_order() -> None:
    state = replay([schema_record("s", 3, 3, text='"string"'), schema_record("s", 1, 1), schema_record("s", 2, 2,
                    text='"int"')])
    assert [v.version for v in state.versions("s")] == [1, 2, 3]
