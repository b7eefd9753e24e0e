"""The compatibility-rule catalogue (charter.compat.rules) names every incompatibility the three
formats report, findings carry their rule, ``charter rules`` lists it and the docs page is the
generated table."""

from __future__ import annotations

import json
import re

import pytest
from support.paths import ROOT

from charter.cli.main import main
from charter.compat.avro.resolution import _DESCRIPTIONS as AVRO_TYPES
from charter.compat.formats import get_format
from charter.compat.jsonschema.differences import _FAMILY as JSON_TYPES
from charter.compat.jsonschema.differences import COMPATIBLE_STRICT, LENIENT_EXTRA
from charter.compat.model import SchemaType
from charter.compat.protobuf.diff import INCOMPATIBLE as PROTOBUF_TYPES
from charter.compat.rules import RULES, Category, hint_for, markdown_table, rule_for, rules_for


@pytest.mark.parametrize(("schema_type", "reported"), [
    (SchemaType.AVRO, set(AVRO_TYPES) | {"UNEXPECTED"}),
    (SchemaType.PROTOBUF, set(PROTOBUF_TYPES)),
    (SchemaType.JSON, set(JSON_TYPES) | {"UNSUPPORTED_REFERENCE"}),
])
def test_every_reported_type_is_a_rule_of_its_format(schema_type: SchemaType, reported: set[str]) -> None:
    listed = {r.id for r in rules_for(schema_type)} - {"DIFFERENT_SCHEMA_TYPE"}
    assert listed == reported


def test_rules_have_an_id_category_summary_and_hint() -> None:
    assert not set(JSON_TYPES) & COMPATIBLE_STRICT  # every JSON type with a message is a STRICT break
    for rule in RULES.values():
        assert re.fullmatch(r"[A-Z][A-Z_]+", rule.id) and isinstance(rule.category, Category)
        assert rule.formats and rule.summary and rule.hint
    assert {r.id for r in RULES.values() if r.lenient} == set(LENIENT_EXTRA)


def test_hints_fill_the_field_number_and_know_the_direction() -> None:
    assert hint_for("FIELD_KIND_CHANGED", "backward", "3").startswith("keep field number 3's type")
    assert "do not remove a field" in hint_for("READER_FIELD_MISSING_DEFAULT_VALUE", "forward")
    assert "new subject" in hint_for("NO_SUCH_RULE")
    assert rule_for("NO_SUCH_RULE") is None


def _record(*fields: str) -> str:
    return json.dumps({"type": "record", "name": "User", "fields": [{"name": f, "type": "int"} for f in fields]})


def test_findings_carry_their_rule_and_keep_confluents_text() -> None:
    avro = get_format("AVRO")
    found = avro.parse(_record("id", "age"), {}).incompatibilities(avro.parse(_record("id"), {}))
    assert [(i.rule.id if i.rule else None, i.category) for i in found] == [
        ("READER_FIELD_MISSING_DEFAULT_VALUE", "field")]
    assert found[0].render("new", "old").startswith("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', "
                                                    "description:'The field 'age' at path '/fields/1' in the new")
    proto = get_format("PROTOBUF")
    old = proto.parse('syntax = "proto3"; message M { int32 id = 1; }', {})
    new = proto.parse('syntax = "proto3"; message M { string id = 1; }', {})
    assert [(i.error_type, i.category) for i in new.incompatibilities(old)] == [("FIELD_SCALAR_KIND_CHANGED", "type")]
    js = get_format("JSON")
    closed = '{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}'
    found = js.parse('{"type": "object", "additionalProperties": false}', {}).incompatibilities(js.parse(closed, {}))
    assert [(i.error_type, i.category) for i in found] == [("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                                                           "content model")]


def test_charter_rules_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--type", "protobuf", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in listed} == {r.id for r in rules_for(SchemaType.PROTOBUF)}
    assert main(["rules"]) == 0
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in capsys.readouterr().out
    assert main(["rules", "--type", "XML"]) == 2


def test_docs_page_is_the_generated_table() -> None:
    page = (ROOT / "docs" / "compatibility-rules.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", page, re.S)
    assert found is not None, "docs/compatibility-rules.md has no generated rules table"
    assert found.group(1) == markdown_table(), (
        "docs/compatibility-rules.md differs from the rule catalogue: regenerate the table with "
        "`charter rules --format markdown`")
