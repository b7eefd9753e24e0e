"""Confluent error bodies are written in one place (registry/api/errors.py), and HTTP statuses are
derived there from the error codes; domain errors carry no HTTP status."""

from __future__ import annotations

import ast
import inspect

import pytest
from support.paths import ROOT

from charter.registry import errors
from charter.registry.api import http
from charter.registry.api.errors import status_of

RENDERER = ROOT / "registry" / "api" / "errors.py"


def test_only_the_renderer_writes_an_error_body() -> None:
    """A string literal ``"error_code"`` (a body's key) appears in server code only in the renderer."""
    writers = []
    for path in sorted((ROOT / "registry").rglob("*.py")):
        if path == RENDERER:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and node.value in ("error_code", b"error_code"):
                writers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert writers == []


def test_registry_errors_carry_no_http_status() -> None:
    assert list(inspect.signature(errors.RegistryError).parameters) == ["error_code", "message"]
    assert not hasattr(errors.subject_not_found("s"), "http_status")


@pytest.mark.parametrize("error,status", [
    (errors.subject_not_found("s"), 404), (errors.version_not_found(1), 404), (errors.guid_not_found("x"), 404),
    (errors.association_not_found("m"), 404), (errors.incompatible_schema("s", []), 409),
    (errors.association_exists("m"), 409), (errors.association_frozen("m"), 409),
    (errors.invalid_schema("m"), 422), (errors.invalid_version("x"), 422), (errors.invalid_mode("x"), 422),
    (errors.invalid_association("m"), 422), (errors.invalid_rule_set("m"), 422),
    (errors.schema_too_large(2, 1), 422), (errors.store_error("m"), 500), (errors.operation_timed_out("m"), 500),
    (errors.unknown_leader("m"), 500), (errors.bad_request("m"), 400), (errors.RegistryError(404, "m"), 404),
    (http.http_status(405), 405), (http.not_acceptable(), 406), (http.unsupported_media_type(), 415),
    (http.request_too_large(1), 413), (http.json_mapping("m"), 400), (http.http_not_found(), 404),
])
def test_statuses_come_from_the_error_codes(error: errors.RegistryError, status: int) -> None:
    assert status_of(error) == status


def test_the_guid_refusal_is_built_once() -> None:
    assert errors.guid_not_found("6a3d6ded-71f4-c1c1-1334-4889ba1ec982").message == (
        "Schema 6a3d6ded-71f4-c1c1-1334-4889ba1ec982 not found")
    assert "a GUID is a UUID" in errors.guid_not_found("nope").message
    # One use case raises it; the API and the console both ask that use case.
    assert "guid_not_found(" in (ROOT / "registry" / "usecases" / "reads.py").read_text()
    for module in ("api/schemas.py", "ui/routes.py"):
        text = (ROOT / "registry" / module).read_text()
        assert "reads.schema_by_guid(" in text and "guid_not_found" not in text, module


def test_an_error_body_reads_back_as_the_error_it_carries() -> None:
    from charter.registry.api.errors import body, read_body

    error = errors.invalid_schema("bad")
    again = read_body(status_of(error), body(error))
    assert (again.error_code, again.message) == (error.error_code, error.message)
    garbled = read_body(502, b"<html>Bad Gateway</html>")
    assert garbled.error_code == 502 and "502" in garbled.message
