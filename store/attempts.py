"""The attempt ledger's counts (``gateway/attempts.py`` says what they are for).

Times are epoch milliseconds: the conditional statements compare numbers the same way on every
database. Every statement is composed of this module's constant fragments; values are bound.
"""

from __future__ import annotations

from store.tortoise_adapter import Read as Read
from store.tortoise_adapter import ReadT, change_then_read, execute, fetch
from store.tortoise_adapter import Statement as Statement

# A count starts again when its window has passed or its lock has run out; pending attempts
# are forgotten when nothing was reserved for longer than any evaluation takes (a process
# killed while it evaluated one must not hold the key for ever).
_STALE = (
    '("attempt_counter"."window_ends_ms" <= CAST(:now AS BIGINT) OR '
    '("attempt_counter"."locked_until_ms" IS NOT NULL AND '
    '"attempt_counter"."locked_until_ms" <= CAST(:now AS BIGINT)))'
)
_PENDING_LOST = '("attempt_counter"."pending_since_ms" <= CAST(:pending_lost AS BIGINT))'
_FAILURES = f'(CASE WHEN {_STALE} THEN 0 ELSE "attempt_counter"."failures" END)'
_PENDING = f'(CASE WHEN {_STALE} OR {_PENDING_LOST} THEN 0 ELSE "attempt_counter"."pending" END)'
_RESERVE = f"""
INSERT INTO "attempt_counter" ("scope", "key_digest", "failures", "pending", "pending_since_ms",
                               "window_ends_ms", "locked_until_ms")
VALUES (:scope, :key, 0, 1, CAST(:now AS BIGINT), CAST(:window_ends AS BIGINT), NULL)
ON CONFLICT ("scope", "key_digest") DO UPDATE SET
  "failures" = {_FAILURES},
  "pending" = {_PENDING} + 1,
  "pending_since_ms" = CAST(:now AS BIGINT),
  "window_ends_ms" = CASE WHEN {_STALE} THEN CAST(:window_ends AS BIGINT)
                          ELSE "attempt_counter"."window_ends_ms" END,
  "locked_until_ms" = CASE WHEN {_STALE} THEN NULL ELSE "attempt_counter"."locked_until_ms" END
WHERE ("attempt_counter"."locked_until_ms" IS NULL
       OR "attempt_counter"."locked_until_ms" <= CAST(:now AS BIGINT))
  AND {_FAILURES} + {_PENDING} < CAST(:threshold AS INTEGER)
RETURNING "pending"
"""
_TOLD = '"pending" = CASE WHEN "pending" > 0 THEN "pending" - 1 ELSE 0 END'
# A failure (or, where successes count too, any outcome) kept; the lock set by the one that
# reaches the threshold.
_KEEP = f"""
UPDATE "attempt_counter" SET {_TOLD}, "failures" = "failures" + 1,
  "locked_until_ms" = CASE WHEN "failures" + 1 >= CAST(:threshold AS INTEGER)
                           AND "locked_until_ms" IS NULL
                           THEN CAST(:lock_ends AS BIGINT) ELSE "locked_until_ms" END
WHERE "scope" = :scope AND "key_digest" = :key
RETURNING "failures"
"""
_CLEAR_ON_SUCCESS = f"""
UPDATE "attempt_counter" SET {_TOLD}, "failures" = 0, "locked_until_ms" = NULL
WHERE "scope" = :scope AND "key_digest" = :key
"""
_STATE = """
SELECT "locked_until_ms" FROM "attempt_counter"
WHERE "scope" = :scope AND "key_digest" = :key AND "locked_until_ms" > CAST(:now AS BIGINT)
"""
_CLEAR = 'DELETE FROM "attempt_counter" WHERE "scope" = :scope AND "key_digest" = :key'
_PURGE = """
DELETE FROM "attempt_counter" WHERE "window_ends_ms" <= CAST(:now AS BIGINT)
AND ("locked_until_ms" IS NULL OR "locked_until_ms" <= CAST(:now AS BIGINT))
"""


async def reserve(
    scope: str,
    key: str,
    now: int,
    pending_lost: int,
    window_ends: int,
    threshold: int,
    read: Read[ReadT] | None = None,
) -> tuple[bool, ReadT | None]:
    """Count one attempt pending when failures and pending ones are under ``threshold`` and
    the key is not locked: whether it was counted, and what ``read`` found meanwhile (in the
    same statement on PostgreSQL: what the attempt's check will need)."""
    values = {
        "scope": scope,
        "key": key,
        "now": now,
        "pending_lost": pending_lost,
        "window_ends": window_ends,
        "threshold": threshold,
    }
    if read is None:
        return bool(await fetch(_RESERVE, values)), None
    counted, found = await change_then_read(Statement(_RESERVE, values), read)
    return bool(counted), found


async def locked_until(scope: str, key: str, now: int) -> int | None:
    rows = await fetch(_STATE, {"scope": scope, "key": key, "now": now})
    return int(rows[0][0]) if rows else None


async def keep(scope: str, key: str, threshold: int, lock_ends: int) -> int | None:
    """A pending attempt told and counted; the count now (None: it was forgotten)."""
    values = {"scope": scope, "key": key, "threshold": threshold, "lock_ends": lock_ends}
    rows = await fetch(_KEEP, values)
    return int(rows[0][0]) if rows else None


_RELEASE = f"""
UPDATE "attempt_counter" SET {_TOLD} WHERE "scope" = :scope AND "key_digest" = :key
"""


async def release(scope: str, key: str) -> None:
    """A pending attempt given up without an outcome (the check itself failed)."""
    await execute(_RELEASE, {"scope": scope, "key": key})


def success(scope: str, key: str) -> Statement:
    """A pending attempt told a success: its failures forgotten. To run on its own
    (``clear_on_success``) or with the caller's writes."""
    return Statement(_CLEAR_ON_SUCCESS, {"scope": scope, "key": key})


async def clear_on_success(scope: str, key: str) -> None:
    told = success(scope, key)
    await execute(told.template, told.values)


async def clear(scope: str, key: str) -> None:
    await execute(_CLEAR, {"scope": scope, "key": key})


async def purge(now: int) -> int:
    return await execute(_PURGE, {"now": now})
