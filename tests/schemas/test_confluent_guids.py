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


# ---- an empty ``"metadata": {}`` / ``"ruleSet": {}``: present, not absent ----------------------
# Confluent's tests pin no digest for an empty metadata or rule set alone (SchemaValuesTest pins
# them only together with a rule), so these expected MD5s are computed from Schema.updateHash's
# layout: the schema string, then a byte 1 for a non-null Metadata (its empty collections feed
# nothing), then a byte 1 for a non-null RuleSet (its empty lists and null enableAt feed nothing).

EMPTY_MARK = hashlib.md5(RECORD.encode() + b"\x01").digest()
BOTH_MARKS = hashlib.md5(RECORD.encode() + b"\x01\x01").digest()


def test_empty_metadata_or_rule_set_alone_is_one_marker_byte() -> None:
    """from SchemaValuesTest.testSchemaValueMD5's ``new Metadata(null, null, null)``, alone:
    Metadata's constructor makes null collections empty, so ``{}`` and empty members hash alike."""
    assert schema_md5(RECORD, contract_parts((), {}, None)) == EMPTY_MARK
    assert schema_md5(RECORD, contract_parts((), {"tags": {}, "properties": {}, "sensitive": []}, None)) == EMPTY_MARK
    assert schema_md5(RECORD, contract_parts((), None, {})) == EMPTY_MARK
    assert schema_md5(RECORD, contract_parts((), None, {"migrationRules": [], "domainRules": []})) == EMPTY_MARK
    assert schema_md5(RECORD, contract_parts((), {}, {})) == BOTH_MARKS
    assert EMPTY_MARK != schema_md5(RECORD, contract_parts((), None, None)) == hashlib.md5(RECORD.encode()).digest()


def test_empty_contract_merges_as_confluent() -> None:
    """from MergeEntitiesTest.mergeMetadatas (an empty m2 leaves m1's) and Metadata.mergeMetadata /
    RuleSet.mergeRuleSets: only a null side is skipped, so an empty default or specific one makes
    the result present; enableAt is the new one's, else the old."""
    from charter.registry.usecases.contracts import as_stored, effective_contract, merge_metadata, merge_rule_sets

    m1 = {"tags": {"**.ssn": ["PII"]}, "properties": {"key1": "value1"}, "sensitive": ["key1"]}
    assert merge_metadata(m1, {"tags": {}, "properties": {}}) == m1
    assert merge_metadata(None, {}) == {} and merge_metadata({}, None) == {} and merge_metadata({}, {}) == {}
    assert merge_metadata(None, None) is None
    assert merge_rule_sets({}, None) == {} and merge_rule_sets(None, {}) == {}
    assert merge_rule_sets({"enableAt": "CLIENT"}, {}) == {"enableAt": "CLIENT"}
    assert merge_rule_sets({"enableAt": "CLIENT"}, {"enableAt": "SERVER"}) == {"enableAt": "SERVER"}
    # AbstractSchemaRegistry.maybeSetMetadataRuleSet: a given {} is not replaced by the previous version's
    previous = ({"properties": {"a": "b"}}, {"domainRules": [{"name": "r"}]})
    assert effective_contract({}, {}, previous, {}) == ({}, {})
    assert effective_contract(None, None, previous, {}) == previous
    # a config default of {} gives every new version an (empty, marked) metadata
    assert effective_contract(None, None, None, {"defaultMetadata": {}}) == ({}, None)
    # Jackson's NON_EMPTY on Metadata / RuleSet: empty members are not kept, the object is
    assert as_stored({"tags": {}, "properties": {"k": "v"}, "sensitive": []}) == {"properties": {"k": "v"}}
    assert as_stored({"migrationRules": [], "enableAt": None}) == {} and as_stored(None) is None


VALID = '{"type":"record","name":"myrecord","fields":[{"name":"f","type":"string"}]}'  # stored as sent


def _guid(marks: bytes) -> str:
    """The GUID of VALID with these marker bytes after it (Schema.updateHash's layout)."""
    return str(uuid.UUID(bytes=hashlib.md5(VALID.encode() + marks).digest()))


def test_empty_metadata_is_kept_shown_and_hashed(http: httpx.Client, subject: str) -> None:
    """Register with ``"metadata": {}``: stored non-null (Schema.metadata), shown as ``{}``
    (Jackson writes a non-null bean even when NON_EMPTY leaves out all its members), and its GUID
    carries the marker byte, as SchemaValuesTest.testSchemaValueMD5's feed does."""
    r = http.post(f"/subjects/{subject}/versions", json={"schema": VALID, "metadata": {"properties": {}}})
    assert r.status_code == 200, r.text
    reg = r.json()
    assert reg["metadata"] == {} and "ruleSet" not in reg
    assert reg["guid"] == _guid(b"\x01")
    got = http.get(f"/subjects/{subject}/versions/1").json()
    assert got["metadata"] == {} and got["guid"] == reg["guid"]
    assert http.get(f"/schemas/guids/{reg['guid']}").json()["metadata"] == {}
    # KafkaSchemaRegistry.register: without metadata, the latest's {} is inherited, so the same version
    again = http.post(f"/subjects/{subject}/versions", json={"schema": VALID}).json()
    assert (again["id"], again["version"]) == (reg["id"], 1)
    # lookUpSchemaUnderSubject: no exact match, then the latest's metadata filled in finds it
    found = http.post(f"/subjects/{subject}", json={"schema": VALID})
    assert found.status_code == 200 and found.json()["version"] == 1


def test_empty_metadata_or_rule_set_is_a_new_version(http: httpx.Client, subject: str) -> None:
    """Same schema with ``{}`` versus none: a different MD5 (lookupCache) and not
    ParsedSchema.canLookup (``equivalent`` compares Objects.equals(null, Metadata{}): false), so
    Confluent registers a new version with a new id."""
    plain = http.post(f"/subjects/{subject}/versions", json={"schema": VALID}).json()
    assert "metadata" not in plain and plain["guid"] == _guid(b"")
    # the lookup does not find the plain version for {} (and the latest has none to fill in)
    assert http.post(f"/subjects/{subject}", json={"schema": VALID, "ruleSet": {}}).status_code == 404
    ruled = http.post(f"/subjects/{subject}/versions", json={"schema": VALID, "ruleSet": {}}).json()
    assert ruled["version"] == 2 and ruled["id"] != plain["id"] and ruled["ruleSet"] == {}
    assert ruled["guid"] == _guid(b"\x01")
    both = http.post(f"/subjects/{subject}/versions", json={"schema": VALID, "metadata": {}}).json()
    # version 2's {} rule set is inherited (maybeSetMetadataRuleSet), the {} metadata is given
    assert both["version"] == 3 and both["metadata"] == {} and both["ruleSet"] == {}
    assert both["guid"] == _guid(b"\x01\x01")


def test_empty_default_metadata_marks_new_versions(http: httpx.Client, subject: str) -> None:
    """AbstractSchemaRegistry.maybeSetMetadataRuleSet: mergeMetadata(defaultMetadata {}, null) is
    the empty (non-null) default, so a plain schema gets ``"metadata": {}`` and the marked GUID;
    registerOrForward skips its first look-up since Config.hasDefaultsOrOverrides (non-null)."""
    assert http.put(f"/config/{subject}", json={"defaultMetadata": {}}).status_code == 200
    reg = http.post(f"/subjects/{subject}/versions", json={"schema": VALID}).json()
    assert reg["metadata"] == {} and reg["guid"] == _guid(b"\x01")
    assert http.post(f"/subjects/{subject}/versions", json={"schema": VALID}).json()["version"] == 1
