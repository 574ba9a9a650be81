"""A signed-in member changes their password: gateway.password_change.change_password."""

from __future__ import annotations

from gateway import sessions
from gateway.audit import Origin
from gateway.password_change import change_password
from gateway.signin import sign_in
from gateway.toolkit import Toolkit
from tests.service.conftest import (
    NEW_PASSWORD,
    PASSWORD,
    THRESHOLD,
    codes,
    registered,
    signed_in_as,
    sqlite_only,
)


async def test_a_change_ends_the_other_sessions_and_keeps_this_one(kit: Toolkit, origin: Origin):
    await registered(kit, origin)
    other_token, _ = await signed_in_as(kit, origin)
    token, signed_in = await signed_in_as(kit, origin)
    problems = await change_password(signed_in, PASSWORD, NEW_PASSWORD, NEW_PASSWORD, origin, kit)
    assert problems == []
    assert await sessions.find_signed_in(other_token, kit.settings) is None
    assert await sessions.find_signed_in(token, kit.settings) is not None
    old = await sign_in("GenCote86", PASSWORD, origin, kit)
    assert codes(old.problems) == [("INVALID_CREDENTIALS", None)]
    await signed_in_as(kit, origin, password=NEW_PASSWORD)


async def test_a_wrong_current_password_changes_nothing(kit: Toolkit, origin: Origin):
    await registered(kit, origin)
    other_token, _ = await signed_in_as(kit, origin)
    _, signed_in = await signed_in_as(kit, origin)
    problems = await change_password(
        signed_in, "Mauvais!Mot2", NEW_PASSWORD, NEW_PASSWORD, origin, kit
    )
    assert codes(problems) == [("INVALID_CREDENTIALS", "currentPassword")]
    assert await sessions.find_signed_in(other_token, kit.settings) is not None
    await signed_in_as(kit, origin)


async def test_the_current_password_guesses_count_toward_the_sign_in_lock(
    kit: Toolkit, origin: Origin
):
    """Issue 13: changePassword guesses the same password as signIn."""
    await registered(kit, origin)
    _, signed_in = await signed_in_as(kit, origin)
    for _ in range(THRESHOLD):
        await change_password(signed_in, "Mauvais!Mot2", NEW_PASSWORD, NEW_PASSWORD, origin, kit)
    locked = await sign_in("GenCote86", PASSWORD, origin, kit)
    assert codes(locked.problems) == [("ACCOUNT_LOCKED", None)]


async def test_the_same_password_again_is_refused(kit: Toolkit, origin: Origin):
    await registered(kit, origin)
    _, signed_in = await signed_in_as(kit, origin)
    [problem] = await change_password(signed_in, PASSWORD, PASSWORD, PASSWORD, origin, kit)
    assert (problem.code.value, problem.field) == ("WEAK_PASSWORD", "newPassword")
    assert problem.message_key == "WEAK_PASSWORD.same_as_current"


@sqlite_only
async def test_the_new_password_follows_the_registration_rules(kit: Toolkit, origin: Origin):
    """R4, R5: every rule at once, the hint included, before the current one is checked."""
    await registered(kit, origin, password_hint="indice: Cabane!2024")
    _, signed_in = await signed_in_as(kit, origin)
    revealed = await change_password(signed_in, PASSWORD, "Cabane!2024", "Cabane!2024", origin, kit)
    assert codes(revealed) == [("HINT_REVEALS_PASSWORD", "newPassword")]
    mismatch = await change_password(signed_in, "", NEW_PASSWORD, "Autre#2025", origin, kit)
    assert codes(mismatch) == [
        ("REQUIRED", "currentPassword"),
        ("PASSWORD_MISMATCH", "newPasswordConfirmation"),
    ]
