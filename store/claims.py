"""Claims, their lines and receipts, the outbox that hands them to the claims system, and the
decisions that come back (R17). Every write that must not half happen is one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.claims import Claim as ClaimRow
from models.claims import ClaimEvent, ClaimFingerprint, OutboxMessage
from models.claims import ClaimLine as ClaimLineRow
from models.claims import Receipt as ReceiptRow
from models.registry import Certificate as CertificateRow
from models.registry import Contract as ContractRow
from models.registry import Dependent as DependentRow
from store.audit import insert_entry
from store.errors import Conflict
from store.records import (
    AuditEntry,
    Claim,
    ClaimContext,
    ClaimDecisionUpdate,
    ClaimLine,
    Dependent,
    NewClaim,
    Receipt,
)
from store.tortoise_adapter import transaction


class DuplicateClaim(Conflict):
    """A line of the claim is already in one of the file's claims not refused."""


class KeyTaken(Conflict):
    """Another submission of this account holds the idempotency key."""


class ReceiptTaken(Conflict):
    """A receipt was attached to another claim meanwhile."""


class ReferenceTaken(Conflict):
    """The random reference drawn is another claim's: draw again."""


def _dependent(row: DependentRow) -> Dependent:
    return Dependent(
        id=row.id,
        certificate_id=row.certificate_id,
        first_name=row.first_name,
        last_name=row.last_name,
        date_of_birth=row.date_of_birth,
        relationship=row.relationship,
    )


async def certificate_holder(certificate_id: int) -> Dependent:
    """The certificate's own member, in the registry's words, as an insured person."""
    row = await CertificateRow.get(id=certificate_id)
    return Dependent(0, row.id, row.first_name, row.last_name, row.date_of_birth, "MEMBER")


async def dependent(dependent_id: int) -> Dependent | None:
    row = await DependentRow.get_or_none(id=dependent_id)
    return _dependent(row) if row else None


async def dependents_of(certificate_id: int) -> list[Dependent]:
    rows = await DependentRow.filter(certificate_id=certificate_id).order_by("date_of_birth", "id")
    return [_dependent(row) for row in rows]


def _receipt(row: ReceiptRow) -> Receipt:
    return Receipt(
        id=row.id,
        public_id=row.public_id,
        account_id=row.account_id,
        claim_id=row.claim_id,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )


async def add_receipt(
    public_id: str,
    account_id: int,
    content_type: str,
    size_bytes: int,
    sha256: str,
    uploaded_at: datetime,
    entry: AuditEntry,
) -> Receipt:
    async with transaction():
        row = await ReceiptRow.create(
            public_id=public_id,
            account_id=account_id,
            content_type=content_type,
            size_bytes=size_bytes,
            sha256=sha256,
            uploaded_at=uploaded_at,
        )
        await insert_entry(entry)
    return _receipt(row)


async def receipt(receipt_id: int) -> Receipt | None:
    row = await ReceiptRow.get_or_none(id=receipt_id)
    return _receipt(row) if row else None


async def receipt_by_public_id(public_id: str) -> Receipt | None:
    row = await ReceiptRow.get_or_none(public_id=public_id)
    return _receipt(row) if row else None


async def receipts(receipt_ids: Iterable[int]) -> list[Receipt]:
    rows = await ReceiptRow.filter(id__in=list(receipt_ids)).order_by("id")
    return [_receipt(row) for row in rows]


async def pending_receipts(account_id: int) -> list[Receipt]:
    rows = await ReceiptRow.filter(account_id=account_id, claim_id=None).order_by("uploaded_at")
    return [_receipt(row) for row in rows]


async def pending_receipt_count(account_id: int) -> int:
    return await ReceiptRow.filter(account_id=account_id, claim_id=None).count()


async def pending_rank(account_id: int, receipt_id: int) -> int:
    """The receipt's place among the account's unattached receipts, oldest first."""
    return await ReceiptRow.filter(account_id=account_id, claim_id=None, id__lte=receipt_id).count()


async def unattached_before(moment: datetime, limit: int) -> list[Receipt]:
    rows = await ReceiptRow.filter(claim_id=None, uploaded_at__lt=moment).limit(limit)
    return [_receipt(row) for row in rows]


async def delete_unattached(receipt_id: int) -> bool:
    """Only while still unattached: a claim that took it meanwhile keeps it."""
    return bool(await ReceiptRow.filter(id=receipt_id, claim_id=None).delete())


async def _claims(rows: Sequence[ClaimRow]) -> list[Claim]:
    ids = [row.id for row in rows]
    lines: dict[int, list[ClaimLine]] = {i: [] for i in ids}
    attached: dict[int, list[Receipt]] = {i: [] for i in ids}
    if ids:
        for line in await ClaimLineRow.filter(claim_id__in=ids).order_by("claim_id", "position"):
            lines[line.claim_id].append(
                ClaimLine(
                    line.service_type,
                    line.service_date,
                    line.amount_cents,
                    line.other_plan_paid_cents,
                )
            )
        for row in await ReceiptRow.filter(claim_id__in=ids).order_by("id"):
            assert row.claim_id is not None
            attached[row.claim_id].append(_receipt(row))
    return [
        Claim(
            id=row.id,
            public_id=row.public_id,
            reference=row.reference,
            account_id=row.account_id,
            certificate_id=row.certificate_id,
            dependent_id=row.dependent_id,
            session_id=row.session_id,
            idempotency_key=row.idempotency_key,
            content_digest=row.content_digest,
            category=row.category,
            status=row.status,
            provider_name=row.provider_name,
            total_cents=row.total_cents,
            submitted_at=row.submitted_at,
            received_at=row.received_at,
            eligible_cents=row.eligible_cents,
            paid_cents=row.paid_cents,
            reason_fr=row.reason_fr,
            reason_en=row.reason_en,
            decided_at=row.decided_at,
            lines=tuple(lines[row.id]),
            receipts=tuple(attached[row.id]),
        )
        for row in rows
    ]


async def claim(claim_id: int) -> Claim | None:
    row = await ClaimRow.get_or_none(id=claim_id)
    return (await _claims([row]))[0] if row else None


async def claim_by_public_id(public_id: str) -> Claim | None:
    row = await ClaimRow.get_or_none(public_id=public_id)
    return (await _claims([row]))[0] if row else None


async def claim_context(claim_id: int) -> ClaimContext | None:
    found = await claim(claim_id)
    if found is None:
        return None
    certificate = await CertificateRow.get(id=found.certificate_id).prefetch_related("contract")
    contract = certificate.contract
    person: CertificateRow | DependentRow = certificate
    relationship = "MEMBER"
    if found.dependent_id is not None:
        person = await DependentRow.get(id=found.dependent_id)
        relationship = person.relationship
    return ClaimContext(
        claim=found,
        contract_number=contract.number,
        certificate_number=certificate.number,
        plan_name=contract.plan_name,
        sponsor_name=contract.sponsor_name,
        claim_rules=tuple(contract.claim_rules),
        patient_first_name=person.first_name,
        patient_last_name=person.last_name,
        patient_date_of_birth=person.date_of_birth,
        patient_relationship=relationship,
    )


async def contract_rules(contract_number: str) -> list[dict[str, Any]] | None:
    row = await ContractRow.get_or_none(number=contract_number)
    return list(row.claim_rules) if row is not None else None


async def claim_by_key(account_id: int, idempotency_key: str) -> Claim | None:
    row = await ClaimRow.get_or_none(account_id=account_id, idempotency_key=idempotency_key)
    return (await _claims([row]))[0] if row else None


async def claims_page(
    certificate_id: int, after: tuple[datetime, int] | None, first: int
) -> tuple[list[Claim], bool]:
    """Newest first; ``after`` is the (submitted_at, id) of the last claim of the previous
    page. Answers the page and whether more follow."""
    query = ClaimRow.filter(certificate_id=certificate_id)
    if after is not None:
        moment, claim_id = after
        query = query.filter(Q(submitted_at__lt=moment) | Q(submitted_at=moment, id__lt=claim_id))
    rows = await query.order_by("-submitted_at", "-id").limit(first + 1)
    return await _claims(rows[:first]), len(rows) > first


async def account_claims(account_id: int, limit: int) -> list[Claim]:
    rows = (
        await ClaimRow.filter(account_id=account_id).order_by("-submitted_at", "-id").limit(limit)
    )
    return await _claims(rows)


async def fingerprint_taken(digests: Sequence[str]) -> bool:
    return await ClaimFingerprint.filter(digest__in=list(digests)).exists()


async def insert_claim(new: NewClaim, entry: AuditEntry) -> Claim:
    """The claim, its lines, its fingerprints, its receipts' attachment, its outbox row and its
    audit entry, all or nothing. Raises ``KeyTaken``, ``DuplicateClaim`` or ``ReceiptTaken``
    when a concurrent submission won the race the checks before could not see."""
    try:
        async with transaction():
            try:
                row = await ClaimRow.create(
                    public_id=new.public_id,
                    reference=new.reference,
                    account_id=new.account_id,
                    certificate_id=new.certificate_id,
                    dependent_id=new.dependent_id,
                    session_id=new.session_id,
                    idempotency_key=new.idempotency_key,
                    content_digest=new.content_digest,
                    category=new.category,
                    status="SUBMITTED",
                    provider_name=new.provider_name,
                    total_cents=new.total_cents,
                    submitted_at=new.submitted_at,
                )
            except IntegrityError as error:
                if "reference" in str(error).lower():
                    raise ReferenceTaken from None
                raise KeyTaken from None
            await ClaimLineRow.bulk_create(
                [
                    ClaimLineRow(
                        claim_id=row.id,
                        position=position,
                        service_type=line.service_type,
                        service_date=line.service_date,
                        amount_cents=line.amount_cents,
                        other_plan_paid_cents=line.other_plan_paid_cents,
                    )
                    for position, line in enumerate(new.lines)
                ]
            )
            try:
                await ClaimFingerprint.bulk_create(
                    [ClaimFingerprint(claim_id=row.id, digest=d) for d in new.fingerprints]
                )
            except IntegrityError:
                raise DuplicateClaim from None
            attached = await ReceiptRow.filter(
                id__in=list(new.receipt_ids), account_id=new.account_id, claim_id=None
            ).update(claim_id=row.id)
            if attached != len(new.receipt_ids):
                raise ReceiptTaken
            await OutboxMessage.create(claim_id=row.id, next_attempt_ms=new.first_attempt_ms)
            await insert_entry(entry)
    except IntegrityError as error:
        text = str(error).lower()
        if "idempotency" in text or "claim.account_id" in text:
            raise KeyTaken from None
        if "digest" in text or "fingerprint" in text:
            raise DuplicateClaim from None
        raise
    return (await _claims([row]))[0]


async def mark_received(claim_id: int, moment: datetime) -> None:
    await ClaimRow.filter(id=claim_id, status="SUBMITTED").update(
        status="RECEIVED", received_at=moment
    )


async def apply_decision(update: ClaimDecisionUpdate) -> bool:
    """The decision, once per event id: False when the event was applied before (a replay) or
    names no claim of ours. A refused claim frees its fingerprints, so the member may claim
    the same care again."""
    try:
        async with transaction():
            await ClaimEvent.create(event_id=update.event_id, received_at=update.decided_at)
            changed = await ClaimRow.filter(public_id=update.claim_public_id).update(
                status=update.status,
                eligible_cents=update.eligible_cents,
                paid_cents=update.paid_cents,
                reason_fr=update.reason_fr,
                reason_en=update.reason_en,
                decided_at=update.decided_at,
            )
            if not changed:
                raise LookupError(update.claim_public_id)
            if update.status == "REFUSED":
                row = await ClaimRow.get(public_id=update.claim_public_id)
                await ClaimFingerprint.filter(claim_id=row.id).delete()
    except IntegrityError:
        return False
    except LookupError:
        return False
    return True
