"""The JSON Schema serdes' fast validator (jsonschema-rs) agrees with the jsonschema library.

For schemas across drafts 4, 6, 7, 2019-09 and 2020-12 (and none declared, which is draft 7), with
references between registered schemas, every document is valid under one exactly when it is valid
under the other; an invalid record is the same RecordValidationError (a SerializationError) with the
message the jsonschema path builds; a schema jsonschema-rs cannot compile falls back, and says so.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from charter.clients import RecordValidationError, SerializationError
from charter.clients.json_schema import JSONDeserializer, JSONSerializer
from charter.clients.json_validators import Validators, fast_fallbacks
from charter.clients.models import RegisteredSchema, Schema, SchemaReference
from charter.clients.serialization import MessageField, SerializationContext

ADDRESS = {"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"},
                                            "city": {"$ref": "city.json"}}, "required": ["zip"]}
CITY = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "string", "minLength": 2}
REFS = {"address": ("address.json", ADDRESS), "city": ("city.json", CITY)}


class Stub:
    """The client calls made here: a referenced schema by subject and version, a schema by id."""

    def get_version(self, subject: str, version: int, deleted: bool = False, fmt: str | None = None) -> Any:
        _, body = REFS[subject]
        refs = (SchemaReference("city.json", "city", 1),) if subject == "address" else ()
        return RegisteredSchema(1, Schema(json.dumps(body), "JSON", refs), subject, version)

    def get_schema(self, schema_id: int, subject: str | None = None, fmt: str | None = None) -> Schema:
        return schema_for("draft-07")


def person(draft: str | None) -> dict:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 8},
            "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 150},
            "email": {"type": "string", "format": "email"},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "home": {"$ref": "address.json"},
            "kind": {"enum": ["a", "b"]},
        },
        "required": ["name"],
        "additionalProperties": False,
    }
    if draft == "draft-04":
        schema["properties"]["age"] = {"type": "integer", "minimum": 0, "maximum": 150, "exclusiveMaximum": True}
    if draft is not None:
        schema["$schema"] = {"draft-04": "http://json-schema.org/draft-04/schema#",
                             "draft-06": "http://json-schema.org/draft-06/schema#",
                             "draft-07": "http://json-schema.org/draft-07/schema#",
                             "2019-09": "https://json-schema.org/draft/2019-09/schema",
                             "2020-12": "https://json-schema.org/draft/2020-12/schema"}[draft]
    if draft in ("2019-09", "2020-12"):
        schema["properties"]["code"] = {"type": "string", "dependentRequired": {}}
        schema["dependentRequired"] = {"kind": ["tags"]}
    return schema


DOCS = [
    {"name": "ann"},
    {"name": "ann", "age": 3, "email": "not an email", "tags": ["x", "y"], "kind": "a"},
    {"name": "ann", "home": {"zip": "12345", "city": "Rome"}},
    {"name": "ann", "kind": "a", "tags": []},
    {"name": "ann", "kind": "a"},
    {"name": "ann", "home": {"zip": "1234"}},
    {"name": "ann", "home": {"zip": "12345", "city": "R"}},
    {"name": "ann", "home": {"city": "Rome"}},
    {"name": "annabelle-too-long"},
    {"name": "ann", "age": 150},
    {"name": "ann", "age": -1},
    {"name": "ann", "age": 1.5},
    {"name": "ann", "tags": ["x", "x"]},
    {"name": "ann", "kind": "c"},
    {"name": "ann", "other": 1},
    {"age": 3},
    [],
    "ann",
    None,
]
DRAFTS = [None, "draft-04", "draft-06", "draft-07", "2019-09", "2020-12"]


def schema_for(draft: str | None) -> Schema:
    refs = (SchemaReference("address.json", "address", 1),)
    return Schema(json.dumps(person(draft)), "JSON", refs)


@pytest.mark.parametrize("draft", DRAFTS)
def test_fast_and_reference_paths_agree(draft: str | None) -> None:
    before = len(fast_fallbacks)
    fast = Validators(Stub()).get(schema_for(draft))[1]
    slow = Validators(Stub(), fast=False).get(schema_for(draft))[1]
    assert len(fast_fallbacks) == before, fast_fallbacks[before:]  # compiled by jsonschema-rs
    verdicts = []
    for doc in DOCS:
        outcomes = []
        for check in (fast, slow):
            try:
                check(doc)
                outcomes.append("valid")
            except RecordValidationError as e:
                outcomes.append(str(e))
        assert outcomes[0] == outcomes[1], (draft, doc)
        verdicts.append(outcomes[0] == "valid")
    assert verdicts[:3] == [True, True, True]
    assert not any(verdicts[5:])
    assert verdicts[3] is True and verdicts[4] is (draft not in ("2019-09", "2020-12"))


def test_invalid_record_is_the_same_serialization_error() -> None:
    ctx = SerializationContext("t", MessageField.VALUE)
    ser = JSONSerializer(schema_for("draft-07"), Stub(), conf={"use.schema.id": 7, "auto.register.schemas": False,
                                                                "subject.name.strategy": "topic"})
    framed = ser({"name": "ann", "home": {"zip": "12345"}}, ctx)
    assert framed == b'\x00\x00\x00\x00\x07{"name":"ann","home":{"zip":"12345"}}'
    with pytest.raises(SerializationError) as caught:
        ser({"name": "ann", "home": {"zip": "1"}}, ctx)
    assert isinstance(caught.value, RecordValidationError)
    assert str(caught.value) == "record does not match the JSON schema at 'home/zip': '1' does not match '^[0-9]{5}$'"


def test_deserializer_rejects_an_invalid_payload() -> None:
    de = JSONDeserializer(json.dumps({"type": "object", "required": ["a"]}))
    ctx = SerializationContext("t", MessageField.VALUE)
    assert de(b"\x00\x00\x00\x00\x01" + b'{"a":1}', ctx) == {"a": 1}
    with pytest.raises(RecordValidationError, match="'a' is a required property"):
        de(b"\x00\x00\x00\x00\x01{}", ctx)


def test_a_schema_jsonschema_rs_cannot_compile_falls_back() -> None:
    before = len(fast_fallbacks)
    check = Validators(Stub()).get(Schema(json.dumps({"$ref": "missing.json"}), "JSON"))[1]
    assert len(fast_fallbacks) == before + 1 and "missing.json" in fast_fallbacks[-1]
    with pytest.raises(Exception, match=r"missing\.json"):
        check({})


@pytest.mark.parametrize("doc", [float("nan"), 2**70, -(2**70), True, 1.0, {"a": 1}, "x", [1, 1.0]])
@pytest.mark.parametrize("kind", ["integer", "number", "array", "object", "string"])
def test_python_edge_values_agree(kind: str, doc: Any) -> None:
    schema = Schema(json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": kind}), "JSON")
    outcomes = []
    for fast in (True, False):
        try:
            Validators(None, fast=fast).get(schema)[1](doc)
            outcomes.append(True)
        except RecordValidationError:
            outcomes.append(False)
    assert outcomes[0] == outcomes[1]


def test_a_tuple_is_an_array_on_the_fast_path_only() -> None:
    """The documented leniency: jsonschema-rs reads a tuple as an array (orjson writes it as one)."""
    schema = Schema(json.dumps({"type": "array"}), "JSON")
    Validators(None).get(schema)[1]((1, 2))
    with pytest.raises(RecordValidationError):
        Validators(None, fast=False).get(schema)[1]((1, 2))
