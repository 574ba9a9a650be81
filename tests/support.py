"""What the tests share besides fixtures: where things are, the databases they run on, and
the cheap argon2 every test uses (through settings, never by patching the hasher)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from store.db import apply_migrations, close_database

REPO = Path(__file__).resolve().parent.parent
DEMO_REGISTRY = REPO / "gateway" / "demo" / "registry.json"

CHEAP_ARGON2 = {"argon2_memory_kib": 64, "argon2_time_cost": 1, "argon2_parallelism": 1}


def postgres_server_url() -> str | None:
    """The server the PostgreSQL half runs on; in CI it must be there."""
    url = os.environ.get("GATEWAY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

    async def answers() -> bool:
        try:
            conn = await asyncpg.connect(asyncpg_url(url), timeout=3)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    if asyncio.run(answers()):
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL does not answer at {url}, and CI must test it")
    return None


def asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def migrate(url: str) -> None:
    await apply_migrations(url)
    await close_database()


GATEWAY_COMMAND = [sys.executable, "-m", "gateway"]

# ``make_client(**setting_overrides)``: the real app over httpx, lifespan included.
ClientFactory = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]
