"""Usage agreement versions and their acceptance (R12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gateway import audit
from gateway.audit import Origin
from gateway.i18n import Language
from gateway.joined import JoinedSelect
from gateway.problems import ErrorCode, Problem
from models.agreements import AgreementAcceptance, UsageAgreement

DEFAULT_VERSION = "1"
DEFAULT_TITLES = {
    Language.FR: "Convention d'utilisation des services en ligne",
    Language.EN: "Online services usage agreement",
}


class AgreementVersionExists(ValueError):
    pass


@dataclass(frozen=True)
class AgreementText:
    version: str
    language: Language
    title: str
    body: str
    published_at: datetime


async def current_agreement() -> UsageAgreement | None:
    """The newest published version is the one in force."""
    return await UsageAgreement.all().order_by("-published_at", "-id").first()


def in_language(agreement: UsageAgreement, language: Language) -> AgreementText:
    french = language is Language.FR
    return AgreementText(
        version=agreement.version,
        language=language,
        title=agreement.title_fr if french else agreement.title_en,
        body=agreement.body_fr if french else agreement.body_en,
        published_at=agreement.published_at,
    )


async def publish_agreement(
    version: str, *, title_fr: str, title_en: str, body_fr: str, body_en: str
) -> UsageAgreement:
    """A new version is in force at once: the next sign-in of every member asks for it."""
    fields = {"version": version, "title-fr": title_fr, "title-en": title_en}
    fields |= {"body-fr": body_fr, "body-en": body_en}
    blank = [name for name, value in fields.items() if not value.strip()]
    if blank:
        raise ValueError(f"empty {', '.join(blank)}")
    try:
        async with in_transaction():
            agreement = await UsageAgreement.create(
                version=version.strip(),
                title_fr=title_fr.strip(),
                title_en=title_en.strip(),
                body_fr=body_fr,
                body_en=body_en,
                published_at=datetime.now(UTC),
            )
    except IntegrityError:
        raise AgreementVersionExists(f"version {version.strip()!r} is already published") from None
    await audit.record("agreement_published", None, version=agreement.version)
    return agreement


async def ensure_default_agreement() -> UsageAgreement | None:
    """Publish version 1 from the texts shipped with the package when none exists yet."""
    if await UsageAgreement.exists():
        return None
    demo = resources.files("gateway") / "demo"
    try:
        return await publish_agreement(
            DEFAULT_VERSION,
            title_fr=DEFAULT_TITLES[Language.FR],
            title_en=DEFAULT_TITLES[Language.EN],
            body_fr=(demo / "agreement-1.fr.md").read_text(encoding="utf-8"),
            body_en=(demo / "agreement-1.en.md").read_text(encoding="utf-8"),
        )
    except AgreementVersionExists:
        return None


def accepted_current_sql(account_column: str) -> str:
    """True when the account in ``account_column`` accepted the version in force, or when no
    version is published; constant SQL to embed in a larger statement."""
    # account_column is the caller's constant, never input.
    return (
        'NOT EXISTS (SELECT 1 FROM "usage_agreement") OR EXISTS (SELECT 1 FROM '  # noqa: S608
        '"agreement_acceptance" AS "aa" WHERE '
        f'"aa"."account_id" = {account_column} AND "aa"."agreement_id" = '
        '(SELECT "id" FROM "usage_agreement" ORDER BY "published_at" DESC, "id" DESC LIMIT 1))'
    )


_ACCEPTED_CURRENT = JoinedSelect([], "", extras=[("accepted", f"({accepted_current_sql('?')})")])


async def accepted_current(account_id: int) -> bool:
    """R12 in one query: has this account accepted the version in force?"""
    joined = await _ACCEPTED_CURRENT.fetch(account_id)
    return bool(joined.computed("accepted", joined.rows[0]))


async def has_accepted(account_id: int, agreement: UsageAgreement | None) -> bool:
    if agreement is None:
        return True
    return await AgreementAcceptance.exists(account_id=account_id, agreement_id=agreement.id)


async def accept_agreement(
    account_id: int, user_code: str, version: str, origin: Origin
) -> list[Problem]:
    """Record acceptance of the version in force; accepting it twice changes nothing."""
    agreement = await current_agreement()
    if agreement is None or version.strip() != agreement.version:
        return [Problem(ErrorCode.AGREEMENT_OUTDATED, "version")]
    if await has_accepted(account_id, agreement):
        return []
    try:
        async with in_transaction():
            await AgreementAcceptance.create(
                account_id=account_id,
                agreement_id=agreement.id,
                accepted_at=datetime.now(UTC),
                channel=origin.channel,
                client_address=origin.client_address,
            )
            await audit.record(
                "agreement_accepted",
                origin,
                account_id=account_id,
                user_code=user_code,
                version=agreement.version,
            )
    except IntegrityError:
        pass
    return []
