"""The parse caches are bounded by the size of the texts they parsed, not only by their count
(registry/usecases/parsing.py ParsedCache): a parsed schema takes about 13 times its text, so 2,000
large schemas must not stay in memory; the newest entry is kept even when it alone is too big."""

from __future__ import annotations

from charter.registry.usecases.parsing import ParsedCache


def test_entries_are_evicted_by_weight_oldest_first() -> None:
    cache = ParsedCache(capacity=100, max_weight=1000)
    for i in range(10):
        assert cache.get_or_make(i, lambda i=i: f"parsed {i}", weight=300) == f"parsed {i}"
    assert len(cache) == 3 and cache.weight == 900
    assert cache.get(6) is None and cache.get(9) == "parsed 9"
    cache.get(7)  # used: now the newest but one
    cache.get_or_make("big", lambda: "big", weight=5000)  # alone above the budget: kept, the rest go
    assert len(cache) == 1 and cache.get("big") == "big" and cache.get(7) is None


def test_count_still_bounds_and_clear_resets_the_weight() -> None:
    cache = ParsedCache(capacity=2, max_weight=10**9)
    for i in range(5):
        cache.get_or_make(i, lambda i=i: i + 1, weight=10)
    assert len(cache) == 2 and cache.weight == 20 and cache.get(4) == 5
    cache.clear()
    assert len(cache) == 0 and cache.weight == 0
    unbounded = ParsedCache(capacity=3)  # no budget: as before, count only
    for i in range(3):
        unbounded.get_or_make(i, lambda: "x", weight=10**12)
    assert len(unbounded) == 3
