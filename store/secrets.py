"""Secrets the gateway makes for itself and keeps in the database when no setting gives them."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from models.attempts import ServerSecret


async def get_or_create(name: str, make: str) -> str:
    """The secret stored under ``name``, ``make`` stored first if there is none; two processes
    racing at first start agree on the first one written."""
    stored = await ServerSecret.get_or_none(name=name)
    if stored is None:
        try:
            stored = await ServerSecret.create(name=name, value=make, created_at=datetime.now(UTC))
        except IntegrityError:
            stored = await ServerSecret.get(name=name)
    return stored.value
