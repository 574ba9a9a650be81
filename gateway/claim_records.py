"""The plain records a claim travels in between the gateway, its claims system and back.

They hold the contract's words as strings (``ServiceType``, ``ClaimCategory`` and
``Relationship`` names of ``contract/claims.graphql``) and money as integer cents, so that
adjudication, the FHIR mapping and the store agree on them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ClaimLineRecord:
    service_type: str
    service_date: date
    amount_cents: int
    other_plan_paid_cents: int


@dataclass(frozen=True, slots=True)
class Patient:
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    relationship: str


@dataclass(frozen=True, slots=True)
class ReceiptLink:
    receipt_id: str
    content_type: str
    size_bytes: int
    url: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ClaimForDelivery:
    """``claim_id`` is the idempotency key upstream: a redelivery must carry the same one."""

    claim_id: str
    reference: str
    category: str
    submitted_at: datetime
    contract_number: str
    certificate_number: str
    plan_name: str
    sponsor_name: str
    patient: Patient
    provider_name: str
    lines: tuple[ClaimLineRecord, ...]
    receipts: tuple[ReceiptLink, ...]


@dataclass(frozen=True, slots=True)
class ClaimRule:
    """One row of the plan's ``claimRules``; ``annual_maximum_cents`` None means no maximum."""

    service_type: str
    reimbursement_percent: int
    annual_maximum_cents: int | None


@dataclass(frozen=True, slots=True)
class LineDecision:
    """The reasons are None when the line was paid in full (paid == amount claimed)."""

    eligible_cents: int
    paid_cents: int
    reason_fr: str | None
    reason_en: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """The claims system's decision on one claim.

    ``event_id`` is unique per decision event, for the webhook's replay protection.
    ``patient_id`` and ``category`` are there because a FHIR ClaimResponse must name its
    patient and its claim type; the webhook can check them against the stored claim.
    """

    claim_id: str
    event_id: str
    outcome: str
    eligible_cents: int
    paid_cents: int
    reason_fr: str | None
    reason_en: str | None
    decided_at: datetime
    patient_id: str
    category: str
