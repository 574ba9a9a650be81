"""One fixture per database backend, each test on a fresh, migrated database.

A migrated template is built once per run (a SQLite file copied, or a PostgreSQL template
database cloned), so a fresh database costs milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from tortoise.backends.base.executor import EXECUTOR_CACHE

from gateway.settings import Settings
from server.app import create_app
from store.db import close_database, open_database
from store.statement_log import collecting_statements
from tests.support import (
    CHEAP_ARGON2,
    ClientFactory,
    admin,
    migrate,
    postgres_server_url,
    with_database,
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server answers (set GATEWAY_TEST_POSTGRES_URL)")
    name = f"gw_template_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate(with_database(server, name)))
    yield server, name
    asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}"'))


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
    asyncio.run(admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield with_database(server, name)
    asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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


@pytest.fixture
def make_client(settings: Settings) -> ClientFactory:
    """The real ASGI app, lifespan included, over httpx; keyword arguments change settings."""

    @contextlib.asynccontextmanager
    async def make(
        peer: str = "203.0.113.7", **overrides: object
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(dataclasses.replace(settings, **overrides))
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


@pytest.fixture
def count_queries() -> Callable[[], contextlib.AbstractContextManager[list[str]]]:
    """The SQL statements sent while a block runs (``with count_queries() as statements``)."""
    return collecting_statements


# What ran: a green run that skipped the PostgreSQL half or the browser says so at the end,
# instead of looking like a full pass (in CI the parts fail rather than skip, see support.py).
_PARTS: dict[str, Callable[[pytest.Item], bool]] = {
    "SQLite": lambda item: (
        "sqlite" in item.nodeid.lower()
        or any("sqlite" in name for name in getattr(item, "fixturenames", ()))
    ),
    "PostgreSQL": lambda item: (
        "postgres" in item.nodeid.lower()
        or any(
            name in ("pair", "postgres_database", "least_privilege")
            for name in getattr(item, "fixturenames", ())
        )
    ),
    "Redis": lambda item: (
        "redis" in item.nodeid.lower()
        or any(name in ("pair", "frozen_redis") for name in getattr(item, "fixturenames", ()))
    ),
    "browser (Chromium)": lambda item: item.get_closest_marker("browser") is not None,
    "Node.js (graphql-http, apollo-upload-client)": lambda item: (
        "node" in getattr(item, "fixturenames", ())
    ),
}
_parts_of: dict[str, list[str]] = {}
_outcomes: dict[str, dict[str, int]] = {part: {} for part in _PARTS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        _parts_of[item.nodeid] = [part for part, belongs in _PARTS.items() if belongs(item)]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        for part in _parts_of.get(report.nodeid, []):
            counts = _outcomes[part]
            counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.section("parts of the suite that ran")
    for part, counts in _outcomes.items():
        told = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        if not counts:
            told = "not collected"
        elif not counts.get("passed") and not counts.get("failed"):
            told += " (DID NOT RUN: see the skip reasons above)"
        terminalreporter.write_line(f"{part}: {told}")
