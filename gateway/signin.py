"""Sign-in (R10): the user code and password, counted by the attempt ledger, then a session.

The same steps for a user code that exists and one that does not: the same codes in the same
order, the same argon2 work.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway import passwords, rules, sessions
from gateway.attempts import Refused, Scope, wrong_guess
from gateway.audit import Origin
from gateway.problems import Problem
from gateway.text import canonical_user_code
from gateway.toolkit import Toolkit
from store import accounts
from store.records import Holder, InsuranceFile, SignedIn


@dataclass(frozen=True)
class SignInResult:
    token: str | None
    signed_in: SignedIn | None
    problems: list[Problem]


def failed(problems: list[Problem]) -> SignInResult:
    return SignInResult(None, None, problems)


async def find_holder(user_code: str) -> Holder | None:
    """Only a valid user code (R3) can name an account: a look-alike from another script
    (the Kelvin sign for K) or a code padded with invisible characters names none."""
    if not rules.is_user_code(user_code.strip()):
        return None
    return await accounts.holder_by_code(canonical_user_code(user_code))


async def authenticate(
    user_code: str, password: str, origin: Origin, kit: Toolkit
) -> tuple[Holder | None, list[Problem]]:
    """The user code and password check shared by signIn and linking."""
    problems = rules.required(user_code, "userCode") + rules.required(password, "password")
    problems = problems or passwords.too_long(password, "password")
    if problems:
        return None, problems
    attempt = await kit.ledger.reserve(Scope.PASSWORD, canonical_user_code(user_code), origin)
    if isinstance(attempt, Refused):
        return None, [attempt.problem]
    async with kit.ledger.evaluating(attempt):
        holder = await find_holder(user_code)
        account = holder.account if holder else None
        if not await passwords.check(attempt, account, password, origin, kit):
            return None, [wrong_guess(attempt)]
    return holder, []


async def open_for(
    holder: Holder, files: tuple[InsuranceFile, ...], origin: Origin, kit: Toolkit
) -> SignInResult:
    token, signed_in = await sessions.open_session(
        holder.account, files, holder.agreement_accepted, origin, kit.settings
    )
    return SignInResult(token, signed_in, [])


async def sign_in(user_code: str, password: str, origin: Origin, kit: Toolkit) -> SignInResult:
    holder, problems = await authenticate(user_code, password, origin, kit)
    if holder is None:
        return failed(problems)
    return await open_for(holder, holder.files, origin, kit)
