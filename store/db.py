"""The database: the ORM's configuration, opening and closing, migrations, health.

Tortoise 1.x keeps its state per task context; ``open_database`` enables the global fallback so
that every task of the process (each request, each CLI step) sees the one configuration.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.migrations.api import migrate

DEFAULT_DATABASE_URL = "sqlite://var/gateway.sqlite3"
SQLITE_BUSY_MILLISECONDS = 5000
_UNAVAILABLE = (
    DBConnectionError,
    ConnectionError,
    TimeoutError,
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
)
MODEL_MODULES = [
    "models.registry",
    "models.accounts",
    "models.sessions",
    "models.agreements",
    "models.audit",
    "models.apikeys",
    "models.attempts",
    "models.claims",
]


def _connection_url(database_url: str) -> str:
    if database_url.startswith("sqlite://"):
        location, _, query = database_url[len("sqlite://") :].partition("?")
        path = Path(location).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Tortoise opens SQLite in WAL mode. There, synchronous=NORMAL syncs at checkpoints
        # instead of at every commit: never corrupt, but a power cut may lose the last commits.
        # Each sign-in commits twice, and the sync was half its database work; a deployment
        # that wants every commit on disk says ?synchronous=FULL in GATEWAY_DATABASE_URL.
        pragmas = dict(parse_qsl(query))
        pragmas.setdefault("synchronous", "NORMAL")
        # Another process writing (an import) makes a write wait this long, not fail at once.
        pragmas.setdefault("busy_timeout", str(SQLITE_BUSY_MILLISECONDS))
        return f"sqlite://{path}?{urlencode(pragmas)}"
    for prefix in ("postgresql://", "asyncpg://"):
        if database_url.startswith(prefix):
            return "postgres://" + database_url[len(prefix) :]
    return database_url


def sqlite_files(database_url: str) -> list[Path] | None:
    """The files an SQLite database lives in (itself and its write-ahead log); None for a
    server database."""
    if not database_url.startswith("sqlite://"):
        return None
    path = Path(database_url[len("sqlite://") :].partition("?")[0]).expanduser()
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


async def _nothing_to_reset(_: object) -> None:
    """What a pooled PostgreSQL connection needs between two requests, besides the rollback
    of a transaction left open, which asyncpg does anyway.

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` at every release: one more round trip and statement for each of ours, since
    Tortoise takes a connection per statement outside transactions. The gateway takes no
    advisory lock, declares no cursor, listens to nothing and sets no session variable, so
    there is nothing for it to undo.
    """


@dataclass(frozen=True)
class Deadlines:
    """How long the database may take: to connect, and to run one statement."""

    connect_seconds: float = 5.0
    statement_seconds: float = 5.0


def _connection(database_url: str, deadlines: Deadlines) -> str | dict[str, Any]:
    url = _connection_url(database_url)
    if not url.startswith("postgres://"):
        return url
    config: dict[str, Any] = expand_db_url(url)
    credentials = config["credentials"]
    credentials["reset"] = _nothing_to_reset
    # The server ends a statement that runs (or waits for a lock) too long; the client gives
    # up a little later should the server not answer at all.
    milliseconds = int(deadlines.statement_seconds * 1000)
    credentials["server_settings"] = {
        **(credentials.get("server_settings") or {}),
        "statement_timeout": str(milliseconds),
        "lock_timeout": str(milliseconds),
    }
    credentials["command_timeout"] = deadlines.statement_seconds + 1
    credentials["timeout"] = deadlines.connect_seconds
    return config


def tortoise_config(database_url: str, deadlines: Deadlines | None = None) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url, deadlines or Deadlines())},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(database_url: str, deadlines: Deadlines | None = None) -> None:
    await Tortoise.init(
        config=tortoise_config(database_url, deadlines), _enable_global_fallback=True
    )


async def close_database() -> None:
    await Tortoise.close_connections()


async def apply_migrations(database_url: str, deadlines: Deadlines | None = None) -> None:
    """Bring the schema to the newest migration; a no-op when it already is."""
    await migrate(config=tortoise_config(database_url, deadlines))


def migration_names() -> list[str]:
    """The migrations the code ships, in order (the files of ``models/migrations``)."""
    import models.migrations

    folder = Path(models.migrations.__file__).parent
    return sorted(path.stem for path in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))


async def pending_migrations() -> list[str]:
    """The shipped migrations the open database has not applied yet, oldest first."""
    applied: set[str] = set()
    try:
        _, rows = await connections.get("default").execute_query(
            "SELECT name FROM tortoise_migrations WHERE app = 'models'"
        )
        applied = {row["name"] for row in rows}
    except OperationalError:  # no table yet: nothing applied
        pass
    return [name for name in migration_names() if name not in applied]


async def ping(deadline_seconds: float) -> None:
    """One round trip; raises when the database does not answer within the deadline."""
    async with asyncio.timeout(deadline_seconds):
        await connections.get("default").execute_query("SELECT 1")


def is_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached or did not answer in time (not a bug of ours): what
    a client should be told to retry, and an operator to look at once, not once a request."""
    while error is not None:
        if isinstance(error, _UNAVAILABLE):
            return True
        if isinstance(error, OperationalError) and "locked" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def pool_use() -> tuple[int, int] | None:
    """(open, idle) connections of the PostgreSQL pool; None on SQLite or when closed."""
    try:
        pool = getattr(connections.get("default"), "_pool", None)
    except Exception:
        return None
    return (pool.get_size(), pool.get_idle_size()) if pool is not None else None
