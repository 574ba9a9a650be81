"""What every flow that checks or sets a password shares: the checked attempt, the rules of a
replacement, and the replacement itself."""

from __future__ import annotations

from gateway import audit, rules
from gateway.attempts import Attempt, Scope
from gateway.audit import Origin
from gateway.hashing import StoredPassword
from gateway.problems import ErrorCode, Problem
from gateway.text import canonical_user_code
from gateway.toolkit import Toolkit
from store import accounts
from store.files import files_of_account
from store.records import Account


def stored_password(account: Account) -> StoredPassword:
    return StoredPassword(account.password_hash, account.password_pepper_id)


def too_long(password: str, field: str) -> list[Problem]:
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


async def check(
    attempt: Attempt,
    account: Account | None,
    password: str,
    origin: Origin,
    kit: Toolkit,
    *,
    tell_success: bool = True,
) -> bool:
    """One evaluated guess: argon2 against the account's hash, or a dummy one for a key that
    names no account; a failure told to the ledger, and a success unless the caller tells it
    with its own write (``AttemptLedger.succeeded_with``); a hash made with older parameters
    or another pepper replaced."""
    stored = stored_password(account) if account else None
    if not await kit.hasher.verify_password(stored, password):
        await kit.ledger.failed(attempt, origin, account_id=account.id if account else None)
        return False
    if tell_success:
        await kit.ledger.succeeded(attempt)
    assert account is not None and stored is not None
    if kit.hasher.password_needs_rehash(stored):
        rehashed = await kit.hasher.hash_password(password)
        await accounts.set_password(account.id, rehashed.hash, rehashed.pepper_id)
    return True


async def member_inputs(account: Account) -> list[str]:
    """What an attacker may know of the member, for the guessability check (ASVS 2.1.7)."""
    files = await files_of_account(account.id)
    numbers = [n for f in files for n in (f.contract_number, f.certificate_number)]
    born = account.date_of_birth
    birth = [born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%d%m%Y"), str(born.year)]
    return [account.first_name, account.last_name, *numbers, *birth]


async def replacement_rules(
    new_password: str, confirmation: str, account: Account
) -> list[Problem]:
    """Every rule of registration for a replacement password, under its field names, with
    what is known of the member; R5's hint still must not reveal it."""
    problems = rules.check_password(
        new_password, account.user_code, "newPassword", await member_inputs(account)
    )
    problems += rules.check_confirmation(new_password, confirmation, "newPasswordConfirmation")
    if rules.hint_reveals(account.password_hint, new_password):
        problems.append(Problem(ErrorCode.HINT_REVEALS_PASSWORD, "newPassword"))
    return problems


async def same_as_current(account: Account, new_password: str, kit: Toolkit) -> list[Problem]:
    """Asked only once the caller proved who they are: it is a guess at the current one."""
    if await kit.hasher.verify_password(stored_password(account), new_password):
        return [Problem(ErrorCode.WEAK_PASSWORD, "newPassword", "WEAK_PASSWORD.same_as_current")]
    return []


async def replace(
    account: Account,
    new_password: str,
    origin: Origin,
    kit: Toolkit,
    event: str,
    *,
    keep_session_id: int | None = None,
) -> None:
    """The new hash, the other sessions ended and the event, in one transaction; a new
    password also lifts the password lock, since whoever set it proved who they are."""
    stored = await kit.hasher.hash_password(new_password)
    await accounts.replace_password(
        account.id,
        stored.hash,
        stored.pepper_id,
        lambda ended: audit.entry_for(account, event, origin, sessions_ended=ended),
        keep_session_id=keep_session_id,
    )
    await kit.ledger.clear(Scope.PASSWORD, canonical_user_code(account.user_code))
