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
    request_id: str | None = None


INSERT_EVENT = Insert(AuditEvent)


def event_row(
    event: str,
    origin: Origin | None,
    *,
    account_id: int | None = None,
    user_code: str | None = None,
    actor: str | None = None,
    key_digest: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The row of one event, counted in the metrics; for a caller that writes it along with
    another row (``INSERT_EVENT`` says how).

    ``user_code`` is an account's own, as stored; what a caller typed is only ever recorded as
    an attempt ledger's ``key_digest``.
    """
    metrics.AUDIT_EVENTS.labels(event).inc()
    return {
        "occurred_at": datetime.now(UTC),
        "event": event,
        "account_id": account_id,
        "user_code": user_code,
        "key_digest": key_digest,
        "request_id": origin.request_id if origin else None,
        "actor": actor,
        "channel": origin.channel if origin else None,
        "client_address": origin.client_address if origin else None,
        "details": details,
    }


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
    row = event_row(
        event,
        origin,
        account_id=account_id,
        user_code=user_code,
        actor=actor,
        key_digest=key_digest,
        **details,
    )
    await INSERT_EVENT(**row)


async def record_for(
    account: Account, event: str, origin: Origin | None, *, actor: str | None = None, **details: Any
) -> None:
    """An event about one account, named by its row and the user code people know it by."""
    await record(
        event, origin, account_id=account.id, user_code=account.user_code, actor=actor, **details
    )
