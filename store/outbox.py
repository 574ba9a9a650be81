"""The outbox of claims for the claims system: leased row by row, so that several gateway
processes never send the same claim at the same time, and a process that dies mid-send only
delays it until its lease runs out.

On PostgreSQL the lease is taken with ``FOR UPDATE SKIP LOCKED``: workers racing for due rows
each get different ones without waiting on each other. SQLite lets one writer in at a time, so
the same UPDATE ... RETURNING is already atomic there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.claims import Claim as ClaimRow
from models.claims import OutboxMessage
from store.tortoise_adapter import dialect, fetch, transaction

_LEASE = """
UPDATE outbox_message SET leased_until_ms = :until, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM outbox_message
    WHERE delivered_at IS NULL AND next_attempt_ms <= :now AND leased_until_ms <= :now
    ORDER BY next_attempt_ms, id
    LIMIT :limit{lock}
)
RETURNING claim_id, attempts
"""


@dataclass(frozen=True, slots=True)
class Lease:
    """``until_ms`` is also the lease's token: only its holder may give the row back."""

    claim_id: int
    attempt: int
    until_ms: int


async def lease_due(now_ms: int, lease_ms: int, limit: int) -> list[Lease]:
    lock = " FOR UPDATE SKIP LOCKED" if dialect() == "postgres" else ""
    until = now_ms + lease_ms
    rows = await fetch(_LEASE.format(lock=lock), {"until": until, "now": now_ms, "limit": limit})
    return [Lease(claim_id=row[0], attempt=row[1], until_ms=until) for row in rows]


async def delivered(claim_id: int, moment: datetime) -> None:
    """The claims system took it: the row is done, and the claim is ``RECEIVED`` unless a
    decision overtook the acknowledgement."""
    async with transaction():
        await OutboxMessage.filter(claim_id=claim_id).update(delivered_at=moment, last_error=None)
        await ClaimRow.filter(id=claim_id, status="SUBMITTED").update(
            status="RECEIVED", received_at=moment
        )


async def failed(lease: Lease, next_attempt_ms: int, error: str) -> None:
    """Gives the row back for a later attempt, unless its lease ran out and another process
    holds it now (then that process decides)."""
    await OutboxMessage.filter(claim_id=lease.claim_id, leased_until_ms=lease.until_ms).update(
        next_attempt_ms=next_attempt_ms, leased_until_ms=0, last_error=error[:200]
    )


async def backlog(now_ms: int) -> tuple[int, int | None]:
    """How many claims wait, and since when the oldest was first due (ms), for the metrics."""
    waiting = OutboxMessage.filter(delivered_at=None)
    count = await waiting.count()
    oldest = await waiting.order_by("id").first()
    if oldest is None:
        return 0, None
    claim = await ClaimRow.get(id=oldest.claim_id)
    return count, now_ms - int(claim.submitted_at.timestamp() * 1000)


async def delivery_count(claim_id: int) -> int:
    row = await OutboxMessage.get_or_none(claim_id=claim_id)
    return row.attempts if row else 0
