"""The bank account of each member for direct deposit; its number only ever sealed."""

from __future__ import annotations

from models.claims import DirectDeposit as DepositRow
from store.audit import insert_entry
from store.records import AuditEntry, DirectDeposit
from store.sessions import end_all
from store.tortoise_adapter import transaction


async def of_account(account_id: int) -> DirectDeposit | None:
    row = await DepositRow.get_or_none(account_id=account_id)
    if row is None:
        return None
    return DirectDeposit(
        account_id=row.account_id,
        institution_number=row.institution_number,
        transit_number=row.transit_number,
        account_number_sealed=row.account_number_sealed,
        account_number_last3=row.account_number_last3,
        updated_at=row.updated_at,
    )


async def replace(deposit: DirectDeposit, entry: AuditEntry, *, keep_session_id: int) -> None:
    """The new account, every other session of the member ended, and the audit entry: all at
    once, so a thief's change never leaves the thief's session standing."""
    values = {
        "institution_number": deposit.institution_number,
        "transit_number": deposit.transit_number,
        "account_number_sealed": deposit.account_number_sealed,
        "account_number_last3": deposit.account_number_last3,
        "updated_at": deposit.updated_at,
    }
    async with transaction():
        await DepositRow.update_or_create(values, account_id=deposit.account_id)
        await end_all(deposit.account_id, keep_session_id=keep_session_id)
        await insert_entry(entry)
