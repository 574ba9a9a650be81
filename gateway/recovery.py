"""A forgotten password (R14): the memory aid first, then a reset with the mother's first name.

Both are counted per user code typed, known or not, by the attempt ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway import audit, passwords, rules
from gateway.attempts import Refused, Scope
from gateway.audit import Origin
from gateway.problems import ErrorCode, Problem
from gateway.signin import find_holder
from gateway.text import canonical_user_code, fold
from gateway.toolkit import Toolkit
from store.records import Account


async def _find_account(user_code: str) -> Account | None:
    holder = await find_holder(user_code)
    return holder.account if holder else None


async def password_hint(
    user_code: str, date_of_birth: date, origin: Origin, kit: Toolkit
) -> tuple[str | None, list[Problem]]:
    """The memory aid, for the right user code and date of birth only; requests are counted
    whatever their outcome."""
    problems = rules.required(user_code, "userCode")
    if problems:
        return None, problems
    attempt = await kit.ledger.reserve(Scope.HINT, canonical_user_code(user_code), origin)
    if isinstance(attempt, Refused):
        return None, [attempt.problem]
    async with kit.ledger.evaluating(attempt):
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


@dataclass(frozen=True)
class ResetForm:
    user_code: str
    date_of_birth: date
    mothers_first_name: str
    new_password: str
    new_password_confirmation: str


async def reset_password(form: ResetForm, origin: Origin, kit: Toolkit) -> list[Problem]:
    """The mother's first name (compared folded) and the date of birth prove it; every
    session ends."""
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
    async with kit.ledger.evaluating(attempt):
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
    problems = await passwords.replacement_rules(
        form.new_password, form.new_password_confirmation, account
    )
    problems = problems or await passwords.same_as_current(account, form.new_password, kit)
    if problems:
        return problems
    await passwords.replace(account, form.new_password, origin, kit, "password_reset")
    return []
