"""The plain, immutable records the store takes and gives: never an ORM row.

The layers above read these and nothing else of the database, so a Tortoise upgrade, or
another ORM, touches this package alone.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Coverage:
    benefit: str
    tier: str | None


@dataclass(frozen=True, slots=True)
class InsuranceFile:
    """One certificate an account reaches, with its contract: what R11's « i » shows."""

    certificate_id: int
    product_line: str
    contract_number: str
    certificate_number: str
    sponsor_name: str
    plan_name: str
    status: str
    member_name: str
    effective_date: date
    termination_date: date | None
    coverages: tuple[Coverage, ...]
    online_features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    user_code: str
    password_hash: str
    password_pepper_id: str | None
    password_hint: str
    mothers_first_name_hash: str
    date_of_birth: date
    first_name: str
    last_name: str
    email: str | None
    preferred_language: str


@dataclass(frozen=True, slots=True)
class Holder:
    """An account with what a sign-in answers about it: its files (R11) and whether it
    accepted the agreement in force (R12)."""

    account: Account
    files: tuple[InsuranceFile, ...]
    agreement_accepted: bool


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    account_id: int
    channel: str
    selected_certificate_id: int | None
    client_address: str | None
    user_agent: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What every signed-in request needs, read in one statement.

    ``version`` identifies the rows it was read from: equal versions, equal records (what the
    remembered answers of ``server/answers.py`` are keyed on).
    """

    session: Session
    account: Account
    files: tuple[InsuranceFile, ...]
    agreement_accepted: bool
    version: Hashable

    def with_session(self, **changes: Any) -> SignedIn:
        return replace(self, session=replace(self.session, **changes))

    def with_agreement_accepted(self) -> SignedIn:
        return replace(self, agreement_accepted=True)


@dataclass(frozen=True, slots=True)
class Certificate:
    """A registry certificate, as an identity proof reads it (R1), the account it belongs to
    when it was read, if any (R2), and whether the user code asked for with it was taken (R3)."""

    id: int
    contract_id: int
    number: str
    first_name: str
    last_name: str
    date_of_birth: date
    owner_account_id: int | None = None
    user_code_taken: bool = False


@dataclass(frozen=True, slots=True)
class Contract:
    id: int
    number: str
    product_line: str
    sponsor_name: str
    plan_name: str
    online_features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Agreement:
    id: int
    version: str
    title_fr: str
    title_en: str
    body_fr: str
    body_en: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    role: str
    contracts: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit trail; never a secret, never what a caller typed."""

    occurred_at: datetime
    event: str
    account_id: int | None
    user_code: str | None
    key_digest: str | None
    request_id: str | None
    actor: str | None
    channel: str | None
    client_address: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """An audit event as its account's member may see it."""

    event: str
    occurred_at: datetime
    channel: str | None
    client_address: str | None
    actor: str | None


@dataclass(frozen=True, slots=True)
class Member:
    """A certificate as a plan administrator sees it (R15)."""

    id: int
    number: str
    first_name: str
    last_name: str
    status: str
    registered_online: bool


@dataclass(frozen=True, slots=True)
class MembersPage:
    members: tuple[Member, ...]
    has_next_page: bool
    total_count: int


@dataclass(frozen=True, slots=True)
class RegistryDependent:
    first_name: str
    first_name_key: str
    last_name: str
    date_of_birth: date
    relationship: str


@dataclass(frozen=True, slots=True)
class RegistryCertificate:
    number: str
    first_name: str
    last_name: str
    date_of_birth: date
    status: str
    effective_date: date
    termination_date: date | None
    coverages: list[dict[str, str | None]]
    search_text: str
    dependents: list[RegistryDependent] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RegistryContract:
    number: str
    product_line: str
    sponsor_name: str
    plan_name: str
    online_features: list[str]
    certificates: list[RegistryCertificate]
    claim_rules: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportCounts:
    contracts_created: int
    contracts_updated: int
    contracts_unchanged: int
    certificates_created: int
    certificates_updated: int
    certificates_unchanged: int


@dataclass(frozen=True, slots=True)
class Dependent:
    id: int
    certificate_id: int
    first_name: str
    last_name: str
    date_of_birth: date
    relationship: str


@dataclass(frozen=True, slots=True)
class Receipt:
    id: int
    public_id: str
    account_id: int
    claim_id: int | None
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimLine:
    service_type: str
    service_date: date
    amount_cents: int
    other_plan_paid_cents: int


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    public_id: str
    reference: str
    account_id: int
    certificate_id: int
    dependent_id: int | None
    session_id: int | None
    idempotency_key: str
    content_digest: str
    category: str
    status: str
    provider_name: str
    total_cents: int
    submitted_at: datetime
    received_at: datetime | None
    eligible_cents: int | None
    paid_cents: int | None
    reason_fr: str | None
    reason_en: str | None
    decided_at: datetime | None
    lines: tuple[ClaimLine, ...]
    receipts: tuple[Receipt, ...]


@dataclass(frozen=True, slots=True)
class NewClaim:
    """What a submission writes, in one transaction with its outbox row and audit entry."""

    public_id: str
    reference: str
    account_id: int
    certificate_id: int
    dependent_id: int | None
    session_id: int
    idempotency_key: str
    content_digest: str
    category: str
    provider_name: str
    total_cents: int
    submitted_at: datetime
    lines: tuple[ClaimLine, ...]
    receipt_ids: tuple[int, ...]
    fingerprints: tuple[str, ...]
    first_attempt_ms: int


@dataclass(frozen=True, slots=True)
class ClaimDecisionUpdate:
    claim_public_id: str
    event_id: str
    status: str
    eligible_cents: int
    paid_cents: int
    reason_fr: str | None
    reason_en: str | None
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class DirectDeposit:
    account_id: int
    institution_number: str
    transit_number: str
    account_number_sealed: str
    account_number_last3: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """A claim with what the claims system needs besides: its file and its patient."""

    claim: Claim
    contract_number: str
    certificate_number: str
    plan_name: str
    sponsor_name: str
    claim_rules: tuple[dict[str, Any], ...]
    patient_first_name: str
    patient_last_name: str
    patient_date_of_birth: date
    patient_relationship: str
