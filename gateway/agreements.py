"""Usage agreement versions and their acceptance (R12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from gateway import audit
from gateway.audit import Origin
from gateway.i18n import Language
from gateway.problems import ErrorCode, Problem
from store import agreements as stored
from store.errors import Conflict
from store.records import Account, Agreement

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


async def current_agreement() -> Agreement | None:
    """The newest published version is the one in force."""
    return await stored.current()


def in_language(agreement: Agreement, language: Language) -> AgreementText:
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
) -> Agreement:
    """A new version is in force at once: the next sign-in of every member asks for it."""
    fields = {"version": version, "title-fr": title_fr, "title-en": title_en}
    fields |= {"body-fr": body_fr, "body-en": body_en}
    blank = [name for name, value in fields.items() if not value.strip()]
    if blank:
        raise ValueError(f"empty {', '.join(blank)}")
    version = version.strip()
    entry = audit.entry("agreement_published", None, version=version)
    try:
        return await stored.publish(
            version, title_fr.strip(), title_en.strip(), body_fr, body_en, entry
        )
    except Conflict:
        raise AgreementVersionExists(f"version {version!r} is already published") from None


async def ensure_default_agreement() -> Agreement | None:
    """Publish version 1 from the texts shipped with the package when none exists yet."""
    if await stored.any_published():
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


async def accept_agreement(account: Account, version: str, origin: Origin) -> list[Problem]:
    """Record acceptance of the version in force; accepting it twice changes nothing."""
    agreement = await stored.current()
    if agreement is None or version.strip() != agreement.version:
        return [Problem(ErrorCode.AGREEMENT_OUTDATED, "version")]
    if await stored.has_accepted(account.id, agreement.id):
        return []
    entry = audit.entry_for(account, "agreement_accepted", origin, version=agreement.version)
    await stored.accept(account.id, agreement.id, origin.channel, origin.client_address, entry)
    return []
