"""Service tests: the domain flows of gateway/ called directly, on the real database.

Every test gets the ``db`` fixture's fresh migrated database (SQLite, then PostgreSQL) with the
demo registry loaded, and a ``Toolkit`` built from its settings (cheap argon2).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from gateway.audit import Origin
from gateway.i18n import Language
from gateway.linking import LinkForm, link_existing_credentials
from gateway.problems import Problem
from gateway.registration import RegistrationForm, RegistrationResult, register_member
from gateway.registry import import_registry_file
from gateway.settings import Settings
from gateway.signin import SignInResult, sign_in
from gateway.text import canonical_user_code
from gateway.toolkit import Toolkit
from store import accounts
from store.records import Account, SignedIn
from tests.support import DEMO_REGISTRY

PASSWORD = "Erable!2024"
NEW_PASSWORD = "Bouleau#2025"
HINT = "la cabane à sucre"
MOTHER = "Marie-Ève"
THRESHOLD = 5  # Settings' lockout, recovery, identity and hint thresholds

# For a test whose subject is a rule checked before the database matters: SQLite alone, since
# each fresh PostgreSQL database costs a few hundred milliseconds.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# (contract number, certificate number, date of birth) of the demo registry's members.
Identity = tuple[str, str, date]
GENEVIEVE: Identity = ("G81234", "0004417", date(1986, 4, 19))
GENEVIEVE_SECOND: Identity = ("G55007", "7710", date(1986, 4, 19))
GENEVIEVE_THIRD: Identity = ("RC3090", "0004417", date(1986, 4, 19))
SAMUEL: Identity = ("G81234", "0004418", date(1979, 11, 2))
MARIE_EVE: Identity = ("G20418", "120301", date(1976, 7, 11))


@pytest.fixture
async def kit(db: Settings) -> AsyncIterator[Toolkit]:
    """The toolkit of the flows, over a database holding the demo registry."""
    await import_registry_file(DEMO_REGISTRY)
    toolkit = Toolkit.build(db)
    await toolkit.ids.ready()
    try:
        yield toolkit
    finally:
        toolkit.hasher.close()


@pytest.fixture
def origin() -> Origin:
    return make_origin()


def make_origin(channel: str = "MOBILE", client_address: str = "203.0.113.7") -> Origin:
    return Origin(
        channel=channel,
        client_address=client_address,
        user_agent="test",
        language=Language.FR,
        request_id="req1",
    )


def form(identity: Identity, user_code: str, **changes: Any) -> RegistrationForm:
    contract, certificate, born = identity
    values = RegistrationForm(
        contract_number=contract,
        certificate_number=certificate,
        date_of_birth=born,
        user_code=user_code,
        password=PASSWORD,
        password_confirmation=PASSWORD,
        password_hint=HINT,
        mothers_first_name=MOTHER,
    )
    return replace(values, **changes)


def link_form(
    identity: Identity, user_code: str = "GenCote86", password: str = PASSWORD
) -> LinkForm:
    contract, certificate, born = identity
    return LinkForm(contract, certificate, born, user_code, password)


class Outage(Exception):
    """A database that stops answering, where a test puts ``outage``."""


async def outage(*args: object, **kwargs: object) -> None:
    raise Outage


def codes(problems: list[Problem]) -> list[tuple[str, str | None]]:
    return [(p.code.value, p.field) for p in problems]


async def registered(
    kit: Toolkit,
    origin: Origin,
    identity: Identity = GENEVIEVE,
    user_code: str = "GenCote86",
    **changes: Any,
) -> Account:
    """A member registered on one certificate; the test fails if registration does."""
    result: RegistrationResult = await register_member(
        form(identity, user_code, **changes), origin, kit
    )
    assert result.problems == [], codes(result.problems)
    account = await accounts.by_code(canonical_user_code(user_code))
    assert account is not None
    return account


async def signed_in_as(
    kit: Toolkit, origin: Origin, user_code: str = "GenCote86", password: str = PASSWORD
) -> tuple[str, SignedIn]:
    """A successful sign-in's token and session."""
    result: SignInResult = await sign_in(user_code, password, origin, kit)
    assert result.problems == [], codes(result.problems)
    assert result.token is not None and result.signed_in is not None
    return result.token, result.signed_in


async def linked(
    kit: Toolkit,
    origin: Origin,
    identity: Identity,
    user_code: str = "GenCote86",
    password: str = PASSWORD,
) -> SignInResult:
    """One more certificate linked to an account (R9); the test fails if linking does."""
    form = link_form(identity, user_code, password)
    result = await link_existing_credentials(form, origin, kit)
    assert result.problems == [], codes(result.problems)
    return result
