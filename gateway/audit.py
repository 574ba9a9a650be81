"""What happened, for the audit trail: callers pass no secret, and none is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway import metrics
from gateway.i18n import Language
from store.audit import insert_entry
from store.records import Account, AuditEntry


@dataclass(frozen=True)
class Origin:
    """Where a request comes from: recorded with sessions, acceptances and audit events."""

    channel: str
    client_address: str | None
    user_agent: str | None
    language: Language
    request_id: str | None = None


def entry(
    event: str,
    origin: Origin | None,
    *,
    account_id: int | None = None,
    user_code: str | None = None,
    actor: str | None = None,
    key_digest: str | None = None,
    **details: Any,
) -> AuditEntry:
    """One event, counted in the metrics, for the store to write with the rows it concerns.

    ``user_code`` is an account's own, as stored; what a caller typed is only ever recorded as
    an attempt ledger's ``key_digest``.
    """
    metrics.AUDIT_EVENTS.labels(event).inc()
    return AuditEntry(
        occurred_at=datetime.now(UTC),
        event=event,
        account_id=account_id,
        user_code=user_code,
        key_digest=key_digest,
        request_id=origin.request_id if origin else None,
        actor=actor,
        channel=origin.channel if origin else None,
        client_address=origin.client_address if origin else None,
        details=details,
    )


def entry_for(
    account: Account, event: str, origin: Origin | None, *, actor: str | None = None, **details: Any
) -> AuditEntry:
    """An event about one account, named by its id and the user code people know it by."""
    return entry(
        event, origin, account_id=account.id, user_code=account.user_code, actor=actor, **details
    )


async def record(
    event: str,
    origin: Origin | None,
    *,
    account_id: int | None = None,
    user_code: str | None = None,
    actor: str | None = None,
    key_digest: str | None = None,
    **details: Any,
) -> None:
    """An event that is not written with another row."""
    await insert_entry(
        entry(
            event,
            origin,
            account_id=account_id,
            user_code=user_code,
            actor=actor,
            key_digest=key_digest,
            **details,
        )
    )


async def record_for(
    account: Account, event: str, origin: Origin | None, *, actor: str | None = None, **details: Any
) -> None:
    await insert_entry(entry_for(account, event, origin, actor=actor, **details))
