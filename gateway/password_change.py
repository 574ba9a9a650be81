"""A signed-in member's own password change: every other session of theirs ends."""

from __future__ import annotations

from gateway import passwords, rules
from gateway.attempts import Refused, Scope, wrong_guess
from gateway.audit import Origin
from gateway.problems import Problem
from gateway.text import canonical_user_code
from gateway.toolkit import Toolkit
from store.records import SignedIn


async def change_password(
    signed_in: SignedIn,
    current_password: str,
    new_password: str,
    confirmation: str,
    origin: Origin,
    kit: Toolkit,
) -> list[Problem]:
    """The current password counts as a password guess (the attempt ledger)."""
    account = signed_in.account
    problems = rules.required(current_password, "currentPassword")
    problems = problems or passwords.too_long(current_password, "currentPassword")
    problems += await passwords.replacement_rules(new_password, confirmation, account)
    if problems:
        return problems
    attempt = await kit.ledger.reserve(
        Scope.PASSWORD, canonical_user_code(account.user_code), origin
    )
    if isinstance(attempt, Refused):
        return [attempt.problem]
    async with kit.ledger.evaluating(attempt):
        if not await passwords.check(attempt, account, current_password, origin, kit):
            return [wrong_guess(attempt, "currentPassword")]
    problems = await passwords.same_as_current(account, new_password, kit)
    if problems:
        return problems
    await passwords.replace(
        account,
        new_password,
        origin,
        kit,
        "password_changed",
        keep_session_id=signed_in.session.id,
    )
    return []
