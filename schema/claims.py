"""The plan's online services (contract/claims.graphql): claims, receipts, direct deposit and the
payment card. Every field needs an ACTIVE session (its guard) and acts on the selected file;
the rules, the features included (R13), are in ``gateway/claims.py`` and its neighbours."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.file_uploads import Upload

from gateway import claims, deposit, receipts
from gateway.access import Right
from gateway.claims import ClaimForm, ClaimLineForm, InvalidPageRequest
from gateway.i18n import Language
from gateway.ids import IdKind, OpaqueIds
from gateway.problems import ErrorCode, Problem
from gateway.sessions import selected_file
from gateway.vocabulary import (
    ClaimCategory,
    ClaimStatus,
    OnlineFeature,
    Relationship,
    ServiceType,
)
from schema.common import Info, PageInfo, UserError
from schema.errors import field_error, user_errors
from schema.guards import guarded
from store.records import Claim as ClaimRecord
from store.records import ClaimLine as ClaimLineRecord
from store.records import DirectDeposit as DepositRecord
from store.records import Receipt as ReceiptRecord
from store.records import SignedIn

strawberry.enum(ClaimCategory)
strawberry.enum(ServiceType)
strawberry.enum(Relationship)
strawberry.enum(ClaimStatus)


@strawberry.type(
    description="Someone the file covers: the member or a dependant listed in the registry."
)
class InsuredPerson:
    id: strawberry.ID
    first_name: str
    last_name: str
    relationship: Relationship

    @classmethod
    def of(cls, person: claims.InsuredPerson) -> InsuredPerson:
        return cls(
            id=strawberry.ID(person.id),
            first_name=person.first_name,
            last_name=person.last_name,
            relationship=person.relationship,
        )


@strawberry.type(
    description=(
        "A receipt uploaded by the member, waiting to be attached to a claim or attached to one."
    )
)
class Receipt:
    record: strawberry.Private[ReceiptRecord]

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return strawberry.ID(info.context.kit.ids.encode(IdKind.RECEIPT, self.record.id))

    @strawberry.field(
        description="image/jpeg, image/png or application/pdf, as read from the content itself."
    )
    def content_type(self) -> str:
        return self.record.content_type

    @strawberry.field
    def size_bytes(self) -> int:
        return self.record.size_bytes

    @strawberry.field
    def uploaded_at(self) -> datetime:
        return self.record.uploaded_at


@strawberry.type
class ClaimLine:
    record: strawberry.Private[ClaimLineRecord]

    @strawberry.field
    def service_type(self) -> ServiceType:
        return ServiceType(self.record.service_type)

    @strawberry.field
    def service_date(self) -> date:
        return self.record.service_date

    @strawberry.field
    def amount_cents(self) -> int:
        return self.record.amount_cents

    @strawberry.field(description="What another plan (a spouse's, say) already paid for this line.")
    def other_plan_paid_cents(self) -> int:
        return self.record.other_plan_paid_cents


@strawberry.type
class ClaimDecision:
    eligible_cents: int
    paid_cents: int
    reason: str | None = strawberry.field(
        description="Why, in the request's language; null when everything claimed was paid."
    )
    decided_at: datetime


@strawberry.type
class Claim:
    record: strawberry.Private[ClaimRecord]

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return strawberry.ID(info.context.kit.ids.encode(IdKind.CLAIM, self.record.id))

    @strawberry.field(description="The number the member quotes to the insurer.")
    def reference(self) -> str:
        return self.record.reference

    @strawberry.field
    def category(self) -> ClaimCategory:
        return ClaimCategory(self.record.category)

    @strawberry.field
    def status(self) -> ClaimStatus:
        return ClaimStatus(self.record.status)

    @strawberry.field
    async def patient(self, info: Info) -> InsuredPerson:
        return InsuredPerson.of(await claims.patient_of(self.record, info.context.kit.ids))

    @strawberry.field
    def provider_name(self) -> str:
        return self.record.provider_name

    @strawberry.field
    def lines(self) -> list[ClaimLine]:
        return [ClaimLine(record=line) for line in self.record.lines]

    @strawberry.field
    def total_cents(self) -> int:
        return self.record.total_cents

    @strawberry.field
    def receipts(self) -> list[Receipt]:
        return [Receipt(record=r) for r in self.record.receipts]

    @strawberry.field
    def submitted_at(self) -> datetime:
        return self.record.submitted_at

    @strawberry.field
    def decision(self, info: Info) -> ClaimDecision | None:
        record = self.record
        if record.decided_at is None or record.eligible_cents is None or record.paid_cents is None:
            return None
        english = info.context.language is Language.EN
        return ClaimDecision(
            eligible_cents=record.eligible_cents,
            paid_cents=record.paid_cents,
            reason=record.reason_en if english else record.reason_fr,
            decided_at=record.decided_at,
        )


@strawberry.type
class ClaimEdge:
    cursor: str
    node: Claim


@strawberry.type
class ClaimConnection:
    edges: list[ClaimEdge]
    page_info: PageInfo


@strawberry.type(
    description=(
        "The bank account reimbursements are paid into; only the last digits are ever shown."
    )
)
class DirectDeposit:
    institution_number: str
    transit_number: str
    account_number_last3: str
    updated_at: datetime

    @classmethod
    def of(cls, record: DepositRecord) -> DirectDeposit:
        return cls(
            institution_number=record.institution_number,
            transit_number=record.transit_number,
            account_number_last3=record.account_number_last3,
            updated_at=record.updated_at,
        )


@strawberry.type(
    description="What the member's payment card shows (R1: the numbers to register with)."
)
class PaymentCard:
    sponsor_name: str
    plan_name: str
    contract_number: str
    certificate_number: str
    insured_persons: list[InsuredPerson]


def _feature(member: SignedIn, feature: OnlineFeature, info: Info) -> None:
    """R13 on a query field: null and a FEATURE_NOT_AVAILABLE error."""
    problem = claims.feature_problem(selected_file(member), feature)
    if problem is not None:
        raise field_error(problem, info.context.language)


@strawberry.type
class ViewerClaims:
    """The fields contract/claims.graphql adds to Viewer."""

    record: strawberry.Private[SignedIn]

    @strawberry.field(
        description="The selected file's insured persons, to choose the patient of a claim.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def insured_persons(self, info: Info) -> list[InsuredPerson]:
        file = selected_file(self.record)
        if file is None:
            return []
        people = await claims.insured_persons(file, info.context.kit.ids)
        return [InsuredPerson.of(person) for person in people]

    @strawberry.field(
        description="Needs CLAIMS_HISTORY; newest first; first 1..50.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def claims(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> ClaimConnection:
        _feature(self.record, OnlineFeature.CLAIMS_HISTORY, info)
        try:
            page = await claims.claims_page(
                self.record, 20 if first is None else first, after, info.context.kit.ids
            )
        except InvalidPageRequest as invalid:
            raise field_error(
                Problem(ErrorCode.INVALID_VALUE, "first" if "first" in str(invalid) else "after"),
                info.context.language,
            ) from None
        edges = [ClaimEdge(cursor=cursor, node=Claim(record=c)) for c, cursor in page.claims]
        return ClaimConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
        )

    @strawberry.field(
        description=(
            "Needs CLAIMS_HISTORY, or the category's claims feature for a claim submitted in "
            "this session."
        ),
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def claim(self, info: Info, id: strawberry.ID) -> Claim | None:
        record = await claims.claim_for_member(self.record, id, info.context.kit.ids)
        return Claim(record=record) if record is not None else None

    @strawberry.field(
        description="Receipts uploaded and not yet attached to a claim.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def pending_receipts(self) -> list[Receipt]:
        found = await receipts.pending_receipts(self.record)
        return [Receipt(record=r) for r in found]

    @strawberry.field(
        description="Needs DIRECT_DEPOSIT; null when none is on file.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def direct_deposit(self, info: Info) -> DirectDeposit | None:
        _feature(self.record, OnlineFeature.DIRECT_DEPOSIT, info)
        record = await deposit.current(self.record)
        return DirectDeposit.of(record) if record is not None else None

    @strawberry.field(description="Needs PAYMENT_CARD.", extensions=guarded(Right.ACTIVE_MEMBER))
    async def payment_card(self, info: Info) -> PaymentCard | None:
        _feature(self.record, OnlineFeature.PAYMENT_CARD, info)
        file = selected_file(self.record)
        assert file is not None
        people = await claims.insured_persons(file, info.context.kit.ids)
        return PaymentCard(
            sponsor_name=file.sponsor_name,
            plan_name=file.plan_name,
            contract_number=file.contract_number,
            certificate_number=file.certificate_number,
            insured_persons=[InsuredPerson.of(person) for person in people],
        )


@strawberry.input
class ClaimLineInput:
    service_type: ServiceType
    service_date: date
    amount_cents: int
    other_plan_paid_cents: int | None = 0


@strawberry.input
class SubmitClaimInput:
    idempotency_key: str = strawberry.field(
        description=(
            "Chosen by the client once per claim; a retry with the same key returns the same claim."
        )
    )
    category: ClaimCategory
    patient_id: strawberry.ID
    provider_name: str
    lines: list[ClaimLineInput]
    receipt_ids: list[strawberry.ID]


@strawberry.type
class ReceiptPayload:
    receipt: Receipt | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ClaimPayload:
    claim: Claim | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DirectDepositInput:
    institution_number: str
    transit_number: str
    account_number: str
    current_password: str = strawberry.field(
        description="The member's password again: a bank account is where the money goes."
    )


@strawberry.type
class DirectDepositPayload:
    direct_deposit: DirectDeposit | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _ids(info: Info) -> OpaqueIds:
    return info.context.kit.ids


@strawberry.type
class ClaimsMutation:
    @strawberry.mutation(
        description="A receipt as a file of the GraphQL multipart request spec (jpeg, png or pdf).",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def upload_receipt(self, info: Info, file: Upload) -> ReceiptPayload:
        context = info.context
        member = context.member()
        if not isinstance(file, receipts.Upload):
            return ReceiptPayload(
                errors=user_errors([Problem(ErrorCode.INVALID_RECEIPT, "file")], context.language)
            )
        receipt, problems = await receipts.upload_receipt(
            member,
            file,
            context.origin(member.session.channel),
            context.settings,
            context.kit.claims.receipts,
            context.kit.claims.cleaning,
        )
        if receipt is None:
            return ReceiptPayload(errors=user_errors(problems, context.language))
        return ReceiptPayload(receipt=Receipt(record=receipt), errors=[])

    @strawberry.mutation(
        description="R17: a claim for the selected file, with its receipts.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def submit_claim(self, info: Info, input: SubmitClaimInput) -> ClaimPayload:
        context = info.context
        member = context.member()
        form = ClaimForm(
            idempotency_key=input.idempotency_key,
            category=input.category,
            patient_id=input.patient_id,
            provider_name=input.provider_name,
            lines=[
                ClaimLineForm(
                    service_type=line.service_type,
                    service_date=line.service_date,
                    amount_cents=line.amount_cents,
                    other_plan_paid_cents=line.other_plan_paid_cents or 0,
                )
                for line in input.lines
            ],
            receipt_ids=list(input.receipt_ids),
        )
        result = await claims.submit_claim(
            member, form, context.origin(member.session.channel), _ids(info)
        )
        if result.claim is None:
            return ClaimPayload(errors=user_errors(result.problems, context.language))
        context.kit.claims.claim_recorded()
        return ClaimPayload(claim=Claim(record=result.claim), errors=[])

    @strawberry.mutation(extensions=guarded(Right.ACTIVE_MEMBER))
    async def set_direct_deposit(
        self, info: Info, input: DirectDepositInput
    ) -> DirectDepositPayload:
        context = info.context
        member = context.member()
        refused = claims.feature_problem(selected_file(member), OnlineFeature.DIRECT_DEPOSIT)
        if refused is not None:
            return DirectDepositPayload(errors=user_errors([refused], context.language))
        form = deposit.DepositForm(
            institution_number=input.institution_number,
            transit_number=input.transit_number,
            account_number=input.account_number,
            current_password=input.current_password,
        )
        record, problems = await deposit.set_direct_deposit(
            member,
            form,
            context.origin(member.session.channel),
            context.kit,
            context.kit.claims.data_keys,
        )
        if record is None:
            return DirectDepositPayload(errors=user_errors(problems, context.language))
        return DirectDepositPayload(direct_deposit=DirectDeposit.of(record), errors=[])
