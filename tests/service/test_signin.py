"""Sign-in (R10-R12) through gateway.signin.sign_in."""

from __future__ import annotations

import pytest

from gateway import sessions
from gateway.agreements import ensure_default_agreement
from gateway.audit import Origin
from gateway.signin import sign_in
from gateway.toolkit import Toolkit
from models.attempts import AttemptCounter
from store import sessions as stored_sessions
from store.statement_log import collecting_statements
from store.tortoise_adapter import dialect
from tests.service.conftest import (
    GENEVIEVE_SECOND,
    PASSWORD,
    THRESHOLD,
    Outage,
    codes,
    linked,
    outage,
    registered,
    signed_in_as,
    sqlite_only,
)

WRONG = "Mauvais!Mot2"


async def sign_in_codes(
    kit: Toolkit, origin: Origin, user_code: str, password: str
) -> list[tuple[str, str | None]]:
    return codes((await sign_in(user_code, password, origin, kit)).problems)


async def test_a_member_with_one_file_signs_in_on_it(kit: Toolkit, origin: Origin):
    """R10, R11: with one file, it is chosen; with no agreement published, the session works."""
    account = await registered(kit, origin)
    token, signed_in = await signed_in_as(kit, origin)
    assert signed_in.account.id == account.id
    assert [f.contract_number for f in signed_in.files] == ["G81234"]
    assert sessions.selected_file(signed_in) == signed_in.files[0]
    assert sessions.status(signed_in) is sessions.SessionStatus.ACTIVE
    found = await sessions.find_signed_in(token, kit.settings)
    assert found is not None and found.session.id == signed_in.session.id


async def test_the_agreement_in_force_must_be_accepted_first(kit: Toolkit, origin: Origin):
    """R12: with an agreement published and not yet accepted, the session waits for it."""
    await ensure_default_agreement()
    await registered(kit, origin)
    _, signed_in = await signed_in_as(kit, origin)
    assert sessions.status(signed_in) is sessions.SessionStatus.AGREEMENT_REQUIRED


async def test_a_member_with_several_files_chooses_one(kit: Toolkit, origin: Origin):
    """R11: with several files, none is chosen for the member."""
    await registered(kit, origin)
    await linked(kit, origin, GENEVIEVE_SECOND)
    _, signed_in = await signed_in_as(kit, origin)
    assert len(signed_in.files) == 2
    assert sessions.status(signed_in) is sessions.SessionStatus.FILE_SELECTION_REQUIRED


async def test_a_sign_in_reads_and_writes_in_two_round_trips_on_postgresql(
    kit: Toolkit, origin: Origin
):
    """Issue 20: the attempt counted with the account and its files read, in one statement;
    the session opened with the attempt's success told, in another. The files come in their
    order (R11) all the same, and an unknown user code reads nothing and still counts."""
    await registered(kit, origin)
    await linked(kit, origin, GENEVIEVE_SECOND)
    expected = [f.certificate_number for f in (await signed_in_as(kit, origin))[1].files]

    with collecting_statements() as statements:
        result = await sign_in("GENCOTE86", PASSWORD, origin, kit)
    assert result.signed_in is not None
    assert [f.certificate_number for f in result.signed_in.files] == expected
    assert len(statements) == (2 if dialect() == "postgres" else 5), statements

    assert await sign_in_codes(kit, origin, "Nobody123", PASSWORD) == [
        ("INVALID_CREDENTIALS", None)
    ]
    failures = await AttemptCounter.filter(scope="password").values_list("failures", flat=True)
    assert sorted(failures) == [0, 1]


async def test_a_wrong_password_opens_nothing(kit: Toolkit, origin: Origin):
    """R10."""
    account = await registered(kit, origin)
    result = await sign_in("GenCote86", WRONG, origin, kit)
    assert (result.token, result.signed_in) == (None, None)
    assert codes(result.problems) == [("INVALID_CREDENTIALS", None)]
    assert await sessions.open_sessions_of(account.id, kit.settings) == []


@sqlite_only
async def test_blank_fields_are_named(kit: Toolkit, origin: Origin):
    result = await sign_in(" ", "", origin, kit)
    assert codes(result.problems) == [("REQUIRED", "userCode"), ("REQUIRED", "password")]


async def test_five_wrong_passwords_lock_even_the_right_one(kit: Toolkit, origin: Origin):
    """Issue 13: after the threshold, the right password is refused too, with a wait."""
    await registered(kit, origin)
    for _ in range(THRESHOLD):
        assert await sign_in_codes(kit, origin, "GenCote86", WRONG) == [
            ("INVALID_CREDENTIALS", None)
        ]
    result = await sign_in("GenCote86", PASSWORD, origin, kit)
    assert result.token is None
    [problem] = result.problems
    assert problem.code.value == "ACCOUNT_LOCKED"
    assert problem.params["seconds"] > 0


async def test_a_success_starts_the_count_again(kit: Toolkit, origin: Origin):
    """Issue 13: only failures in a row lock."""
    await registered(kit, origin)
    for _ in range(THRESHOLD - 1):
        await sign_in("GenCote86", WRONG, origin, kit)
    await signed_in_as(kit, origin)
    for _ in range(THRESHOLD - 1):
        await sign_in("GenCote86", WRONG, origin, kit)
    await signed_in_as(kit, origin)


async def test_an_unknown_user_code_answers_like_a_known_one(kit: Toolkit, origin: Origin):
    """Issue 13: the same codes in the same order, so ACCOUNT_LOCKED tells nothing."""
    await registered(kit, origin)
    known = [await sign_in_codes(kit, origin, "GenCote86", WRONG) for _ in range(7)]
    unknown = [await sign_in_codes(kit, origin, "Nobody123", WRONG) for _ in range(7)]
    assert known == unknown
    assert known[THRESHOLD - 1] == [("INVALID_CREDENTIALS", None)]
    assert known[THRESHOLD] == [("ACCOUNT_LOCKED", None)]


async def test_the_user_code_is_matched_in_any_case(kit: Toolkit, origin: Origin):
    """R3: user codes compare without regard to case (and surrounding spaces)."""
    account = await registered(kit, origin)
    for typed in ("gencote86", "GENCOTE86", " GenCote86 "):
        _, signed_in = await signed_in_as(kit, origin, typed)
        assert signed_in.account.id == account.id


async def test_a_look_alike_user_code_never_signs_in(kit: Toolkit, origin: Origin):
    """R3: the Kelvin sign folds to K, but a code outside A-Z, a-z, 0-9 names no account."""
    await registered(kit, origin, user_code="KateCote86")
    await signed_in_as(kit, origin, "KateCote86")
    result = await sign_in("\u212aateCote86", PASSWORD, origin, kit)
    assert (result.token, codes(result.problems)) == (None, [("INVALID_CREDENTIALS", None)])
    zero_width = await sign_in("Kate\u200bCote86", PASSWORD, origin, kit)
    assert codes(zero_width.problems) == [("INVALID_CREDENTIALS", None)]


async def test_a_session_that_cannot_be_written_forgets_no_failure_and_holds_nothing(
    kit: Toolkit, origin: Origin, monkeypatch: pytest.MonkeyPatch
):
    """Issue 13 and 20: the right password's success is told with the session it opens, all
    or none: when that write fails, the failures before it still count, and the attempt is
    given back at once rather than held until it would be forgotten."""
    await registered(kit, origin)
    for _ in range(THRESHOLD - 1):
        await sign_in("GenCote86", WRONG, origin, kit)

    with monkeypatch.context() as patched:
        patched.setattr(stored_sessions, "insert_chain", outage)
        with pytest.raises(Outage):
            await sign_in("GenCote86", PASSWORD, origin, kit)

    # Held, the attempt would make this one wait its 5 s and come back RATE_LIMITED.
    assert await sign_in_codes(kit, origin, "GenCote86", WRONG) == [("INVALID_CREDENTIALS", None)]
    assert await sign_in_codes(kit, origin, "GenCote86", PASSWORD) == [("ACCOUNT_LOCKED", None)]
