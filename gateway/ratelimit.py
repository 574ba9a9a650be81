"""Per-client-address limits on the credential mutations, shared by every instance.

The ``limits`` library counts; its storage is in-process memory by default, or Redis so that
several gateway processes share one count per address.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from gateway import metrics
from gateway.settings import Settings

log = logging.getLogger("gateway.ratelimit")

NAMESPACE = "credentials"


class AddressRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.item: RateLimitItem = parse(settings.rate_limit_per_ip)
        uri = "async+" + settings.rate_limit_storage
        options = {} if uri.startswith("async+memory") else {"implementation": "redispy"}
        try:
            self.storage = storage_from_string(uri, **options)
        except ConfigurationError as error:
            raise ValueError(f"GATEWAY_RATE_LIMIT_STORAGE: {error}") from None
        self.limiter = MovingWindowRateLimiter(self.storage)

    async def retry_after(self, client_address: str | None) -> int | None:
        """Count one attempt; the seconds to wait when over the limit, else None.

        When the shared storage does not answer, the attempt is let through and logged:
        the per-account lockout still protects each user code meanwhile.
        """
        key = client_address or "unknown"
        try:
            if await self.limiter.hit(self.item, NAMESPACE, key):
                return None
            stats = await self.limiter.get_window_stats(self.item, NAMESPACE, key)
        except Exception:
            log.exception("rate limit storage unavailable; attempt allowed")
            return None
        metrics.RATE_LIMITED.inc()
        return max(1, math.ceil(stats.reset_time - time.time()))
