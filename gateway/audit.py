"""One function to record what happened; callers pass no secret, and none is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway import metrics
from gateway.i18n import Language
from gateway.joined import Insert
from models.accounts import Account
from models.audit import AuditEvent


@dataclass(frozen=True)
class Origin:
    """Where a request comes from: recorded with sessions, acceptances and audit events."""

    channel: str
    client_address: str | None
    user_agent: str | None
    language: Language


_INSERT_EVENT = Insert(AuditEvent)


async def record(
    event: str,
    origin: Origin | None,
    *,
    account_id: int | None = None,
    user_code: str | None = None,
    actor: str | None = None,
    **details: Any,
) -> None:
    metrics.AUDIT_EVENTS.labels(event).inc()
    await _INSERT_EVENT(
        occurred_at=datetime.now(UTC),
        event=event,
        account_id=account_id,
        user_code=user_code,
        actor=actor,
        channel=origin.channel if origin else None,
        client_address=origin.client_address if origin else None,
        details=details,
    )


async def record_for(
    account: Account, event: str, origin: Origin | None, *, actor: str | None = None, **details: Any
) -> None:
    """An event about one account, named by its row and the user code people know it by."""
    await record(
        event, origin, account_id=account.id, user_code=account.user_code, actor=actor, **details
    )
