"""What happened to their account, as a member sees it: gateway.security_events."""

from __future__ import annotations

import pytest

from gateway import access, staff
from gateway.audit import Origin
from gateway.password_change import change_password
from gateway.security_events import InvalidCount, SecurityEventKind, security_events
from gateway.signin import sign_in
from gateway.toolkit import Toolkit
from tests.service.conftest import (
    GENEVIEVE_SECOND,
    NEW_PASSWORD,
    PASSWORD,
    SAMUEL,
    THRESHOLD,
    linked,
    make_origin,
    registered,
    signed_in_as,
)

Kind = SecurityEventKind


async def kinds(account_id: int, first: int = 100) -> list[SecurityEventKind]:
    return [event.kind for event in await security_events(account_id, first)]


async def test_a_member_sees_their_account_history_newest_first(kit: Toolkit, origin: Origin):
    account = await registered(kit, origin)
    _, signed_in = await signed_in_as(kit, make_origin("WEB", "198.51.100.4"))
    await change_password(signed_in, PASSWORD, NEW_PASSWORD, NEW_PASSWORD, origin, kit)
    await linked(kit, origin, GENEVIEVE_SECOND, password=NEW_PASSWORD)
    events = await security_events(account.id, 100)
    assert [e.kind for e in events] == [
        Kind.SIGNED_IN,  # linking signs in
        Kind.FILE_LINKED,
        Kind.PASSWORD_CHANGED,
        Kind.SIGNED_IN,
        Kind.REGISTERED,
    ]
    assert (events[3].channel, events[3].client_address) == ("WEB", "198.51.100.4")
    assert not any(e.by_staff for e in events)
    assert await kinds(account.id, first=2) == [Kind.SIGNED_IN, Kind.FILE_LINKED]


async def test_a_lock_and_a_staff_action_are_shown(kit: Toolkit, origin: Origin):
    """A member notices a lock on their sign-in and what staff did to their account."""
    account = await registered(kit, origin)
    for _ in range(THRESHOLD):
        await sign_in("GenCote86", "Mauvais!Mot2", origin, kit)
    caller = await access.find_key(await access.create_key("Service", access.Role.STAFF, []))
    assert caller is not None
    await staff.revoke_sessions(caller, "GenCote86", origin)
    events = await security_events(account.id, 100)
    assert [e.kind for e in events] == [Kind.SESSIONS_REVOKED, Kind.SIGN_IN_LOCKED, Kind.REGISTERED]
    assert [e.by_staff for e in events] == [True, False, False]


async def test_another_accounts_events_are_not_shown(kit: Toolkit, origin: Origin):
    genevieve = await registered(kit, origin)
    await registered(kit, origin, SAMUEL, "SamOuellet")
    await signed_in_as(kit, origin, "SamOuellet")
    assert await kinds(genevieve.id) == [Kind.REGISTERED]


async def test_the_count_asked_for_is_bounded():
    for first in (0, 101):
        with pytest.raises(InvalidCount):
            await security_events(1, first)
