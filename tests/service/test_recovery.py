"""A forgotten password (R14): gateway.recovery.password_hint and reset_password."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from gateway import sessions
from gateway.audit import Origin
from gateway.recovery import ResetForm, password_hint, reset_password
from gateway.signin import sign_in
from gateway.toolkit import Toolkit
from tests.service.conftest import (
    HINT,
    NEW_PASSWORD,
    PASSWORD,
    THRESHOLD,
    codes,
    registered,
    signed_in_as,
    sqlite_only,
)

BORN = date(1986, 4, 19)
RESET = ResetForm(
    user_code="GenCote86",
    date_of_birth=BORN,
    mothers_first_name="  MARIE-EVE ",
    new_password=NEW_PASSWORD,
    new_password_confirmation=NEW_PASSWORD,
)


async def test_the_memory_aid_is_shown_for_the_right_date_of_birth(kit: Toolkit, origin: Origin):
    """R5, R14: the hint first, to the member who knows the date of birth."""
    await registered(kit, origin)
    assert await password_hint("gencote86", BORN, origin, kit) == (HINT, [])


async def test_the_memory_aid_is_not_shown_for_a_wrong_date(kit: Toolkit, origin: Origin):
    """R14: a wrong date and an unknown user code answer the same."""
    await registered(kit, origin)
    wrong = await password_hint("GenCote86", date(1986, 4, 20), origin, kit)
    unknown = await password_hint("Nobody123", BORN, origin, kit)
    assert wrong[0] is None and unknown[0] is None
    assert codes(wrong[1]) == codes(unknown[1]) == [("INVALID_CREDENTIALS", None)]


async def test_memory_aid_requests_are_limited_per_hour(kit: Toolkit, origin: Origin):
    """Issue 13: every request counts, even a right one, so a sixth within the hour waits."""
    await registered(kit, origin)
    for _ in range(THRESHOLD):
        assert (await password_hint("GenCote86", BORN, origin, kit))[0] == HINT
    hint, problems = await password_hint("GenCote86", BORN, origin, kit)
    assert (hint, codes(problems)) == (None, [("RATE_LIMITED", None)])


async def test_a_reset_ends_every_session_and_the_new_password_works(kit: Toolkit, origin: Origin):
    """R6, R14: the mother's first name compares trimmed, case-folded and without accents."""
    account = await registered(kit, origin)
    tokens = [(await signed_in_as(kit, origin))[0] for _ in range(2)]
    assert await reset_password(RESET, origin, kit) == []
    for token in tokens:
        assert await sessions.find_signed_in(token, kit.settings) is None
    assert await sessions.open_sessions_of(account.id, kit.settings) == []
    old = await sign_in("GenCote86", PASSWORD, origin, kit)
    assert codes(old.problems) == [("INVALID_CREDENTIALS", None)]
    await signed_in_as(kit, origin, password=NEW_PASSWORD)


async def test_a_reset_lifts_the_sign_in_lock(kit: Toolkit, origin: Origin):
    """R14: whoever answered the question proved who they are."""
    await registered(kit, origin)
    for _ in range(THRESHOLD + 1):
        await sign_in("GenCote86", "Mauvais!Mot2", origin, kit)
    assert await reset_password(RESET, origin, kit) == []
    await signed_in_as(kit, origin, password=NEW_PASSWORD)


async def test_wrong_answers_lock_recovery(kit: Toolkit, origin: Origin):
    """R14, issue 13: five wrong answers, then even the right one is refused."""
    await registered(kit, origin)
    wrong = replace(RESET, mothers_first_name="Josée")
    for _ in range(THRESHOLD):
        assert codes(await reset_password(wrong, origin, kit)) == [("INVALID_CREDENTIALS", None)]
    [problem] = await reset_password(RESET, origin, kit)
    assert problem.code.value == "ACCOUNT_LOCKED"
    assert problem.message_key == "ACCOUNT_LOCKED.recovery"
    await signed_in_as(kit, origin)  # the old password still works


async def test_a_wrong_date_of_birth_fails_like_a_wrong_answer(kit: Toolkit, origin: Origin):
    await registered(kit, origin)
    problems = await reset_password(replace(RESET, date_of_birth=date(1986, 4, 20)), origin, kit)
    assert codes(problems) == [("INVALID_CREDENTIALS", None)]
    await signed_in_as(kit, origin)


@sqlite_only
async def test_the_new_password_follows_the_rules(kit: Toolkit, origin: Origin):
    """R4 with the reset's field names; checked before any answer is evaluated."""
    await registered(kit, origin)
    weak = replace(RESET, new_password="court", new_password_confirmation="autre")
    assert codes(await reset_password(weak, origin, kit)) == [
        ("WEAK_PASSWORD", "newPassword"),
        ("WEAK_PASSWORD", "newPassword"),
        ("PASSWORD_MISMATCH", "newPasswordConfirmation"),
    ]


async def test_the_current_password_is_no_new_password(kit: Toolkit, origin: Origin):
    await registered(kit, origin)
    same = replace(RESET, new_password=PASSWORD, new_password_confirmation=PASSWORD)
    [problem] = await reset_password(same, origin, kit)
    assert (problem.field, problem.message_key) == ("newPassword", "WEAK_PASSWORD.same_as_current")
