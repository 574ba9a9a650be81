"""The reference claims system's own books (demo and tests only): the claims it took, by id,
and what it paid, for the plans' yearly maxima."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from models.claims import ReferencePayment


async def record(
    claim_public_id: str,
    patient_key: str,
    response_body: str,
    paid_by_line: list[dict[str, Any]],
    received_at: datetime,
) -> bool:
    """False when this claim was taken before: a redelivery is acknowledged, not paid twice."""
    try:
        await ReferencePayment.create(
            claim_public_id=claim_public_id,
            patient_key=patient_key,
            decision={"body": response_body},
            paid_by_line=paid_by_line,
            received_at=received_at,
        )
    except IntegrityError:
        return False
    return True


async def is_known(claim_public_id: str) -> bool:
    return await ReferencePayment.exists(claim_public_id=claim_public_id)


async def paid_this_year(patient_key: str, service_type: str, year: int) -> int:
    rows = await ReferencePayment.filter(patient_key=patient_key).values_list(
        "paid_by_line", flat=True
    )
    return sum(
        int(line["paidCents"])
        for lines in rows
        for line in lines
        if line["serviceType"] == service_type and line["year"] == year
    )


async def due_notifications(received_before: datetime, limit: int) -> list[tuple[str, str]]:
    """(claim id, ClaimResponse body) of decisions not yet acknowledged by the gateway."""
    rows = (
        await ReferencePayment.filter(notified_at=None, received_at__lte=received_before)
        .order_by("id")
        .limit(limit)
    )
    return [(row.claim_public_id, str(row.decision["body"])) for row in rows]


async def notified(claim_public_id: str, moment: datetime) -> None:
    await ReferencePayment.filter(claim_public_id=claim_public_id).update(notified_at=moment)


async def taken() -> list[str]:
    """Every claim id taken, in order: what the exactly-once tests count."""
    rows = await ReferencePayment.all().order_by("id").values_list("claim_public_id", flat=True)
    return [str(row) for row in rows]
