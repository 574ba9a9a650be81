"""The embedded database's durability setting (issue 7: half a sign-in's database work)."""

import pytest
from tortoise import connections

from gateway.db import close_database, open_database
from gateway.settings import Settings


@pytest.mark.parametrize(("query", "expected"), [("", 1), ("?synchronous=FULL", 2)])
async def test_sqlite_syncs_at_checkpoints_unless_told_otherwise(tmp_path, query, expected):
    """WAL with synchronous=NORMAL (1) by default; the URL may ask for FULL (2)."""
    await open_database(Settings(database_url=f"sqlite://{tmp_path / 'gw.sqlite3'}{query}"))
    try:
        _, rows = await connections.get("default").execute_query("PRAGMA synchronous")
        _, journal = await connections.get("default").execute_query("PRAGMA journal_mode")
    finally:
        await close_database()
    assert rows[0][0] == expected
    assert journal[0][0] == "wal"
