"""Usage agreement versions and their acceptance (R12).

"The version in force" is written once, as ``_IN_FORCE``: the newest published.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from models.agreements import AgreementAcceptance
from models.agreements import UsageAgreement as AgreementRow
from store.audit import insert_entry
from store.errors import Conflict
from store.records import Agreement, AuditEntry
from store.tortoise_adapter import JoinedSelect, transaction

_IN_FORCE = 'SELECT "id" FROM "usage_agreement" ORDER BY "published_at" DESC, "id" DESC LIMIT 1'


def accepted_current_sql(account_column: str) -> str:
    """True when the account in ``account_column`` accepted the version in force, or when no
    version is published; constant SQL to embed in a larger statement."""
    # account_column is the caller's constant, never input.
    return (
        '(NOT EXISTS (SELECT 1 FROM "usage_agreement") OR EXISTS (SELECT 1 FROM '  # noqa: S608
        '"agreement_acceptance" AS "aa" WHERE '
        f'"aa"."account_id" = {account_column} AND "aa"."agreement_id" = ({_IN_FORCE})))'
    )


_CURRENT_ID = JoinedSelect([], "", extras=[("current", f"({_IN_FORCE})")])


def _agreement(row: AgreementRow) -> Agreement:
    return Agreement(
        id=row.id,
        version=row.version,
        title_fr=row.title_fr,
        title_en=row.title_en,
        body_fr=row.body_fr,
        body_en=row.body_en,
        published_at=row.published_at,
    )


async def current() -> Agreement | None:
    """The version in force, with its texts."""
    joined = await _CURRENT_ID.fetch()
    agreement_id = joined.computed("current", joined.rows[0])
    if agreement_id is None:
        return None
    return _agreement(await AgreementRow.get(id=agreement_id))


async def any_published() -> bool:
    return await AgreementRow.exists()


async def publish(
    version: str, title_fr: str, title_en: str, body_fr: str, body_en: str, entry: AuditEntry
) -> Agreement:
    """``Conflict`` when the version exists."""
    try:
        async with transaction():
            row = await AgreementRow.create(
                version=version,
                title_fr=title_fr,
                title_en=title_en,
                body_fr=body_fr,
                body_en=body_en,
                published_at=datetime.now(UTC),
            )
            await insert_entry(entry)
    except IntegrityError:
        raise Conflict from None
    return _agreement(row)


async def has_accepted(account_id: int, agreement_id: int) -> bool:
    return await AgreementAcceptance.exists(account_id=account_id, agreement_id=agreement_id)


async def accept(
    account_id: int,
    agreement_id: int,
    channel: str,
    client_address: str | None,
    entry: AuditEntry,
) -> None:
    """Recorded once; a second acceptance, even a racing one, changes nothing."""
    try:
        async with transaction():
            await AgreementAcceptance.create(
                account_id=account_id,
                agreement_id=agreement_id,
                accepted_at=datetime.now(UTC),
                channel=channel,
                client_address=client_address,
            )
            await insert_entry(entry)
    except IntegrityError:
        pass
