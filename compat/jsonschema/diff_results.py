"""Bookkeeping for the diff: results with relative paths, and the accumulator that builds them.

A :class:`Result` holds the differences found below one pair of nodes, each with a path
relative to that pair (a tuple of segments such as ``("properties/age", "maxLength")``), and
``bad``: whether any of them is incompatible under the policy (or the pair is known to be
incompatible through a cycle). Relative paths let a memoised pair be reused wherever it is met.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

Path = tuple[str, ...]


class Result:
    __slots__ = ("bad", "diffs")

    def __init__(self, diffs: list[tuple[str, Path]], bad: bool) -> None:
        self.diffs = diffs
        self.bad = bad


class Acc:
    """Collects differences for one pair of nodes under a compatible set."""

    __slots__ = ("bad", "compatible", "diffs")

    def __init__(self, compatible: frozenset[str]) -> None:
        self.compatible = compatible
        self.diffs: list[tuple[str, Path]] = []
        self.bad = False

    def add(self, type_: str, *path: str) -> None:
        self.diffs.append((type_, path))
        if type_ not in self.compatible:
            self.bad = True

    def merge(self, result: Result, *path: str) -> None:
        if path:
            self.diffs.extend((t, path + p) for t, p in result.diffs)
        else:
            self.diffs.extend(result.diffs)
        self.bad = self.bad or result.bad

    def result(self) -> Result:
        return Result(self.diffs, self.bad)


def path_text(path: Path) -> str:
    """Confluent's path text: ``#/`` then the segments joined by ``/`` (the root is ``#/``)."""
    return "#/" + "/".join(path)


@lru_cache(maxsize=65536)
def _java_hash(text: str) -> int:
    h = 0
    data = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h ^ (h >> 16)


def java_hash_order(first: Iterable[str], second: Iterable[str] = ()) -> list[str]:
    """The iteration order of Java's ``new HashSet<>(first); addAll(second)`` for string keys.

    Confluent walks property and dependency names this way, so the order of its messages
    follows Java's string hashes (bucket index, then insertion order within a bucket).
    """
    keys = list(dict.fromkeys(first))
    initial = len(keys)
    keys = list(dict.fromkeys([*keys, *second]))
    capacity = 1
    wanted = max(int(initial / 0.75) + 1, 16)
    while capacity < wanted:
        capacity *= 2
    while len(keys) > int(capacity * 0.75):
        capacity *= 2
    mask = capacity - 1
    position = {k: i for i, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (_java_hash(k) & mask, position[k]))


def bound(acc: Acc, keyword: str, name: str, original: float | None, update: float | None) -> None:
    """A numeric limit: ``<NAME>_ADDED``/``_REMOVED``/``_INCREASED``/``_DECREASED`` at the keyword."""
    if original == update:
        return
    if original is None:
        acc.add(f"{name}_ADDED", keyword)
    elif update is None:
        acc.add(f"{name}_REMOVED", keyword)
    elif original < update:
        acc.add(f"{name}_INCREASED", keyword)
    elif original > update:
        acc.add(f"{name}_DECREASED", keyword)
