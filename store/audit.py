"""The audit trail: written with the rows it mirrors, read back for staff and the member."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from models.audit import AuditEvent
from store.records import AccountEvent, AuditEntry
from store.tortoise_adapter import Insert, delete_in_batches

INSERT_EVENT = Insert(AuditEvent)
_ENTRY_FIELDS = tuple(field.name for field in fields(AuditEntry))


def entry_values(entry: AuditEntry) -> dict[str, Any]:
    """The entry as ``INSERT_EVENT`` takes it, for a statement that writes it with another row
    (not ``asdict``, which deep-copies the details on every sign-in)."""
    return {name: getattr(entry, name) for name in _ENTRY_FIELDS}


async def insert_entry(entry: AuditEntry) -> None:
    await INSERT_EVENT(**entry_values(entry))


async def events_of_account(account_id: int, events: list[str], limit: int) -> list[AccountEvent]:
    """The account's events of these kinds, newest first."""
    rows = (
        await AuditEvent.filter(account_id=account_id, event__in=events)
        .order_by("-occurred_at", "-id")
        .limit(limit)
        .values("event", "occurred_at", "channel", "client_address", "actor")
    )
    return [AccountEvent(**row) for row in rows]


async def count(event: str) -> int:
    return await AuditEvent.filter(event=event).count()


async def purge_before(cutoff: datetime) -> int:
    """Delete the events that occurred before ``cutoff``; how many."""
    return await delete_in_batches(AuditEvent, AuditEvent.filter(occurred_at__lt=cutoff))
