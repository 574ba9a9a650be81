"""One fixture per database backend, each test on a fresh, migrated database.

A migrated template is built once per run (a SQLite file copied, or a PostgreSQL template
database cloned), so a fresh database costs milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from tortoise.backends.base.executor import EXECUTOR_CACHE

from gateway.settings import Settings
from server.app import create_app
from store.db import apply_migrations, close_database, open_database

REPO = Path(__file__).resolve().parent.parent
DEMO_REGISTRY = REPO / "gateway" / "demo" / "registry.json"

CHEAP_ARGON2 = {"argon2_memory_kib": 64, "argon2_time_cost": 1, "argon2_parallelism": 1}


def postgres_server_url() -> str | None:
    """The server the PostgreSQL half runs on; in CI it must be there."""
    url = os.environ.get("GATEWAY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

    async def answers() -> bool:
        try:
            conn = await asyncpg.connect(_asyncpg_url(url), timeout=3)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    if asyncio.run(answers()):
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL does not answer at {url}, and CI must test it")
    return None


def _asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _migrate(url: str) -> None:
    await apply_migrations(url)
    await close_database()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server answers (set GATEWAY_TEST_POSTGRES_URL)")
    name = f"gw_template_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    asyncio.run(_migrate(_with_database(server, name)))
    yield server, name
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database, once on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "gateway.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite://{path}"
        return
    server, template = request.getfixturevalue("postgres_template")
    name = f"gw_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _with_database(server, name)
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """For tests whose subject does not depend on the backend."""
    path = tmp_path / "gateway.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite://{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Tortoise caches each model's SQL per connection name, not per dialect; a process that
    # switches between SQLite and PostgreSQL, as this test run does, must drop that cache.
    EXECUTOR_CACHE.clear()
    return Settings(
        database_url=database_url,
        cookie_secure=False,
        rate_limit_per_ip="10000/minute",
        **CHEAP_ARGON2,
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """The ORM opened on the test's database, for service tests without HTTP."""
    await open_database(settings.database_url)
    try:
        yield settings
    finally:
        await close_database()


ClientFactory = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def make_client(settings: Settings) -> ClientFactory:
    """The real ASGI app, lifespan included, over httpx; keyword arguments change settings."""

    @contextlib.asynccontextmanager
    async def make(
        peer: str = "203.0.113.7", **overrides: object
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.with_overrides(**overrides))
        async with (
            LifespanManager(app) as manager,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=manager.app, client=(peer, 50000)),
                base_url="http://testserver",
            ) as http,
        ):
            yield http

    return make


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as http:
        yield http


class QueryCounter:
    """The SQL statements Tortoise sends while active, read from its debug log."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    @contextlib.contextmanager
    def __call__(self) -> Iterator[QueryCounter]:
        counter = QueryCounter()
        handler = _Collector(counter.queries)
        log = logging.getLogger("tortoise.db_client")
        previous = log.level
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
        try:
            yield counter
        finally:
            log.removeHandler(handler)
            log.setLevel(previous)


class _Collector(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.sink.append(message)


@pytest.fixture
def count_queries() -> Callable[[], contextlib.AbstractContextManager[QueryCounter]]:
    return QueryCounter()
