"""The periodic clean-up (issue 20): what the database forgets, and what it keeps."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from gateway import sessions
from gateway.audit import Origin
from gateway.retention import Purged, clean_up
from gateway.security_events import SecurityEventKind, security_events
from gateway.settings import Settings, SettingsError, load_settings
from gateway.toolkit import Toolkit
from store import tortoise_adapter
from tests.service.conftest import make_origin, registered, signed_in_as


async def test_sessions_go_at_their_absolute_limit_and_live_ones_stay(
    kit: Toolkit, origin: Origin, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(tortoise_adapter, "DELETE_BATCH", 2)  # several batches
    await registered(kit, origin)
    tokens = [
        (await signed_in_as(kit, make_origin(client_address=f"203.0.113.{n}")))[0] for n in range(5)
    ]
    now = datetime.now(UTC)

    kept = await clean_up(kit.settings, now + timedelta(hours=kit.settings.session_max_hours - 1))
    assert kept.sessions == 0
    for token in tokens:
        assert await sessions.find_signed_in(token, kit.settings) is not None

    later = now + timedelta(hours=kit.settings.session_max_hours, minutes=1)
    assert (await clean_up(kit.settings, later)).sessions == 5
    assert (await clean_up(kit.settings, later)).sessions == 0


async def test_audit_rows_are_kept_for_the_retention_period(
    kit: Toolkit, origin: Origin, monkeypatch: pytest.MonkeyPatch
):
    """The member's security events are audit rows: they stay for the whole period."""
    monkeypatch.setattr(tortoise_adapter, "DELETE_BATCH", 2)
    account = await registered(kit, origin)
    await signed_in_as(kit, origin)
    await signed_in_as(kit, origin)
    settings = dataclasses.replace(kit.settings, audit_retention_days=30)
    now = datetime.now(UTC)

    within = await clean_up(settings, now + timedelta(days=29))
    assert within == Purged(attempt_counts=0, sessions=2, audit_events=0)
    kinds = [event.kind for event in await security_events(account.id, 100)]
    assert kinds == [
        SecurityEventKind.SIGNED_IN,
        SecurityEventKind.SIGNED_IN,
        SecurityEventKind.REGISTERED,
    ]

    past = await clean_up(settings, now + timedelta(days=31))
    assert past.audit_events >= 3
    assert await security_events(account.id, 100) == []


def test_the_retention_settings_are_read_and_checked():
    settings = load_settings(
        {"GATEWAY_AUDIT_RETENTION_DAYS": "30", "GATEWAY_CLEAN_UP_MINUTES": "1"}
    )
    assert (settings.audit_retention_days, settings.clean_up_minutes) == (30, 1)
    assert (Settings().audit_retention_days, Settings().clean_up_minutes) == (400, 10)
    for variable in ("GATEWAY_AUDIT_RETENTION_DAYS", "GATEWAY_CLEAN_UP_MINUTES"):
        with pytest.raises(SettingsError, match=variable):
            load_settings({variable: "0"})
