"""The in-process moving window behind the per-address limit on credential mutations."""

from __future__ import annotations

from gateway.ratelimit import AddressRateLimiter, MemoryWindows
from gateway.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_attempt_past_the_limit_waits_for_the_oldest_to_leave_the_window():
    clock = Clock()
    windows = MemoryWindows(3, 60, clock)
    for step in (0, 10, 20):
        clock.now = 1000 + step
        assert await windows.hit("203.0.113.7") is None
    clock.now = 1030
    assert await windows.hit("203.0.113.7") == 30
    clock.now = 1059.5
    assert await windows.hit("203.0.113.7") == 0.5
    clock.now = 1060
    assert await windows.hit("203.0.113.7") is None
    assert await windows.hit("203.0.113.7") == 10


async def test_refused_attempts_do_not_extend_the_wait():
    clock = Clock()
    windows = MemoryWindows(1, 60, clock)
    assert await windows.hit("203.0.113.7") is None
    for step in range(1, 60):
        clock.now = 1000 + step
        assert await windows.hit("203.0.113.7") == 60 - step
    clock.now = 1060
    assert await windows.hit("203.0.113.7") is None


async def test_each_address_has_its_own_window():
    clock = Clock()
    windows = MemoryWindows(1, 60, clock)
    assert await windows.hit("203.0.113.7") is None
    assert await windows.hit("198.51.100.1") is None
    assert await windows.hit("203.0.113.7") == 60
    clock.now = 1200
    assert await windows.hit("198.51.100.1") is None
    assert await windows.hit("203.0.113.7") is None


async def test_the_limiter_answers_whole_seconds_from_the_configured_rate():
    limiter = AddressRateLimiter(Settings(rate_limit_per_ip="2 per second"))
    assert await limiter.retry_after("203.0.113.7") is None
    assert await limiter.retry_after("203.0.113.7") is None
    assert await limiter.retry_after("203.0.113.7") == 1
    assert await limiter.retry_after(None) is None
