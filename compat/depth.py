"""The one nesting limit every schema format is held to, and the checks that apply it.

A schema may nest ``MAX_DEPTH`` levels deep: Avro types within types, JSON Schema subschemas and
``$ref`` chains, Protobuf messages reached through message-typed fields, and references between
registered schemas. 64 is far beyond any schema written by hand or generated from a data model,
and low enough that every operation on an accepted schema (compatibility, tags, printing, the
console's outline) stays well inside Python's recursion limit. JSON text may nest
``JSON_LEVELS_PER_DEPTH`` times as deep: one Avro record level is four JSON levels (the record
object, its ``fields`` list, a field object, its ``type``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from charter.compat.model import InvalidSchemaError

MAX_DEPTH = 64
JSON_LEVELS_PER_DEPTH = 4
MAX_JSON_DEPTH = MAX_DEPTH * JSON_LEVELS_PER_DEPTH


def too_deep(what: str, limit: int = MAX_DEPTH) -> InvalidSchemaError:
    """The refusal for ``what`` (``"the schema's types"``) nested deeper than ``limit`` levels."""
    return InvalidSchemaError(
        f"Invalid schema: {what} nested deeper than {limit} levels; flatten it (name the inner "
        "parts and refer to them) or split it into referenced schemas"
    )


def json_depth(value: Any, stop: int = MAX_JSON_DEPTH) -> int:
    """How deep ``value`` (decoded JSON) nests objects and lists, counted without recursion; stops
    counting past ``stop``."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > stop:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


def check_json_depth(value: Any) -> Any:
    """``value`` unchanged, or :class:`InvalidSchemaError` when it nests deeper than MAX_JSON_DEPTH."""
    if json_depth(value) > MAX_JSON_DEPTH:
        raise too_deep("the JSON text is", MAX_JSON_DEPTH)
    return value


def graph_depth(
    root: Any, children: Callable[[Any], Iterable[Any]], stop: int = MAX_DEPTH, key: Callable[[Any], Any] = id
) -> int:
    """The longest chain of nodes from ``root`` through ``children`` (a node counts 1), computed
    without recursion; an edge back to a node on the current chain (a recursive type) adds
    nothing. Nodes are told apart by ``key`` (identity by default). Stops counting once a chain
    is longer than ``stop``."""
    depth: dict[Any, int] = {}
    on_chain: set[Any] = set()
    stack: list[tuple[Any, Iterator[Any]]] = [(root, iter(children(root)))]
    on_chain.add(key(root))
    while stack:
        node, pending = stack[-1]
        child = next(pending, _DONE)
        if child is _DONE:
            stack.pop()
            on_chain.discard(key(node))
            below = [depth.get(key(c), 0) for c in children(node) if key(c) not in on_chain]
            depth[key(node)] = 1 + max(below, default=0)
            if depth[key(node)] > stop:
                return depth[key(node)]
            continue
        if key(child) in depth or key(child) in on_chain:
            continue
        if len(stack) > stop:
            return len(stack) + 1
        on_chain.add(key(child))
        stack.append((child, iter(children(child))))
    return depth[key(root)]


_DONE = object()
