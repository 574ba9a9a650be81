"""Sign-in (R10), linking existing credentials (R9), recovery (R14) and password change.

Each secret is checked only after the attempt ledger (gateway/attempts.py) reserved an attempt
for the key the caller typed, and each flow takes the same steps for a key that exists and one
that does not: the same codes in the same order, the same argon2 work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gateway import agreements, audit, rules, sessions
from gateway.attempts import Attempt, Refused, Scope
from gateway.audit import Origin
from gateway.files import (
    FILE_PARTS,
    FILES_OF_ACCOUNT_JOIN,
    FILES_ORDER,
    InsuranceFile,
    files_from_rows,
    files_of_account,
)
from gateway.hashing import StoredPassword
from gateway.joined import JoinedSelect, Part
from gateway.problems import ErrorCode, Problem
from gateway.registration import identity_attempt, verify_identity
from gateway.text import canonical_user_code, fold
from gateway.toolkit import Toolkit
from models.accounts import Account, AccountCertificate
from models.sessions import Session


@dataclass(frozen=True)
class SignInResult:
    token: str | None
    session: Session | None
    files: list[InsuranceFile]
    problems: list[Problem]


def _failed(problems: list[Problem]) -> SignInResult:
    return SignInResult(None, None, [], problems)


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
    """Only a valid user code (R3) can name an account: a look-alike from another script
    (the Kelvin sign for K) or a code padded with invisible characters names none."""
    if not rules.is_user_code(user_code.strip()):
        return None
    joined = await _HOLDER_BY_CODE.fetch(canonical_user_code(user_code))
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


def stored_password(account: Account) -> StoredPassword:
    return StoredPassword(account.password_hash, account.password_pepper_id)


def _too_long(password: str, field: str) -> list[Problem]:
    """Refused before any hashing: no account has a longer password (ASVS 2.1.2)."""
    if len(password) <= rules.PASSWORD_MAX_LENGTH:
        return []
    return [
        Problem(
            ErrorCode.INVALID_VALUE,
            field,
            "INVALID_VALUE.too_long",
            {"max": rules.PASSWORD_MAX_LENGTH},
        )
    ]


async def _check_password(
    attempt: Attempt,
    account: Account | None,
    password: str,
    origin: Origin,
    kit: Toolkit,
) -> bool:
    """One evaluated attempt: argon2 against the account's hash, or a dummy one; the outcome
    told to the ledger; a hash made with older parameters or pepper replaced."""
    stored = stored_password(account) if account else None
    if not await kit.hasher.verify_password(stored, password):
        await kit.ledger.failed(attempt, origin, account_id=account.id if account else None)
        return False
    await kit.ledger.succeeded(attempt)
    assert account is not None and stored is not None
    if kit.hasher.password_needs_rehash(stored):
        rehashed = await kit.hasher.hash_password(password)
        changes = {"password_hash": rehashed.hash, "password_pepper_id": rehashed.pepper_id}
        await Account.filter(id=account.id).update(**changes)
        account.update_from_dict(changes)
    return True


async def authenticate(
    user_code: str, password: str, origin: Origin, kit: Toolkit
) -> tuple[_Holder | None, list[Problem]]:
    """The user code and password check shared by signIn and linking."""
    problems = rules.required(user_code, "userCode") + rules.required(password, "password")
    problems = problems or _too_long(password, "password")
    if problems:
        return None, problems
    attempt = await kit.ledger.reserve(Scope.PASSWORD, canonical_user_code(user_code), origin)
    if isinstance(attempt, Refused):
        return None, [attempt.problem]
    holder = await _find_holder(user_code)
    if not await _check_password(
        attempt, holder.account if holder else None, password, origin, kit
    ):
        return None, [Problem(ErrorCode.INVALID_CREDENTIALS)]
    assert holder is not None
    return holder, []


async def _open(
    holder: _Holder, files: list[InsuranceFile], origin: Origin, kit: Toolkit
) -> SignInResult:
    token, session = await sessions.open_session(holder.account, files, origin, kit.settings)
    session.accepted_current = holder.accepted_current
    return SignInResult(token, session, files, [])


async def sign_in(user_code: str, password: str, origin: Origin, kit: Toolkit) -> SignInResult:
    holder, problems = await authenticate(user_code, password, origin, kit)
    if holder is None:
        return _failed(problems)
    return await _open(holder, holder.files, origin, kit)


@dataclass(frozen=True)
class LinkForm:
    contract_number: str
    certificate_number: str
    date_of_birth: date
    user_code: str
    password: str


async def link_existing_credentials(form: LinkForm, origin: Origin, kit: Toolkit) -> SignInResult:
    """R9: the new certificate must be the account holder's own, proved by the date of birth;
    that proof is counted per certificate like registration's."""
    problems = rules.check_number(form.contract_number, "contractNumber") + rules.check_number(
        form.certificate_number, "certificateNumber"
    )
    holder, credential_problems = await authenticate(form.user_code, form.password, origin, kit)
    if problems or holder is None:
        return _failed(problems + credential_problems)
    account = holder.account
    attempt = await identity_attempt(form.contract_number, form.certificate_number, origin, kit)
    if isinstance(attempt, Refused):
        return _failed([attempt.problem])
    certificate = await verify_identity(
        form.contract_number, form.certificate_number, form.date_of_birth
    )
    if certificate is None or certificate.date_of_birth != account.date_of_birth:
        await kit.ledger.failed(attempt, origin, account_id=account.id)
        return _failed([Problem(ErrorCode.IDENTITY_NOT_VERIFIED)])
    await kit.ledger.succeeded(attempt)
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
    return await _open(holder, await files_of_account(account.id), origin, kit)


async def password_hint(
    user_code: str, date_of_birth: date, origin: Origin, kit: Toolkit
) -> tuple[str | None, list[Problem]]:
    """R14, first step: the memory aid, for the right user code and date of birth only.

    Requests are counted per user code typed, known or not, successes included.
    """
    problems = rules.required(user_code, "userCode")
    if problems:
        return None, problems
    attempt = await kit.ledger.reserve(Scope.HINT, canonical_user_code(user_code), origin)
    if isinstance(attempt, Refused):
        return None, [attempt.problem]
    account = await _find_account(user_code)
    matched = account is not None and account.date_of_birth == date_of_birth
    await audit.record(
        "hint_requested",
        origin,
        account_id=account.id if account else None,
        key_digest=attempt.key_digest,
        matched=matched,
    )
    if account is None or not matched:
        await kit.ledger.failed(attempt, origin, account_id=account.id if account else None)
        return None, [Problem(ErrorCode.INVALID_CREDENTIALS)]
    await kit.ledger.succeeded(attempt)
    return account.password_hint, []


async def _member_inputs(account: Account) -> list[str]:
    """What an attacker may know of the member, for the guessability check (ASVS 2.1.7)."""
    files = await files_of_account(account.id)
    numbers = [n for f in files for n in (f.contract_number, f.certificate_number)]
    born = account.date_of_birth
    birth = [born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%d%m%Y"), str(born.year)]
    return [account.first_name, account.last_name, *numbers, *birth]


async def _replacement_rules(
    new_password: str, confirmation: str, account: Account
) -> list[Problem]:
    """Every rule of registration for a replacement password, under its field names, with
    what is known of the member; R5's hint still must not reveal it."""
    problems = rules.check_password(
        new_password, account.user_code, "newPassword", await _member_inputs(account)
    )
    problems += rules.check_confirmation(new_password, confirmation, "newPasswordConfirmation")
    if rules.hint_reveals(account.password_hint, new_password):
        problems.append(Problem(ErrorCode.HINT_REVEALS_PASSWORD, "newPassword"))
    return problems


async def _same_as_current(account: Account, new_password: str, kit: Toolkit) -> list[Problem]:
    """Asked only once the caller proved who they are: it is a guess at the current one."""
    if await kit.hasher.verify_password(stored_password(account), new_password):
        return [Problem(ErrorCode.WEAK_PASSWORD, "newPassword", "WEAK_PASSWORD.same_as_current")]
    return []


@dataclass(frozen=True)
class ResetForm:
    user_code: str
    date_of_birth: date
    mothers_first_name: str
    new_password: str
    new_password_confirmation: str


async def reset_password(form: ResetForm, origin: Origin, kit: Toolkit) -> list[Problem]:
    """R14, second step: the mother's first name proves it; every session ends."""
    problems = rules.required(form.user_code, "userCode")
    problems += rules.bounded_text(
        form.mothers_first_name, "mothersFirstName", rules.MOTHERS_FIRST_NAME_MAX_LENGTH
    )
    problems += rules.check_password(form.new_password, form.user_code, "newPassword")
    problems += rules.check_confirmation(
        form.new_password, form.new_password_confirmation, "newPasswordConfirmation"
    )
    if problems:
        return problems
    attempt = await kit.ledger.reserve(Scope.RECOVERY, canonical_user_code(form.user_code), origin)
    if isinstance(attempt, Refused):
        return [attempt.problem]
    account = await _find_account(form.user_code)
    answer = fold(form.mothers_first_name)
    if account is None:
        await kit.hasher.verify_dummy(answer)
    answer_ok = account is not None and await kit.hasher.verify(
        account.mothers_first_name_hash, answer
    )
    if account is None or not answer_ok or account.date_of_birth != form.date_of_birth:
        await kit.ledger.failed(attempt, origin, account_id=account.id if account else None)
        return [Problem(ErrorCode.INVALID_CREDENTIALS)]
    await kit.ledger.succeeded(attempt)
    problems = await _replacement_rules(form.new_password, form.new_password_confirmation, account)
    problems = problems or await _same_as_current(account, form.new_password, kit)
    if problems:
        return problems
    await _replace_password(account, form.new_password, origin, kit, "password_reset")
    return []


async def _replace_password(
    account: Account,
    new_password: str,
    origin: Origin,
    kit: Toolkit,
    event: str,
    *,
    keep_session_id: int | None = None,
) -> None:
    """The new hash, the other sessions ended and the event, in one transaction; a new
    password also lifts the sign-in lock, since whoever set it proved who they are."""
    stored = await kit.hasher.hash_password(new_password)
    async with in_transaction():
        await Account.filter(id=account.id).update(
            password_hash=stored.hash, password_pepper_id=stored.pepper_id
        )
        ended = await sessions.end_sessions_of(account.id, keep_session_id=keep_session_id)
        await audit.record_for(account, event, origin, sessions_ended=ended)
    await kit.ledger.clear(Scope.PASSWORD, canonical_user_code(account.user_code))


async def change_password(
    session: Session,
    current_password: str,
    new_password: str,
    confirmation: str,
    origin: Origin,
    kit: Toolkit,
) -> list[Problem]:
    """A signed-in member's own change; the current password counts as a password guess."""
    account = session.account
    problems = rules.required(current_password, "currentPassword")
    problems = problems or _too_long(current_password, "currentPassword")
    problems += await _replacement_rules(new_password, confirmation, account)
    if problems:
        return problems
    attempt = await kit.ledger.reserve(
        Scope.PASSWORD, canonical_user_code(account.user_code), origin
    )
    if isinstance(attempt, Refused):
        return [attempt.problem]
    if not await _check_password(attempt, account, current_password, origin, kit):
        return [Problem(ErrorCode.INVALID_CREDENTIALS, "currentPassword")]
    problems = await _same_as_current(account, new_password, kit)
    if problems:
        return problems
    await _replace_password(
        account, new_password, origin, kit, "password_changed", keep_session_id=session.id
    )
    return []
