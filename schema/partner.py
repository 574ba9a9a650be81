"""Partner portals and insurer staff (contract/partner.graphql): thin resolvers over services."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from graphql import GraphQLError

from gateway import partners, staff
from gateway.access import KeyCaller, Right, refusal
from gateway.problems import ErrorCode
from gateway.rules import ProfileForm
from models.accounts import Account
from models.registry import Contract
from schema.context import GatewayContext
from schema.errors import user_errors
from schema.permissions import PartnerKey, StaffKey, forbidden
from schema.types import (
    FileStatus,
    InsuranceFile,
    ProductLine,
    Profile,
    ProfileInput,
    UserError,
    to_files,
)

Info = strawberry.Info[GatewayContext, None]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(
    description="What a plan administrator may see of a member: enough to give them their numbers."
)
class PartnerMember:
    certificate_number: str
    first_name: str
    last_name: str
    status: FileStatus
    registered_online: bool


@strawberry.type
class PartnerMemberEdge:
    cursor: str
    node: PartnerMember


@strawberry.type
class PartnerMemberConnection:
    edges: list[PartnerMemberEdge]
    page_info: PageInfo
    total_count: int


async def _key(info: Info) -> KeyCaller:
    caller = await info.context.caller()
    assert isinstance(caller, KeyCaller)
    return caller


@strawberry.type
class PartnerContract:
    record: strawberry.Private[Contract]

    @strawberry.field
    def number(self) -> str:
        return self.record.number

    @strawberry.field
    def product_line(self) -> ProductLine:
        return ProductLine(self.record.product_line)

    @strawberry.field
    def sponsor_name(self) -> str:
        return self.record.sponsor_name

    @strawberry.field
    def plan_name(self) -> str:
        return self.record.plan_name

    @strawberry.field
    async def certificate_count(self) -> int:
        return await partners.certificate_count(self.record.id)

    @strawberry.field(
        description="How many of its certificates are registered for the online services."
    )
    async def registered_count(self) -> int:
        return await partners.registered_count(self.record.id)

    @strawberry.field(
        description=(
            "first: 1 to 100. search: part of a first or last name, or a certificate number."
        )
    )
    async def members(
        self, info: Info, first: int, after: str | None = None, search: str | None = None
    ) -> PartnerMemberConnection:
        try:
            page = await partners.members(
                await _key(info), self.record, first, after, search, info.context.origin()
            )
        except partners.InvalidPageRequest as invalid:
            raise GraphQLError(str(invalid), extensions={"code": "BAD_USER_INPUT"}) from None
        edges = [
            PartnerMemberEdge(
                cursor=cursor,
                node=PartnerMember(
                    certificate_number=m.certificate_number,
                    first_name=m.first_name,
                    last_name=m.last_name,
                    status=FileStatus(m.status),
                    registered_online=m.registered_online,
                ),
            )
            for cursor, m in page.edges
        ]
        return PartnerMemberConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )


@strawberry.type(description="What the insurer's staff see of an account.")
class StaffAccount:
    record: strawberry.Private[Account]

    @strawberry.field
    def user_code(self) -> str:
        return self.record.user_code

    @strawberry.field
    def profile(self) -> Profile:
        return Profile.of(self.record)

    @strawberry.field
    async def insurance_files(self, info: Info) -> list[InsuranceFile]:
        return to_files(await info.context.files_of(self.record.id))

    @strawberry.field
    async def locked(self, info: Info) -> bool:
        return await staff.locked_for(self.record, info.context.kit.ledger) is not None

    @strawberry.field
    async def locked_until(self, info: Info) -> datetime | None:
        wait = await staff.locked_for(self.record, info.context.kit.ledger)
        return datetime.now(UTC) + wait if wait is not None else None

    @strawberry.field
    async def active_session_count(self, info: Info) -> int:
        return await staff.active_session_count(self.record, info.context.settings)


@strawberry.type
class StaffActionPayload:
    account: StaffAccount | None
    errors: list[UserError]


@strawberry.type
class PartnerQuery:
    @strawberry.field(
        permission_classes=[PartnerKey],
        description=(
            "Partner keys: the contracts in the key's scope; null (with FORBIDDEN) for any "
            "other caller."
        ),
    )
    async def partner_contracts(self, info: Info) -> list[PartnerContract] | None:
        records = await partners.contracts_in_scope(await _key(info))
        return [PartnerContract(record=r) for r in records]

    @strawberry.field(
        permission_classes=[PartnerKey],
        description="Partner keys: one contract of the key's scope.",
    )
    async def partner_contract(self, info: Info, number: str) -> PartnerContract | None:
        record = await partners.contract_in_scope(await _key(info), number)
        if record is None:
            raise forbidden(info, ErrorCode.FORBIDDEN)
        return PartnerContract(record=record)

    @strawberry.field(permission_classes=[StaffKey], description="Staff keys.")
    async def staff_account(self, info: Info, user_code: str) -> StaffAccount | None:
        account = await staff.find_account(user_code)
        return StaffAccount(record=account) if account else None


async def _staff_caller(info: Info) -> tuple[KeyCaller | None, list[UserError]]:
    caller = await info.context.caller(for_mutation=True)
    problems = refusal(caller, Right.STAFF)
    if problems:
        return None, user_errors(problems, info.context.language)
    assert isinstance(caller, KeyCaller)
    return caller, []


def _payload(info: Info, outcome: staff.StaffOutcome) -> StaffActionPayload:
    return StaffActionPayload(
        account=StaffAccount(record=outcome.account) if outcome.account else None,
        errors=user_errors(outcome.problems, info.context.language),
    )


@strawberry.type
class StaffMutation:
    @strawberry.mutation(
        description=(
            "Staff keys: the only way to change a member's displayed information after "
            "registration (R8)."
        )
    )
    async def correct_profile(
        self, info: Info, user_code: str, profile: ProfileInput
    ) -> StaffActionPayload:
        caller, errors = await _staff_caller(info)
        if caller is None:
            return StaffActionPayload(account=None, errors=errors)
        form = ProfileForm(
            first_name=profile.first_name,
            last_name=profile.last_name,
            email=profile.email,
            preferred_language=(
                profile.preferred_language.value if profile.preferred_language else None
            ),
        )
        outcome = await staff.correct_profile(caller, user_code, form, info.context.origin())
        return _payload(info, outcome)

    @strawberry.mutation(description="Staff keys: lift a lockout.")
    async def unlock_account(self, info: Info, user_code: str) -> StaffActionPayload:
        caller, errors = await _staff_caller(info)
        if caller is None:
            return StaffActionPayload(account=None, errors=errors)
        outcome = await staff.unlock_account(
            caller, user_code, info.context.origin(), info.context.kit.ledger
        )
        return _payload(info, outcome)

    @strawberry.mutation(description="Staff keys: end every session of the account.")
    async def revoke_sessions(self, info: Info, user_code: str) -> StaffActionPayload:
        caller, errors = await _staff_caller(info)
        if caller is None:
            return StaffActionPayload(account=None, errors=errors)
        outcome = await staff.revoke_sessions(caller, user_code, info.context.origin())
        return _payload(info, outcome)
