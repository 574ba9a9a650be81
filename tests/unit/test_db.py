"""How the gateway opens each database: settings that halved a sign-in's database work
(issue 7)."""

import pytest
from tortoise import connections

from store.db import close_database, open_database


@pytest.mark.parametrize(("query", "expected"), [("", 1), ("?synchronous=FULL", 2)])
async def test_sqlite_syncs_at_checkpoints_unless_told_otherwise(tmp_path, query, expected):
    """WAL with synchronous=NORMAL (1) by default; the URL may ask for FULL (2)."""
    await open_database(f"sqlite://{tmp_path / 'gw.sqlite3'}{query}")
    try:
        _, rows = await connections.get("default").execute_query("PRAGMA synchronous")
        _, journal = await connections.get("default").execute_query("PRAGMA journal_mode")
    finally:
        await close_database()
    assert rows[0][0] == expected
    assert journal[0][0] == "wal"


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_pooled_postgres_connection_runs_only_our_statements(database_url):
    """asyncpg's default reset would follow each statement with a round trip of its own."""
    await open_database(database_url)
    try:
        client = connections.get("default")
        seen: list[str] = []
        async with client.acquire_connection() as connection:
            connection.add_query_logger(lambda record: seen.append(record.query))
        seen.clear()
        await client.execute_query("SELECT 1")
        await client.execute_query("SELECT 2")
    finally:
        await close_database()
    assert seen == ["SELECT 1", "SELECT 2"]
