"""Signed-in sessions: only the digest of each token is kept."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime
from typing import Any

from models.sessions import Session as SessionRow
from store import agreements
from store.audit import INSERT_EVENT, entry_values, insert_entry
from store.parts import (
    ACCOUNT,
    FILE_PARTS,
    FILES_OF_ACCOUNT_JOIN,
    FILES_ORDER,
    SESSION,
    account_from,
    files_from_rows,
    session_from,
)
from store.records import AuditEntry, Session, SignedIn
from store.tortoise_adapter import (
    Insert,
    JoinedRows,
    JoinedSelect,
    Statement,
    delete_in_batches,
    dialect,
    in_a_transaction,
    insert_chain,
    transaction,
)

# The session, its account, the agreement status (R12) and the files (R11), in one statement:
# most requests of a signed-in member need all of them.
_SIGNED_IN = JoinedSelect(
    [SESSION, ACCOUNT, *FILE_PARTS],
    'FROM "session" AS "s" JOIN "account" AS "a" ON "a"."id" = "s"."account_id" '
    f"{FILES_OF_ACCOUNT_JOIN} "
    f'WHERE "s"."token_hash" = ? AND "s"."ended_at" IS NULL {FILES_ORDER}',
    extras=[("accepted_current", agreements.accepted_current_sql('"s"."account_id"'))],
)
# The same for several sessions at once: PostgreSQL reads every signed-in request that arrived
# in one turn of the event loop in one statement (_SignedInReads).
_SIGNED_IN_MANY = JoinedSelect(
    [SESSION, ACCOUNT, *FILE_PARTS],
    'FROM "session" AS "s" JOIN "account" AS "a" ON "a"."id" = "s"."account_id" '
    f"{FILES_OF_ACCOUNT_JOIN} "
    f'WHERE "s"."token_hash" = ANY(?) AND "s"."ended_at" IS NULL {FILES_ORDER}',
    extras=[
        ("accepted_current", agreements.accepted_current_sql('"s"."account_id"')),
        ("token_hash", '"s"."token_hash"'),
    ],
)
_INSERT_SESSION = Insert(SessionRow)


class _SignedInReads:
    """Signed-in reads that arrive together go to PostgreSQL as one statement.

    Under load the event loop takes several requests off their sockets in one turn; each
    asked PostgreSQL for its own session, and the round trips cost more than the requests'
    own work (about 150 us of the database's CPU and as much of the worker's, against some
    300 us for the rest of a ``viewer`` request, bench/README.md). The first read of a turn
    starts a task that runs at the next turn with every digest asked for meanwhile; each
    caller gets its own session's rows only. A lone request still makes one statement.
    SQLite reads on the loop's own thread and has nothing to gain.
    """

    MAX_BATCH = 64

    def __init__(self) -> None:
        self._waiting: dict[str, list[asyncio.Future[JoinedRows | None]]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the waiting batch's
        self._tasks: set[asyncio.Task[None]] = set()

    async def rows(self, token_digest: str) -> JoinedRows | None:
        loop = asyncio.get_running_loop()
        if self._waiting is None or self._loop is not loop or len(self._waiting) >= self.MAX_BATCH:
            self._waiting, self._loop = {}, loop
            task = loop.create_task(self._read(self._waiting))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        future: asyncio.Future[JoinedRows | None] = loop.create_future()
        self._waiting.setdefault(token_digest, []).append(future)
        return await future

    async def _read(self, batch: dict[str, list[asyncio.Future[JoinedRows | None]]]) -> None:
        if self._waiting is batch:
            self._waiting = None  # later reads start the next batch
        try:
            joined = await _SIGNED_IN_MANY.fetch(list(batch))
        except BaseException as error:
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        groups = joined.grouped_by("token_hash")
        for digest, futures in batch.items():
            for future in futures:
                if not future.done():
                    future.set_result(groups.get(digest))


_READS = _SignedInReads()


# Records decoded from the rows they came from, the last so many: equal rows make equal
# (frozen) records, and a member's rows change seldom, while decoding them (timestamps, JSON,
# a dozen records) was a tenth of a signed-in request's CPU (bench/README.md).
_DECODED: OrderedDict[Hashable, SignedIn] = OrderedDict()
DECODED_SESSIONS = 1024


async def signed_in(token_digest: str) -> SignedIn | None:
    """The live session behind a token digest, whatever its expiry (the rules judge that)."""
    if dialect() == "postgres" and not in_a_transaction():
        joined = await _READS.rows(token_digest)
    else:
        joined = await _SIGNED_IN.fetch(token_digest)
    if joined is None or not joined.rows:
        return None
    version = tuple(tuple(r) for r in joined.rows)
    try:
        known = _DECODED.get(version)
    except TypeError:  # a driver's unhashable value: decode every time
        return _decode(joined, version)
    if known is not None:
        _DECODED.move_to_end(version)
        return known
    decoded = _DECODED[version] = _decode(joined, version)
    if len(_DECODED) > DECODED_SESSIONS:
        _DECODED.popitem(last=False)
    return decoded


def _decode(joined: JoinedRows, version: Hashable) -> SignedIn:
    row = joined.rows[0]
    return SignedIn(
        session=session_from(joined, row),
        account=account_from(joined, row),
        files=files_from_rows(joined),
        agreement_accepted=bool(joined.computed("accepted_current", row)),
        version=version,
    )


async def open_session(
    *,
    token_digest: str,
    account_id: int,
    channel: str,
    selected_certificate_id: int | None,
    client_address: str | None,
    user_agent: str | None,
    now: datetime,
    expires_at: datetime,
    entry: AuditEntry,
    also: Sequence[Statement] = (),
) -> Session:
    """The session and its audit entry, and ``also`` (the sign-in attempt told), all or none
    (one statement on PostgreSQL)."""
    values: dict[str, Any] = {
        "token_hash": token_digest,
        "account_id": account_id,
        "channel": channel,
        "selected_certificate_id": selected_certificate_id,
        "client_address": client_address,
        "user_agent": user_agent,
        "created_at": now,
        "last_seen_at": now,
        "expires_at": expires_at,
        "ended_at": None,
    }
    session_id, _ = await insert_chain(
        _INSERT_SESSION, values, (INSERT_EVENT, entry_values(entry)), also=also
    )
    return Session(
        id=session_id,
        account_id=account_id,
        channel=channel,
        selected_certificate_id=selected_certificate_id,
        client_address=client_address,
        user_agent=user_agent,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    )


async def touch(session_id: int, now: datetime) -> None:
    await SessionRow.filter(id=session_id).update(last_seen_at=now)


async def select_file(session_id: int, certificate_id: int, entry: AuditEntry) -> None:
    async with transaction():
        await SessionRow.filter(id=session_id).update(selected_certificate_id=certificate_id)
        await insert_entry(entry)


async def end(session_id: int, entry: AuditEntry) -> None:
    async with transaction():
        await SessionRow.filter(id=session_id, ended_at__isnull=True).update(
            ended_at=datetime.now(UTC)
        )
        await insert_entry(entry)


async def end_all(account_id: int, *, keep_session_id: int | None = None) -> int:
    """End every open session of an account, maybe but one; how many ended."""
    query = SessionRow.filter(account_id=account_id, ended_at__isnull=True)
    if keep_session_id is not None:
        query = query.exclude(id=keep_session_id)
    return await query.update(ended_at=datetime.now(UTC))


async def end_all_recorded(
    account_id: int, entry: Callable[[int], AuditEntry], *, keep_session_id: int | None = None
) -> int:
    """``end_all`` and its audit entry (``entry(ended)``) in one transaction."""
    async with transaction():
        ended = await end_all(account_id, keep_session_id=keep_session_id)
        await insert_entry(entry(ended))
    return ended


async def revoke(session_id: int, account_id: int, entry: Callable[[], AuditEntry]) -> bool:
    """End one of the account's own open sessions; False when there is no such session."""
    async with transaction():
        ended = await SessionRow.filter(
            id=session_id, account_id=account_id, ended_at__isnull=True
        ).update(ended_at=datetime.now(UTC))
        if ended:
            await insert_entry(entry())
    return bool(ended)


async def open_of(account_id: int) -> list[Session]:
    """The account's sessions not ended, newest first (expiry is for the rules to judge)."""
    rows = await SessionRow.filter(account_id=account_id, ended_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    return [
        Session(
            id=r.id,
            account_id=r.account_id,
            channel=r.channel,
            selected_certificate_id=r.selected_certificate_id,
            client_address=r.client_address,
            user_agent=r.user_agent,
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
            expires_at=r.expires_at,
        )
        for r in rows
    ]


async def purge_expired(now: datetime) -> int:
    """Delete the sessions past their absolute limit; how many."""
    return await delete_in_batches(SessionRow, SessionRow.filter(expires_at__lt=now))
