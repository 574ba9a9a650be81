"""Sign-in (R10): the user code and password, counted by the attempt ledger, then a session.

The same steps for a user code that exists and one that does not: the same codes in the same
order, the same argon2 work.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from gateway import passwords, rules, sessions
from gateway.attempts import Attempt, Refused, Scope, wrong_guess
from gateway.audit import Origin
from gateway.problems import Problem
from gateway.text import canonical_user_code
from gateway.toolkit import Toolkit
from store import accounts
from store.attempts import Read, Statement
from store.records import Holder, InsuranceFile, SignedIn


@dataclass(frozen=True)
class SignInResult:
    token: str | None
    signed_in: SignedIn | None
    problems: list[Problem]


def failed(problems: list[Problem]) -> SignInResult:
    return SignInResult(None, None, problems)


def holder_read(user_code: str) -> Read[Holder | None] | None:
    """Only a valid user code (R3) can name an account: a look-alike from another script
    (the Kelvin sign for K) or a code padded with invisible characters names none (None)."""
    if not rules.is_user_code(user_code.strip()):
        return None
    return accounts.holder_by_code(canonical_user_code(user_code))


async def find_holder(user_code: str) -> Holder | None:
    read = holder_read(user_code)
    return await read() if read else None


@dataclass(frozen=True)
class _Checked:
    holder: Holder | None  # None: refused, with the problems
    problems: list[Problem]
    attempt: Attempt | None


@contextlib.asynccontextmanager
async def _checking(
    user_code: str, password: str, origin: Origin, kit: Toolkit, *, tell_success: bool
) -> AsyncIterator[_Checked]:
    """The user code and password check that signIn and linking share. Its body runs while
    the attempt is evaluated: should it fail, the attempt is given back unless told."""
    problems = rules.required(user_code, "userCode") + rules.required(password, "password")
    problems = problems or passwords.too_long(password, "password")
    if problems:
        yield _Checked(None, problems, None)
        return
    code = canonical_user_code(user_code)
    attempt, holder = await kit.ledger.reserve_reading(
        Scope.PASSWORD, code, origin, holder_read(user_code)
    )
    if isinstance(attempt, Refused):
        yield _Checked(None, [attempt.problem], None)
        return
    async with kit.ledger.evaluating(attempt):
        account = holder.account if holder else None
        if await passwords.check(
            attempt, account, password, origin, kit, tell_success=tell_success
        ):
            yield _Checked(holder, [], attempt)
        else:
            yield _Checked(None, [wrong_guess(attempt)], attempt)


async def authenticate(
    user_code: str, password: str, origin: Origin, kit: Toolkit
) -> tuple[Holder | None, list[Problem]]:
    """The check with its outcome told, before the caller goes on (linking)."""
    async with _checking(user_code, password, origin, kit, tell_success=True) as checked:
        return checked.holder, checked.problems


async def open_for(
    holder: Holder,
    files: tuple[InsuranceFile, ...],
    origin: Origin,
    kit: Toolkit,
    also: Sequence[Statement] = (),
) -> SignInResult:
    token, signed_in = await sessions.open_session(
        holder.account, files, holder.agreement_accepted, origin, kit.settings, also
    )
    return SignInResult(token, signed_in, [])


async def sign_in(user_code: str, password: str, origin: Origin, kit: Toolkit) -> SignInResult:
    """The attempt's success is told with the session it opens: one write fewer."""
    async with _checking(user_code, password, origin, kit, tell_success=False) as checked:
        if checked.holder is None or checked.attempt is None:
            return failed(checked.problems)
        holder = checked.holder
        return await kit.ledger.succeeded_with(
            checked.attempt, lambda success: open_for(holder, holder.files, origin, kit, [success])
        )
