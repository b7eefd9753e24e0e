"""Confluent's schema MD5 (the GUID) with metadata and rule sets, byte for byte.

The pinned digests come from Confluent's ``SchemaValuesTest`` (core/src/test/.../storage); the
hash feed follows ``Schema.updateHash``, ``Metadata.updateHash``, ``RuleSet.updateHash`` and
``Rule.updateHash``.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import httpx

from charter.registry.store.digest import contract_parts, guid_text, schema_md5

RECORD = '{"type":"record","name":"myrecord","fields":[{"type":"string","default":null,"name":"f"}]}'


def _signed(values: list[int]) -> bytes:
    """A Java ``byte[]`` literal as Python bytes."""
    return bytes(v & 0xFF for v in values)


def test_plain_schema_md5_is_pinned() -> None:
    """from SchemaValuesTest.testSchemaValueMD5 (the schema alone)."""
    want = _signed([29, 32, -53, -71, -27, -29, 94, -105, 84, -25, -38, 23, 11, 110, 93, -37])
    assert schema_md5(RECORD, contract_parts((), None, None)) == want


def test_empty_metadata_and_default_rule_are_marked() -> None:
    """from SchemaValuesTest.testSchemaValueMD5: ``new Metadata(null, null, null)`` and one
    migration rule with only kind TRANSFORM and mode WRITEREAD; both count though empty."""
    want = _signed([22, -15, -20, -91, -21, -7, 34, -77, -38, -128, 33, 47, -113, -89, 52, 46])
    rule_set = {"migrationRules": [{"kind": "TRANSFORM", "mode": "WRITEREAD"}]}
    assert schema_md5(RECORD, contract_parts((), {}, rule_set)) == want
    # Rule's constructor defaults a missing kind and mode to TRANSFORM / WRITEREAD
    assert schema_md5(RECORD, contract_parts((), {}, {"migrationRules": [{}]})) == want
    assert schema_md5(RECORD, contract_parts((), None, rule_set)) != want


def test_complex_schemas_pin_their_guids() -> None:
    """from SchemaValuesTest.testSchemaValueComplexProtobufMD5: the GUID is the MD5 read as a UUID."""
    proto = (
        'syntax = "proto3";\n\nmessage Complex {\n  int32 int32 = 1;\n  int64 int64 = 2;\n'
        "  float float32 = 3;\n  double float64 = 4;\n  bool boolean = 5;\n  string string = 6;\n"
        "  bytes bytes = 7;\n  repeated string array = 8;\n  repeated ComplexEntry map = 9;\n\n"
        "  message ComplexEntry {\n    string key = 1;\n    int32 value = 2;\n  }\n}\n"
    )
    assert guid_text(schema_md5(proto)) == "d49cbf63-d35b-ba54-e1f7-0bdd51528a37"


def test_metadata_and_rule_set_feed_in_confluent_order() -> None:
    """Metadata.updateHash / RuleSet.updateHash / Rule.updateHash: tags, properties, sensitive
    sorted; each rule's fields in declaration order, a disabled rule ends with a byte 1;
    enableAt by its enum name after the rules."""
    metadata = {"tags": {"b": ["y", "x"], "a": ["z"]}, "properties": {"k2": "v2", "k1": "v1"},
                "sensitive": ["s2", "s1"]}
    rule = {"name": "r", "doc": "d", "kind": "condition", "mode": "write", "type": "CEL",
            "tags": ["t2", "t1"], "params": {"p2": "2", "p1": "1"}, "expr": "e",
            "onSuccess": "NONE", "onFailure": "ERROR", "disabled": True}
    rule_set = {"domainRules": [rule], "enableAt": "client"}
    feed = (
        b'"int"' + b"\x01" + b"a" + b"z" + b"b" + b"x" + b"y" + b"k1" + b"v1" + b"k2" + b"v2" + b"s1" + b"s2"
        + b"\x01" + b"r" + b"d" + b"CONDITION" + b"WRITE" + b"CEL" + b"t1" + b"t2" + b"p1" + b"1" + b"p2"
        + b"2" + b"e" + b"NONE" + b"ERROR" + b"\x01" + b"CLIENT"
    )
    assert schema_md5('"int"', contract_parts((), metadata, rule_set)) == hashlib.md5(feed).digest()


def test_registered_guid_with_metadata_and_rules(http: httpx.Client, subject: str) -> None:
    """The GUID a registration answers is Schema.getGuid of what was stored (from
    SchemaValuesTest.testSchemaValueMD5's feed, over HTTP)."""
    rule = {"name": "checkLen", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "size(message.f) > 0"}
    text = '{"type":"record","name":"myrecord","fields":[{"name":"f","type":"string"}]}'
    body = {"schema": text, "metadata": {"properties": {"owner": "team"}}, "ruleSet": {"domainRules": [rule]}}
    r = http.post(f"/subjects/{subject}/versions", json=body)
    assert r.status_code == 200, r.text
    got = http.get(f"/schemas/ids/{r.json()['id']}").json()
    feed = (got["schema"].encode() + b"\x01" + b"owner" + b"team" + b"\x01"
            + b"checkLen" + b"CONDITION" + b"WRITE" + b"CEL" + b"size(message.f) > 0")
    assert got["guid"] == str(uuid.UUID(bytes=hashlib.md5(feed).digest()))
    assert http.get(f"/schemas/guids/{got['guid']}").json()["schema"] == got["schema"]
    assert json.loads(got["schema"])["name"] == "myrecord"
