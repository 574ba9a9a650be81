"""The insurer's staff (contract/partner.graphql): look an account up, correct, unlock, revoke."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from gateway import staff
from gateway.access import Right
from gateway.rules import ProfileForm
from schema.claims import Claim
from schema.common import Info, UserError
from schema.errors import user_errors
from schema.guards import guarded
from schema.member_types import InsuranceFile, Profile, ProfileInput, to_files
from store.records import Account


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
        return to_files(await staff.files_of(self.record), info.context.kit.ids)

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

    @strawberry.field(
        description=(
            f"The member's claims, newest first (first: 1 to {staff.MAX_CLAIMS}); health data, "
            "so every read is audited with the key's name and the request id."
        )
    )
    async def claims(self, info: Info, first: int = 20) -> list[Claim]:
        context = info.context
        found = await staff.claims_of(context.key(), self.record, first, context.origin())
        return [Claim(record=claim) for claim in found]


@strawberry.type
class StaffActionPayload:
    account: StaffAccount | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _payload(info: Info, outcome: staff.StaffOutcome) -> StaffActionPayload:
    return StaffActionPayload(
        account=StaffAccount(record=outcome.account) if outcome.account else None,
        errors=user_errors(outcome.problems, info.context.language),
    )


@strawberry.type
class StaffQuery:
    @strawberry.field(extensions=guarded(Right.STAFF), description="Staff keys.")
    async def staff_account(self, info: Info, user_code: str) -> StaffAccount | None:
        account = await staff.look_up(info.context.key(), user_code, info.context.origin())
        return StaffAccount(record=account) if account else None


@strawberry.type
class StaffMutation:
    @strawberry.mutation(
        extensions=guarded(Right.STAFF),
        description=(
            "Staff keys: the only way to change a member's displayed information after "
            "registration (R8)."
        ),
    )
    async def correct_profile(
        self, info: Info, user_code: str, profile: ProfileInput
    ) -> StaffActionPayload:
        form = ProfileForm(
            first_name=profile.first_name,
            last_name=profile.last_name,
            email=profile.email,
            preferred_language=(
                profile.preferred_language.value if profile.preferred_language else None
            ),
        )
        outcome = await staff.correct_profile(
            info.context.key(), user_code, form, info.context.origin()
        )
        return _payload(info, outcome)

    @strawberry.mutation(extensions=guarded(Right.STAFF), description="Staff keys: lift a lockout.")
    async def unlock_account(self, info: Info, user_code: str) -> StaffActionPayload:
        outcome = await staff.unlock_account(
            info.context.key(), user_code, info.context.origin(), info.context.kit.ledger
        )
        return _payload(info, outcome)

    @strawberry.mutation(
        extensions=guarded(Right.STAFF), description="Staff keys: end every session of the account."
    )
    async def revoke_sessions(self, info: Info, user_code: str) -> StaffActionPayload:
        outcome = await staff.revoke_sessions(info.context.key(), user_code, info.context.origin())
        return _payload(info, outcome)
