"""Sign-in and its lockout (R10), linking existing credentials (R9), recovery (R14)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gateway import agreements, audit, rules, sessions
from gateway.audit import Origin
from gateway.files import (
    FILE_PARTS,
    FILES_OF_ACCOUNT_JOIN,
    FILES_ORDER,
    InsuranceFile,
    files_from_rows,
    files_of_account,
)
from gateway.hashing import Hasher
from gateway.joined import JoinedSelect, Part
from gateway.problems import ErrorCode, Problem
from gateway.registration import verify_identity
from gateway.settings import Settings
from gateway.text import fold
from models.accounts import Account, AccountCertificate
from models.audit import AuditEvent
from models.sessions import Session


@dataclass(frozen=True)
class SignInResult:
    token: str | None
    session: Session | None
    files: list[InsuranceFile]
    problems: list[Problem]


def _failed(problems: list[Problem]) -> SignInResult:
    return SignInResult(None, None, [], problems)


def _locked_problem(until: datetime, now: datetime) -> Problem:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return Problem(ErrorCode.ACCOUNT_LOCKED, params={"minutes": minutes})


def _attempted_code(user_code: str) -> str:
    """What the audit keeps of a typed user code: bounded, in case a password was typed there."""
    return user_code.strip()[:36]


@dataclass(frozen=True)
class _Holder:
    """An account with what a sign-in answers about it: its files (R11) and whether it
    accepted the agreement in force (R12)."""

    account: Account
    files: list[InsuranceFile]
    accepted_current: bool


_ACCOUNT = Part(Account, "a")
# The account, its files and its agreement status in one statement: a sign-in needs all three.
_HOLDER_BY_CODE = JoinedSelect(
    [_ACCOUNT, *FILE_PARTS],
    f'FROM "account" AS "a" {FILES_OF_ACCOUNT_JOIN} '
    f'WHERE "a"."user_code_canonical" = ? {FILES_ORDER}',
    extras=[("accepted_current", "(" + agreements.accepted_current_sql('"a"."id"') + ")")],
)


async def _find_holder(user_code: str) -> _Holder | None:
    canonical = rules.canonical_user_code(user_code)
    if len(canonical) > rules.USER_CODE_MAX_LENGTH:
        return None
    joined = await _HOLDER_BY_CODE.fetch(canonical)
    if not joined.rows:
        return None
    row = joined.rows[0]
    return _Holder(
        account=joined.instance(_ACCOUNT, row, Account),
        files=files_from_rows(joined),
        accepted_current=bool(joined.computed("accepted_current", row)),
    )


async def _find_account(user_code: str) -> Account | None:
    holder = await _find_holder(user_code)
    return holder.account if holder else None


@dataclass(frozen=True)
class _Counter:
    """One of the two failure counts an account keeps: sign-in, and recovery (R14)."""

    count_field: str
    until_field: str
    failed_event: str
    locked_event: str


_SIGN_IN = _Counter("failed_sign_ins", "locked_until", "sign_in_failed", "locked")
_RECOVERY = _Counter(
    "failed_recoveries", "recovery_locked_until", "recovery_failed", "recovery_locked"
)


async def _count_failure(
    account: Account, counter: _Counter, threshold: int, origin: Origin, settings: Settings
) -> None:
    """Increment in the database, so that every gateway process shares one count; the
    conditional update locks the account exactly once when the count reaches the threshold."""
    await Account.filter(id=account.id).update(**{counter.count_field: F(counter.count_field) + 1})
    await audit.record_for(account, counter.failed_event, origin)
    until = datetime.now(UTC) + timedelta(minutes=settings.lockout_minutes)
    locked = await Account.filter(
        id=account.id, **{f"{counter.count_field}__gte": threshold}
    ).update(**{counter.until_field: until, counter.count_field: 0})
    if locked:
        await audit.record_for(account, counter.locked_event, origin, until=until.isoformat())


async def _count_failed_sign_in(account: Account, origin: Origin, settings: Settings) -> None:
    await _count_failure(account, _SIGN_IN, settings.lockout_threshold, origin, settings)


async def authenticate(
    user_code: str, password: str, origin: Origin, settings: Settings, hasher: Hasher
) -> tuple[_Holder | None, list[Problem]]:
    """The user code and password check shared by signIn, linking and changePassword.

    Unknown user code and wrong password answer alike, after the same argon2 work.
    """
    problems = rules.required(user_code, "userCode") + rules.required(password, "password")
    if problems:
        return None, problems
    holder = await _find_holder(user_code)
    if holder is None:
        await hasher.verify_dummy(password)
        await audit.record("sign_in_failed", origin, user_code=_attempted_code(user_code))
        return None, [Problem(ErrorCode.INVALID_CREDENTIALS)]
    account = holder.account
    now = datetime.now(UTC)
    if account.locked_until is not None and account.locked_until > now:
        return None, [_locked_problem(account.locked_until, now)]
    if not await hasher.verify(account.password_hash, password):
        await _count_failed_sign_in(account, origin, settings)
        return None, [Problem(ErrorCode.INVALID_CREDENTIALS)]
    changes: dict[str, object] = {}
    if account.failed_sign_ins or account.locked_until is not None:
        changes |= {"failed_sign_ins": 0, "locked_until": None}
    if hasher.needs_rehash(account.password_hash):
        changes["password_hash"] = await hasher.hash(password)
    if changes:
        await Account.filter(id=account.id).update(**changes)
        account.update_from_dict(changes)
    return holder, []


async def _open(
    holder: _Holder, files: list[InsuranceFile], origin: Origin, settings: Settings
) -> SignInResult:
    account = holder.account
    token, session = await sessions.open_session(account, files, origin, settings)
    session.accepted_current = holder.accepted_current
    return SignInResult(token, session, files, [])


async def sign_in(
    user_code: str, password: str, origin: Origin, settings: Settings, hasher: Hasher
) -> SignInResult:
    holder, problems = await authenticate(user_code, password, origin, settings, hasher)
    if holder is None:
        return _failed(problems)
    return await _open(holder, holder.files, origin, settings)


@dataclass(frozen=True)
class LinkForm:
    contract_number: str
    certificate_number: str
    date_of_birth: date
    user_code: str
    password: str


async def link_existing_credentials(
    form: LinkForm, origin: Origin, settings: Settings, hasher: Hasher
) -> SignInResult:
    """R9: the new certificate must be the account holder's own, proved by the date of birth."""
    problems = rules.check_number(form.contract_number, "contractNumber") + rules.check_number(
        form.certificate_number, "certificateNumber"
    )
    holder, credential_problems = await authenticate(
        form.user_code, form.password, origin, settings, hasher
    )
    if problems or holder is None:
        return _failed(problems + credential_problems)
    account = holder.account
    certificate = await verify_identity(
        form.contract_number, form.certificate_number, form.date_of_birth
    )
    if certificate is None or certificate.date_of_birth != account.date_of_birth:
        return _failed([Problem(ErrorCode.IDENTITY_NOT_VERIFIED)])
    owner = await AccountCertificate.filter(certificate_id=certificate.id).first()
    if owner is not None and owner.account_id != account.id:
        return _failed([Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber")])
    if owner is None:
        try:
            async with in_transaction():
                await AccountCertificate.create(
                    account_id=account.id, certificate_id=certificate.id
                )
                await audit.record_for(
                    account, "credentials_linked", origin, certificate_id=certificate.id
                )
        except IntegrityError:
            return _failed([Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber")])
    return await _open(holder, await files_of_account(account.id), origin, settings)


async def _hint_requests_in_last_hour(canonical_code: str) -> int:
    since = datetime.now(UTC) - timedelta(hours=1)
    return await AuditEvent.filter(
        event="hint_requested", user_code=canonical_code, occurred_at__gte=since
    ).count()


async def password_hint(
    user_code: str, date_of_birth: date, origin: Origin, settings: Settings
) -> tuple[str | None, list[Problem]]:
    """R14, first step: the memory aid, for the right user code and date of birth only.

    Requests are counted per user code, known or not, so the limit tells nothing either.
    """
    problems = rules.required(user_code, "userCode")
    if problems:
        return None, problems
    canonical = _attempted_code(rules.canonical_user_code(user_code))
    if await _hint_requests_in_last_hour(canonical) >= settings.hint_requests_per_hour:
        return None, [Problem(ErrorCode.RATE_LIMITED, params={"seconds": 3600})]
    account = await _find_account(user_code)
    matched = account is not None and account.date_of_birth == date_of_birth
    await audit.record(
        "hint_requested",
        origin,
        account_id=account.id if account else None,
        user_code=canonical,
        matched=matched,
    )
    if account is None or not matched:
        return None, [Problem(ErrorCode.INVALID_CREDENTIALS)]
    return account.password_hint, []


def new_password_problems(new_password: str, confirmation: str, user_code: str) -> list[Problem]:
    """Every format rule of registration for a replacement password, under its field names."""
    problems = rules.check_password(new_password, user_code, "newPassword")
    return problems + rules.check_confirmation(
        new_password, confirmation, "newPasswordConfirmation"
    )


@dataclass(frozen=True)
class ResetForm:
    user_code: str
    date_of_birth: date
    mothers_first_name: str
    new_password: str
    new_password_confirmation: str


async def reset_password(
    form: ResetForm, origin: Origin, settings: Settings, hasher: Hasher
) -> list[Problem]:
    """R14, second step: the mother's first name proves it; every session ends."""
    problems = rules.required(form.user_code, "userCode")
    problems += rules.bounded_text(
        form.mothers_first_name, "mothersFirstName", rules.MOTHERS_FIRST_NAME_MAX_LENGTH
    )
    problems += new_password_problems(
        form.new_password, form.new_password_confirmation, form.user_code
    )
    if problems:
        return problems
    account = await _find_account(form.user_code)
    if account is None:
        await hasher.verify_dummy(fold(form.mothers_first_name))
        await audit.record("recovery_failed", origin, user_code=_attempted_code(form.user_code))
        return [Problem(ErrorCode.INVALID_CREDENTIALS)]
    now = datetime.now(UTC)
    if account.recovery_locked_until is not None and account.recovery_locked_until > now:
        return [_locked_problem(account.recovery_locked_until, now)]
    answer_ok = await hasher.verify(account.mothers_first_name_hash, fold(form.mothers_first_name))
    if not answer_ok or account.date_of_birth != form.date_of_birth:
        await _count_failure(account, _RECOVERY, settings.recovery_threshold, origin, settings)
        return [Problem(ErrorCode.INVALID_CREDENTIALS)]
    problems = await _replacement_problems(account, form.new_password, hasher)
    if problems:
        return problems
    new_hash = await hasher.hash(form.new_password)
    async with in_transaction():
        await Account.filter(id=account.id).update(
            password_hash=new_hash,
            failed_sign_ins=0,
            locked_until=None,
            failed_recoveries=0,
            recovery_locked_until=None,
        )
        ended = await sessions.end_sessions_of(account.id)
        await audit.record_for(account, "password_reset", origin, sessions_ended=ended)
    return []


async def _replacement_problems(
    account: Account, new_password: str, hasher: Hasher
) -> list[Problem]:
    """Rules that need the account: R5's hint still must not reveal it, and it must change."""
    problems = []
    if new_password.casefold() in account.password_hint.casefold():
        problems.append(Problem(ErrorCode.HINT_REVEALS_PASSWORD, "newPassword"))
    if await hasher.verify(account.password_hash, new_password):
        problems.append(
            Problem(ErrorCode.WEAK_PASSWORD, "newPassword", "WEAK_PASSWORD.same_as_current")
        )
    return problems


async def change_password(
    session: Session,
    current_password: str,
    new_password: str,
    confirmation: str,
    origin: Origin,
    settings: Settings,
    hasher: Hasher,
) -> list[Problem]:
    """A signed-in member's own change; the current password counts toward the lockout."""
    account = session.account
    problems = rules.required(current_password, "currentPassword")
    problems += new_password_problems(new_password, confirmation, account.user_code)
    if problems:
        return problems
    now = datetime.now(UTC)
    if account.locked_until is not None and account.locked_until > now:
        return [_locked_problem(account.locked_until, now)]
    if not await hasher.verify(account.password_hash, current_password):
        await _count_failed_sign_in(account, origin, settings)
        return [Problem(ErrorCode.INVALID_CREDENTIALS, "currentPassword")]
    problems = await _replacement_problems(account, new_password, hasher)
    if problems:
        return problems
    new_hash = await hasher.hash(new_password)
    async with in_transaction():
        await Account.filter(id=account.id).update(password_hash=new_hash, failed_sign_ins=0)
        ended = await sessions.end_sessions_of(account.id, keep_session_id=session.id)
        await audit.record_for(account, "password_changed", origin, sessions_ended=ended)
    return []
