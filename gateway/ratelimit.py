"""Per-client-address limits on the credential mutations, shared by every instance.

The ``limits`` library counts; its storage is in-process memory by default, or Redis so that
several gateway processes share one count per address.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from ipaddress import ip_address, ip_network

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from gateway import metrics
from gateway.settings import Settings
from gateway.throttled_log import ThrottledLog

_log = ThrottledLog(logging.getLogger("gateway.ratelimit"))

NAMESPACE = "credentials"
RETRY_WHEN_STORAGE_DOWN = 30  # seconds: a client is told to come back, not locked out
BREAKER_FAILURES = 3
BREAKER_OPEN_SECONDS = 5.0
# A Redis that does not answer within this is down as far as an attempt is concerned.
REDIS_TIMEOUT_SECONDS = 0.5
# How often the in-process counts forget attempts older than their window.
SWEEP_SECONDS = 1.0


class PacedMemoryStorage(MemoryStorage):
    """``limits``' in-process storage, sweeping old attempts once a second at most.

    Its own sweep starts again as soon as the last one ended whenever an attempt is counted,
    and hands every address's list to a thread on its own: under a burst of sign-ins that is
    a sweep per attempt, a thread hop per address, without end (7% of the event loop's time
    beside the sign-ins themselves, bench/README.md). A count only reads the entry *limit*
    places back, so entries older than the window cost nothing until swept; a second's worth
    of them is bounded by the limit's own rate.
    """

    def __init__(self, uri: str | None = None) -> None:
        super().__init__(uri)
        self._next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


class AddressRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.item: RateLimitItem = parse(settings.rate_limit_per_ip)
        self.uri = uri = "async+" + settings.rate_limit_storage
        options: dict[str, float | str | bool] = {}
        if not uri.startswith("async+memory"):
            options = {
                "implementation": "redispy",
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            }
        try:
            self.storage = (
                PacedMemoryStorage(uri)
                if uri.startswith("async+memory")
                else storage_from_string(uri, **options)
            )
        except ConfigurationError as error:
            raise ValueError(f"GATEWAY_RATE_LIMIT_STORAGE: {error}") from None
        self.limiter = MovingWindowRateLimiter(self.storage)
        # A circuit breaker: after a few failures in a row, Redis is not asked for a while, so
        # that an outage costs each attempt microseconds instead of a timeout.
        self.failures = 0
        self.open_until = 0.0

    def _refused(self, reason: str) -> int:
        metrics.RATE_LIMIT_STORAGE_DOWN.inc()
        _log.warning("rate limit storage unavailable", f"credential attempt refused ({reason})")
        return RETRY_WHEN_STORAGE_DOWN

    @property
    def shared(self) -> bool:
        """The counts live in Redis (readiness depends on it)."""
        return not self.uri.startswith("async+memory")

    async def storage_answers(self, deadline_seconds: float) -> bool:
        try:
            async with asyncio.timeout(deadline_seconds):
                answer = self.storage.check()
                return bool(await answer if inspect.isawaitable(answer) else answer)
        except Exception:
            return False

    async def retry_after(self, client_address: str | None) -> int | None:
        """Count one attempt; the seconds to wait when over the limit, else None.

        When the shared storage does not answer, the attempt is refused (fails closed): the
        limits are what keeps a guesser from trying many user codes, and a guesser could
        otherwise bring them down by bringing Redis down. The refusal is logged and counted.
        """
        key = address_key(client_address)
        if time.monotonic() < self.open_until:
            return self._refused("the circuit is open after repeated failures")
        try:
            if await self.limiter.hit(self.item, NAMESPACE, key):
                self.failures = 0
                return None
            stats = await self.limiter.get_window_stats(self.item, NAMESPACE, key)
        except Exception as error:
            self.failures += 1
            if self.failures >= BREAKER_FAILURES:
                self.open_until = time.monotonic() + BREAKER_OPEN_SECONDS
            return self._refused(type(error).__name__)
        self.failures = 0
        metrics.RATE_LIMITED.inc()
        return max(1, math.ceil(stats.reset_time - time.time()))


def address_key(client_address: str | None) -> str:
    """IPv4 addresses one by one; IPv6 by /64, the block one subscriber gets, so that a
    guesser cannot step through its own addresses."""
    if client_address is None:
        return "unknown"
    try:
        address = ip_address(client_address)
    except ValueError:
        return client_address
    if address.version == 6:
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)
