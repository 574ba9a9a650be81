"""Health-care claims (R13, R17): who may claim what, for whom, and a submission that happens
exactly once however often the app retries it.

Every rule is here, checked against the session's selected file; the schema only translates.
A claim is written with its outbox row (``gateway/delivery.py`` sends it) in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from gateway import audit, metrics
from gateway.audit import Origin
from gateway.ids import IdKind, OpaqueIds
from gateway.problems import ErrorCode, Problem
from gateway.sessions import selected_file
from gateway.text import fold, normalise
from gateway.vocabulary import (
    CLAIM_FEATURE,
    ClaimCategory,
    FileStatus,
    OnlineFeature,
    Relationship,
    ServiceType,
)
from store import claims as stored
from store.records import Claim, ClaimLine, Dependent, InsuranceFile, NewClaim, Receipt, SignedIn

MAX_LINES = 20
MAX_RECEIPTS = 10
MAX_AMOUNT_CENTS = 10_000_000
PROVIDER_NAME_LENGTH = (2, 120)
IDEMPOTENCY_KEY_LENGTH = 100
MAX_PAGE = 50
CLAIMS_WINDOW_DAYS_AFTER_TERMINATION = 90
_CURSOR = "member-claims"
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O, U


@dataclass(frozen=True)
class InsuredPerson:
    id: str
    first_name: str
    last_name: str
    relationship: Relationship
    date_of_birth: date
    dependent_id: int | None


@dataclass(frozen=True)
class ClaimLineForm:
    service_type: ServiceType
    service_date: date
    amount_cents: int
    other_plan_paid_cents: int = 0


@dataclass(frozen=True)
class ClaimForm:
    idempotency_key: str
    category: ClaimCategory
    patient_id: str
    provider_name: str
    lines: Sequence[ClaimLineForm]
    receipt_ids: Sequence[str]


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim | None
    problems: list[Problem]


def feature_problem(file: InsuranceFile | None, feature: OnlineFeature) -> Problem | None:
    """R13: the selected file's plan must offer the service."""
    if file is None or feature.value not in file.online_features:
        return Problem(ErrorCode.FEATURE_NOT_AVAILABLE)
    return None


async def insured_persons(file: InsuranceFile, ids: OpaqueIds) -> list[InsuredPerson]:
    """The member first, then the dependants the registry lists on the certificate, in the
    registry's words (what the payment card shows)."""
    people = [await _member(file.certificate_id, ids)]
    people += [_dependent(d, ids) for d in await stored.dependents_of(file.certificate_id)]
    return people


async def _member(certificate_id: int, ids: OpaqueIds) -> InsuredPerson:
    holder = await stored.certificate_holder(certificate_id)
    return InsuredPerson(
        id=ids.encode(IdKind.INSURED_MEMBER, certificate_id),
        first_name=holder.first_name,
        last_name=holder.last_name,
        relationship=Relationship.MEMBER,
        date_of_birth=holder.date_of_birth,
        dependent_id=None,
    )


def _dependent(dependent: Dependent, ids: OpaqueIds) -> InsuredPerson:
    return InsuredPerson(
        id=ids.encode(IdKind.DEPENDENT, dependent.id),
        first_name=dependent.first_name,
        last_name=dependent.last_name,
        relationship=Relationship(dependent.relationship),
        date_of_birth=dependent.date_of_birth,
        dependent_id=dependent.id,
    )


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def coverage_problem(
    file: InsuranceFile, service_date: date, today: date, field: str
) -> Problem | None:
    """ACTIVE: the last 12 months, not before the effective date; TERMINATED: on or before the
    termination date, claimed within 90 days of it; SUSPENDED: nothing; never the future."""
    if service_date > today:
        return Problem(ErrorCode.OUTSIDE_COVERAGE, field, "OUTSIDE_COVERAGE.future")
    if file.status == FileStatus.SUSPENDED.value:
        return Problem(ErrorCode.OUTSIDE_COVERAGE, field, "OUTSIDE_COVERAGE.suspended")
    if service_date < file.effective_date:
        return Problem(
            ErrorCode.OUTSIDE_COVERAGE,
            field,
            "OUTSIDE_COVERAGE.before_effective",
            {"date": file.effective_date.isoformat()},
        )
    if file.status == FileStatus.TERMINATED.value:
        ended = file.termination_date or file.effective_date
        if service_date > ended:
            return Problem(
                ErrorCode.OUTSIDE_COVERAGE,
                field,
                "OUTSIDE_COVERAGE.after_termination",
                {"date": ended.isoformat()},
            )
        deadline = ended + timedelta(days=CLAIMS_WINDOW_DAYS_AFTER_TERMINATION)
        if today > deadline:
            return Problem(
                ErrorCode.OUTSIDE_COVERAGE,
                field,
                "OUTSIDE_COVERAGE.deadline",
                {"date": deadline.isoformat()},
            )
        return None
    oldest = _year_before(today)
    if service_date < oldest:
        return Problem(
            ErrorCode.OUTSIDE_COVERAGE,
            field,
            "OUTSIDE_COVERAGE.too_old",
            {"date": oldest.isoformat()},
        )
    return None


def _printable(text: str) -> bool:
    return all(unicodedata.category(c)[0] not in "CZ" or c == " " for c in text)


def check_lines(form: ClaimForm, file: InsuranceFile, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not 1 <= len(form.lines) <= MAX_LINES:
        problems.append(
            Problem(
                ErrorCode.INVALID_VALUE, "lines", "INVALID_VALUE.line_count", {"max": MAX_LINES}
            )
        )
    for index, line in enumerate(form.lines[:MAX_LINES]):
        where = f"lines[{index}]"
        if line.service_type.category is not form.category:
            problems.append(
                Problem(
                    ErrorCode.INVALID_VALUE,
                    f"{where}.serviceType",
                    "INVALID_VALUE.service_category",
                    {"category": form.category.value},
                )
            )
        coverage = coverage_problem(file, line.service_date, today, f"{where}.serviceDate")
        if coverage is not None:
            problems.append(coverage)
        if not 0 < line.amount_cents <= MAX_AMOUNT_CENTS:
            problems.append(
                Problem(ErrorCode.INVALID_VALUE, f"{where}.amountCents", "INVALID_VALUE.amount")
            )
        elif not 0 <= line.other_plan_paid_cents <= line.amount_cents:
            problems.append(
                Problem(
                    ErrorCode.INVALID_VALUE,
                    f"{where}.otherPlanPaidCents",
                    "INVALID_VALUE.other_plan_paid",
                )
            )
    return problems


def check_form(form: ClaimForm) -> list[Problem]:
    """What can be told from the form alone."""
    problems: list[Problem] = []
    key = form.idempotency_key
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_LENGTH or not _printable(key) or key != key.strip():
        problems.append(
            Problem(
                ErrorCode.INVALID_VALUE,
                "idempotencyKey",
                "INVALID_VALUE.idempotency_key",
                {"max": IDEMPOTENCY_KEY_LENGTH},
            )
        )
    low, high = PROVIDER_NAME_LENGTH
    provider = normalise(form.provider_name).strip()
    if not low <= len(provider) <= high or not _printable(provider):
        problems.append(
            Problem(
                ErrorCode.INVALID_VALUE,
                "providerName",
                "INVALID_VALUE.provider_name",
                {"min": low, "max": high},
            )
        )
    if not 1 <= len(form.receipt_ids) <= MAX_RECEIPTS:
        problems.append(
            Problem(
                ErrorCode.INVALID_VALUE,
                "receiptIds",
                "INVALID_VALUE.receipt_count",
                {"max": MAX_RECEIPTS},
            )
        )
    return problems


def content_digest(form: ClaimForm) -> str:
    """What a retry must repeat to be the same submission: everything the member chose."""
    content = {
        "category": form.category.value,
        "patient": form.patient_id,
        "provider": normalise(form.provider_name).strip(),
        "lines": [
            [
                line.service_type.value,
                line.service_date.isoformat(),
                line.amount_cents,
                line.other_plan_paid_cents,
            ]
            for line in form.lines
        ],
        "receipts": sorted(form.receipt_ids),
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def fingerprints(
    certificate_id: int, patient: InsuredPerson, provider_name: str, lines: Sequence[ClaimLineForm]
) -> tuple[str, ...]:
    """One per line: the same person, service, date, provider and amount on this file."""
    who = f"d{patient.dependent_id}" if patient.dependent_id is not None else "m"
    provider = fold(provider_name).strip()
    digests = {
        hashlib.sha256(
            json.dumps(
                [
                    certificate_id,
                    who,
                    line.service_type.value,
                    line.service_date.isoformat(),
                    provider,
                    line.amount_cents,
                ]
            ).encode()
        ).hexdigest()
        for line in lines
    }
    return tuple(sorted(digests))


def new_reference() -> str:
    """R360-XXXX-XX: short enough to read over the phone, random so that no one can guess
    the next member's from their own."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"R360-{chars[:4]}-{chars[4:]}"


def _replay(existing: Claim, digest: str) -> ClaimResult:
    if existing.content_digest != digest:
        return ClaimResult(None, [Problem(ErrorCode.IDEMPOTENCY_KEY_REUSED, "idempotencyKey")])
    return ClaimResult(existing, [])


async def _receipts(
    member: SignedIn, receipt_ids: Sequence[str], ids: OpaqueIds
) -> tuple[list[Receipt], list[Problem]]:
    found: list[Receipt] = []
    problems: list[Problem] = []
    numbers: list[int | None] = [ids.decode(IdKind.RECEIPT, value) for value in receipt_ids]
    known = {r.id: r for r in await stored.receipts(n for n in numbers if n is not None)}
    seen: set[int] = set()
    for index, number in enumerate(numbers):
        receipt = known.get(number) if number is not None else None
        usable = (
            receipt is not None
            and receipt.account_id == member.account.id
            and receipt.claim_id is None
            and receipt.id not in seen
        )
        if not usable or receipt is None:
            problems.append(
                Problem(ErrorCode.INVALID_VALUE, f"receiptIds[{index}]", "INVALID_VALUE.receipt")
            )
            continue
        seen.add(receipt.id)
        found.append(receipt)
    return found, problems


async def submit_claim(
    member: SignedIn, form: ClaimForm, origin: Origin, ids: OpaqueIds, *, today: date | None = None
) -> ClaimResult:
    """All the problems at once, and nothing written when there is one. A retry with the same
    idempotency key and content answers the claim of the first, even while it is written."""
    file = selected_file(member)
    feature = CLAIM_FEATURE[form.category]
    refused = feature_problem(file, feature)
    if refused is not None or file is None:
        return ClaimResult(None, [Problem(ErrorCode.FEATURE_NOT_AVAILABLE, "category")])
    problems = check_form(form)
    digest = content_digest(form)
    if not problems:
        existing = await stored.claim_by_key(member.account.id, form.idempotency_key)
        if existing is not None:
            return _replay(existing, digest)
    today = today or datetime.now(UTC).date()
    problems += check_lines(form, file, today)
    people = await insured_persons(file, ids)
    patient = _patient(people, form.patient_id, file.certificate_id, ids)
    if patient is None:
        problems.append(Problem(ErrorCode.INVALID_VALUE, "patientId", "INVALID_VALUE.patient"))
    receipts, receipt_problems = await _receipts(member, form.receipt_ids[:MAX_RECEIPTS], ids)
    problems += receipt_problems
    if problems or patient is None:
        return await _unless_written_meanwhile(member, form, digest, _ordered(problems))
    provider = normalise(form.provider_name).strip()
    prints = fingerprints(file.certificate_id, patient, provider, form.lines)
    if await stored.fingerprint_taken(prints):
        return await _unless_written_meanwhile(
            member, form, digest, [Problem(ErrorCode.DUPLICATE_CLAIM)]
        )
    return await _write(member, form, file, patient, provider, receipts, digest, prints, origin)


async def _unless_written_meanwhile(
    member: SignedIn, form: ClaimForm, digest: str, problems: list[Problem]
) -> ClaimResult:
    """A retry racing its first attempt finds the receipts attached and the care recorded,
    by that very first attempt: it answers the claim, not a problem."""
    if check_form(form):
        return ClaimResult(None, problems)
    existing = await stored.claim_by_key(member.account.id, form.idempotency_key)
    return _replay(existing, digest) if existing is not None else ClaimResult(None, problems)


def _patient(
    people: list[InsuredPerson], patient_id: str, certificate_id: int, ids: OpaqueIds
) -> InsuredPerson | None:
    """Compared by what the id names, not by its text."""
    if ids.decode(IdKind.INSURED_MEMBER, patient_id) == certificate_id:
        return next(p for p in people if p.dependent_id is None)
    dependent = ids.decode(IdKind.DEPENDENT, patient_id)
    if dependent is None:
        return None
    return next((p for p in people if p.dependent_id == dependent), None)


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.field or "", p.code.value))


async def _write(
    member: SignedIn,
    form: ClaimForm,
    file: InsuranceFile,
    patient: InsuredPerson,
    provider: str,
    receipts: list[Receipt],
    digest: str,
    prints: tuple[str, ...],
    origin: Origin,
) -> ClaimResult:
    lines = tuple(
        ClaimLine(
            line.service_type.value,
            line.service_date,
            line.amount_cents,
            line.other_plan_paid_cents,
        )
        for line in form.lines
    )
    for _ in range(5):  # a reference already taken: 1 in 10^9 a time
        new = NewClaim(
            public_id=str(uuid.uuid4()),
            reference=new_reference(),
            account_id=member.account.id,
            certificate_id=file.certificate_id,
            dependent_id=patient.dependent_id,
            session_id=member.session.id,
            idempotency_key=form.idempotency_key,
            content_digest=digest,
            category=form.category.value,
            provider_name=provider,
            total_cents=sum(line.amount_cents for line in lines),
            submitted_at=datetime.now(UTC),
            lines=lines,
            receipt_ids=tuple(r.id for r in receipts),
            fingerprints=prints,
            first_attempt_ms=int(time.time() * 1000),
        )
        entry = audit.entry_for(
            member.account,
            "claim_submitted",
            origin,
            reference=new.reference,
            category=new.category,
            lines=len(lines),
        )
        try:
            claim = await stored.insert_claim(new, entry)
        except stored.KeyTaken:
            existing = await stored.claim_by_key(member.account.id, form.idempotency_key)
            if existing is None:
                raise
            return _replay(existing, digest)
        except stored.DuplicateClaim:
            return await _unless_written_meanwhile(
                member, form, digest, [Problem(ErrorCode.DUPLICATE_CLAIM)]
            )
        except stored.ReceiptTaken:
            return await _unless_written_meanwhile(
                member,
                form,
                digest,
                [Problem(ErrorCode.INVALID_VALUE, "receiptIds", "INVALID_VALUE.receipt")],
            )
        except stored.ReferenceTaken:
            continue
        metrics.CLAIMS_SUBMITTED.labels(claim.category).inc()
        return ClaimResult(claim, [])
    raise RuntimeError("no free claim reference after 5 tries")


def may_read(member: SignedIn, claim: Claim) -> bool:
    """The selected file's own claims, with CLAIMS_HISTORY; without it, a claim this session
    submitted stays readable by its id (the app shows what it just sent)."""
    file = selected_file(member)
    if file is None or claim.certificate_id != file.certificate_id:
        return False
    if claim.account_id != member.account.id:
        return False
    if OnlineFeature.CLAIMS_HISTORY.value in file.online_features:
        return True
    feature = CLAIM_FEATURE[ClaimCategory(claim.category)]
    return feature.value in file.online_features and claim.session_id == member.session.id


async def claim_for_member(member: SignedIn, claim_id: str, ids: OpaqueIds) -> Claim | None:
    number = ids.decode(IdKind.CLAIM, claim_id)
    if number is None:
        return None
    claim = await stored.claim(number)
    return claim if claim is not None and may_read(member, claim) else None


class InvalidPageRequest(ValueError):
    """first outside 1..50, or a cursor this gateway did not make for this file."""


@dataclass(frozen=True)
class ClaimsPage:
    claims: list[tuple[Claim, str]]
    has_next_page: bool


def _cursor(ids: OpaqueIds, certificate_id: int, claim: Claim) -> str:
    position = [certificate_id, claim.submitted_at.isoformat(), claim.id]
    return ids.seal(_CURSOR, json.dumps(position).encode())


def _position(ids: OpaqueIds, certificate_id: int, cursor: str) -> tuple[datetime, int]:
    payload = ids.unseal(_CURSOR, cursor)
    try:
        certificate, moment, claim_id = json.loads(payload or b"")
        if certificate != certificate_id or not isinstance(claim_id, int):
            raise ValueError
        return datetime.fromisoformat(moment), claim_id
    except (ValueError, TypeError):
        raise InvalidPageRequest("after: not a cursor from this list") from None


async def claims_page(
    member: SignedIn, first: int, after: str | None, ids: OpaqueIds
) -> ClaimsPage:
    """Newest first. The caller checked CLAIMS_HISTORY."""
    file = selected_file(member)
    assert file is not None, "an ACTIVE session has its file"
    if not 1 <= first <= MAX_PAGE:
        raise InvalidPageRequest(f"first must be between 1 and {MAX_PAGE}, got {first}")
    position = _position(ids, file.certificate_id, after) if after is not None else None
    found, more = await stored.claims_page(file.certificate_id, position, first)
    mine = [c for c in found if c.account_id == member.account.id]
    return ClaimsPage([(c, _cursor(ids, file.certificate_id, c)) for c in mine], more)


async def patient_of(claim: Claim, ids: OpaqueIds) -> InsuredPerson:
    if claim.dependent_id is None:
        return await _member(claim.certificate_id, ids)
    person = await stored.dependent(claim.dependent_id)
    if person is None:  # dependants are never deleted: an import updates them in place
        raise LookupError(f"claim {claim.id}: dependant {claim.dependent_id} is gone")
    return _dependent(person, ids)
