"""Confluent's JSON Schema difference types, which are compatible, and their descriptions.

compat-rules §3.4/§3.5: a difference type is compatible under STRICT when it is in
:data:`COMPATIBLE_STRICT`; LENIENT adds :data:`LENIENT_EXTRA` (the open-content-model relief).
Each incompatible type has a message family (a letter) whose text has two slots, filled with
the reader and writer words (``new``/``old``).
"""

from __future__ import annotations

from dataclasses import dataclass

from charter.compat.model import Incompatibility

_BOUNDS_UPPER = ("MAX_LENGTH", "MAXIMUM", "EXCLUSIVE_MAXIMUM", "MAX_PROPERTIES", "MAX_ITEMS", "MAX_CONTAINS")
_BOUNDS_LOWER = ("MIN_LENGTH", "MINIMUM", "EXCLUSIVE_MINIMUM", "MIN_PROPERTIES", "MIN_ITEMS", "MIN_CONTAINS")
_COVERED = "COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"

COMPATIBLE_STRICT = frozenset(
    {
        "ID_CHANGED",
        "DESCRIPTION_CHANGED",
        "TITLE_CHANGED",
        "DEFAULT_CHANGED",
        "SCHEMA_REMOVED",
        "TYPE_EXTENDED",
        *(f"{b}_{s}" for b in _BOUNDS_UPPER for s in ("REMOVED", "INCREASED")),
        *(f"{b}_{s}" for b in _BOUNDS_LOWER for s in ("REMOVED", "DECREASED")),
        "PATTERN_REMOVED",
        "MULTIPLE_OF_REMOVED",
        "MULTIPLE_OF_REDUCED",
        "UNIQUE_ITEMS_REMOVED",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "REQUIRED_ATTRIBUTE_REMOVED",
        "ADDITIONAL_PROPERTIES_ADDED",
        "ADDITIONAL_PROPERTIES_EXTENDED",
        "UNEVALUATED_PROPERTIES_ADDED",
        "UNEVALUATED_PROPERTIES_EXTENDED",
        "ADDITIONAL_ITEMS_ADDED",
        "ADDITIONAL_ITEMS_EXTENDED",
        "UNEVALUATED_ITEMS_ADDED",
        "UNEVALUATED_ITEMS_EXTENDED",
        "DEPENDENCY_ARRAY_REMOVED",
        "DEPENDENCY_ARRAY_NARROWED",
        "DEPENDENCY_SCHEMA_REMOVED",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        f"PROPERTY_ADDED_IS_{_COVERED}",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        f"PROPERTY_REMOVED_IS_{_COVERED}",
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        f"ITEM_ADDED_IS_{_COVERED}",
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        f"ITEM_REMOVED_IS_{_COVERED}",
        "ENUM_ARRAY_EXTENDED",
        "COMBINED_TYPE_EXTENDED",
        "SUM_TYPE_EXTENDED",
        "PRODUCT_TYPE_NARROWED",
        "NOT_TYPE_NARROWED",
    }
)

LENIENT_EXTRA = frozenset(
    {
        "ADDITIONAL_PROPERTIES_REMOVED",
        "ADDITIONAL_PROPERTIES_NARROWED",
        "UNEVALUATED_PROPERTIES_REMOVED",
        "UNEVALUATED_PROPERTIES_NARROWED",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        f"PROPERTY_ADDED_NOT_{_COVERED}",
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        f"PROPERTY_REMOVED_NOT_{_COVERED}",
    }
)

COMPATIBLE_LENIENT = COMPATIBLE_STRICT | LENIENT_EXTRA


def compatible_changes(policy: str | None) -> frozenset[str]:
    """The compatible set for Confluent's ``compatibilityPolicy`` (LOGICAL and unknown = STRICT)."""
    return COMPATIBLE_LENIENT if (policy or "").strip().upper() == "LENIENT" else COMPATIBLE_STRICT


_FAMILY: dict[str, str] = {
    "SCHEMA_ADDED": "e",
    "TYPE_CHANGED": "t",
    "TYPE_NARROWED": "t",
    **{f"{b}_ADDED": "k" for b in (*_BOUNDS_UPPER, *_BOUNDS_LOWER)},
    **{f"{b}_DECREASED": "d" for b in _BOUNDS_UPPER},
    **{f"{b}_INCREASED": "i" for b in _BOUNDS_LOWER},
    "PATTERN_ADDED": "k",
    "PATTERN_CHANGED": "v",
    "MULTIPLE_OF_ADDED": "k",
    "MULTIPLE_OF_EXPANDED": "i",
    "MULTIPLE_OF_CHANGED": "v",
    "UNIQUE_ITEMS_ADDED": "k",
    "REQUIRED_ATTRIBUTE_ADDED": "k",
    "ADDITIONAL_PROPERTIES_REMOVED": "k",
    "ADDITIONAL_PROPERTIES_NARROWED": "n",
    "UNEVALUATED_PROPERTIES_REMOVED": "k",
    "UNEVALUATED_PROPERTIES_NARROWED": "n",
    "ADDITIONAL_ITEMS_REMOVED": "k",
    "ADDITIONAL_ITEMS_NARROWED": "n",
    "UNEVALUATED_ITEMS_REMOVED": "k",
    "UNEVALUATED_ITEMS_NARROWED": "n",
    "DEPENDENCY_ARRAY_ADDED": "k",
    "DEPENDENCY_ARRAY_EXTENDED": "x",
    "DEPENDENCY_ARRAY_CHANGED": "v",
    "DEPENDENCY_SCHEMA_ADDED": "k",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL": "o",
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": "o",
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": "o",
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": "u",
    f"PROPERTY_ADDED_NOT_{_COVERED}": "a",
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": "c",
    f"PROPERTY_REMOVED_NOT_{_COVERED}": "r",
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL": "o",
    f"ITEM_ADDED_NOT_{_COVERED}": "a",
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL": "c",
    f"ITEM_REMOVED_NOT_{_COVERED}": "r",
    "ENUM_ARRAY_NARROWED": "n",
    "ENUM_ARRAY_CHANGED": "t",
    "COMBINED_TYPE_CHANGED": "t",
    "PRODUCT_TYPE_EXTENDED": "x",
    "SUM_TYPE_NARROWED": "n",
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED": "t",
    "NOT_TYPE_EXTENDED": "x",
}

_TEXTS = {
    "k": "The keyword at path '{p}' in the {reader} schema is not present in the {writer} schema",
    "i": "The value at path '{p}' in the {reader} schema is more than its value in the {writer} schema",
    "d": "The value at path '{p}' in the {reader} schema is less than its value in the {writer} schema",
    "v": "The value at path '{p}' is different between the {reader} and {writer} schema",
    "n": "An array or combined type at path '{p}' has fewer elements in the {reader} schema than the {writer} schema",
    "x": "An array or combined type at path '{p}' has more elements in the {reader} schema than the {writer} schema",
    "t": "A type at path '{p}' is different between the {reader} schema and the {writer} schema",
    "o": (
        "The {reader} schema has an open content model and has a property or item at path '{p}' "
        "which is missing in the {writer} schema"
    ),
    "u": (
        "The {reader} schema has an unopen content model and has a required property at path '{p}' "
        "which is missing in the {writer} schema"
    ),
    "c": (
        "The {reader} has a closed content model and is missing a property or item present at path '{p}' "
        "in the {writer} schema"
    ),
    "r": (
        "A property or item is missing in the {reader} schema but present at path '{p}' in the {writer} schema "
        "and is not covered by its partially open content model"
    ),
    "a": (
        "The {reader} schema has a property or item at path '{p}' which is missing in the {writer} schema "
        "and is not covered by its partially open content model"
    ),
    "e": "",
}


@dataclass(frozen=True)
class Difference:
    """One difference from the original (writer) to the update (reader) schema."""

    type: str
    path: str  # "#/properties/age"

    def description_template(self) -> str:
        """The description with ``{reader}``/``{writer}`` slots and the path filled in."""
        text = _TEXTS[_FAMILY.get(self.type, "e")]
        escaped = self.path.replace("{", "{{").replace("}", "}}")
        return text.replace("{p}", escaped)

    def to_incompatibility(self) -> Incompatibility:
        return Incompatibility(self.type, self.path, self.description_template(), None, style="json")
