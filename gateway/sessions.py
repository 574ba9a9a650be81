"""Session tokens, expiry and the status machine of R11 and R12."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from enum import Enum

from gateway import agreements, audit
from gateway.access import API_KEY_PREFIX
from gateway.audit import Origin
from gateway.files import (
    FILE_PARTS,
    FILES_OF_ACCOUNT_JOIN,
    FILES_ORDER,
    InsuranceFile,
    decode_file_id,
    files_from_rows,
)
from gateway.ids import decode_id
from gateway.joined import Insert, JoinedRows, JoinedSelect, Part, insert_both
from gateway.problems import ErrorCode, Problem
from gateway.settings import Settings
from models.accounts import Account, AccountCertificate
from models.sessions import Session

_TOUCH_EVERY = timedelta(seconds=60)


class SessionStatus(Enum):
    FILE_SELECTION_REQUIRED = "FILE_SELECTION_REQUIRED"
    AGREEMENT_REQUIRED = "AGREEMENT_REQUIRED"
    ACTIVE = "ACTIVE"


def new_token() -> str:
    """256 random bits; the client gets it once, the database keeps only its digest.

    Never with the API keys' prefix, so that one bearer header can carry either.
    """
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith(API_KEY_PREFIX):
            return token


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def expires_at(session: Session, settings: Settings) -> datetime:
    """Whichever comes first: idle timeout from the last request, or the absolute limit."""
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    return min(idle_limit, session.expires_at)


_INSERT_SESSION = Insert(Session)


async def open_session(
    account: Account, files: list[InsuranceFile], origin: Origin, settings: Settings
) -> tuple[str, Session]:
    """R10, with its audit event; with exactly one file, R11 chooses it for the member."""
    token = new_token()
    now = datetime.now(UTC)
    values = {
        "token_hash": token_digest(token),
        "account_id": account.id,
        "channel": origin.channel,
        "selected_certificate_id": files[0].certificate_id if len(files) == 1 else None,
        "client_address": origin.client_address,
        "user_agent": (origin.user_agent or "")[:255] or None,
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + timedelta(hours=settings.session_max_hours),
        "ended_at": None,
    }
    event = audit.event_row("signed_in", origin, account_id=account.id, user_code=account.user_code)
    session, _ = await insert_both(_INSERT_SESSION, values, audit.INSERT_EVENT, event)
    session.account = account
    return token, session


_SESSION = Part(Session, "s")
_ACCOUNT = Part(Account, "a")
# The session, its account, the agreement status (R12) and the files (R11), in one statement:
# most requests of a signed-in member need all of them.
_FIND_SESSION = JoinedSelect(
    [_SESSION, _ACCOUNT, *FILE_PARTS],
    'FROM "session" AS "s" JOIN "account" AS "a" ON "a"."id" = "s"."account_id" '
    f"{FILES_OF_ACCOUNT_JOIN} "
    f'WHERE "s"."token_hash" = ? AND "s"."ended_at" IS NULL {FILES_ORDER}',
    extras=[("accepted_current", "(" + agreements.accepted_current_sql('"s"."account_id"') + ")")],
)


async def find_session(token: str, settings: Settings) -> Session | None:
    """The live session behind a token, with its account and whether the account accepted
    the agreement in force: one query for what every request needs."""
    if not token or len(token) > 128:
        return None
    joined = await _FIND_SESSION.fetch(token_digest(token))
    session = _session_from(joined) if joined.rows else None
    if session is None:
        return None
    now = datetime.now(UTC)
    if now >= expires_at(session, settings):
        return None
    if now - session.last_seen_at >= _TOUCH_EVERY:
        session.last_seen_at = now
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session


def _session_from(joined: JoinedRows) -> Session:
    row = joined.rows[0]
    session = joined.instance(_SESSION, row, Session)
    session.account = joined.instance(_ACCOUNT, row, Account)
    session.accepted_current = bool(joined.computed("accepted_current", row))
    session.files = files_from_rows(joined)
    # What the answer to a query made only of these rows depends on (schema/answers.py).
    session.source_rows = tuple(tuple(row) for row in joined.rows)
    return session


async def session_status(session: Session) -> SessionStatus:
    if session.selected_certificate_id is None:
        return SessionStatus.FILE_SELECTION_REQUIRED
    if not await _accepted_current(session):
        return SessionStatus.AGREEMENT_REQUIRED
    return SessionStatus.ACTIVE


async def _accepted_current(session: Session) -> bool:
    """From ``find_session``'s annotation when there is one, else asked of the database."""
    annotated = getattr(session, "accepted_current", None)
    if annotated is not None:
        return bool(annotated)
    return await agreements.accepted_current(session.account_id)


async def accept_agreement(session: Session, version: str, origin: Origin) -> list[Problem]:
    """R12 on the caller's session, whose status then reflects the acceptance."""
    problems = await agreements.accept_agreement(
        session.account_id, session.account.user_code, version, origin
    )
    if not problems:
        session.accepted_current = True
    return problems


async def select_file(session: Session, file_id: str, origin: Origin) -> list[Problem]:
    """R11: only one of the member's own files; any other id looks the same as a bad one."""
    certificate_id = decode_file_id(file_id)
    owned = certificate_id is not None and await AccountCertificate.exists(
        account_id=session.account_id, certificate_id=certificate_id
    )
    if not owned:
        return [Problem(ErrorCode.FILE_NOT_ACCESSIBLE, "fileId")]
    session.selected_certificate_id = certificate_id
    await Session.filter(id=session.id).update(selected_certificate_id=certificate_id)
    await audit.record_for(session.account, "file_selected", origin, certificate_id=certificate_id)
    return []


async def end_session(session: Session, origin: Origin) -> None:
    await Session.filter(id=session.id, ended_at__isnull=True).update(ended_at=datetime.now(UTC))
    await audit.record_for(session.account, "signed_out", origin)


async def end_sessions_of(account_id: int, *, keep_session_id: int | None = None) -> int:
    """End every open session of an account (a reset, a staff action), maybe but one."""
    query = Session.filter(account_id=account_id, ended_at__isnull=True)
    if keep_session_id is not None:
        query = query.exclude(id=keep_session_id)
    return await query.update(ended_at=datetime.now(UTC))


async def open_sessions_of(account_id: int, settings: Settings) -> list[Session]:
    """The account's sessions that still work, newest first."""
    candidates = await Session.filter(account_id=account_id, ended_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    now = datetime.now(UTC)
    return [s for s in candidates if now < expires_at(s, settings)]


async def revoke_session(current: Session, session_id: str, origin: Origin) -> list[Problem]:
    """End one of the member's own sessions; another's looks the same as an unknown one."""
    number = decode_id("Session", session_id)
    ended = 0
    if number is not None:
        ended = await Session.filter(
            id=number, account_id=current.account_id, ended_at__isnull=True
        ).update(ended_at=datetime.now(UTC))
    if not ended:
        return [Problem(ErrorCode.NOT_FOUND, "id")]
    await audit.record_for(current.account, "session_revoked", origin, session_id=number)
    return []


async def sign_out_everywhere(current: Session, origin: Origin) -> int:
    ended = await end_sessions_of(current.account_id)
    await audit.record_for(current.account, "signed_out_everywhere", origin, sessions_ended=ended)
    return ended
