"""Serde throughput: Charter's serdes against confluent-kafka's and (Avro) raw fastavro, same run.

For a 10-field and a 100-field record in Avro, Protobuf and JSON Schema, measures serialize and
deserialize records/s and prints ratios: ours / confluent-kafka, and for Avro ours / raw fastavro
``schemaless_writer`` / ``schemaless_reader`` (the ceiling: no framing, no lookup).

The registry is out of the hot path (every serde caches after the first record), so both sides use
in-memory registries: confluent-kafka's MockSchemaRegistryClient, and for ours a stub with our
client's interface over the same mock (same schema ids, so the payloads can be checked
byte-identical first). Run: ``.venv/bin/python bench/serdes.py [--seconds 1.0] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from confluent_kafka.schema_registry import Schema as CSchema
from confluent_kafka.schema_registry import SchemaReference as CRef
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import MockSchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from charter.clients.models import RegisteredSchema, Schema, SchemaReference

CTX = SerializationContext("bench", MessageField.VALUE)
TOPIC = {"subject.name.strategy.type": "TOPIC"}
OURS_TOPIC = {"subject.name.strategy": "topic"}


class MockBackedClient:
    """Our client's interface over confluent-kafka's in-memory mock registry."""

    def __init__(self, mock: MockSchemaRegistryClient) -> None:
        self.mock = mock

    @staticmethod
    def _theirs(s: Schema) -> CSchema:
        return CSchema(s.schema_str, s.schema_type, [CRef(r.name, r.subject, r.version) for r in s.references])

    @staticmethod
    def _ours(s: Any) -> Schema:
        refs = tuple(SchemaReference(r.name, r.subject, r.version) for r in s.references or [])
        return Schema(s.schema_str, s.schema_type, refs)

    def register_schema_full_response(self, subject: str, s: Schema, normalize_schemas: bool = False) -> Any:
        r = self.mock.register_schema_full_response(subject, self._theirs(s))
        return RegisteredSchema(r.schema_id, s, subject, r.version)

    def register_schema(self, subject: str, s: Schema, normalize_schemas: bool = False) -> int:
        return self.mock.register_schema(subject, self._theirs(s))

    def lookup_schema(self, subject: str, s: Schema, normalize_schemas: bool = False, deleted: bool = False) -> Any:
        r = self.mock.lookup_schema(subject, self._theirs(s))
        return RegisteredSchema(r.schema_id, s, subject, r.version)

    def get_schema(self, schema_id: int, subject: str | None = None, fmt: str | None = None) -> Schema:
        return self._ours(self.mock.get_schema(schema_id))

    def get_version(self, subject: str, version: int, deleted: bool = False, fmt: str | None = None) -> Any:
        r = self.mock.get_version(subject, version)
        return RegisteredSchema(r.schema_id, self._ours(r.schema), subject, r.version)

    def get_associations_by_resource_name(self, *args: Any) -> list:
        return []


def rate(fn: Any, arg: Any, seconds: float) -> float:
    """Records per second of ``fn(arg)`` over about ``seconds`` (best of 3 rounds)."""
    n = 200
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn(arg)
        if time.perf_counter() - t > 0.05:
            break
        n *= 2
    per_round = max(n, int(n * (seconds / 3) / max(time.perf_counter() - t, 1e-9)))
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(per_round):
            fn(arg)
        best = max(best, per_round / (time.perf_counter() - t))
    return best


def avro_case(nfields: int) -> tuple[str, dict]:
    types = ["string", "int", "long", "double", "boolean"]
    fields, record = [], {}
    for i in range(nfields):
        t = types[i % len(types)]
        fields.append({"name": f"f{i}", "type": t})
        record[f"f{i}"] = {"string": f"value-{i}", "int": i, "long": i * 1_000_003, "double": i / 3,
                           "boolean": i % 2 == 0}[t]
    return json.dumps({"type": "record", "name": f"Rec{nfields}", "namespace": "bench", "fields": fields}), record


def proto_module(nfields: int, tmp: Path) -> Any:
    from grpc_tools import protoc

    types = ["string", "int32", "int64", "double", "bool"]
    lines = [f"  {types[i % 5]} f{i} = {i + 1};" for i in range(nfields)]
    name = f"bench{nfields}"
    (tmp / f"{name}.proto").write_text(
        f'syntax = "proto3";\npackage bench;\nmessage Rec{nfields} {{\n' + "\n".join(lines) + "\n}\n")
    if protoc.main(["protoc", f"-I{tmp}", f"--python_out={tmp}", f"{name}.proto"]) != 0:
        raise RuntimeError("protoc failed")
    sys.path.insert(0, str(tmp))
    return importlib.import_module(f"{name}_pb2")


def json_case(nfields: int) -> tuple[str, dict]:
    _, record = avro_case(nfields)
    jtypes = {str: "string", int: "integer", float: "number", bool: "boolean"}
    props = {k: {"type": jtypes[type(v)]} for k, v in record.items()}
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "title": f"Rec{nfields}", "type": "object",
              "properties": props, "required": list(props)}
    return json.dumps(schema), record


def bench(seconds: float) -> list[dict[str, Any]]:
    from confluent_kafka.schema_registry.avro import AvroDeserializer as CAvroDe
    from confluent_kafka.schema_registry.avro import AvroSerializer as CAvroSer
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer as CJsonDe
    from confluent_kafka.schema_registry.json_schema import JSONSerializer as CJsonSer
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CProtoDe
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CProtoSer

    from charter.clients.avro import AvroDeserializer, AvroSerializer
    from charter.clients.json_schema import JSONDeserializer, JSONSerializer
    from charter.clients.protobuf import ProtobufDeserializer, ProtobufSerializer

    mock = MockSchemaRegistryClient({"url": "mock://bench"})
    ours_client = MockBackedClient(mock)
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="charter-bench-"))
    for nfields in (10, 100):
        cases: list[tuple[str, Any, Any, Any, Any, Any]] = []
        schema, record = avro_case(nfields)
        cases.append(("avro", record, AvroSerializer(ours_client, schema, conf=OURS_TOPIC),
                      CAvroSer(mock, schema, conf=TOPIC), AvroDeserializer(ours_client), CAvroDe(mock)))
        mod = proto_module(nfields, tmp)
        cls = getattr(mod, f"Rec{nfields}")
        msg = cls(**record)
        cases.append(("protobuf", msg, ProtobufSerializer(cls, ours_client, OURS_TOPIC),
                      CProtoSer(cls, mock, TOPIC), ProtobufDeserializer(cls, {}, ours_client), CProtoDe(cls, {})))
        jschema, jrecord = json_case(nfields)
        cases.append(("json", jrecord, JSONSerializer(jschema, ours_client, conf=OURS_TOPIC),
                      CJsonSer(jschema, mock, conf=TOPIC), JSONDeserializer(None, schema_registry_client=ours_client),
                      CJsonDe(None, schema_registry_client=mock)))
        for fmt, rec, ser, cser, de, cde in cases:
            ours_bytes, their_bytes = ser(rec, CTX), cser(rec, CTX)
            if ours_bytes != their_bytes:
                raise AssertionError(f"{fmt}/{nfields}: payloads differ")
            row: dict[str, Any] = {"format": fmt, "fields": nfields, "bytes": len(ours_bytes)}
            row["ser"] = rate(lambda r, s=ser: s(r, CTX), rec, seconds)
            row["ser_ck"] = rate(lambda r, s=cser: s(r, CTX), rec, seconds)
            row["de"] = rate(lambda b, d=de: d(b, CTX), ours_bytes, seconds)
            row["de_ck"] = rate(lambda b, d=cde: d(b, CTX), ours_bytes, seconds)
            if fmt == "avro":
                parsed = parse_schema(json.loads(schema))

                def raw_write(r: Any, p: Any = parsed) -> bytes:
                    out = io.BytesIO()
                    schemaless_writer(out, p, r)
                    return out.getvalue()

                raw = ours_bytes[5:]
                row["ser_raw"] = rate(raw_write, rec, seconds)
                row["de_raw"] = rate(lambda b, p=parsed: schemaless_reader(io.BytesIO(b), p, None), raw, seconds)
            rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| format | fields | ser rec/s | xconfluent | xfastavro | de rec/s | xconfluent | xfastavro |\n"
            "|---|---|---|---|---|---|---|---|")
    out = [head]
    for r in rows:
        fa_s = f"{r['ser'] / r['ser_raw']:.2f}" if "ser_raw" in r else "-"
        fa_d = f"{r['de'] / r['de_raw']:.2f}" if "de_raw" in r else "-"
        out.append(f"| {r['format']} | {r['fields']} | {r['ser']:,.0f} | {r['ser'] / r['ser_ck']:.2f} | {fa_s} "
                   f"| {r['de']:,.0f} | {r['de'] / r['de_ck']:.2f} | {fa_d} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement (default 1.0)")
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args()
    rows = bench(args.seconds)
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
