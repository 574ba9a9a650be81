"""What the tests share besides fixtures: where things are, the databases they run on, and
the cheap argon2 every test uses (through settings, never by patching the hasher)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the gateway exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"the gateway did not answer {url}/readyz within 30 s:\n{log.read_text()}")


@dataclass
class LiveGateway:
    url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    def rss_kib(self) -> int:
        """The process's resident memory now, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


@contextlib.contextmanager
def running_gateway(
    folder: Path,
    log: Path,
    host: str = "127.0.0.1",
    registry: Path = DEMO_REGISTRY,
    **settings: str,
) -> Iterator[LiveGateway]:
    """A real gateway process on a free port, its database (SQLite in ``folder`` unless the
    settings name one) migrated and holding the demo registry. ``settings``: GATEWAY_*
    variables."""
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": f"sqlite://{folder / 'db.sqlite3'}",
        "GATEWAY_COOKIE_SECURE": "false",
        "GATEWAY_ARGON2_MEMORY_KIB": "64",
        "GATEWAY_ARGON2_TIME_COST": "1",
        **settings,
    }
    for step in (["migrate"], ["registry", "import", str(registry)]):
        subprocess.run(
            [*GATEWAY_COMMAND, *step], env=env, cwd=REPO, check=True, capture_output=True
        )
    port = free_port(host)
    url = f"http://{host}:{port}"
    command = [*GATEWAY_COMMAND, "serve", "--no-migrate", "--host", host, "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        wait_until_ready(url, process, log)
        yield LiveGateway(url, process, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def node_project(folder: Path, package: str, what: str) -> str:
    """Node.js for a test driving an npm tool, its packages installed from the folder's lock
    file (``npm ci``) when missing; skipped without Node.js, except in CI (``what`` says which
    part CI must run)."""

    def unavailable(reason: str) -> None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI must run {what}")
        pytest.skip(reason)

    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        unavailable("Node.js and npm are not installed")
    assert node is not None and npm is not None
    if not (folder / "node_modules" / package).is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if installed.returncode != 0:
            unavailable(f"npm ci failed: {installed.stderr[-500:]}")
    return node
