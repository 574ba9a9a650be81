"""Sessions (R10-R12): choosing a file, the agreement, and ending sessions (gateway.sessions)."""

from __future__ import annotations

import asyncio
import dataclasses

from gateway import sessions
from gateway.agreements import ensure_default_agreement, publish_agreement
from gateway.audit import Origin
from gateway.ids import IdKind
from gateway.sessions import SessionStatus
from gateway.toolkit import Toolkit
from store import registry
from store.records import SignedIn
from store.statement_log import collecting_statements
from store.tortoise_adapter import dialect
from tests.service.conftest import (
    GENEVIEVE,
    GENEVIEVE_SECOND,
    MARIE_EVE,
    SAMUEL,
    linked,
    make_origin,
    registered,
    signed_in_as,
)


async def with_two_files(kit: Toolkit, origin: Origin) -> tuple[str, SignedIn]:
    """Geneviève with G81234 and G55007, signed in, no file chosen yet."""
    await registered(kit, origin)
    await linked(kit, origin, GENEVIEVE_SECOND)
    return await signed_in_as(kit, origin)


async def test_choosing_a_file_then_accepting_the_agreement(kit: Toolkit, origin: Origin):
    """R11 then R12: the session works once both are done, and stays so on the next request."""
    await ensure_default_agreement()
    token, signed_in = await with_two_files(kit, origin)
    second = next(f for f in signed_in.files if f.contract_number == "G55007")

    file_id = kit.ids.encode(IdKind.INSURANCE_FILE, second.certificate_id)
    signed_in, problems = await sessions.select_file(signed_in, file_id, origin, kit.ids)
    assert problems == []
    assert sessions.status(signed_in) is SessionStatus.AGREEMENT_REQUIRED
    assert sessions.selected_file(signed_in) == second

    signed_in, problems = await sessions.accept_agreement(signed_in, "1", origin)
    assert problems == []
    assert sessions.status(signed_in) is SessionStatus.ACTIVE

    found = await sessions.find_signed_in(token, kit.settings)
    assert found is not None and sessions.status(found) is SessionStatus.ACTIVE
    assert sessions.selected_file(found) == second


async def test_another_members_file_cannot_be_chosen(kit: Toolkit, origin: Origin):
    """R11, R15: Samuel's file, or an id that is no file, look the same."""
    _, signed_in = await with_two_files(kit, origin)
    samuel = await registry.certificate_by_numbers(SAMUEL[0], SAMUEL[1])()
    assert samuel is not None
    for file_id in (
        kit.ids.encode(IdKind.INSURANCE_FILE, samuel.id),
        "garbage",
        kit.ids.encode(IdKind.SESSION, 1),
    ):
        after, problems = await sessions.select_file(signed_in, file_id, origin, kit.ids)
        assert [(p.code.value, p.field) for p in problems] == [("FILE_NOT_ACCESSIBLE", "fileId")]
        assert sessions.status(after) is SessionStatus.FILE_SELECTION_REQUIRED


async def test_only_the_agreement_in_force_can_be_accepted(kit: Toolkit, origin: Origin):
    """R12: accepting another version is refused and changes nothing."""
    await ensure_default_agreement()
    await registered(kit, origin)
    token, signed_in = await signed_in_as(kit, origin)
    after, problems = await sessions.accept_agreement(signed_in, "0", origin)
    assert [(p.code.value, p.field) for p in problems] == [("AGREEMENT_OUTDATED", "version")]
    assert sessions.status(after) is SessionStatus.AGREEMENT_REQUIRED
    found = await sessions.find_signed_in(token, kit.settings)
    assert found is not None and not found.agreement_accepted


async def test_a_new_agreement_version_is_asked_for_again(kit: Toolkit, origin: Origin):
    """R12: acceptance is per version; publishing a new one asks every member again."""
    await ensure_default_agreement()
    await registered(kit, origin)
    token, signed_in = await signed_in_as(kit, origin)
    signed_in, _ = await sessions.accept_agreement(signed_in, "1", origin)
    _, again = await sessions.accept_agreement(signed_in, " 1 ", origin)
    assert again == []  # twice changes nothing

    await publish_agreement("2", title_fr="C", title_en="A", body_fr="Texte", body_en="Text")
    found = await sessions.find_signed_in(token, kit.settings)
    assert found is not None and sessions.status(found) is SessionStatus.AGREEMENT_REQUIRED
    found, problems = await sessions.accept_agreement(found, "2", origin)
    assert problems == [] and sessions.status(found) is SessionStatus.ACTIVE


async def test_an_unknown_or_ended_token_finds_no_session(kit: Toolkit, origin: Origin):
    """R10: signing out ends the session; a made-up token never found one."""
    await registered(kit, origin)
    token, signed_in = await signed_in_as(kit, origin)
    assert await sessions.find_signed_in("not-a-token", kit.settings) is None
    assert await sessions.find_signed_in("", kit.settings) is None
    await sessions.end_session(signed_in, origin)
    assert await sessions.find_signed_in(token, kit.settings) is None


async def test_an_idle_session_expires(kit: Toolkit, origin: Origin):
    """A session unused for the idle timeout no longer works."""
    await registered(kit, origin)
    token, _ = await signed_in_as(kit, origin)
    idle_at_once = dataclasses.replace(kit.settings, session_idle_minutes=0)
    assert await sessions.find_signed_in(token, idle_at_once) is None
    assert await sessions.find_signed_in(token, kit.settings) is not None


async def test_a_member_sees_and_revokes_their_own_sessions(kit: Toolkit, origin: Origin):
    """The open sessions, newest first, with where they come from; revoking one ends it only."""
    account = await registered(kit, origin)
    phone_token, phone = await signed_in_as(kit, origin)
    web_token, web = await signed_in_as(kit, make_origin("WEB", "198.51.100.4"))
    listed = await sessions.open_sessions_of(account.id, kit.settings)
    assert [s.id for s in listed] == [web.session.id, phone.session.id]
    assert [s.client_address for s in listed] == ["198.51.100.4", "203.0.113.7"]

    phone_id = kit.ids.encode(IdKind.SESSION, phone.session.id)
    assert await sessions.revoke_session(web, phone_id, origin, kit.ids) == []
    assert await sessions.find_signed_in(phone_token, kit.settings) is None
    assert await sessions.find_signed_in(web_token, kit.settings) is not None


async def test_another_members_session_cannot_be_revoked(kit: Toolkit, origin: Origin):
    """R15: someone else's session answers like an unknown one, and stays open."""
    await registered(kit, origin)
    await registered(kit, origin, SAMUEL, "SamOuellet")
    _, genevieve = await signed_in_as(kit, origin)
    samuel_token, samuel = await signed_in_as(kit, origin, "SamOuellet")
    for session_id in (kit.ids.encode(IdKind.SESSION, samuel.session.id), "garbage"):
        problems = await sessions.revoke_session(genevieve, session_id, origin, kit.ids)
        assert [(p.code.value, p.field) for p in problems] == [("NOT_FOUND", "id")]
    assert await sessions.find_signed_in(samuel_token, kit.settings) is not None


async def test_signing_out_everywhere_ends_every_session(kit: Toolkit, origin: Origin):
    account = await registered(kit, origin)
    tokens = [(await signed_in_as(kit, origin))[0] for _ in range(3)]
    signed_in = await sessions.find_signed_in(tokens[0], kit.settings)
    assert signed_in is not None
    assert await sessions.sign_out_everywhere(signed_in, origin) == 3
    for token in tokens:
        assert await sessions.find_signed_in(token, kit.settings) is None
    assert await sessions.open_sessions_of(account.id, kit.settings) == []


async def test_sessions_read_at_once_each_get_their_own(kit: Toolkit, origin: Origin):
    """Signed-in reads that arrive together (issue 20: PostgreSQL reads them in one
    statement) each get their own member's session and files; a token that names no
    session, or an ended one, gets none, whoever is read beside it."""
    await registered(kit, origin)
    await registered(kit, origin, SAMUEL, "SamTremblay79")
    await registered(kit, origin, MARIE_EVE, "MarieEve76")
    tokens = {
        code: (await signed_in_as(kit, origin, code))[0]
        for code in ("GenCote86", "SamTremblay79", "MarieEve76")
    }
    ended, ended_session = await signed_in_as(kit, origin, "MarieEve76")
    await sessions.end_session(ended_session, origin)
    asked = [*tokens.values(), "no-such-token", ended, tokens["GenCote86"]]

    with collecting_statements() as statements:
        found = await asyncio.gather(*(sessions.find_signed_in(t, kit.settings) for t in asked))

    codes = [f.account.user_code if f else None for f in found]
    assert codes == [*tokens, None, None, "GenCote86"]
    numbers = [[file.certificate_number for file in f.files] if f else [] for f in found]
    assert numbers == [[GENEVIEVE[1]], [SAMUEL[1]], [MARIE_EVE[1]], [], [], [GENEVIEVE[1]]]
    reads = [s for s in statements if s.lstrip().startswith("SELECT")]
    assert len(reads) == (1 if dialect() == "postgres" else len(asked))
