"""Online accounts (user codes): found by canonical code, created with their first link,
their password replaced with the sessions it ends, their profile corrected by staff."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError

from models.accounts import Account as AccountRow
from models.accounts import AccountCertificate
from store import agreements, sessions
from store.audit import INSERT_EVENT, entry_values, insert_entry
from store.errors import Conflict
from store.parts import (
    ACCOUNT,
    FILE_PARTS,
    FILES_OF_ACCOUNT_JOIN,
    FILES_ORDER,
    account_from,
    files_from_rows,
)
from store.records import Account, AuditEntry, Holder
from store.tortoise_adapter import (
    FIRST_KEY,
    Insert,
    JoinedRows,
    JoinedSelect,
    Read,
    Statement,
    insert_chain,
    transaction,
)

_CODE_TAKEN = JoinedSelect(
    [], 'FROM "account" AS "a" WHERE "a"."user_code_canonical" = ? LIMIT 1', extras=[("one", "1")]
)
_INSERT_ACCOUNT = Insert(AccountRow)
_INSERT_LINK = Insert(AccountCertificate)

# The account, its files and its agreement status in one statement: a sign-in needs all three.
_HOLDER_BY_CODE = JoinedSelect(
    [ACCOUNT, *FILE_PARTS],
    f'FROM "account" AS "a" {FILES_OF_ACCOUNT_JOIN} '
    f'WHERE "a"."user_code_canonical" = ? {FILES_ORDER}',
    extras=[("accepted_current", agreements.accepted_current_sql('"a"."id"'))],
)


def _account(row: AccountRow) -> Account:
    return Account(
        id=row.id,
        user_code=row.user_code,
        password_hash=row.password_hash,
        password_pepper_id=row.password_pepper_id,
        password_hint=row.password_hint,
        mothers_first_name_hash=row.mothers_first_name_hash,
        date_of_birth=row.date_of_birth,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        preferred_language=row.preferred_language,
    )


def holder_by_code(canonical_code: str) -> Read[Holder | None]:
    """The account of a canonical user code, its files and its agreement status: run it, or
    hand it to what reads it with other work (a sign-in's attempt)."""
    return Read(_HOLDER_BY_CODE, (canonical_code,), _holder)


def _holder(joined: JoinedRows) -> Holder | None:
    if not joined.rows:
        return None
    row = joined.rows[0]
    return Holder(
        account=account_from(joined, row),
        files=files_from_rows(joined),
        agreement_accepted=bool(joined.computed("accepted_current", row)),
    )


async def by_code(canonical_code: str) -> Account | None:
    row = await AccountRow.get_or_none(user_code_canonical=canonical_code)
    return _account(row) if row else None


async def code_taken(canonical_code: str) -> bool:
    return bool((await _CODE_TAKEN.fetch(canonical_code)).rows)


async def create(
    *,
    user_code: str,
    canonical_code: str,
    password_hash: str,
    password_pepper_id: str | None,
    password_hint: str,
    mothers_first_name_hash: str,
    date_of_birth: date,
    first_name: str,
    last_name: str,
    email: str | None,
    preferred_language: str,
    certificate_id: int,
    entry: Callable[[int], AuditEntry],
    also: Sequence[Statement] = (),
) -> Account:
    """The account, its first link, its audit entry (``entry(account_id)``) and ``also``
    (the identity attempt told), in one round trip, all or none; ``Conflict`` when the user
    code or the certificate is taken (R2, R3)."""
    now = datetime.now(UTC)
    account = {
        "user_code": user_code,
        "user_code_canonical": canonical_code,
        "password_hash": password_hash,
        "password_pepper_id": password_pepper_id,
        "password_hint": password_hint,
        "mothers_first_name_hash": mothers_first_name_hash,
        "date_of_birth": date_of_birth,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "preferred_language": preferred_language,
        "created_at": now,
        "updated_at": now,
    }
    link = {"created_at": now, "account_id": FIRST_KEY, "certificate_id": certificate_id}
    try:
        account_id, _, _ = await insert_chain(
            _INSERT_ACCOUNT,
            account,
            (_INSERT_LINK, link),
            (INSERT_EVENT, entry_values(entry(FIRST_KEY))),
            also=also,
        )
    except IntegrityError:
        raise Conflict from None
    return Account(
        id=account_id,
        user_code=user_code,
        password_hash=password_hash,
        password_pepper_id=password_pepper_id,
        password_hint=password_hint,
        mothers_first_name_hash=mothers_first_name_hash,
        date_of_birth=date_of_birth,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
    )


async def set_password(account_id: int, password_hash: str, pepper_id: str | None) -> None:
    """A rehash: the same password under today's parameters or pepper."""
    await AccountRow.filter(id=account_id).update(
        password_hash=password_hash, password_pepper_id=pepper_id
    )


async def replace_password(
    account_id: int,
    password_hash: str,
    pepper_id: str | None,
    entry: Callable[[int], AuditEntry],
    *,
    keep_session_id: int | None = None,
) -> int:
    """A new password, every other session ended, and the audit entry (``entry(ended)``),
    in one transaction; how many sessions ended."""
    async with transaction():
        await AccountRow.filter(id=account_id).update(
            password_hash=password_hash, password_pepper_id=pepper_id
        )
        ended = await sessions.end_all(account_id, keep_session_id=keep_session_id)
        await insert_entry(entry(ended))
    return ended


async def correct_profile(
    account_id: int,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    preferred_language: str,
    entry: AuditEntry,
) -> Account:
    async with transaction():
        await AccountRow.filter(id=account_id).update(
            first_name=first_name,
            last_name=last_name,
            email=email,
            preferred_language=preferred_language,
            updated_at=datetime.now(UTC),
        )
        await insert_entry(entry)
    row = await AccountRow.get(id=account_id)
    return _account(row)
