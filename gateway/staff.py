"""The insurer's staff: look an account up, correct its profile (R8), unlock, end sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gateway import audit, rules, sessions
from gateway.access import KeyCaller
from gateway.attempts import AttemptLedger, Scope
from gateway.audit import Origin
from gateway.problems import ErrorCode, Problem
from gateway.settings import Settings
from gateway.text import canonical_user_code
from store import accounts, files
from store import claims as stored_claims
from store import sessions as stored_sessions
from store.records import Account, Claim, InsuranceFile


@dataclass(frozen=True)
class StaffOutcome:
    account: Account | None
    problems: list[Problem]


def _not_found() -> StaffOutcome:
    return StaffOutcome(None, [Problem(ErrorCode.NOT_FOUND, "userCode")])


async def find_account(user_code: str) -> Account | None:
    if not rules.is_user_code(user_code.strip()):
        return None
    return await accounts.by_code(canonical_user_code(user_code))


async def look_up(caller: KeyCaller, user_code: str, origin: Origin) -> Account | None:
    """A staff read of an account, audited with the key's name (issue 15)."""
    account = await find_account(user_code)
    await audit.record(
        "staff_read_account",
        origin,
        account_id=account.id if account else None,
        user_code=account.user_code if account else None,
        actor=caller.name,
    )
    return account


MAX_CLAIMS = 50


async def claims_of(caller: KeyCaller, account: Account, first: int, origin: Origin) -> list[Claim]:
    """Health data: each read is in the audit trail with the key's name and the request id."""
    first = max(1, min(first, MAX_CLAIMS))
    found = await stored_claims.account_claims(account.id, first)
    await audit.record(
        "staff_read_claims",
        origin,
        account_id=account.id,
        user_code=account.user_code,
        actor=caller.name,
        claims=len(found),
    )
    return found


async def locked_for(account: Account, ledger: AttemptLedger) -> timedelta | None:
    """How long the account's sign-in stays locked, if it is."""
    return await ledger.locked_for(Scope.PASSWORD, canonical_user_code(account.user_code))


async def active_session_count(account: Account, settings: Settings) -> int:
    return len(await sessions.open_sessions_of(account.id, settings))


async def correct_profile(
    caller: KeyCaller, user_code: str, profile: rules.ProfileForm, origin: Origin
) -> StaffOutcome:
    """The only change to a member's displayed information after registration; the audit
    record keeps what it replaced."""
    problems = rules.check_profile(profile)
    account = await find_account(user_code)
    if account is None:
        return StaffOutcome(None, [Problem(ErrorCode.NOT_FOUND, "userCode"), *problems])
    if problems:
        return StaffOutcome(None, problems)
    previous = {
        "firstName": account.first_name,
        "lastName": account.last_name,
        "email": account.email,
        "preferredLanguage": account.preferred_language,
    }
    corrected = await accounts.correct_profile(
        account.id,
        first_name=profile.first_name.strip(),
        last_name=profile.last_name.strip(),
        email=(profile.email or "").strip() or None,
        preferred_language=profile.preferred_language or account.preferred_language,
        entry=audit.entry_for(
            account, "profile_corrected", origin, actor=caller.name, previous=previous
        ),
    )
    return StaffOutcome(corrected, [])


async def unlock_account(
    caller: KeyCaller, user_code: str, origin: Origin, ledger: AttemptLedger
) -> StaffOutcome:
    """Lifts every count kept under the account's user code: sign-in, recovery, memory aid."""
    account = await find_account(user_code)
    if account is None:
        return _not_found()
    for scope in (Scope.PASSWORD, Scope.RECOVERY, Scope.HINT):
        await ledger.clear(scope, canonical_user_code(account.user_code))
    await audit.record_for(account, "unlocked", origin, actor=caller.name)
    return StaffOutcome(account, [])


async def revoke_sessions(caller: KeyCaller, user_code: str, origin: Origin) -> StaffOutcome:
    account = await find_account(user_code)
    if account is None:
        return _not_found()
    await stored_sessions.end_all_recorded(
        account.id,
        lambda ended: audit.entry_for(
            account, "sessions_revoked", origin, actor=caller.name, sessions_ended=ended
        ),
    )
    return StaffOutcome(account, [])


async def files_of(account: Account) -> tuple[InsuranceFile, ...]:
    return await files.files_of_account(account.id)
