"""JSON Schema validators for the serdes: compiled once per schema, fast path first.

Each schema (with its references, fetched through the registry client) becomes one check function.
The fast path is ``jsonschema-rs`` (Rust; drafts 4, 6, 7, 2019-09 and 2020-12): it answers
valid/invalid. The ``jsonschema`` library stays the reference: it builds the error message for an
invalid record (so the message is the same as before), and it validates alone whenever
``jsonschema-rs`` cannot compile a schema (``fast_fallbacks`` records why). Both sides use the same
rules: draft 7 when ``$schema`` is absent, references under their reference names, no remote
retrieval, and ``format`` as an annotation (not asserted), as the ``jsonschema`` path always did.
A rejection is always confirmed (and worded) by ``jsonschema``. The one known leniency: jsonschema-rs
takes a Python tuple as a JSON array where ``jsonschema`` does not (the payload is an array either way).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import jsonschema_rs as rs
import orjson

from .errors import RecordValidationError, SerializationError
from .models import Schema
from .serde import referenced_schemas

__all__ = ["Validators", "fast_fallbacks"]

_log = logging.getLogger(__name__)

#: A base URI for the root schema, so relative reference names ("other.json") resolve in jsonschema-rs.
_BASE = "https://charter.invalid/schemas/"

#: Why the last schemas that jsonschema-rs could not compile went to the jsonschema path (newest last).
fast_fallbacks: list[str] = []

Check = Callable[[Any], None]


class Validators:
    """Parses schemas (with references) and compiles one check per schema."""

    def __init__(self, client: Any, fast: bool = True) -> None:
        self._client = client
        self._fast = fast
        self._parsed: dict[Schema, tuple[Any, Check]] = {}

    def get(self, schema: Schema) -> tuple[Any, Check]:
        """The parsed schema and its check (raises RecordValidationError for an invalid value)."""
        found = self._parsed.get(schema)
        if found is None:
            try:
                parsed = orjson.loads(schema.schema_str)
            except Exception as e:
                raise SerializationError(f"invalid JSON schema text: {e}") from e
            resources = [(ref.name, orjson.loads(r.schema_str)) for ref, r in referenced_schemas(self._client, schema)]
            reference = reference_validator(parsed, resources)
            fast = fast_validator(parsed, resources, type(reference).__name__) if self._fast else None
            found = self._parsed[schema] = (parsed, _checker(reference, fast))
        return found


def reference_validator(parsed: Any, resources: list[tuple[str, Any]]) -> Any:
    """The ``jsonschema`` library's validator for a schema (draft 7 unless ``$schema`` says otherwise)."""
    from jsonschema import Draft7Validator
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry: Any = Registry().with_resources(
        (name, Resource.from_contents(contents, default_specification=DRAFT7)) for name, contents in resources)
    cls = validator_for(parsed, default=Draft7Validator)
    return cls(parsed, registry=registry)


def _no_retrieval(uri: str) -> Any:
    raise LookupError(f"{uri} is not among the schema's references")


def fast_validator(parsed: Any, resources: list[tuple[str, Any]], draft: str) -> Any | None:
    """A ``jsonschema-rs`` validator for a schema, or None (reason in ``fast_fallbacks``) if it cannot.

    ``draft`` is the class name of the ``jsonschema`` validator chosen for it (``Draft7Validator``, ...):
    the draft is the one the reference path picked (an unknown ``$schema`` is draft 7 there too)."""
    try:
        cls = getattr(rs, draft, None)
        if cls is None:
            raise LookupError(f"no {draft} in jsonschema-rs")
        registry = rs.Registry([(_absolute(name), contents) for name, contents in resources],
                               draft=rs.Draft7, retriever=_no_retrieval) if resources else None
        return cls(parsed, registry=registry, base_uri=_BASE, validate_formats=False, retriever=_no_retrieval)
    except Exception as e:  # any compile failure means the jsonschema path
        reason = f"jsonschema-rs cannot compile the schema ({type(e).__name__}: {str(e).splitlines()[0]})"
        _log.info("JSON Schema validation falls back to the jsonschema library: %s", reason)
        fast_fallbacks.append(reason)
        del fast_fallbacks[:-20]
        return None


def _absolute(name: str) -> str:
    return name if "://" in name or name.startswith("urn:") else _BASE + name


def _checker(reference: Any, fast: Any | None) -> Check:
    """A function raising RecordValidationError (with the best-matching error) for invalid values.

    A value the fast validator rejects is judged again by the reference validator, which words the
    error; if it finds none (NaN as a number: jsonschema accepts it, jsonschema-rs does not), the
    value passes, so rejection is always the jsonschema library's verdict."""
    slow_is_valid = reference.is_valid
    if fast is None:
        is_valid = slow_is_valid
    else:
        fast_is_valid = fast.is_valid

        def is_valid(value: Any) -> bool:
            try:
                return fast_is_valid(value)
            except Exception:  # a value jsonschema-rs cannot read (a Decimal, a non-string key, ...)
                return slow_is_valid(value)

    def check(value: Any) -> None:
        if not is_valid(value):
            from jsonschema.exceptions import best_match

            error = best_match(reference.iter_errors(value))
            if error is None:
                return
            where = "/".join(str(p) for p in error.absolute_path)
            raise RecordValidationError(f"record does not match the JSON schema at '{where}': {error.message}")

    return check
