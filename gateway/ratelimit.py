"""Per-client-address limits on the credential mutations, shared by every instance.

A moving window per address: at most N attempts in any period of the window's length. The
count lives in this process's memory by default, or in Redis (through the ``limits`` library)
so that several gateway processes share one count per address.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from gateway import metrics
from gateway.settings import Settings

log = logging.getLogger("gateway.ratelimit")

NAMESPACE = "credentials"


class _Windows(Protocol):
    async def hit(self, key: str) -> float | None:
        """Count one attempt; the seconds until the next is allowed when over the limit."""


class MemoryWindows:
    """The attempts of the last window per address, in this process.

    The ``limits`` library's in-memory storage hands a task and a worker thread every attempt
    to expire old ones; here an attempt costs a few deque operations on the event loop.
    Addresses silent for a whole window are dropped at the next sweep, so memory follows the
    addresses seen in one window, at most ``amount`` timestamps each.
    """

    def __init__(
        self, amount: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._amount = amount
        self._seconds = seconds
        self._now = clock
        self._attempts: dict[str, deque[float]] = {}
        self._next_sweep = self._now() + seconds

    async def hit(self, key: str) -> float | None:
        now = self._now()
        if now >= self._next_sweep:
            self._sweep(now)
        attempts = self._attempts.setdefault(key, deque())
        horizon = now - self._seconds
        while attempts and attempts[0] <= horizon:
            attempts.popleft()
        if len(attempts) >= self._amount:
            return attempts[0] - horizon
        attempts.append(now)
        return None

    def _sweep(self, now: float) -> None:
        horizon = now - self._seconds
        self._attempts = {k: a for k, a in self._attempts.items() if a and a[-1] > horizon}
        self._next_sweep = now + self._seconds


class SharedWindows:
    """The count in shared storage (Redis), one per address for every gateway process."""

    def __init__(self, item: RateLimitItem, uri: str) -> None:
        try:
            storage = storage_from_string("async+" + uri, implementation="redispy")
        except ConfigurationError as error:
            raise ValueError(f"GATEWAY_RATE_LIMIT_STORAGE: {error}") from None
        self._item = item
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, key: str) -> float | None:
        if await self._limiter.hit(self._item, NAMESPACE, key):
            return None
        stats = await self._limiter.get_window_stats(self._item, NAMESPACE, key)
        return stats.reset_time - time.time()


class AddressRateLimiter:
    def __init__(self, settings: Settings) -> None:
        item = parse(settings.rate_limit_per_ip)
        self._windows: _Windows
        if settings.rate_limit_storage.startswith("memory://"):
            self._windows = MemoryWindows(item.amount, item.get_expiry())
        else:
            self._windows = SharedWindows(item, settings.rate_limit_storage)

    async def retry_after(self, client_address: str | None) -> int | None:
        """Count one attempt; the whole seconds to wait when over the limit, else None.

        When the shared storage does not answer, the attempt is let through and logged:
        the per-account lockout still protects each user code meanwhile.
        """
        try:
            wait = await self._windows.hit(client_address or "unknown")
        except Exception:
            log.exception("rate limit storage unavailable; attempt allowed")
            return None
        if wait is None:
            return None
        metrics.RATE_LIMITED.inc()
        return max(1, math.ceil(wait))
