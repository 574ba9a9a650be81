"""The attempt ledger (issue 13): one limit on guessing each secret, even for attempts at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.attempts import Attempt, Refused, Scope
from gateway.audit import Origin
from gateway.toolkit import Toolkit
from store import audit
from tests.service.conftest import THRESHOLD, sqlite_only

KEY = "gencote86"
BURST = 30


async def reserved(kit: Toolkit, origin: Origin, scope: Scope = Scope.PASSWORD) -> Attempt:
    attempt = await kit.ledger.reserve(scope, KEY, origin)
    assert isinstance(attempt, Attempt)
    return attempt


async def fail_times(
    kit: Toolkit, origin: Origin, times: int, scope: Scope = Scope.PASSWORD
) -> None:
    for _ in range(times):
        await kit.ledger.failed(await reserved(kit, origin, scope), origin)


async def test_failures_under_the_threshold_leave_the_key_open(kit: Toolkit, origin: Origin):
    await fail_times(kit, origin, THRESHOLD - 1)
    assert await kit.ledger.locked_for(Scope.PASSWORD, KEY) is None
    await reserved(kit, origin)


async def test_the_threshold_failure_locks_the_key(kit: Toolkit, origin: Origin):
    """A refused attempt says how long to wait, and is audited."""
    await fail_times(kit, origin, THRESHOLD)
    locked = await kit.ledger.locked_for(Scope.PASSWORD, KEY)
    assert locked is not None and timedelta(minutes=14) < locked <= timedelta(minutes=15)
    refused = await kit.ledger.reserve(Scope.PASSWORD, KEY, origin)
    assert isinstance(refused, Refused)
    assert refused.problem.code.value == "ACCOUNT_LOCKED"
    assert 14 * 60 < refused.problem.params["seconds"] <= 15 * 60
    assert await audit.count("locked") == 1
    assert await audit.count("sign_in_refused") == 1


async def test_a_success_clears_the_failures(kit: Toolkit, origin: Origin):
    await fail_times(kit, origin, THRESHOLD - 1)
    await kit.ledger.succeeded(await reserved(kit, origin))
    await fail_times(kit, origin, THRESHOLD - 1)
    assert await kit.ledger.locked_for(Scope.PASSWORD, KEY) is None


async def test_scopes_and_keys_are_counted_apart(kit: Toolkit, origin: Origin):
    """A locked sign-in leaves recovery, and other user codes, untouched."""
    await fail_times(kit, origin, THRESHOLD)
    await reserved(kit, origin, Scope.RECOVERY)
    assert isinstance(await kit.ledger.reserve(Scope.PASSWORD, "samouellet", origin), Attempt)


async def test_clearing_a_key_unlocks_it(kit: Toolkit, origin: Origin):
    await fail_times(kit, origin, THRESHOLD)
    await kit.ledger.clear(Scope.PASSWORD, KEY)
    assert await kit.ledger.locked_for(Scope.PASSWORD, KEY) is None
    await reserved(kit, origin)


async def test_thirty_wrong_guesses_at_once_evaluate_at_most_five(kit: Toolkit, origin: Origin):
    """Issue 13: the others wait for the pending ones, then are refused unevaluated."""

    async def wrong_guess() -> str:
        attempt = await kit.ledger.reserve(Scope.PASSWORD, KEY, origin)
        if isinstance(attempt, Refused):
            return "refused"
        await asyncio.sleep(0.01)  # the argon2 evaluation
        await kit.ledger.failed(attempt, origin)
        return "evaluated"

    outcomes = await asyncio.gather(*(wrong_guess() for _ in range(BURST)))
    assert outcomes.count("evaluated") == THRESHOLD
    assert outcomes.count("refused") == BURST - THRESHOLD
    assert await audit.count("sign_in_failed") == THRESHOLD
    assert await audit.count("locked") == 1


async def test_twenty_right_answers_at_once_all_succeed(kit: Toolkit, origin: Origin):
    """Issue 13: waiting rather than refusing lets every right answer through."""

    async def right_answer() -> bool:
        attempt = await kit.ledger.reserve(Scope.PASSWORD, KEY, origin)
        if isinstance(attempt, Refused):
            return False
        await asyncio.sleep(0.01)
        await kit.ledger.succeeded(attempt)
        return True

    assert await asyncio.gather(*(right_answer() for _ in range(20))) == [True] * 20
    assert await audit.count("sign_in_refused") == 0


async def test_memory_aid_requests_count_successes_too(kit: Toolkit, origin: Origin):
    """The hint is limited per hour whatever the answers: a success does not clear the count."""
    for _ in range(THRESHOLD):
        await kit.ledger.succeeded(await reserved(kit, origin, Scope.HINT))
    refused = await kit.ledger.reserve(Scope.HINT, KEY, origin)
    assert isinstance(refused, Refused) and refused.problem.code.value == "RATE_LIMITED"


@sqlite_only
async def test_keys_are_kept_only_as_digests(kit: Toolkit, origin: Origin):
    """A mistyped secret in the user-code field never lands anywhere in clear."""
    typed = "Erable!2024"
    attempt = await kit.ledger.reserve(Scope.PASSWORD, typed, origin)
    assert isinstance(attempt, Attempt)
    assert typed not in attempt.key_digest
    assert attempt.key_digest == await kit.ledger.key_digest(Scope.PASSWORD, typed)
    assert attempt.key_digest != await kit.ledger.key_digest(Scope.RECOVERY, typed)
