"""A subject's versions (registry/store/contents.py Versions, a sorted list in place of a dict per
subject): versions stay in ascending order whatever order records come in (IMPORT may go back),
a record for an existing version replaces it, tombstones remove it, and the mapping answers as
the dict did (keys, reversed keys, values, items, get, membership, length)."""

from __future__ import annotations

import orjson

from charter.registry.store.records import decode_key
from charter.registry.store.state import RegistryState


def _apply(state: RegistryState, offset: int, subject: str, version: int, schema_id: int | None) -> None:
    key = decode_key(f'{{"keytype":"SCHEMA","subject":"{subject}","version":{version},"magic":1}}'.encode())
    value = None if schema_id is None else orjson.loads(orjson.dumps(
        {"subject": subject, "version": version, "id": schema_id, "deleted": False,
         "schema": f'{{"type":"record","name":"R{schema_id}","fields":[]}}'}))
    state.apply(key, value, offset, 1000 + offset)


def test_versions_stay_ordered_and_answer_like_a_dict() -> None:
    state = RegistryState()
    for offset, (version, schema_id) in enumerate([(5, 1), (2, 2), (9, 3), (1, 4), (7, 5), (2, 6)]):
        _apply(state, offset, "s", version, schema_id)
    versions = state.subjects["s"]
    assert list(versions) == [1, 2, 5, 7, 9] and list(reversed(versions)) == [9, 7, 5, 2, 1]
    assert [sv.version for sv in versions.values()] == [1, 2, 5, 7, 9]
    assert [sv.version for sv in reversed(versions.values())] == [9, 7, 5, 2, 1]
    assert versions[2].schema.id == 6 and versions.get(2).timestamp_ms == 1005  # replaced in place
    assert 2 not in state.schemas_by_id  # the replaced content had no other user
    assert versions.get(3) is None and 3 not in versions and "x" not in versions and len(versions) == 5
    assert dict(versions.items()) == {sv.version: sv for sv in versions.values()}
    assert [sv.version for sv in state.versions("s")] == [1, 2, 5, 7, 9]
    _apply(state, 6, "s", 5, None)  # tombstone
    _apply(state, 7, "s", 4, None)  # tombstone of a version that never was: ignored
    assert list(versions) == [1, 2, 7, 9] and state.version("s", 5) is None
    for offset, version in enumerate([1, 2, 7, 9], start=8):
        _apply(state, offset, "s", version, None)
    assert "s" not in state.subjects and state.schema_count() == 0


def test_a_single_version_is_replaced_and_grows_into_a_list_both_ways() -> None:
    state = RegistryState()
    _apply(state, 0, "t", 3, 1)
    _apply(state, 1, "t", 3, 2)  # replaces the only version
    versions = state.subjects["t"]
    assert len(versions) == 1 and versions[3].schema.id == 2 and list(versions.values()) == [versions[3]]
    _apply(state, 2, "t", 1, 3)  # goes before the single one
    assert list(versions) == [1, 3]
    _apply(state, 3, "t", 3, None)
    assert list(versions) == [1] and len(versions) == 1 and versions.get(3) is None
    _apply(state, 4, "t", 4, 4)  # goes after it
    assert list(versions) == [1, 4] and [sv.schema.id for sv in versions.values()] == [3, 4]


def test_ids_are_a_list_while_dense_and_a_dict_once_sparse() -> None:
    from charter.registry.store.contents import IdTable

    table, contents = IdTable(), {}
    for schema_id in [1, 2, 5, 3]:
        contents[schema_id] = object()
        table[schema_id] = contents[schema_id]  # type: ignore[assignment]
    assert len(table) == 4 and list(table) == [1, 2, 3, 5] and table._dict is None
    assert table[5] is contents[5] and table.get(4) is None and 4 not in table and 0 not in table
    assert table.get(-1) is None and "x" not in table and table.get(10**9) is None
    assert table.pop(2) is contents[2] and 2 not in table and len(table) == 3
    table[10**6] = "far"  # type: ignore[assignment]  # far above the ids held: becomes a dict
    assert table._dict is not None and len(table) == 4 and table[10**6] == "far" and table[5] is contents[5]
    del table[1]
    assert sorted(table) == [3, 5, 10**6] and len(table.values()) == 3
    try:
        table[1]
    except KeyError:
        pass
    else:
        raise AssertionError("a removed id is found")
