"""The attempt ledger: one limit on guessing each secret, that holds when attempts arrive at once.

Every secret a caller can guess (a password, the mother's first name, a date of birth) is
checked only after an attempt was **reserved** for the key the caller typed: one conditional
statement counts the attempt as pending and tells whether failures and pending attempts
together were still under the threshold. Thirty attempts sent at once so evaluate at most
*threshold* of them: the others wait for the pending ones to be told (a success clears the
count, a failure keeps it) and, once the failures reach the threshold, are refused before any
argon2 work, on SQLite and PostgreSQL, whatever the number of gateway processes. Waiting
rather than refusing outright is what lets twenty members' correct answers at once all through.

The key is what was typed, **whether or not it exists** (an unknown user code locks like a
known one, so ``ACCOUNT_LOCKED`` tells nothing), and it is kept only as a keyed digest: what a
member mistypes, a password in the user-code field say, never lands anywhere in clear.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import TypeVar

from gateway import audit
from gateway.audit import Origin
from gateway.problems import ErrorCode, Problem, waiting
from gateway.server_key import ServerKey
from gateway.settings import Settings
from store import attempts as counts

T = TypeVar("T")


class Scope(Enum):
    """What is guessed, and under which key it is counted."""

    PASSWORD = "password"  # signIn, linkExistingCredentials, changePassword; by user code
    RECOVERY = "recovery"  # resetPassword's mother's first name; by user code
    IDENTITY = "identity"  # register's and linking's date of birth; by contract + certificate
    HINT = "hint"  # passwordHint's date of birth; by user code, successes counted too


@dataclass(frozen=True)
class Policy:
    threshold: int
    lock: timedelta
    window: timedelta
    clear_on_success: bool
    refusal: Problem  # the wait is filled in when refused
    events: tuple[str, str, str]  # audit events: failed, locked, refused


@dataclass
class Attempt:
    """A reserved attempt: its outcome must be told with ``succeeded`` or ``failed``, inside
    ``evaluating`` so that a check that fails on its own (the database down) gives it back."""

    scope: Scope
    key_digest: str
    told: bool = False
    failures_left: int | None = None  # after a failure: how many more before the lock


@dataclass(frozen=True)
class Refused:
    """The key is locked: nothing was evaluated."""

    key_digest: str
    problem: Problem


# How long a reservation may be left untold (no evaluation takes this long: a process killed
# mid-check leaves one), and how long a caller waits for pending attempts before it is told
# to come back (RATE_LIMITED: too many attempts at once, not a lock).
PENDING_LOST_AFTER = timedelta(seconds=30)
WAIT_FOR_PENDING = timedelta(seconds=5)
_POLL_SECONDS = (0.005, 0.01, 0.02, 0.04, 0.08, 0.1)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def policies(settings: Settings) -> dict[Scope, Policy]:
    failures_kept = timedelta(hours=settings.attempt_window_hours)
    lock = timedelta(minutes=settings.lockout_minutes)
    hour = timedelta(hours=1)
    return {
        Scope.PASSWORD: Policy(
            settings.lockout_threshold,
            lock,
            failures_kept,
            True,
            Problem(ErrorCode.ACCOUNT_LOCKED),
            ("sign_in_failed", "locked", "sign_in_refused"),
        ),
        Scope.RECOVERY: Policy(
            settings.recovery_threshold,
            lock,
            failures_kept,
            True,
            Problem(ErrorCode.ACCOUNT_LOCKED, message="ACCOUNT_LOCKED.recovery"),
            ("recovery_failed", "recovery_locked", "recovery_refused"),
        ),
        Scope.IDENTITY: Policy(
            settings.identity_threshold,
            lock,
            failures_kept,
            True,
            Problem(ErrorCode.ACCOUNT_LOCKED, "certificateNumber", "ACCOUNT_LOCKED.identity"),
            ("identity_failed", "identity_locked", "identity_refused"),
        ),
        Scope.HINT: Policy(
            settings.hint_requests_per_hour,
            hour,
            hour,
            False,
            Problem(ErrorCode.RATE_LIMITED),
            ("hint_failed", "hint_limited", "hint_refused"),
        ),
    }


class AttemptLedger:
    def __init__(self, settings: Settings, server_key: ServerKey) -> None:
        self.policies = policies(settings)
        self.server_key = server_key

    async def key_digest(self, scope: Scope, key: str) -> str:
        return await self.server_key.digest(f"attempt:{scope.value}", key)

    async def reserve(self, scope: Scope, key: str, origin: Origin) -> Attempt | Refused:
        """Count one attempt at guessing under ``key`` (its canonical form), before any
        check; refused, and audited, when the key is locked. While the threshold is taken up
        by attempts still being evaluated, wait for their outcome (at most WAIT_FOR_PENDING)."""
        attempt, _ = await self.reserve_reading(scope, key, origin, None)
        return attempt

    async def reserve_reading(
        self, scope: Scope, key: str, origin: Origin, read: counts.Read[T] | None
    ) -> tuple[Attempt | Refused, T | None]:
        """``reserve``, and what the check will need read with it (one round trip fewer on
        PostgreSQL): what ``read`` found, given only with an attempt counted."""
        policy = self.policies[scope]
        digest = await self.key_digest(scope, key)
        deadline = time.monotonic() + WAIT_FOR_PENDING.total_seconds()
        for poll in itertools.chain(_POLL_SECONDS, itertools.repeat(_POLL_SECONDS[-1])):
            now = _now_ms()
            reserved = await counts.reserve(
                scope.value,
                digest,
                now,
                pending_lost=now - _ms(PENDING_LOST_AFTER),
                window_ends=now + _ms(policy.window),
                threshold=policy.threshold,
                read=read,
            )
            counted, found = reserved
            if counted:
                return Attempt(scope, digest), found
            locked = await counts.locked_until(scope.value, digest, now)
            if locked is not None:
                await audit.record(policy.events[2], origin, key_digest=digest)
                refusal = policy.refusal
                wait = timedelta(milliseconds=locked - now)
                problem = waiting(refusal.code, wait, refusal.field, refusal.message)
                return Refused(digest, problem), None
            if time.monotonic() >= deadline:
                await audit.record(policy.events[2], origin, key_digest=digest, busy=True)
                return Refused(digest, waiting(ErrorCode.RATE_LIMITED, WAIT_FOR_PENDING)), None
            await asyncio.sleep(poll)
        raise AssertionError("the polls never end")

    @contextlib.asynccontextmanager
    async def evaluating(self, attempt: Attempt) -> AsyncIterator[None]:
        """Around the check of a reserved attempt: if the check fails before telling its
        outcome (an outage, a cancelled request), the reservation is given back at once, so
        that the attempts waiting behind it are not held until it would be forgotten."""
        try:
            yield
        except BaseException:
            if not attempt.told:
                attempt.told = True
                with contextlib.suppress(Exception):
                    await counts.release(attempt.scope.value, attempt.key_digest)
            raise

    async def succeeded(self, attempt: Attempt) -> None:
        attempt.told = True
        policy = self.policies[attempt.scope]
        if policy.clear_on_success:
            await counts.clear_on_success(attempt.scope.value, attempt.key_digest)
        else:
            await self._keep(attempt)

    async def succeeded_with(
        self, attempt: Attempt, write: Callable[[counts.Statement], Awaitable[T]]
    ) -> T:
        """Tell a success in the caller's own write, all or none with it, one round trip
        fewer: ``write`` runs the statement it is given with its rows (a sign-in's session).
        Until it has, the attempt is untold, so that a write that fails gives it back."""
        if not self.policies[attempt.scope].clear_on_success:
            raise ValueError(f"{attempt.scope} counts its successes: tell them with succeeded")
        written = await write(counts.success(attempt.scope.value, attempt.key_digest))
        attempt.told = True
        return written

    async def failed(
        self, attempt: Attempt, origin: Origin, *, account_id: int | None = None
    ) -> None:
        """The failure stays counted; audited, with the lock it set if it was the last."""
        attempt.told = True
        policy = self.policies[attempt.scope]
        failed_event, locked_event, _ = policy.events
        await audit.record(
            failed_event, origin, account_id=account_id, key_digest=attempt.key_digest
        )
        failures = await self._keep(attempt)
        if failures is not None:
            attempt.failures_left = max(0, policy.threshold - failures)
        if failures == policy.threshold:
            await audit.record(
                locked_event, origin, account_id=account_id, key_digest=attempt.key_digest
            )

    async def _keep(self, attempt: Attempt) -> int | None:
        """Count the attempt's outcome; the failures now counted (None: the count was gone)."""
        policy = self.policies[attempt.scope]
        lock_ends = _now_ms() + _ms(policy.lock)
        return await counts.keep(
            attempt.scope.value, attempt.key_digest, policy.threshold, lock_ends
        )

    async def locked_for(self, scope: Scope, key: str) -> timedelta | None:
        """How long ``key`` stays locked, if it is (what the insurer's staff see)."""
        now = _now_ms()
        locked = await counts.locked_until(scope.value, await self.key_digest(scope, key), now)
        return timedelta(milliseconds=locked - now) if locked is not None else None

    async def clear(self, scope: Scope, key: str) -> None:
        await counts.clear(scope.value, await self.key_digest(scope, key))


def wrong_guess(attempt: Attempt, field: str | None = None) -> Problem:
    """INVALID_CREDENTIALS, telling how many tries are left: the count is kept for what was
    typed whether or not it names an account, so the number tells nothing about accounts, and
    a member warned of the last try can go to the reset instead of being locked out."""
    params: dict[str, object] = {}
    message = None
    if attempt.failures_left is not None:
        params["attempts_left"] = attempt.failures_left
        if attempt.failures_left == 1:
            message = f"{ErrorCode.INVALID_CREDENTIALS.value}.last"
    return Problem(ErrorCode.INVALID_CREDENTIALS, field, message, params)


async def purge_expired() -> int:
    """Forget counts whose window and lock have both passed; the periodic clean-up's job."""
    return await counts.purge(_now_ms())
