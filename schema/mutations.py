"""Mutation resolvers: translate input, call one service, translate its answer."""

from __future__ import annotations

from datetime import date, timedelta

import strawberry

from gateway import credentials, registration, sessions
from gateway.access import Right, refusal
from gateway.credentials import SignInResult
from gateway.problems import ErrorCode, waiting
from gateway.rules import ProfileForm
from models.sessions import Session as SessionRecord
from schema.context import GatewayContext
from schema.errors import user_errors
from schema.types import Channel, InsuranceFile, ProfileInput, Session, UserError, to_files

Info = strawberry.Info[GatewayContext, None]


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
        description=(
            "The confirmation: the user code to note down (R7). Null when errors is not empty."
        )
    )
    errors: list[UserError]


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
        description="The bearer token, shown once. Null when errors is not empty."
    )
    session: Session | None
    insurance_files: list[InsuranceFile] = strawberry.field(
        description="Every file the user code reaches, to choose from (R11)."
    )
    errors: list[UserError]


@strawberry.type
class SessionPayload:
    session: Session | None
    errors: list[UserError]


@strawberry.type
class SignOutPayload:
    errors: list[UserError]


@strawberry.input
class PasswordHintInput:
    user_code: str
    date_of_birth: date


@strawberry.type
class PasswordHintPayload:
    hint: str | None
    errors: list[UserError]


@strawberry.input
class ResetPasswordInput:
    user_code: str
    date_of_birth: date
    mothers_first_name: str
    new_password: str
    new_password_confirmation: str


@strawberry.type
class ResetPasswordPayload:
    errors: list[UserError]


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str
    new_password_confirmation: str


@strawberry.type
class ChangePasswordPayload:
    errors: list[UserError]


@strawberry.type
class RevokeSessionPayload:
    errors: list[UserError]


def _channel(channel: Channel | None) -> str:
    return (channel or Channel.WEB).value


def _signed_in(info: Info, result: SignInResult, channel: str) -> SignInPayload:
    context = info.context
    if result.token is None or result.session is None:
        return SignInPayload(
            token=None,
            session=None,
            insurance_files=[],
            errors=user_errors(result.problems, context.language),
        )
    context.remember_files(result.session.account_id, result.files)
    if channel == Channel.WEB.value:
        context.set_session_cookie(result.token)
    return SignInPayload(
        token=result.token,
        session=Session(record=result.session),
        insurance_files=to_files(result.files),
        errors=[],
    )


async def _credential_attempt(info: Info) -> list[UserError]:
    """Before any credential mutation: API keys have no business there, and each client
    address gets a bounded number of attempts, whatever the user codes it tries."""
    context = info.context
    caller = await context.caller(for_mutation=True)
    problems = refusal(caller, Right.ANONYMOUS_OR_MEMBER)
    if not problems:
        wait = await context.rate_limiter.retry_after(context.client_address)
        if wait is not None:
            problems = [waiting(ErrorCode.RATE_LIMITED, timedelta(seconds=wait))]
    return user_errors(problems, context.language)


async def _member_session(info: Info) -> tuple[SessionRecord | None, list[UserError]]:
    caller = await info.context.caller(for_mutation=True)
    problems = refusal(caller, Right.MEMBER)
    if problems or not isinstance(caller, SessionRecord):
        return None, user_errors(problems, info.context.language)
    return caller, []


@strawberry.type
class MemberMutation:
    @strawberry.mutation(description="R1-R8: a new user code for one contract and certificate.")
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        context = info.context
        refused = await _credential_attempt(info)
        if refused:
            return RegisterPayload(user_code=None, errors=refused)
        profile = input.profile
        form = registration.RegistrationForm(
            contract_number=input.contract_number,
            certificate_number=input.certificate_number,
            date_of_birth=input.date_of_birth,
            user_code=input.user_code,
            password=input.password,
            password_confirmation=input.password_confirmation,
            password_hint=input.password_hint,
            mothers_first_name=input.mothers_first_name,
            profile=ProfileForm(
                first_name=profile.first_name,
                last_name=profile.last_name,
                email=profile.email,
                preferred_language=(
                    profile.preferred_language.value if profile.preferred_language else None
                ),
            )
            if profile
            else None,
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
        )
    )
    async def link_existing_credentials(
        self, info: Info, input: LinkExistingCredentialsInput
    ) -> SignInPayload:
        context = info.context
        refused = await _credential_attempt(info)
        if refused:
            return SignInPayload(token=None, session=None, insurance_files=[], errors=refused)
        channel = _channel(input.channel)
        form = credentials.LinkForm(
            contract_number=input.contract_number,
            certificate_number=input.certificate_number,
            date_of_birth=input.date_of_birth,
            user_code=input.user_code,
            password=input.password,
        )
        result = await credentials.link_existing_credentials(
            form, context.origin(channel), context.kit
        )
        return _signed_in(info, result, channel)

    @strawberry.mutation(description="R10")
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        context = info.context
        refused = await _credential_attempt(info)
        if refused:
            return SignInPayload(token=None, session=None, insurance_files=[], errors=refused)
        channel = _channel(input.channel)
        result = await credentials.sign_in(
            input.user_code, input.password, context.origin(channel), context.kit
        )
        return _signed_in(info, result, channel)

    @strawberry.mutation(description="R11: acts on the caller's session.")
    async def select_insurance_file(self, info: Info, file_id: strawberry.ID) -> SessionPayload:
        context = info.context
        session, refused = await _member_session(info)
        if session is None:
            return SessionPayload(session=None, errors=refused)
        problems = await sessions.select_file(session, file_id, context.origin(session.channel))
        if problems:
            return SessionPayload(session=None, errors=user_errors(problems, context.language))
        return SessionPayload(session=Session(record=session), errors=[])

    @strawberry.mutation(description="R12: acts on the caller's session.")
    async def accept_usage_agreement(self, info: Info, version: str) -> SessionPayload:
        context = info.context
        session, refused = await _member_session(info)
        if session is None:
            return SessionPayload(session=None, errors=refused)
        problems = await sessions.accept_agreement(
            session, version, context.origin(session.channel)
        )
        if problems:
            return SessionPayload(session=None, errors=user_errors(problems, context.language))
        return SessionPayload(session=Session(record=session), errors=[])

    @strawberry.mutation
    async def sign_out(self, info: Info) -> SignOutPayload:
        context = info.context
        session, refused = await _member_session(info)
        context.clear_session_cookie()
        if session is None:
            return SignOutPayload(errors=refused)
        await sessions.end_session(session, context.origin(session.channel))
        context.forget_session()
        return SignOutPayload(errors=[])

    @strawberry.mutation(description="R14: the memory aid.")
    async def password_hint(self, info: Info, input: PasswordHintInput) -> PasswordHintPayload:
        context = info.context
        refused = await _credential_attempt(info)
        if refused:
            return PasswordHintPayload(hint=None, errors=refused)
        hint, problems = await credentials.password_hint(
            input.user_code, input.date_of_birth, context.origin(), context.kit
        )
        return PasswordHintPayload(hint=hint, errors=user_errors(problems, context.language))

    @strawberry.mutation(description="R14: ends every session of the user code.")
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:
        context = info.context
        refused = await _credential_attempt(info)
        if refused:
            return ResetPasswordPayload(errors=refused)
        form = credentials.ResetForm(
            user_code=input.user_code,
            date_of_birth=input.date_of_birth,
            mothers_first_name=input.mothers_first_name,
            new_password=input.new_password,
            new_password_confirmation=input.new_password_confirmation,
        )
        problems = await credentials.reset_password(form, context.origin(), context.kit)
        return ResetPasswordPayload(errors=user_errors(problems, context.language))

    @strawberry.mutation(
        description="A signed-in member's new password; every other session of theirs ends."
    )
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        context = info.context
        session, refused = await _member_session(info)
        if session is None:
            return ChangePasswordPayload(errors=refused)
        problems = await credentials.change_password(
            session,
            input.current_password,
            input.new_password,
            input.new_password_confirmation,
            context.origin(session.channel),
            context.kit,
        )
        return ChangePasswordPayload(errors=user_errors(problems, context.language))

    @strawberry.mutation(description="End one of the member's own sessions (see viewer.sessions).")
    async def revoke_session(self, info: Info, id: strawberry.ID) -> RevokeSessionPayload:
        context = info.context
        session, refused = await _member_session(info)
        if session is None:
            return RevokeSessionPayload(errors=refused)
        problems = await sessions.revoke_session(session, id, context.origin(session.channel))
        return RevokeSessionPayload(errors=user_errors(problems, context.language))

    @strawberry.mutation(description="End every session of the member, this one included.")
    async def sign_out_everywhere(self, info: Info) -> SignOutPayload:
        context = info.context
        session, refused = await _member_session(info)
        context.clear_session_cookie()
        if session is None:
            return SignOutPayload(errors=refused)
        await sessions.sign_out_everywhere(session, context.origin(session.channel))
        context.forget_session()
        return SignOutPayload(errors=[])
