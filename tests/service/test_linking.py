"""Linking existing credentials (R9) through gateway.linking.link_existing_credentials."""

from __future__ import annotations

from datetime import date

from gateway import sessions
from gateway.audit import Origin
from gateway.linking import link_existing_credentials
from gateway.toolkit import Toolkit
from store import files
from tests.service.conftest import (
    GENEVIEVE,
    GENEVIEVE_SECOND,
    GENEVIEVE_THIRD,
    SAMUEL,
    codes,
    link_form,
    linked,
    registered,
    sqlite_only,
)


async def contracts_of(account_id: int) -> list[str]:
    return sorted(f.contract_number for f in await files.files_of_account(account_id))


async def test_a_new_certificate_joins_the_user_code_and_signs_in(kit: Toolkit, origin: Origin):
    """R9: the member is signed in by the same step, with every file including the new one."""
    account = await registered(kit, origin)
    result = await linked(kit, origin, GENEVIEVE_THIRD)
    assert result.token is not None and result.signed_in is not None
    assert sorted(f.contract_number for f in result.signed_in.files) == ["G81234", "RC3090"]
    assert sessions.status(result.signed_in) is sessions.SessionStatus.FILE_SELECTION_REQUIRED
    assert await contracts_of(account.id) == ["G81234", "RC3090"]


async def test_linking_a_file_already_linked_changes_nothing(kit: Toolkit, origin: Origin):
    account = await registered(kit, origin)
    result = await linked(kit, origin, GENEVIEVE)
    assert result.signed_in is not None and len(result.signed_in.files) == 1
    assert await contracts_of(account.id) == ["G81234"]


async def test_a_wrong_password_links_nothing(kit: Toolkit, origin: Origin):
    """R9: the existing user code and password must be right."""
    account = await registered(kit, origin)
    form = link_form(GENEVIEVE_SECOND, password="Mauvais!Mot2")
    result = await link_existing_credentials(form, origin, kit)
    assert (result.token, codes(result.problems)) == (None, [("INVALID_CREDENTIALS", None)])
    assert await contracts_of(account.id) == ["G81234"]


async def test_another_persons_certificate_is_not_verified(kit: Toolkit, origin: Origin):
    """R1, R9: Samuel's certificate, with his date of birth or Geneviève's, is not hers."""
    account = await registered(kit, origin)
    with_his_date = link_form(SAMUEL)
    with_her_date = link_form((SAMUEL[0], SAMUEL[1], date(1986, 4, 19)))
    for form in (with_his_date, with_her_date):
        result = await link_existing_credentials(form, origin, kit)
        assert (result.token, codes(result.problems)) == (None, [("IDENTITY_NOT_VERIFIED", None)])
    assert await contracts_of(account.id) == ["G81234"]


async def test_a_certificate_held_by_another_account_is_refused(kit: Toolkit, origin: Origin):
    """R2: one certificate belongs to at most one user code."""
    await registered(kit, origin)
    other = await registered(kit, origin, GENEVIEVE_SECOND, "GenAutre21")
    result = await link_existing_credentials(link_form(GENEVIEVE_SECOND), origin, kit)
    assert codes(result.problems) == [("CERTIFICATE_ALREADY_REGISTERED", "certificateNumber")]
    assert await contracts_of(other.id) == ["G55007"]


@sqlite_only
async def test_missing_numbers_are_named_with_the_credentials(kit: Toolkit, origin: Origin):
    await registered(kit, origin)
    form = link_form(("", " ", date(1986, 4, 19)))
    result = await link_existing_credentials(form, origin, kit)
    assert codes(result.problems) == [
        ("REQUIRED", "contractNumber"),
        ("REQUIRED", "certificateNumber"),
    ]
