"""Direct deposit: the bank account reimbursements go to, and the first thing an account thief
changes. So a change needs the password again (counted like any guess), ends every other
session, tells the member, and the account number is kept encrypted, shown by its last digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway import audit, passwords, rules
from gateway.attempts import Refused, Scope
from gateway.audit import Origin
from gateway.data_keys import DataKeys
from gateway.problems import ErrorCode, Problem
from gateway.text import canonical_user_code
from gateway.toolkit import Toolkit
from store import deposits
from store.records import DirectDeposit, SignedIn

_INSTITUTION = re.compile(r"[0-9]{3}")
_TRANSIT = re.compile(r"[0-9]{5}")
_ACCOUNT = re.compile(r"[0-9]{7,12}")


@dataclass(frozen=True)
class DepositForm:
    institution_number: str
    transit_number: str
    account_number: str
    current_password: str


def _context(account_id: int) -> str:
    return f"direct-deposit:{account_id}"


def check(form: DepositForm) -> list[Problem]:
    problems: list[Problem] = []
    for value, pattern, field, message in (
        (form.institution_number, _INSTITUTION, "institutionNumber", "institution_number"),
        (form.transit_number, _TRANSIT, "transitNumber", "transit_number"),
        (form.account_number, _ACCOUNT, "accountNumber", "account_number"),
    ):
        if not pattern.fullmatch(value.strip()):
            problems.append(Problem(ErrorCode.INVALID_VALUE, field, f"INVALID_VALUE.{message}"))
    problems += rules.required(form.current_password, "currentPassword")
    return problems


async def current(member: SignedIn) -> DirectDeposit | None:
    return await deposits.of_account(member.account.id)


async def set_direct_deposit(
    member: SignedIn, form: DepositForm, origin: Origin, kit: Toolkit, keys: DataKeys
) -> tuple[DirectDeposit | None, list[Problem]]:
    problems = check(form) or passwords.too_long(form.current_password, "currentPassword")
    if problems:
        return None, problems
    account = member.account
    attempt = await kit.ledger.reserve(
        Scope.PASSWORD, canonical_user_code(account.user_code), origin
    )
    if isinstance(attempt, Refused):
        return None, [attempt.problem]
    async with kit.ledger.evaluating(attempt):
        if not await passwords.check(attempt, account, form.current_password, origin, kit):
            return None, [Problem(ErrorCode.REAUTHENTICATION_FAILED, "currentPassword")]
    number = form.account_number.strip()
    deposit = DirectDeposit(
        account_id=account.id,
        institution_number=form.institution_number.strip(),
        transit_number=form.transit_number.strip(),
        account_number_sealed=await keys.seal(number, _context(account.id)),
        account_number_last3=number[-3:],
        updated_at=datetime.now(UTC),
    )
    entry = audit.entry_for(account, "direct_deposit_changed", origin)
    await deposits.replace(deposit, entry, keep_session_id=member.session.id)
    return deposit, []
