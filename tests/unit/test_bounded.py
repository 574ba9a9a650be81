"""Every cache has a size in bytes (issue 16)."""

from gateway.bounded import BoundedCache


def test_the_oldest_entries_go_when_the_bytes_run_out():
    cache: BoundedCache[str] = BoundedCache(max_entries=100, max_bytes=1000)
    for n in range(30):
        assert cache.put(n, f"v{n}", 90)
    assert cache.bytes <= 1000
    assert cache.get(0) is None and cache.get(29) == "v29"
    assert len(cache) == 1000 // 90


def test_entries_are_bounded_too_and_the_most_recent_use_survives():
    cache: BoundedCache[int] = BoundedCache(max_entries=2, max_bytes=10_000)
    cache.put("a", 1, 1)
    cache.put("b", 2, 1)
    assert cache.get("a") == 1
    cache.put("c", 3, 1)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_an_entry_heavier_than_a_tenth_of_the_table_is_not_kept():
    cache: BoundedCache[str] = BoundedCache(max_entries=10, max_bytes=1000)
    assert not cache.put("big", "x", 101)
    assert cache.get("big") is None and cache.bytes == 0
    assert cache.put("small", "x", 100)


def test_replacing_an_entry_counts_its_bytes_once():
    cache: BoundedCache[str] = BoundedCache(max_entries=10, max_bytes=1000)
    cache.put("k", "x", 50)
    cache.put("k", "y", 70)
    assert cache.bytes == 70 and cache.get("k") == "y"
