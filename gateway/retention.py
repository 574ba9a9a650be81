"""What the database forgets, and when (issue 20): attempt counts past their window and lock,
sessions past their absolute limit, audit rows older than ``GATEWAY_AUDIT_RETENTION_DAYS``.

A million members sign in millions of times a year: kept forever, sessions and audit rows
would outgrow everything else in the database. A session past its absolute limit works for
nobody any more (an ended or idle one stopped working earlier, and goes at the same limit).
Audit rows are the members' security events (``gateway/security_events.py``) and the staff's
trail, so they are kept for a retention period rather than a session's life; the default of
400 days covers a year of history and the insurer's yearly review of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.attempts import purge_expired
from gateway.settings import Settings
from store import audit, sessions


@dataclass(frozen=True)
class Purged:
    attempt_counts: int
    sessions: int
    audit_events: int


async def clean_up(settings: Settings, now: datetime | None = None) -> Purged:
    """Delete what no rule and no reader needs any more; each part in short statements, so
    that a gateway serving meanwhile waits for none of them long."""
    moment = now or datetime.now(UTC)
    return Purged(
        attempt_counts=await purge_expired(),
        sessions=await sessions.purge_expired(moment),
        audit_events=await audit.purge_before(
            moment - timedelta(days=settings.audit_retention_days)
        ),
    )
