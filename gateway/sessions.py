"""Sessions: tokens, expiry, and the status machine of R11 and R12."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum

from gateway import agreements, audit, tokens
from gateway.audit import Origin
from gateway.ids import IdKind, OpaqueIds
from gateway.problems import ErrorCode, Problem
from gateway.settings import Settings
from gateway.vocabulary import Channel
from store import sessions as stored
from store.attempts import Statement
from store.records import Account, InsuranceFile, Session, SignedIn


class SessionStatus(Enum):
    FILE_SELECTION_REQUIRED = "FILE_SELECTION_REQUIRED"
    AGREEMENT_REQUIRED = "AGREEMENT_REQUIRED"
    ACTIVE = "ACTIVE"


def carried_by_cookie(channel: str) -> bool:
    """A web sign-in's session travels in an HttpOnly cookie; a mobile app keeps the token."""
    return channel == Channel.WEB.value


def expires_at(session: Session, settings: Settings) -> datetime:
    """Whichever comes first: idle timeout from the last request, or the absolute limit."""
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    return min(idle_limit, session.expires_at)


def status(signed_in: SignedIn) -> SessionStatus:
    """R11 first (a file chosen), then R12 (the agreement in force accepted)."""
    if signed_in.session.selected_certificate_id is None:
        return SessionStatus.FILE_SELECTION_REQUIRED
    if not signed_in.agreement_accepted:
        return SessionStatus.AGREEMENT_REQUIRED
    return SessionStatus.ACTIVE


def selected_file(signed_in: SignedIn) -> InsuranceFile | None:
    selected = signed_in.session.selected_certificate_id
    return next((f for f in signed_in.files if f.certificate_id == selected), None)


async def open_session(
    account: Account,
    files: tuple[InsuranceFile, ...],
    agreement_accepted: bool,
    origin: Origin,
    settings: Settings,
    also: Sequence[Statement] = (),
) -> tuple[str, SignedIn]:
    """R10, with its audit event (and ``also``, written with them); with exactly one file,
    R11 chooses it for the member."""
    token = tokens.new_session_token()
    now = datetime.now(UTC)
    session = await stored.open_session(
        token_digest=tokens.digest(token),
        account_id=account.id,
        channel=origin.channel,
        selected_certificate_id=files[0].certificate_id if len(files) == 1 else None,
        client_address=origin.client_address,
        user_agent=(origin.user_agent or "")[:255] or None,
        now=now,
        expires_at=now + timedelta(hours=settings.session_max_hours),
        entry=audit.entry_for(account, "signed_in", origin),
        also=also,
    )
    return token, SignedIn(session, account, files, agreement_accepted, version=None)


async def find_signed_in(token: str, settings: Settings) -> SignedIn | None:
    """The live session behind a token, with its account, files and agreement status: one
    statement for what every request needs, and a write at most once a minute."""
    if not token or len(token) > tokens.MAX_TOKEN_LENGTH:
        return None
    signed_in = await stored.signed_in(tokens.digest(token))
    if signed_in is None:
        return None
    now = datetime.now(UTC)
    if now >= expires_at(signed_in.session, settings):
        return None
    if now - signed_in.session.last_seen_at >= tokens.TOUCH_EVERY:
        await stored.touch(signed_in.session.id, now)
        signed_in = signed_in.with_session(last_seen_at=now)
    return signed_in


async def accept_agreement(
    signed_in: SignedIn, version: str, origin: Origin
) -> tuple[SignedIn, list[Problem]]:
    """R12 on the caller's session, whose status then reflects the acceptance."""
    problems = await agreements.accept_agreement(signed_in.account, version, origin)
    return (signed_in if problems else signed_in.with_agreement_accepted()), problems


async def select_file(
    signed_in: SignedIn, file_id: str, origin: Origin, ids: OpaqueIds
) -> tuple[SignedIn, list[Problem]]:
    """R11: only one of the member's own files; any other id looks the same as a bad one."""
    certificate_id = ids.decode(IdKind.INSURANCE_FILE, file_id)
    if certificate_id not in {f.certificate_id for f in signed_in.files}:
        return signed_in, [Problem(ErrorCode.FILE_NOT_ACCESSIBLE, "fileId")]
    entry = audit.entry_for(
        signed_in.account, "file_selected", origin, certificate_id=certificate_id
    )
    await stored.select_file(signed_in.session.id, certificate_id, entry)
    return signed_in.with_session(selected_certificate_id=certificate_id), []


async def end_session(signed_in: SignedIn, origin: Origin) -> None:
    await stored.end(signed_in.session.id, audit.entry_for(signed_in.account, "signed_out", origin))


async def open_sessions_of(account_id: int, settings: Settings) -> list[Session]:
    """The account's sessions that still work, newest first."""
    now = datetime.now(UTC)
    return [s for s in await stored.open_of(account_id) if now < expires_at(s, settings)]


async def revoke_session(
    signed_in: SignedIn, session_id: str, origin: Origin, ids: OpaqueIds
) -> list[Problem]:
    """End one of the member's own sessions; another's looks the same as an unknown one."""
    number = ids.decode(IdKind.SESSION, session_id)
    revoked = number is not None and await stored.revoke(
        number,
        signed_in.account.id,
        lambda: audit.entry_for(signed_in.account, "session_revoked", origin, session_id=number),
    )
    return [] if revoked else [Problem(ErrorCode.NOT_FOUND, "id")]


async def sign_out_everywhere(signed_in: SignedIn, origin: Origin) -> int:
    account = signed_in.account
    return await stored.end_all_recorded(
        account.id,
        lambda ended: audit.entry_for(
            account, "signed_out_everywhere", origin, sessions_ended=ended
        ),
    )
