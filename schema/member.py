"""The member's part of the API (contract/core.graphql): resolvers translate input, call one
flow of ``gateway/``, and translate its answer; the guard of each field says who may call it."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway import agreements, linking, password_change, recovery, registration, sessions
from gateway.access import Right
from gateway.i18n import Language
from gateway.problems import ErrorCode, Problem
from gateway.rules import ProfileForm
from gateway.signin import SignInResult, sign_in
from gateway.vocabulary import Channel
from schema.common import Info, UserError
from schema.errors import field_error, user_errors
from schema.guards import guarded
from schema.member_types import (
    InsuranceFile,
    ProfileInput,
    RegistrationRules,
    Session,
    UsageAgreement,
    Viewer,
    to_files,
)


@strawberry.input
class RegisterInput:
    contract_number: str
    certificate_number: str
    date_of_birth: date
    user_code: str
    password: str
    password_confirmation: str
    password_hint: str
    mothers_first_name: str
    profile: ProfileInput | None = strawberry.field(
        default=None,
        description="Mobile registration sends it (R8); without it the registry's name is shown.",
    )
    channel: Channel | None = None


@strawberry.type
class RegisterPayload:
    user_code: str | None = strawberry.field(
        default=None,
        description=(
            "The confirmation: the user code to note down (R7). Null when errors is not empty."
        ),
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SignInInput:
    user_code: str
    password: str
    channel: Channel | None = None


@strawberry.input
class LinkExistingCredentialsInput:
    contract_number: str
    certificate_number: str
    date_of_birth: date
    user_code: str
    password: str
    channel: Channel | None = None


@strawberry.type
class SignInPayload:
    token: str | None = strawberry.field(
        default=None,
        description=(
            "The bearer token, shown once (MOBILE). Null when errors is not empty, and for WEB, "
            "whose session is the HttpOnly cookie."
        ),
    )
    session: Session | None = None
    insurance_files: list[InsuranceFile] = strawberry.field(
        default_factory=list,
        description="Every file the user code reaches, to choose from (R11).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SessionPayload:
    session: Session | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SignOutPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PasswordHintInput:
    user_code: str
    date_of_birth: date


@strawberry.type
class PasswordHintPayload:
    hint: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ResetPasswordInput:
    user_code: str
    date_of_birth: date
    mothers_first_name: str
    new_password: str
    new_password_confirmation: str


@strawberry.type
class ResetPasswordPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str
    new_password_confirmation: str


@strawberry.type
class ChangePasswordPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokeSessionPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)


def _channel(channel: Channel | None) -> str:
    return (channel or Channel.WEB).value


def _signed_in(info: Info, result: SignInResult, channel: str) -> SignInPayload:
    context = info.context
    if result.token is None or result.signed_in is None:
        return SignInPayload(errors=user_errors(result.problems, context.language))
    context.update_member(result.signed_in)
    by_cookie = sessions.carried_by_cookie(channel)
    if by_cookie:
        context.set_session_cookie(result.token)
    return SignInPayload(
        token=None if by_cookie else result.token,  # the HttpOnly cookie is the credential
        session=Session(record=result.signed_in),
        insurance_files=to_files(result.signed_in.files, context.kit.ids),
        errors=[],
    )


def _profile(profile: ProfileInput | None) -> ProfileForm | None:
    if profile is None:
        return None
    return ProfileForm(
        first_name=profile.first_name,
        last_name=profile.last_name,
        email=profile.email,
        preferred_language=profile.preferred_language.value if profile.preferred_language else None,
    )


@strawberry.type
class MemberQuery:
    @strawberry.field
    def registration_rules(self) -> RegistrationRules:
        return RegistrationRules()

    @strawberry.field(description="The current version; language defaults to the request's.")
    async def usage_agreement(self, info: Info, language: Language | None = None) -> UsageAgreement:
        agreement = await agreements.current_agreement()
        if agreement is None:
            raise field_error(Problem(ErrorCode.NOT_FOUND), info.context.language)
        text = agreements.in_language(agreement, language or info.context.language)
        return UsageAgreement(
            version=text.version,
            language=text.language,
            title=text.title,
            body=text.body,
            published_at=text.published_at,
        )

    @strawberry.field
    async def viewer(self, info: Info) -> Viewer | None:
        signed_in = await info.context.signed_in()
        return Viewer(record=signed_in) if signed_in else None


@strawberry.type
class MemberMutation:
    @strawberry.mutation(
        description="R1-R8: a new user code for one contract and certificate.",
        extensions=guarded(Right.CREDENTIAL_ATTEMPT),
    )
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        context = info.context
        form = registration.RegistrationForm(
            contract_number=input.contract_number,
            certificate_number=input.certificate_number,
            date_of_birth=input.date_of_birth,
            user_code=input.user_code,
            password=input.password,
            password_confirmation=input.password_confirmation,
            password_hint=input.password_hint,
            mothers_first_name=input.mothers_first_name,
            profile=_profile(input.profile),
        )
        result = await registration.register_member(
            form, context.origin(_channel(input.channel)), context.kit
        )
        return RegisterPayload(
            user_code=result.user_code, errors=user_errors(result.problems, context.language)
        )

    @strawberry.mutation(
        description=(
            "R9: reach a new contract and certificate with an existing user code; signs in."
        ),
        extensions=guarded(Right.CREDENTIAL_ATTEMPT),
    )
    async def link_existing_credentials(
        self, info: Info, input: LinkExistingCredentialsInput
    ) -> SignInPayload:
        channel = _channel(input.channel)
        form = linking.LinkForm(
            contract_number=input.contract_number,
            certificate_number=input.certificate_number,
            date_of_birth=input.date_of_birth,
            user_code=input.user_code,
            password=input.password,
        )
        result = await linking.link_existing_credentials(
            form, info.context.origin(channel), info.context.kit
        )
        return _signed_in(info, result, channel)

    @strawberry.mutation(description="R10", extensions=guarded(Right.CREDENTIAL_ATTEMPT))
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        channel = _channel(input.channel)
        result = await sign_in(
            input.user_code, input.password, info.context.origin(channel), info.context.kit
        )
        return _signed_in(info, result, channel)

    @strawberry.mutation(
        description="R11: acts on the caller's session.", extensions=guarded(Right.MEMBER)
    )
    async def select_insurance_file(self, info: Info, file_id: strawberry.ID) -> SessionPayload:
        context = info.context
        member = context.member()
        signed_in, problems = await sessions.select_file(
            member, file_id, context.origin(member.session.channel), context.kit.ids
        )
        if problems:
            return SessionPayload(errors=user_errors(problems, context.language))
        context.update_member(signed_in)
        return SessionPayload(session=Session(record=signed_in), errors=[])

    @strawberry.mutation(
        description="R12: acts on the caller's session.", extensions=guarded(Right.MEMBER)
    )
    async def accept_usage_agreement(self, info: Info, version: str) -> SessionPayload:
        context = info.context
        member = context.member()
        signed_in, problems = await sessions.accept_agreement(
            member, version, context.origin(member.session.channel)
        )
        if problems:
            return SessionPayload(errors=user_errors(problems, context.language))
        context.update_member(signed_in)
        return SessionPayload(session=Session(record=signed_in), errors=[])

    @strawberry.mutation(extensions=guarded(Right.MEMBER))
    async def sign_out(self, info: Info) -> SignOutPayload:
        context = info.context
        member = context.member()
        context.clear_session_cookie()
        await sessions.end_session(member, context.origin(member.session.channel))
        context.forget_session()
        return SignOutPayload(errors=[])

    @strawberry.mutation(
        description="R14: the memory aid.", extensions=guarded(Right.CREDENTIAL_ATTEMPT)
    )
    async def password_hint(self, info: Info, input: PasswordHintInput) -> PasswordHintPayload:
        context = info.context
        hint, problems = await recovery.password_hint(
            input.user_code, input.date_of_birth, context.origin(), context.kit
        )
        return PasswordHintPayload(hint=hint, errors=user_errors(problems, context.language))

    @strawberry.mutation(
        description="R14: ends every session of the user code.",
        extensions=guarded(Right.CREDENTIAL_ATTEMPT),
    )
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:
        context = info.context
        form = recovery.ResetForm(
            user_code=input.user_code,
            date_of_birth=input.date_of_birth,
            mothers_first_name=input.mothers_first_name,
            new_password=input.new_password,
            new_password_confirmation=input.new_password_confirmation,
        )
        problems = await recovery.reset_password(form, context.origin(), context.kit)
        return ResetPasswordPayload(errors=user_errors(problems, context.language))

    @strawberry.mutation(
        description="A signed-in member's new password; every other session of theirs ends.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        context = info.context
        member = context.member()
        problems = await password_change.change_password(
            member,
            input.current_password,
            input.new_password,
            input.new_password_confirmation,
            context.origin(member.session.channel),
            context.kit,
        )
        return ChangePasswordPayload(errors=user_errors(problems, context.language))

    @strawberry.mutation(
        description="End one of the member's own sessions (see viewer.sessions).",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def revoke_session(self, info: Info, id: strawberry.ID) -> RevokeSessionPayload:
        context = info.context
        member = context.member()
        problems = await sessions.revoke_session(
            member, id, context.origin(member.session.channel), context.kit.ids
        )
        return RevokeSessionPayload(errors=user_errors(problems, context.language))

    @strawberry.mutation(
        description="End every session of the member, this one included.",
        extensions=guarded(Right.MEMBER),
    )
    async def sign_out_everywhere(self, info: Info) -> SignOutPayload:
        context = info.context
        member = context.member()
        context.clear_session_cookie()
        await sessions.sign_out_everywhere(member, context.origin(member.session.channel))
        context.forget_session()
        return SignOutPayload(errors=[])
