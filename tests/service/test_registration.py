"""Registration (R1-R8) through gateway.registration.register_member."""

from __future__ import annotations

from datetime import date

import pytest

from gateway import sessions
from gateway.audit import Origin
from gateway.registration import register_member
from gateway.rules import ProfileForm
from gateway.toolkit import Toolkit
from store import accounts, files
from store.statement_log import collecting_statements
from store.tortoise_adapter import dialect
from tests.service.conftest import (
    GENEVIEVE,
    GENEVIEVE_SECOND,
    HINT,
    PASSWORD,
    SAMUEL,
    Outage,
    codes,
    form,
    outage,
    registered,
    sqlite_only,
)


async def test_a_member_registers_and_gets_the_user_code_to_note(kit: Toolkit, origin: Origin):
    """R1, R7: the confirmation shows the user code as typed; it opens no session."""
    result = await register_member(form(GENEVIEVE, "GenCote86"), origin, kit)
    assert (result.user_code, result.problems) == ("GenCote86", [])
    account = await accounts.by_code("gencote86")
    assert account is not None
    assert (account.first_name, account.last_name) == ("Geneviève", "Côté")
    assert account.password_hint == HINT
    assert PASSWORD not in account.password_hash
    assert "Marie" not in account.mothers_first_name_hash  # R6: only a hash
    assert [f.contract_number for f in await files.files_of_account(account.id)] == ["G81234"]
    assert await sessions.open_sessions_of(account.id, kit.settings) == []


async def test_a_registration_reads_and_writes_in_two_round_trips_on_postgresql(
    kit: Toolkit, origin: Origin
):
    """Issue 20: the identity attempt counted with the certificate, its owner and whether the
    user code is taken read in one statement; the account, its link, its audit entry and the
    attempt's success in another. What the read found still decides (R2, R3)."""
    with collecting_statements() as statements:
        result = await register_member(form(GENEVIEVE, "GenCote86"), origin, kit)
    assert result.problems == []
    assert len(statements) == (2 if dialect() == "postgres" else 6), statements

    taken = await register_member(form(GENEVIEVE_SECOND, "GENCOTE86"), origin, kit)
    assert codes(taken.problems) == [("USER_CODE_TAKEN", "userCode")]
    again = await register_member(form(GENEVIEVE, "Other1986"), origin, kit)
    assert codes(again.problems) == [("CERTIFICATE_ALREADY_REGISTERED", "certificateNumber")]


async def test_the_profile_a_member_gives_is_the_one_shown(kit: Toolkit, origin: Origin):
    """R8: mobile registration keeps the name and language the member wants shown."""
    profile = ProfileForm("Gen", "Côté-Roy", " gen@example.org ", "en")
    account = await registered(kit, origin, profile=profile)
    assert (account.first_name, account.last_name) == ("Gen", "Côté-Roy")
    assert (account.email, account.preferred_language) == ("gen@example.org", "en")


@sqlite_only
async def test_every_format_problem_is_reported_at_once(kit: Toolkit, origin: Origin):
    """R3-R6: one answer names every field wrong, and nothing is created."""
    bad = form(
        ("", "", date(1986, 4, 19)),
        "ab",
        password="short",
        password_confirmation="other",
        password_hint=" ",
        mothers_first_name="",
    )
    result = await register_member(bad, origin, kit)
    assert result.user_code is None
    assert codes(result.problems) == [
        ("REQUIRED", "contractNumber"),
        ("REQUIRED", "certificateNumber"),
        ("INVALID_USER_CODE", "userCode"),
        ("WEAK_PASSWORD", "password"),
        ("WEAK_PASSWORD", "password"),
        ("PASSWORD_MISMATCH", "passwordConfirmation"),
        ("REQUIRED", "passwordHint"),
        ("REQUIRED", "mothersFirstName"),
    ]
    assert [p.message_key for p in result.problems[3:5]] == [
        "WEAK_PASSWORD.too_short",
        "WEAK_PASSWORD.character_kinds",
    ]
    assert not await accounts.code_taken("ab")


@sqlite_only
async def test_an_accented_user_code_is_refused(kit: Toolkit, origin: Origin):
    """R3: accented letters count as special characters."""
    result = await register_member(form(GENEVIEVE, "GenCôté86"), origin, kit)
    assert codes(result.problems) == [("INVALID_USER_CODE", "userCode")]


@sqlite_only
async def test_a_hint_holding_the_password_is_refused(kit: Toolkit, origin: Origin):
    """R5: the memory aid must not give the password away, in any case."""
    result = await register_member(
        form(GENEVIEVE, "GenCote86", password_hint=f"c'est {PASSWORD.upper()}"), origin, kit
    )
    assert codes(result.problems) == [("HINT_REVEALS_PASSWORD", "passwordHint")]


async def test_a_wrong_date_of_birth_does_not_verify_the_identity(kit: Toolkit, origin: Origin):
    """R1: a stranger who saw the card cannot register its file without the date of birth."""
    result = await register_member(
        form(GENEVIEVE, "GenCote86", date_of_birth=date(1986, 4, 20)), origin, kit
    )
    assert (result.user_code, codes(result.problems)) == (None, [("IDENTITY_NOT_VERIFIED", None)])
    assert not await accounts.code_taken("gencote86")


async def test_a_wrong_number_gives_the_same_error_as_a_wrong_date(kit: Toolkit, origin: Origin):
    """R1: which of the three did not match is not told."""
    unknown = ("G81234", "9999999", date(1986, 4, 19))
    result = await register_member(form(unknown, "GenCote86"), origin, kit)
    assert codes(result.problems) == [("IDENTITY_NOT_VERIFIED", None)]


async def test_numbers_match_whatever_their_case_and_spaces(kit: Toolkit, origin: Origin):
    """R1: contract and certificate numbers compare trimmed and upper-cased."""
    typed = (" g81234 ", "0004417 ", date(1986, 4, 19))
    result = await register_member(form(typed, "GenCote86"), origin, kit)
    assert result.problems == []


async def test_a_certificate_registers_under_one_user_code_only(kit: Toolkit, origin: Origin):
    """R2: the same certificate again, under another user code, is refused."""
    await registered(kit, origin, GENEVIEVE, "GenCote86")
    result = await register_member(form(GENEVIEVE, "AutreCode1"), origin, kit)
    assert codes(result.problems) == [("CERTIFICATE_ALREADY_REGISTERED", "certificateNumber")]
    assert not await accounts.code_taken("autrecode1")


async def test_a_user_code_is_taken_whatever_its_case(kit: Toolkit, origin: Origin):
    """R3: uniqueness ignores case."""
    await registered(kit, origin, GENEVIEVE, "GenCote86")
    result = await register_member(form(GENEVIEVE_SECOND, "GENCOTE86"), origin, kit)
    assert codes(result.problems) == [("USER_CODE_TAKEN", "userCode")]


async def test_each_certificate_of_a_member_registers_on_its_own(kit: Toolkit, origin: Origin):
    """R2: a member with several certificates registers each of them."""
    await registered(kit, origin, GENEVIEVE, "GenCote86")
    await registered(kit, origin, GENEVIEVE_SECOND, "GenCote2021")
    await registered(kit, origin, SAMUEL, "SamOuellet")


@sqlite_only
async def test_a_guessable_password_is_refused(kit: Toolkit, origin: Origin):
    """R4 and ASVS 2.1.7: three kinds of characters are not enough when it is a common one."""
    result = await register_member(
        form(GENEVIEVE, "GenCote86", password="Motdepasse1!", password_confirmation="Motdepasse1!"),
        origin,
        kit,
    )
    [problem] = result.problems
    assert (problem.code.value, problem.field) == ("WEAK_PASSWORD", "password")
    assert problem.message_key == "WEAK_PASSWORD.guessable"


@sqlite_only
async def test_a_password_built_on_the_members_name_is_guessable(kit: Toolkit, origin: Origin):
    """ASVS 2.1.7: the registry's names count as known to an attacker."""
    weak = "Genevieve86!"
    result = await register_member(
        form(GENEVIEVE, "GenCote86", password=weak, password_confirmation=weak), origin, kit
    )
    assert [p.message_key for p in result.problems] == ["WEAK_PASSWORD.guessable"]


@sqlite_only
async def test_a_password_containing_the_user_code_is_refused(kit: Toolkit, origin: Origin):
    """R4: the password must not contain the user code, in any case."""
    weak = "xGENCOTE86!"
    result = await register_member(
        form(GENEVIEVE, "GenCote86", password=weak, password_confirmation=weak), origin, kit
    )
    assert [p.message_key for p in result.problems] == ["WEAK_PASSWORD.contains_user_code"]


async def test_date_of_birth_guesses_lock_the_certificate(kit: Toolkit, origin: Origin):
    """R1 and issue 13: five wrong dates, then even the right one is refused for a while."""
    for day in range(1, 6):
        wrong = form(GENEVIEVE, "GenCote86", date_of_birth=date(1986, 1, day))
        assert codes((await register_member(wrong, origin, kit)).problems) == [
            ("IDENTITY_NOT_VERIFIED", None)
        ]
    [problem] = (await register_member(form(GENEVIEVE, "GenCote86"), origin, kit)).problems
    assert (problem.code.value, problem.field) == ("ACCOUNT_LOCKED", "certificateNumber")
    assert problem.message_key == "ACCOUNT_LOCKED.identity"


async def test_an_account_that_cannot_be_written_forgets_no_guess_and_holds_nothing(
    kit: Toolkit, origin: Origin, monkeypatch: pytest.MonkeyPatch
):
    """Issue 13 and 20: the identity's success is told with the account it creates, all or
    none: when that write fails, the wrong dates before it still count, and the attempt is
    given back at once rather than held until it would be forgotten."""
    for day in range(1, 5):
        wrong = form(GENEVIEVE, "GenCote86", date_of_birth=date(1986, 1, day))
        await register_member(wrong, origin, kit)

    with monkeypatch.context() as patched:
        patched.setattr(accounts, "insert_chain", outage)
        with pytest.raises(Outage):
            await register_member(form(GENEVIEVE, "GenCote86"), origin, kit)

    # Held, the attempt would make this one wait its 5 s and come back RATE_LIMITED.
    wrong = form(GENEVIEVE, "GenCote86", date_of_birth=date(1986, 1, 5))
    assert codes((await register_member(wrong, origin, kit)).problems) == [
        ("IDENTITY_NOT_VERIFIED", None)
    ]
    [problem] = (await register_member(form(GENEVIEVE, "GenCote86"), origin, kit)).problems
    assert (problem.code.value, problem.field) == ("ACCOUNT_LOCKED", "certificateNumber")
    assert await accounts.by_code("gencote86") is None
