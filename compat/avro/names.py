"""Avro names: validation, splitting full names, qualifying names against a namespace."""

from __future__ import annotations

import re

from charter.compat.model import InvalidSchemaError

_STRICT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Avro Java's Schema.Type names: a named type with one of these simple names is always
# printed with its full name, so it cannot be mistaken for the built-in type.
TYPE_NAMES = frozenset(
    (
        "record",
        "enum",
        "array",
        "map",
        "union",
        "fixed",
        "string",
        "bytes",
        "int",
        "long",
        "float",
        "double",
        "boolean",
        "null",
    )
)


def check_name(name: str, what: str) -> str:
    """Strict check of one simple name (``[A-Za-z_][A-Za-z0-9_]*``)."""
    if _STRICT_NAME.fullmatch(name) is None:
        raise InvalidSchemaError(
            f"Invalid {what} {name!r}: a name must start with [A-Za-z_] and contain only [A-Za-z0-9_]"
        )
    return name


def check_namespace(namespace: str | None, what: str) -> None:
    """Strict check of every dotted component of a namespace (None = the null namespace)."""
    if namespace is None:
        return
    for part in namespace.split("."):
        if _STRICT_NAME.fullmatch(part) is None:
            raise InvalidSchemaError(
                f"Invalid namespace {namespace!r} of {what}: each dot-separated part must start with "
                "[A-Za-z_] and contain only [A-Za-z0-9_]"
            )


def split_name(name: str, namespace: str | None) -> tuple[str, str | None]:
    """Avro Java's ``new Name(name, space)``: a dotted name carries its own namespace; "" means none."""
    dot = name.rfind(".")
    if dot >= 0:
        namespace = name[:dot]
        name = name[dot + 1 :]
    return name, (namespace or None)


def full_name(name: str, namespace: str | None) -> str:
    return f"{namespace}.{name}" if namespace else name


def qualified(name: str, namespace: str | None, current: str | None) -> str:
    """How a name is written where ``current`` is the default namespace (Java ``getQualified``)."""
    if namespace is not None and namespace == current and name not in TYPE_NAMES:
        return name
    return full_name(name, namespace)
