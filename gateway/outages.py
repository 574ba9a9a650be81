"""What counts as an outage (the database or a required Redis not answering in time), as
opposed to a bug: clients get 503 with Retry-After and SERVICE_UNAVAILABLE, the log one line
per kind per interval."""

from __future__ import annotations

import logging

from gateway.throttled_log import ThrottledLog
from store.db import is_unavailable

RETRY_AFTER_SECONDS = 5

_log = ThrottledLog(logging.getLogger("gateway.outage"))


def is_outage(error: BaseException | None) -> bool:
    return is_unavailable(error)


def report(error: BaseException) -> None:
    """One line per kind of failure per minute, with how many more there were."""
    root = error
    while root.__cause__ is not None:
        root = root.__cause__
    _log.warning(type(root).__name__, f"the database did not answer: {root}"[:300])
