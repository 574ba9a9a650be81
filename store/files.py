"""The insurance files an account reaches (R11, R13), and the links that make them its own."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.accounts import AccountCertificate
from store.audit import insert_entry
from store.parts import FILE_PARTS, FILES_OF_ACCOUNT_JOIN, FILES_ORDER, files_from_rows
from store.records import AuditEntry, InsuranceFile
from store.tortoise_adapter import JoinedSelect, transaction

_FILES_OF_ACCOUNT = JoinedSelect(
    FILE_PARTS,
    f'FROM "account" AS "a" {FILES_OF_ACCOUNT_JOIN} WHERE "a"."id" = ? {FILES_ORDER}',
)


async def files_of_account(account_id: int) -> tuple[InsuranceFile, ...]:
    """Every file of the account in one query, in the order they were linked."""
    return files_from_rows(await _FILES_OF_ACCOUNT.fetch(account_id))


async def owner_of(certificate_id: int) -> int | None:
    """The account the certificate belongs to (R2), if any."""
    link = await AccountCertificate.filter(certificate_id=certificate_id).first()
    return link.account_id if link else None


async def is_linked(account_id: int, certificate_id: int) -> bool:
    return await AccountCertificate.exists(account_id=account_id, certificate_id=certificate_id)


async def link(account_id: int, certificate_id: int, entry: AuditEntry) -> bool:
    """The link and its audit entry in one transaction; False when the certificate already
    belongs to an account (the unique key decides races)."""
    try:
        async with transaction():
            await AccountCertificate.create(account_id=account_id, certificate_id=certificate_id)
            await insert_entry(entry)
    except IntegrityError:
        return False
    return True
