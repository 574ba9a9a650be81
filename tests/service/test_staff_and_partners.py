"""API keys and what each role reaches (R15): gateway.access, gateway.staff, gateway.partners."""

from __future__ import annotations

import pytest

from gateway import access, partners, sessions, staff
from gateway.access import KeyCaller, Right, Role
from gateway.audit import Origin
from gateway.problems import ErrorCode
from gateway.rules import ProfileForm
from gateway.signin import sign_in
from gateway.toolkit import Toolkit
from store.records import Contract
from tests.service.conftest import (
    MARIE_EVE,
    PASSWORD,
    THRESHOLD,
    codes,
    make_origin,
    registered,
    signed_in_as,
    sqlite_only,
)

PROFILE = ProfileForm("Geneviève", "Côté-Roy", "gen@example.org", "en")


@pytest.fixture
async def staff_caller(kit: Toolkit) -> KeyCaller:
    caller = await access.find_key(await access.create_key("Service", Role.STAFF, []))
    assert caller is not None
    return caller


@pytest.fixture
async def partner(kit: Toolkit) -> KeyCaller:
    key = await access.create_key("Portail CSS", Role.PARTNER, [" g20418 ", "RC3090"])
    caller = await access.find_key(key)
    assert caller is not None
    return caller


async def test_a_key_is_found_by_its_value_with_its_role(staff_caller: KeyCaller):
    assert (staff_caller.name, staff_caller.role, staff_caller.contracts) == (
        "Service",
        Role.STAFF,
        frozenset(),
    )
    assert await access.find_key("not-a-key") is None
    assert access.deny_reason(staff_caller, Right.STAFF) is None
    assert access.deny_reason(staff_caller, Right.PARTNER) is ErrorCode.FORBIDDEN


async def test_a_revoked_key_is_found_no_more(kit: Toolkit):
    key = await access.create_key("Temporaire", Role.STAFF, [])
    await access.revoke_key("Temporaire")
    assert await access.find_key(key) is None


async def test_a_key_outside_the_rules_is_not_created(kit: Toolkit):
    """R15: a partner key names its contracts, all known; a staff key reaches every one."""
    refused = [
        ("Sans contrat", Role.PARTNER, []),
        ("Personnel", Role.STAFF, ["G20418"]),
        ("Inconnu", Role.PARTNER, ["NOPE99"]),
        (" ", Role.STAFF, []),
    ]
    for name, role, contracts in refused:
        with pytest.raises(access.ApiKeyError):
            await access.create_key(name, role, contracts)
    await access.create_key("Service", Role.STAFF, [])
    with pytest.raises(access.ApiKeyError, match="already exists"):
        await access.create_key("Service", Role.STAFF, [])
    assert [key.name for key in await access.list_keys()] == ["Service"]


async def test_staff_correct_the_displayed_profile(
    kit: Toolkit, origin: Origin, staff_caller: KeyCaller
):
    """R8: only staff change a member's displayed information after registration."""
    account = await registered(kit, origin)
    outcome = await staff.correct_profile(staff_caller, "GENCOTE86", PROFILE, origin)
    assert outcome.problems == [] and outcome.account is not None
    assert outcome.account.id == account.id
    assert (outcome.account.last_name, outcome.account.email) == ("Côté-Roy", "gen@example.org")
    assert outcome.account.preferred_language == "en"


@sqlite_only
async def test_a_profile_correction_is_checked(
    kit: Toolkit, origin: Origin, staff_caller: KeyCaller
):
    await registered(kit, origin)
    blank = ProfileForm(" ", "Côté", "pas un courriel", None)
    outcome = await staff.correct_profile(staff_caller, "GenCote86", blank, origin)
    assert codes(outcome.problems) == [
        ("REQUIRED", "profile.firstName"),
        ("INVALID_VALUE", "profile.email"),
    ]
    unknown = await staff.correct_profile(staff_caller, "Nobody123", PROFILE, origin)
    assert (unknown.account, codes(unknown.problems)) == (None, [("NOT_FOUND", "userCode")])


async def test_staff_unlock_a_locked_member(kit: Toolkit, origin: Origin, staff_caller: KeyCaller):
    account = await registered(kit, origin)
    for _ in range(THRESHOLD):
        await sign_in("GenCote86", "Mauvais!Mot2", origin, kit)
    assert await staff.locked_for(account, kit.ledger) is not None
    outcome = await staff.unlock_account(staff_caller, "gencote86", origin, kit.ledger)
    assert outcome.problems == []
    assert await staff.locked_for(account, kit.ledger) is None
    await signed_in_as(kit, origin, password=PASSWORD)


async def test_staff_end_every_session_of_a_member(
    kit: Toolkit, origin: Origin, staff_caller: KeyCaller
):
    account = await registered(kit, origin)
    tokens = [(await signed_in_as(kit, origin))[0] for _ in range(2)]
    assert await staff.active_session_count(account, kit.settings) == 2
    outcome = await staff.revoke_sessions(staff_caller, "GenCote86", origin)
    assert outcome.problems == []
    for token in tokens:
        assert await sessions.find_signed_in(token, kit.settings) is None
    assert await staff.active_session_count(account, kit.settings) == 0
    missing = await staff.revoke_sessions(staff_caller, "Nobody123", origin)
    assert codes(missing.problems) == [("NOT_FOUND", "userCode")]


async def test_a_partner_reaches_the_contracts_of_its_key_only(partner: KeyCaller):
    """R15."""
    assert [c.number for c in await partners.contracts_in_scope(partner, make_origin())] == [
        "G20418",
        "RC3090",
    ]
    assert await partners.contract_in_scope(partner, "g20418 ", make_origin()) is not None
    assert await partners.contract_in_scope(partner, "G81234", make_origin()) is None


async def test_a_partner_pages_through_every_member_once(
    kit: Toolkit, partner: KeyCaller, origin: Origin
):
    """R15: pages follow one another by cursor, without gaps or repeats."""
    contract = await partners.contract_in_scope(partner, "G20418", make_origin())
    assert contract is not None
    total = await partners.certificate_count(contract.id)
    seen: list[str] = []
    after = None
    while True:
        page = await partners.members(partner, contract, 10, after, None, origin, kit.ids)
        assert page.total_count == total
        seen += [member.certificate_number for _, member in page.edges]
        if not page.has_next_page:
            break
        after = page.edges[-1][0]
    assert len(seen) == len(set(seen)) == total


async def test_a_partner_searches_by_name_or_number(
    kit: Toolkit, partner: KeyCaller, origin: Origin
):
    """R15: names match without accents or case; a registered member is marked as such."""
    await registered(kit, origin, MARIE_EVE, "MarieEve76")
    contract = await partners.contract_in_scope(partner, "G20418", make_origin())
    assert contract is not None
    by_name = await partners.members(
        partner, contract, 5, None, "marie-eve TREMBLAY", origin, kit.ids
    )
    [(_, member)] = by_name.edges
    assert (member.certificate_number, member.last_name) == ("120301", "Tremblay")
    assert member.registered_online
    by_number = await partners.members(partner, contract, 5, None, "120308", origin, kit.ids)
    assert [m.last_name for _, m in by_number.edges] == ["Gagnon"]
    assert not by_number.edges[0][1].registered_online
    assert await partners.registered_count(contract.id) == 1


async def test_a_page_request_outside_the_rules_is_refused(kit: Toolkit):
    """Checked before the database is read; a cursor edited by hand, or sealed for another
    contract's list, is no cursor (issue 15)."""
    caller = KeyCaller(1, "Portail", Role.PARTNER, frozenset({"G20418"}))
    contract = Contract(1, "G20418", "GROUP_INSURANCE", "Centre", "Plan", ())
    other_list = kit.ids.seal("partner-members", b'[2, "Roy", "Luc", 7]')
    forged = kit.ids.seal("partner-members", b'[1, "Roy", "Luc", 7]')[:-2] + "AA"
    cases = [(0, None, None), (101, None, None), (5, "bm90IGEgY3Vyc29y", None), (5, "%%%", None)]
    cases += [(5, other_list, None), (5, forged, None), (5, None, "x" * 101)]
    for first, after, search in cases:
        with pytest.raises(partners.InvalidPageRequest):
            await partners.members(caller, contract, first, after, search, make_origin(), kit.ids)
