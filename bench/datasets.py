"""Benchmark data sets: schemas written straight into a Charter log, and wrk request files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from charter.compat.formats import get_format
from charter.registry.log.file import FileLog
from charter.registry.store.records import schema_key, schema_value

READ_SUBJECTS = 2000
READ_VERSIONS = 5
LOOKUP_HOT = 1000  # bodies in the "hot" lookup rotation (fits the default parse cache of 2,000)
# Registrations spread over this many subjects (each new version is compatibility-checked).
REGISTER_SUBJECTS = 32
# The replay data set: REPLAY_SUBJECTS x REPLAY_VERSIONS SCHEMA records.
REPLAY_SUBJECTS = 10_000
REPLAY_VERSIONS = 10

# ---- data sets --------------------------------------------------------------------------------


def order_schema(subject_no: int, version: int) -> dict[str, Any]:
    """A realistic Avro record (about 400 bytes); distinct for each (subject, version).

    Version ``v`` adds ``v - 1`` optional fields, so each version is BACKWARD compatible with the
    previous one, as if it had been registered through the API.
    """
    fields: list[dict[str, Any]] = [
        {"name": "id", "type": "long"},
        {"name": "customer", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "currency", "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD", "GBP"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
        {"name": "created", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ]
    fields += [{"name": f"extra{k}", "type": ["null", "string"], "default": None} for k in range(1, version)]
    return {"type": "record", "name": "Order", "namespace": f"bench.s{subject_no}", "fields": fields}


def subject_name(subject_no: int) -> str:
    return f"bench-{subject_no}-value"


@dataclass(frozen=True)
class Stored:
    subject: str
    version: int
    schema_id: int
    schema: dict[str, Any]


def schema_record(subject: str, version: int, schema_id: int, text: str) -> tuple[bytes, bytes]:
    value = schema_value(subject, version, schema_id, "AVRO", text, (), None, None, deleted=False)
    return schema_key(subject, version).encode(), orjson.dumps(value)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def write_log(data_dir: Path, records: Iterable[tuple[bytes, bytes]], batch: int = 10_000) -> int:
    """Append records to a new embedded log in big batches (one fsync per batch)."""

    async def append_all(log: FileLog) -> int:
        count = 0
        for chunk in batched(records, batch):
            count += len(await log.append(chunk))
        return count

    log = FileLog(data_dir)
    try:
        return asyncio.run(append_all(log))
    finally:
        log.close()


def build_read_set(data_dir: Path) -> list[Stored]:
    """10,000 schemas, stored in their canonical form as registration stores them."""
    avro = get_format("AVRO")
    stored: list[Stored] = []
    records = []
    schema_id = 0
    for version in range(1, READ_VERSIONS + 1):  # versions interleaved across subjects, like real traffic
        for no in range(READ_SUBJECTS):
            schema_id += 1
            schema = order_schema(no, version)
            text = avro.parse(json.dumps(schema), {}, validate=True).canonical()
            stored.append(Stored(subject_name(no), version, schema_id, schema))
            records.append(schema_record(subject_name(no), version, schema_id, text))
    write_log(data_dir, records)
    return stored


def build_replay_set(data_dir: Path) -> int:
    """100,000 SCHEMA records (compact JSON text; replay does not parse schemas)."""

    def records() -> Iterator[tuple[bytes, bytes]]:
        schema_id = 0
        for version in range(1, REPLAY_VERSIONS + 1):
            for no in range(REPLAY_SUBJECTS):
                schema_id += 1
                text = orjson.dumps(order_schema(no, version)).decode()
                yield schema_record(subject_name(no), version, schema_id, text)

    return write_log(data_dir, records())


def write_lookup_file(path: Path, stored: Sequence[Stored], prefix: str = "/subjects/") -> None:
    """One ``<path>\\t<body>`` line per lookup; bodies in non-canonical (spaced) JSON, as clients send.

    With ``prefix="/echo/"`` the same bodies go to the baseline's trivial POST endpoint.
    """
    with path.open("w") as f:
        for s in stored:
            body = json.dumps({"schema": json.dumps(s.schema)})
            f.write(f"{prefix}{s.subject}\t{body}\n")
