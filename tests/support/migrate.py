"""A registry to migrate, written straight into a Charter log (thousands of schemas in a second).

:func:`build_source` writes SCHEMA records as registrations would have (canonical Avro texts,
references, ids per context, soft-deleted versions, one schema shared by two subjects) into a
data directory; :func:`add_settings` then sets configs, modes and an alias through the API of the
running server. Used by tests/test_migrate*.py and bench/migrate_bench.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from charter.compat.formats import get_format
from charter.registry.log.file import FileLog
from charter.registry.store.records import schema_key, schema_value
from charter.registry.store.state import Reference

V1 = "application/vnd.schemaregistry.v1+json"


@dataclass
class Dataset:
    """What :func:`build_source` wrote: counts to check a migration against."""

    versions: int = 0
    deleted: int = 0
    with_references: int = 0
    subjects: int = 0


def _record(fields: list[dict[str, Any]], name: str) -> str:
    return json.dumps({"type": "record", "name": name, "namespace": "mig", "fields": fields})


def _records(bases: int, events: int, versions: int, context: str, ds: Dataset) -> Iterator[tuple[bytes, bytes]]:
    avro = get_format("AVRO")
    prefix = "" if context == "." else f":{context}:"
    next_id = 0
    parsed = {}
    for i in range(bases):
        next_id += 1
        text = _record([{"name": "code", "type": "string"}, {"name": f"n{i}", "type": "int"}], f"Common{i}")
        parsed[i] = avro.parse(text, {}, validate=True)
        canonical = parsed[i].canonical()
        subjects = [f"{prefix}common-{i}"] + ([f"{prefix}copy-{i}"] if i % 10 == 0 else [])
        for subject in subjects:  # copy-i shares common-i's schema: one id under two subjects
            ds.versions += 1
            yield _schema(subject, 1, next_id, canonical, (), False)
    for j in range(events):
        base = j % bases
        ref = Reference(f"mig.Common{base}", f"common-{base}", 1)
        whole_subject_gone = j % 50 == 49
        for v in range(1, versions + 1):
            fields = [{"name": "id", "type": "long"}, {"name": "common", "type": f"mig.Common{base}"}]
            fields += [{"name": f"extra{k}", "type": ["null", "string"], "default": None} for k in range(1, v)]
            text = avro.parse(_record(fields, f"Event{j}"), {ref.name: parsed[base]}, validate=True).canonical()
            deleted = whole_subject_gone or (j % 7 == 3 and v == 1)
            next_id += 1
            ds.versions += 1
            ds.with_references += 1
            ds.deleted += deleted
            yield _schema(f"{prefix}event-{j}", v, next_id, text, (ref,), deleted)


def _schema(subject: str, version: int, schema_id: int, text: str, refs: tuple[Reference, ...],
            deleted: bool) -> tuple[bytes, bytes]:
    value = schema_value(subject, version, schema_id, "AVRO", text, refs, None, None, deleted=deleted)
    return schema_key(subject, version).encode(), orjson.dumps(value)


def build_source(data_dir: Path, bases: int, events: int, versions: int, staging: int = 0) -> Dataset:
    """Write the data set into a new embedded log at ``data_dir`` (the server must not be running).
    ``staging`` events (and their bases) go to the context ``.staging`` as well."""
    ds = Dataset()
    records = list(_records(bases, events, versions, ".", ds))
    if staging:
        records += list(_records(max(1, staging // 10), staging, 2, ".staging", ds))
    ds.subjects = len({orjson.loads(v)["subject"] for _, v in records})

    async def append_all(log: FileLog) -> None:
        for start in range(0, len(records), 5000):
            await log.append(records[start:start + 5000])

    log = FileLog(data_dir)
    try:
        asyncio.run(append_all(log))
    finally:
        log.close()
    return ds


def add_settings(url: str) -> None:
    """Configs, a mode, an alias and a version with metadata and a rule set, through the API."""
    with httpx.Client(base_url=url, headers={"Content-Type": V1}, timeout=30) as http:
        for path, body in (("/config", {"compatibility": "FULL"}),
                           ("/config/event-1", {"compatibility": "NONE", "normalize": True}),
                           ("/config/orders", {"alias": "event-2"}),
                           ("/config/:.staging:", {"compatibility": "FORWARD"}),
                           ("/mode/common-1", {"mode": "READONLY"})):
            http.put(path, json=body).raise_for_status()
        contract = {"schema": json.dumps({"type": "record", "name": "Contract", "fields": []}),
                    "metadata": {"properties": {"owner": "team-a"}},
                    "ruleSet": {"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "WRITE",
                                                 "type": "CEL", "expr": "true"}]}}
        http.post("/subjects/contract/versions", json=contract).raise_for_status()
