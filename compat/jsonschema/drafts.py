"""JSON Schema drafts: which one a document uses and validation against its metaschema.

Confluent picks the draft from ``$schema`` (draft-04, -06, -07, 2019-09, 2020-12); an absent or
unknown ``$schema`` means draft 7. The metaschema check uses the ``jsonschema`` package (cached
metaschema validators, one per draft, with the draft's format checker so that a ``pattern``
must be a valid regular expression).
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum
from functools import cache
from typing import Any

import jsonschema
from referencing import Specification
from referencing import jsonschema as specs

from charter.compat.model import InvalidSchemaError


class Draft(IntEnum):
    DRAFT_4 = 4
    DRAFT_6 = 6
    DRAFT_7 = 7
    DRAFT_2019_09 = 2019
    DRAFT_2020_12 = 2020

    @property
    def specification(self) -> Specification[Any]:
        return _SPECIFICATIONS[self]

    @property
    def validator_class(self) -> type[Any]:
        return _VALIDATORS[self]


_SPECIFICATIONS = {
    Draft.DRAFT_4: specs.DRAFT4,
    Draft.DRAFT_6: specs.DRAFT6,
    Draft.DRAFT_7: specs.DRAFT7,
    Draft.DRAFT_2019_09: specs.DRAFT201909,
    Draft.DRAFT_2020_12: specs.DRAFT202012,
}

_VALIDATORS = {
    Draft.DRAFT_4: jsonschema.Draft4Validator,
    Draft.DRAFT_6: jsonschema.Draft6Validator,
    Draft.DRAFT_7: jsonschema.Draft7Validator,
    Draft.DRAFT_2019_09: jsonschema.Draft201909Validator,
    Draft.DRAFT_2020_12: jsonschema.Draft202012Validator,
}

_BY_ID = {
    "json-schema.org/draft-04/schema": Draft.DRAFT_4,
    "json-schema.org/draft-06/schema": Draft.DRAFT_6,
    "json-schema.org/draft-07/schema": Draft.DRAFT_7,
    "json-schema.org/draft/2019-09/schema": Draft.DRAFT_2019_09,
    "json-schema.org/draft/2020-12/schema": Draft.DRAFT_2020_12,
}


def draft_of(document: Any) -> Draft:
    """The draft named by ``$schema`` (http or https, with or without the trailing ``#``);
    draft 7 when absent or unknown."""
    if not isinstance(document, dict):
        return Draft.DRAFT_7
    uri = document.get("$schema")
    if not isinstance(uri, str):
        return Draft.DRAFT_7
    key = uri.strip().rstrip("#")
    for prefix in ("https://", "http://"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return _BY_ID.get(key, Draft.DRAFT_7)


def _is_integer_from(draft: Draft) -> Any:
    def is_integer(checker: Any, instance: Any) -> bool:
        if isinstance(instance, Decimal):  # numbers written with a fraction or an exponent
            return draft is not Draft.DRAFT_4 and instance.is_finite() and instance == instance.to_integral_value()
        return _base_integer(instance)

    return is_integer


def _base_integer(instance: Any) -> bool:
    return jsonschema.Draft7Validator.TYPE_CHECKER.is_type(instance, "integer")


@cache
def _metaschema_validator(draft: Draft) -> Any:
    cls = draft.validator_class
    checker = cls.TYPE_CHECKER.redefine("integer", _is_integer_from(draft))
    extended = jsonschema.validators.extend(cls, type_checker=checker)
    return extended(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)


def json_pointer(parts: Any) -> str:
    """A JSON pointer (``#/properties/age/type``) for a path of keys and indexes."""
    escaped = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return "#/" + "/".join(escaped) if escaped else "#"


def check_metaschema(document: Any, draft: Draft) -> None:
    """Raise :class:`InvalidSchemaError` if ``document`` is not valid under its draft's metaschema."""
    validator = _metaschema_validator(draft)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        raise InvalidSchemaError(
            f"Invalid schema: {error.message} at {json_pointer(error.absolute_path)} "
            f"(not valid under the {draft_name(draft)} metaschema)"
        )


def draft_name(draft: Draft) -> str:
    return {
        Draft.DRAFT_4: "draft-04",
        Draft.DRAFT_6: "draft-06",
        Draft.DRAFT_7: "draft-07",
        Draft.DRAFT_2019_09: "2019-09",
        Draft.DRAFT_2020_12: "2020-12",
    }[draft]
