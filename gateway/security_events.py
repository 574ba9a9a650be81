"""What happened to a member's account, told to the member (OWASP ASVS 2.2.3, 2.5.5).

The audit trail already records each of these; this is the member's view of it: the kinds a
member should notice (a sign-in from somewhere else, a lock, a password changed by someone
else), never a secret and never another account's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from store import audit

MAX_EVENTS = 100


class SecurityEventKind(Enum):
    REGISTERED = "REGISTERED"
    SIGNED_IN = "SIGNED_IN"
    SIGN_IN_LOCKED = "SIGN_IN_LOCKED"
    RECOVERY_LOCKED = "RECOVERY_LOCKED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    PASSWORD_RESET = "PASSWORD_RESET"
    FILE_LINKED = "FILE_LINKED"
    SESSIONS_REVOKED = "SESSIONS_REVOKED"
    PROFILE_CORRECTED = "PROFILE_CORRECTED"
    DIRECT_DEPOSIT_CHANGED = "DIRECT_DEPOSIT_CHANGED"


# Audit events by the kind the member sees them as.
_KINDS = {
    "registered": SecurityEventKind.REGISTERED,
    "signed_in": SecurityEventKind.SIGNED_IN,
    "locked": SecurityEventKind.SIGN_IN_LOCKED,
    "recovery_locked": SecurityEventKind.RECOVERY_LOCKED,
    "password_changed": SecurityEventKind.PASSWORD_CHANGED,
    "password_reset": SecurityEventKind.PASSWORD_RESET,
    "credentials_linked": SecurityEventKind.FILE_LINKED,
    "session_revoked": SecurityEventKind.SESSIONS_REVOKED,
    "signed_out_everywhere": SecurityEventKind.SESSIONS_REVOKED,
    "sessions_revoked": SecurityEventKind.SESSIONS_REVOKED,
    "profile_corrected": SecurityEventKind.PROFILE_CORRECTED,
    "direct_deposit_changed": SecurityEventKind.DIRECT_DEPOSIT_CHANGED,
}


@dataclass(frozen=True)
class SecurityEvent:
    kind: SecurityEventKind
    occurred_at: datetime
    channel: str | None
    client_address: str | None
    by_staff: bool


class InvalidCount(ValueError):
    """first outside 1..MAX_EVENTS."""


async def security_events(account_id: int, first: int) -> list[SecurityEvent]:
    """The account's newest events first."""
    if not 1 <= first <= MAX_EVENTS:
        raise InvalidCount(f"first must be between 1 and {MAX_EVENTS}, got {first}")
    rows = await audit.events_of_account(account_id, list(_KINDS), first)
    return [
        SecurityEvent(
            kind=_KINDS[row.event],
            occurred_at=row.occurred_at,
            channel=row.channel,
            client_address=row.client_address,
            by_staff=row.actor is not None,
        )
        for row in rows
    ]
