"""One log line per kind of failure per interval, with a count: an outage of 20 seconds must
read as a few lines saying what and how often, not as 900 tracebacks."""

from __future__ import annotations

import logging
import time


class ThrottledLog:
    def __init__(self, logger: logging.Logger, interval_seconds: float = 60.0) -> None:
        self.logger = logger
        self.interval = interval_seconds
        self._last: dict[str, float] = {}
        self._missed: dict[str, int] = {}

    def warning(self, kind: str, message: str) -> None:
        """The first of a kind at once; then one line per interval saying how many more."""
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval:
            self._missed[kind] = self._missed.get(kind, 0) + 1
            return
        missed = self._missed.pop(kind, 0)
        self._last[kind] = now
        suffix = f" ({missed} more since the last report)" if missed else ""
        self.logger.warning("%s: %s%s", kind, message, suffix, extra={"fields": {"kind": kind}})
