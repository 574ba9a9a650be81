"""The scale benchmark of issue 20: a million members, on SQLite and PostgreSQL.

For each size (10,000, 100,000 and 1,000,000 certificates, in 50, 500 and 5,000 contracts, with
dependents and claim rules) and each database, on a fresh database:

1. ``gateway registry import`` of the generated registry, then of the same registry with one
   certificate in a hundred changed (each in a process of its own: wall time, peak RSS, and
   the counts it printed: only the changed records may count as updated);
2. every certificate but one registered (accounts and links written by bulk SQL), five past
   sessions per account and as many audit rows over the last 800 days, then one member
   registered, signed in and made ACTIVE through the API;
3. with the gateway serving (``gateway serve``, one worker on SQLite, two on PostgreSQL, as
   ``make bench`` measures the viewer floor): a partner's members page
   on the largest contract (20,000 members from 100,000 up), one request at a time: the first
   page, the page 10,000 members in, and a search; then the ``viewer`` query against the
   reference ``{ hello }`` under wrk's load, as ``make bench`` measures it;
4. the periodic clean-up (``gateway/retention.py``) in a process of its own: once over the
   backlog (every past session, the audit rows past 400 days), once more as it then runs every
   ten minutes.

bench/results-scale.md gets the machine, every figure, each floor of issue 20 at 1,000,000 with
PASS or FAIL, and how each cost grows from 10,000 to 1,000,000.

    make bench-scale                                          # about 20 minutes
    .venv/bin/python bench/scale_bench.py --sizes 10000 --no-postgres --seconds 2   # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import import_registry
import members
from cpu import CpuUse
from loadgen import LoadResult, LoadSpec, find_wrk, wrk_version
from report import VIEWER_TO_HELLO_FLOOR
from servers import Server, free_port, reference_server, running
from turns import in_turns

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
CERTIFICATES_PER_CONTRACT = 200
CHANGED_EVERY = 100  # one certificate in a hundred changed for the re-import
SESSIONS_PER_ACCOUNT = 5
AUDIT_DAYS = 800  # past audit rows spread over this many days: half are past the retention
PARTNER_PAGE = 20
PARTNER_DEEP = 10_000
PARTNER_SEARCH = "tremblay"  # one of the generator's last names: some 2 % of a contract
RAISED_RATE_LIMIT = "1000000/second"
# { hello } and the viewer take turns in slices this long (bench/turns.py: why).
SLICE_SECONDS = 2

# Issue 20's floors, at the largest size.
IMPORT_SECONDS = 120.0
IMPORT_RSS_MB = 600.0
REIMPORT_SECONDS = 60.0
PARTNER_P99_MS = 50.0


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Measures:
    """One size on one database."""

    backend: str
    certificates: int
    contracts: int
    imports: dict[str, dict[str, Any]] = field(default_factory=dict)  # first, again
    largest_contract: tuple[str, int] = ("", 0)
    partner: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # p50, p99, n
    seeding_seconds: float = 0.0
    accounts: int = 0
    sessions: int = 0
    audit_rows: int = 0
    hello: LoadResult | None = None
    viewer: LoadResult | None = None
    hello_cpu: CpuUse | None = None
    viewer_cpu: CpuUse | None = None
    clean_ups: list[dict[str, Any]] = field(default_factory=list)  # backlog, steady

    @property
    def ratio(self) -> float | None:
        if self.hello is None or self.viewer is None or not self.hello.rate:
            return None
        return self.viewer.rate / self.hello.rate


# The registry ------------------------------------------------------------------------------


def generate(path: Path, certificates: int, contracts: int, changed_every: int = 0) -> None:
    """In a process of its own, so that its memory is never the import's."""
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "generate_registry.py"),
            f"--certificates={certificates}",
            f"--contracts={contracts}",
            "--dependents",
            f"--changed-every={changed_every}",
            f"--output={path}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def gateway_cli(env: dict[str, str], *arguments: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "gateway", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout


def server_env(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        GATEWAY_DATABASE_URL=database_url,
        GATEWAY_RATE_LIMIT_PER_IP=RAISED_RATE_LIMIT,
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )


# Members, sessions and audit rows by bulk SQL ----------------------------------------------

# One row per number from 1 to :count, in both dialects' terms.
_SQLITE_NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"


def _sqlite_seed(path: str, accounts: int, skip_certificate: int) -> None:
    """Accounts 1..accounts linked to every certificate but ``skip_certificate``, then the
    sessions and audit rows; timestamps as Tortoise writes them (``isoformat(" ")``)."""
    now = time.time()
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        stamp = "strftime('%Y-%m-%d %H:%M:%f', ?, 'unixepoch') || '+00:00'"
        connection.execute(
            f"""{_SQLITE_NUMBERS}
            INSERT INTO "account" ("user_code", "user_code_canonical", "password_hash",
                "password_hint", "mothers_first_name_hash", "date_of_birth", "first_name",
                "last_name", "preferred_language", "created_at", "updated_at")
            SELECT 'bulk' || i, 'bulk' || i, 'not-a-hash', 'hint', 'not-a-hash', '1980-01-01',
                'Bulk', 'Member', 'fr', {stamp}, {stamp} FROM n""",  # noqa: S608
            (accounts, now, now),
        )
        connection.execute(
            f"""{_SQLITE_NUMBERS}
            INSERT INTO "account_certificate" ("account_id", "certificate_id", "created_at")
            SELECT i, CASE WHEN i < ? THEN i ELSE i + 1 END, {stamp} FROM n""",  # noqa: S608
            (accounts, skip_certificate, now),
        )
        year = 365 * 86400
        connection.execute(
            f"""{_SQLITE_NUMBERS}
            INSERT INTO "session" ("token_hash", "account_id", "channel", "client_address",
                "user_agent", "created_at", "last_seen_at", "expires_at", "ended_at")
            SELECT printf('%064d', i), (i - 1) % ? + 1, 'WEB', '203.0.113.7', 'bench',
                {stamp.replace("?", "(? - (i * 7919) % ?)")},
                {stamp.replace("?", "(? - (i * 7919) % ?)")},
                {stamp.replace("?", "(? - (i * 7919) % ? + 43200)")},
                NULL FROM n""",  # noqa: S608
            (accounts * SESSIONS_PER_ACCOUNT, accounts, now, year, now, year, now, year),
        )
        span = AUDIT_DAYS * 86400
        connection.execute(
            f"""{_SQLITE_NUMBERS}
            INSERT INTO "audit_event" ("occurred_at", "event", "account_id", "channel",
                "client_address", "details")
            SELECT {stamp.replace("?", "(? - (i * 7919) % ?)")}, 'signed_in', (i - 1) % ? + 1,
                'WEB', '203.0.113.7', '{{}}' FROM n""",  # noqa: S608
            (accounts * SESSIONS_PER_ACCOUNT, now, span, accounts),
        )
        connection.commit()
    finally:
        connection.close()


async def _postgres_seed(url: str, accounts: int, skip_certificate: int) -> None:
    connection = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
    try:
        await connection.execute(
            """INSERT INTO "account" ("user_code", "user_code_canonical", "password_hash",
                "password_hint", "mothers_first_name_hash", "date_of_birth", "first_name",
                "last_name", "preferred_language", "created_at", "updated_at")
            SELECT 'bulk' || i, 'bulk' || i, 'not-a-hash', 'hint', 'not-a-hash', '1980-01-01',
                'Bulk', 'Member', 'fr', now(), now() FROM generate_series(1, $1) AS i""",
            accounts,
        )
        await connection.execute(
            """INSERT INTO "account_certificate" ("account_id", "certificate_id", "created_at")
            SELECT i, CASE WHEN i < $2 THEN i ELSE i + 1 END, now()
            FROM generate_series(1, $1) AS i""",
            accounts,
            skip_certificate,
        )
        await connection.execute(
            """INSERT INTO "session" ("token_hash", "account_id", "channel", "client_address",
                "user_agent", "created_at", "last_seen_at", "expires_at", "ended_at")
            SELECT lpad(i::text, 64, '0'), (i - 1) % $2 + 1, 'WEB', '203.0.113.7', 'bench',
                now() - make_interval(secs => (i::bigint * 7919) % $3),
                now() - make_interval(secs => (i::bigint * 7919) % $3),
                now() - make_interval(secs => (i::bigint * 7919) % $3 - 43200), NULL
            FROM generate_series(1, $1) AS i""",
            accounts * SESSIONS_PER_ACCOUNT,
            accounts,
            365 * 86400,
        )
        await connection.execute(
            """INSERT INTO "audit_event" ("occurred_at", "event", "account_id", "channel",
                "client_address", "details")
            SELECT now() - make_interval(secs => (i::bigint * 7919) % $2), 'signed_in',
                (i - 1) % $3 + 1, 'WEB', '203.0.113.7', '{}'
            FROM generate_series(1, $1) AS i""",
            accounts * SESSIONS_PER_ACCOUNT,
            AUDIT_DAYS * 86400,
            accounts,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


@dataclass(frozen=True)
class Viewer:
    """The member the viewer load signs in as, and the largest contract's number and size."""

    certificate: members.RegistryCertificate
    certificate_id: int
    largest: tuple[str, int]


_VIEWER_PICK = """
SELECT "k"."number", "c"."number", "c"."date_of_birth", "c"."id"
FROM "certificate" AS "c" JOIN "contract" AS "k" ON "k"."id" = "c"."contract_id"
WHERE "c"."status" = 'ACTIVE' AND "k"."product_line" = 'GROUP_INSURANCE'
ORDER BY "c"."id" LIMIT 1
"""
_LARGEST = """
SELECT "k"."number", count(*) FROM "certificate" AS "c"
JOIN "contract" AS "k" ON "k"."id" = "c"."contract_id"
GROUP BY "k"."number" ORDER BY count(*) DESC, "k"."number" LIMIT 1
"""


def _viewer(row: Any, largest: Any) -> Viewer:
    born = row[2] if isinstance(row[2], str) else row[2].isoformat()
    return Viewer(
        members.RegistryCertificate(row[0], row[1], born), int(row[3]), (largest[0], largest[1])
    )


def pick(database_url: str) -> Viewer:
    if database_url.startswith("sqlite://"):
        connection = sqlite3.connect(database_url[len("sqlite://") :])
        try:
            return _viewer(
                connection.execute(_VIEWER_PICK).fetchone(),
                connection.execute(_LARGEST).fetchone(),
            )
        finally:
            connection.close()

    async def fetch() -> Viewer:
        connection = await asyncpg.connect("postgresql://" + database_url.split("://", 1)[1])
        try:
            return _viewer(
                await connection.fetchrow(_VIEWER_PICK), await connection.fetchrow(_LARGEST)
            )
        finally:
            await connection.close()

    return asyncio.run(fetch())


def seed(database_url: str, accounts: int, skip_certificate: int) -> float:
    started = time.perf_counter()
    if database_url.startswith("sqlite://"):
        _sqlite_seed(database_url[len("sqlite://") :], accounts, skip_certificate)
    else:
        asyncio.run(_postgres_seed(database_url, accounts, skip_certificate))
    return time.perf_counter() - started


# The clean-up, in a process of its own -----------------------------------------------------


async def _clean_up(database_url: str) -> dict[str, Any]:
    from gateway.retention import clean_up
    from gateway.settings import load_settings
    from store.db import close_database, open_database

    settings = load_settings(server_env(database_url))
    await open_database(database_url)
    try:
        started = time.perf_counter()
        purged = await clean_up(settings)
        seconds = time.perf_counter() - started
    finally:
        await close_database()
    return {
        "seconds": seconds,
        "sessions": purged.sessions,
        "audit_events": purged.audit_events,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def clean_up_in_child(database_url: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--clean-up-child", database_url],
        cwd=ROOT,
        env=server_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


# Requests ----------------------------------------------------------------------------------

PARTNER_QUERY = (
    "query Members($number: String!, $first: Int!, $after: String, $search: String) { "
    "partnerContract(number: $number) { members(first: $first, after: $after, search: $search) "
    "{ edges { cursor node { certificateNumber firstName lastName status registeredOnline } } "
    "pageInfo { hasNextPage endCursor } totalCount } } }"
)


def _partner_page(
    http: httpx.Client, key: str, number: str, after: str | None, search: str | None, first: int
) -> dict[str, Any]:
    variables = {"number": number, "first": first, "after": after, "search": search}
    response = http.post(
        "/graphql",
        json={"query": PARTNER_QUERY, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise RuntimeError(f"partner members page: {response.status_code} {answer}")
    page: dict[str, Any] = answer["data"]["partnerContract"]["members"]
    return page


def _timed(call: Callable[[], object], requests: int) -> tuple[float, float, int]:
    """p50 and p99 in milliseconds of ``requests`` calls one after the other, after 10 more."""
    for _ in range(10):
        call()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], requests


def measure_partner(
    base_url: str, key: str, number: str, size: int, requests: int
) -> dict[str, tuple[float, float, int]]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        deep_at = min(PARTNER_DEEP, size - PARTNER_PAGE)
        after: str | None = None
        seen = 0
        while seen < deep_at:  # walk there as a partner would, a hundred at a time
            page = _partner_page(http, key, number, after, None, min(100, deep_at - seen))
            after = page["pageInfo"]["endCursor"]
            seen += len(page["edges"])
        deep = _partner_page(http, key, number, after, None, PARTNER_PAGE)
        search = _partner_page(http, key, number, None, PARTNER_SEARCH, PARTNER_PAGE)
        if len(deep["edges"]) != PARTNER_PAGE or not search["edges"]:
            raise RuntimeError(f"unexpected partner pages: {deep['totalCount']} {search}")
        return {
            "first page": _timed(
                lambda: _partner_page(http, key, number, None, None, PARTNER_PAGE), requests
            ),
            f"page {deep_at:,} members in": _timed(
                lambda: _partner_page(http, key, number, after, None, PARTNER_PAGE), requests
            ),
            f'search "{PARTNER_SEARCH}"': _timed(
                lambda: _partner_page(http, key, number, None, PARTNER_SEARCH, PARTNER_PAGE),
                requests,
            ),
        }


async def _active_member(base_url: str, picked: Viewer) -> str:
    """Register, sign in, choose the file and accept the agreement, through the API."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        api = members._Api(http)
        await api.mutate(
            members.register_body(picked.certificate, members.ONE_FILE_CODE), "register"
        )
        agreement = await api.post(members.graphql_body("{ usageAgreement { version } }"))
        token = await api.sign_in(members.ONE_FILE_CODE)
        await api.make_active(token, agreement["usageAgreement"]["version"])
        return token


# One size on one database ------------------------------------------------------------------


def run(
    options: Options,
    backend: str,
    database_url: str,
    certificates: int,
    files: tuple[Path, Path],
    workdir: Path,
) -> Measures:
    contracts = max(1, certificates // CERTIFICATES_PER_CONTRACT)
    result = Measures(backend, certificates, contracts)
    env = server_env(database_url)
    label = f"{backend}, {certificates:,}"
    gateway_cli(env, "migrate")
    for run_name, path in (("first", files[0]), ("again", files[1])):
        log(f"{label}: registry import ({run_name})")
        result.imports[run_name] = import_registry.run_in_child(database_url, path)
        log(f"  {result.imports[run_name]['seconds']:.1f} s: {result.imports[run_name]['summary']}")

    picked = pick(database_url)
    result.largest_contract = picked.largest
    result.accounts = certificates  # the bulk ones and the member of the viewer load
    result.sessions = result.audit_rows = (certificates - 1) * SESSIONS_PER_ACCOUNT
    log(f"{label}: {certificates - 1:,} accounts, {result.sessions:,} sessions and audit rows")
    result.seeding_seconds = seed(database_url, certificates - 1, picked.certificate_id)
    key = (
        gateway_cli(
            env,
            "apikey",
            "create",
            "--role=partner",
            f"--contract={picked.largest[0]}",
            "--name=bench partner",
        )
        .strip()
        .splitlines()[-1]
    )

    # As make bench measures issue 20's viewer floor: one worker on SQLite, two on PostgreSQL.
    workers = 1 if backend == "SQLite" else 2
    reference = reference_server(env, workers, workdir / f"reference-{backend}-{certificates}.log")
    port = free_port()
    gateway = Server(
        "gateway",
        [
            sys.executable,
            "-m",
            "gateway",
            "serve",
            "--no-migrate",
            f"--port={port}",
            f"--workers={workers}",
        ],
        env=env,
        port=port,
        workers=workers,
        log_path=workdir / f"gateway-{backend}-{certificates}.log",
        ready_path="/healthz",
    )
    with running(reference), running(gateway):
        log(f"{label}: partner members pages on {picked.largest[0]} ({picked.largest[1]:,})")
        result.partner = measure_partner(
            gateway.base_url, key, picked.largest[0], picked.largest[1], options.partner_requests
        )
        token = asyncio.run(_active_member(gateway.base_url, picked))
        log(f"{label}: reference {{ hello }} and viewer, in turns")
        hello = LoadSpec(
            reference.base_url + "/graphql", (members.HELLO_BODY,), members.HELLO_EXPECT
        )
        viewer = LoadSpec(
            gateway.base_url + "/graphql",
            (members.VIEWER_BODY,),
            members.VIEWER_EXPECT,
            members.bearer(token),
        )
        (result.hello, result.hello_cpu), (result.viewer, result.viewer_cpu) = in_turns(
            [(reference, hello), (gateway, viewer)],
            wrk=options.wrk,
            connections=options.connections,
            warmup=options.warmup,
            seconds=options.seconds,
            slice_seconds=SLICE_SECONDS,
        )

    for name in ("backlog", "steady"):
        log(f"{label}: clean-up ({name})")
        result.clean_ups.append(clean_up_in_child(database_url))
        log(f"  {result.clean_ups[-1]}")
    return result


@contextlib.contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    name = f"bench_scale_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(server_url)

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect("postgresql://" + server_url.split("://", 1)[1])
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# The report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    sizes: list[int]
    postgres: str | None
    seconds: int
    warmup: int
    connections: int
    partner_requests: int
    wrk: str | None
    output: Path


def _mb(value: float) -> str:
    return f"{value:.0f} MB"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "**FAIL**"


def floors(measures: list[Measures]) -> list[tuple[str, str, str, bool]]:
    """(what, floor, measured, held) at the largest size of each database."""
    rows: list[tuple[str, str, str, bool]] = []
    for m in measures:
        if m.certificates != max(x.certificates for x in measures if x.backend == m.backend):
            continue
        size = f"{m.backend}, {m.certificates:,}"
        first, again = m.imports["first"], m.imports["again"]
        for name, run, limit in (
            ("import", first, IMPORT_SECONDS),
            ("re-import", again, REIMPORT_SECONDS),
        ):
            seconds, peak = run["seconds"], run["peak_rss_mb"]
            what = f"{size}: {name}" + (", 1 % changed" if run is again else "")
            rows.append(
                (f"{what}, wall time", f"< {limit:.0f} s", f"{seconds:.1f} s", seconds < limit)
            )
            rows.append(
                (f"{what}, peak RSS", f"< {IMPORT_RSS_MB:.0f} MB", _mb(peak), peak < IMPORT_RSS_MB)
            )
        changed = m.certificates // CHANGED_EVERY
        counts = again["counts"]
        updated, unchanged = counts["certificates_updated"], counts["certificates_unchanged"]
        exact = (updated, unchanged, counts["certificates_created"]) == (
            changed,
            m.certificates - changed,
            0,
        )
        rows.append(
            (
                f"{size}: re-import counts only the changed as updated",
                f"{changed:,} updated",
                f"{updated:,} updated, {unchanged:,} unchanged",
                exact,
            )
        )
        members_of = f"{m.largest_contract[1]:,} members"
        for page, (_, p99, _) in m.partner.items():
            what = f"{size}: partner members, {page} ({members_of}), p99"
            rows.append((what, f"< {PARTNER_P99_MS:.0f} ms", f"{p99:.1f} ms", p99 < PARTNER_P99_MS))
        ratio = m.ratio
        rows.append(
            (
                f"{size}: viewer / {{ hello }}, {m.accounts:,} accounts, "
                f"{m.sessions:,} past sessions",
                f">= {VIEWER_TO_HELLO_FLOOR:.2f}",
                "–" if ratio is None else f"{ratio:.3f}",
                ratio is not None and ratio >= VIEWER_TO_HELLO_FLOOR,
            )
        )
    return rows


def _growth(measures: list[Measures], backend: str) -> list[str]:
    ours = sorted((m for m in measures if m.backend == backend), key=lambda m: m.certificates)
    if not ours:
        return []
    header = "| cost | " + " | ".join(f"{m.certificates:,}" for m in ours) + " |"
    lines = [f"### {backend}", "", header, "|---|" + "---:|" * len(ours)]

    def row(name: str, cell: Callable[[Measures], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(m) for m in ours) + " |")

    row("contracts (largest)", lambda m: f"{m.contracts:,} ({m.largest_contract[1]:,})")
    row("import: wall time", lambda m: f"{m.imports['first']['seconds']:.1f} s")
    row("import: peak RSS", lambda m: _mb(m.imports["first"]["peak_rss_mb"]))
    row("re-import, 1 % changed: wall time", lambda m: f"{m.imports['again']['seconds']:.1f} s")
    row("re-import: peak RSS", lambda m: _mb(m.imports["again"]["peak_rss_mb"]))

    def updated(m: Measures) -> str:
        counts = m.imports["again"]["counts"]
        return f"{counts['certificates_updated']:,} / {counts['certificates_unchanged']:,}"

    row("re-import: updated / unchanged", updated)
    for index, page in enumerate(("first page", "page ", "search")):

        def cell(m: Measures, index: int = index) -> str:
            p50, p99, _ = list(m.partner.values())[index]
            return f"{p50:.1f} / {p99:.1f} ms"

        row(f"partner members, {page.strip()}{' N in' if page == 'page ' else ''}: p50 / p99", cell)
    row("{ hello } per second", lambda m: f"{m.hello.rate:,.0f}" if m.hello else "–")
    row("viewer per second", lambda m: f"{m.viewer.rate:,.0f}" if m.viewer else "–")
    row("viewer / { hello }", lambda m: f"{m.ratio:.3f}" if m.ratio is not None else "–")
    row("viewer p99", lambda m: f"{m.viewer.p99_ms:.1f} ms" if m.viewer else "–")
    row(
        "accounts, sessions and audit rows written (bulk SQL)",
        lambda m: f"{m.seeding_seconds:.0f} s",
    )
    row("clean-up of the backlog: time", lambda m: f"{m.clean_ups[0]['seconds']:.1f} s")
    row(
        "clean-up of the backlog: sessions / audit rows",
        lambda m: f"{m.clean_ups[0]['sessions']:,} / {m.clean_ups[0]['audit_events']:,}",
    )
    row("clean-up of the backlog: peak RSS", lambda m: _mb(m.clean_ups[0]["peak_rss_mb"]))
    row(
        "clean-up, every 10 minutes after: time",
        lambda m: f"{m.clean_ups[1]['seconds'] * 1000:.0f} ms",
    )
    lines.append("")
    return lines


def _versions(postgres: str | None) -> str:
    packages = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("tortoise-orm", "strawberry-graphql", "uvicorn", "asyncpg", "aiosqlite")
    )
    server = None
    if postgres:

        async def version() -> str:
            connection = await asyncpg.connect("postgresql://" + postgres.split("://", 1)[1])
            try:
                value: str = await connection.fetchval("SHOW server_version")
                return value
            finally:
                await connection.close()

        server = asyncio.run(version())
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {server} on the same host" if server else "")
        + f", {packages}"
    )


def _machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GB, {platform.platform()}"


def render(options: Options, measures: list[Measures], started: datetime, load: str) -> str:
    held = floors(measures)
    client = wrk_version(options.wrk) if options.wrk else "the asyncio client of loadgen.py"
    lines = [
        "# Scale benchmark (issue 20)",
        "",
        f"Written by `make bench-scale` (`bench/scale_bench.py`) on {started:%Y-%m-%d %H:%M} UTC,"
        f" in {(datetime.now(UTC) - started).total_seconds() / 60:.0f} minutes.",
        "",
        f"- Machine: {_machine()}; load average before the run: {load}.",
        f"- Versions: {_versions(options.postgres)}.",
        f"- Load client: {client},"
        f" {options.connections} connections, {options.warmup} s warm-up then {options.seconds} s"
        " measured; the partner pages one request at a time, "
        f"{options.partner_requests} of each after 10 unmeasured.",
        f"- Data: {CERTIFICATES_PER_CONTRACT} certificates per contract on average (one of "
        "20,000 from 100,000 up), dependents and claim rules (`generate_registry.py "
        "--contracts --dependents`); the re-import changes the last name of every "
        f"{CHANGED_EVERY}th certificate. Every certificate but one has an account (bulk SQL),"
        f" each with {SESSIONS_PER_ACCOUNT} past sessions and {SESSIONS_PER_ACCOUNT} audit rows"
        f" over the last {AUDIT_DAYS} days; the last one registers and signs in through the API.",
        "",
        "## Floors",
        "",
        "| measure | floor | measured | |",
        "|---|---|---|---|",
    ]
    lines += [f"| {what} | {floor} | {value} | {_verdict(ok)} |" for what, floor, value, ok in held]
    lines += [
        "",
        f"**{'Every floor holds' if all(ok for *_, ok in held) else 'Some floors fail'}.**",
        "",
        "## How each cost grows with the data",
        "",
    ]
    for backend in ("SQLite", "PostgreSQL"):
        lines += _growth(measures, backend)
    lines += [
        "Import times include reading and checking the file; peak RSS is the import process's."
        " The clean-up runs in a process of its own: the backlog is every"
        " past session and the audit rows older than 400 days; the second run is what the"
        " periodic clean-up then costs every 10 minutes. CPU use during the viewer loads"
        " (server, load client, PostgreSQL, other work, in cores):",
        "",
    ]
    for m in measures:
        if m.viewer_cpu is not None and m.hello_cpu is not None:
            lines.append(
                f"- {m.backend}, {m.certificates:,}: {{ hello }} {m.hello_cpu.describe()};"
                f" viewer {m.viewer_cpu.describe()}"
            )
    lines.append("")
    return "\n".join(lines)


def parse_options(argv: list[str] | None) -> Options | tuple[str, str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="the PostgreSQL server for scratch databases",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--partner-requests", type=int, default=300)
    parser.add_argument("--python-client", action="store_true", help="never wrk")
    parser.add_argument("--output", type=Path, default=BENCH / "results-scale.md")
    parser.add_argument("--clean-up-child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.clean_up_child:
        return ("clean-up", arguments.clean_up_child)
    return Options(
        sizes=[int(size) for size in arguments.sizes.split(",")],
        postgres=None if arguments.no_postgres else arguments.postgres,
        seconds=arguments.seconds,
        warmup=arguments.warmup,
        connections=arguments.connections,
        partner_requests=arguments.partner_requests,
        wrk=None if arguments.python_client else find_wrk(install=True),
        output=arguments.output,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    if isinstance(options, tuple):
        print(json.dumps(asyncio.run(_clean_up(options[1]))))
        return 0
    started = datetime.now(UTC)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    measures: list[Measures] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as directory:
        workdir = Path(directory)
        for certificates in options.sizes:
            contracts = max(1, certificates // CERTIFICATES_PER_CONTRACT)
            files = (
                workdir / f"registry-{certificates}.json",
                workdir / f"changed-{certificates}.json",
            )
            log(f"generating {certificates:,} certificates in {contracts:,} contracts")
            generate(files[0], certificates, contracts)
            generate(files[1], certificates, contracts, CHANGED_EVERY)
            sqlite_url = f"sqlite://{workdir / f'gateway-{certificates}.sqlite3'}"
            measures.append(run(options, "SQLite", sqlite_url, certificates, files, workdir))
            Path(sqlite_url[len("sqlite://") :]).unlink()
            if options.postgres:
                with scratch_postgres(options.postgres) as url:
                    measures.append(run(options, "PostgreSQL", url, certificates, files, workdir))
            for path in files:
                path.unlink()
    options.output.write_text(render(options, measures, started, load), encoding="utf-8")
    log(f"wrote {options.output}")
    held = floors(measures)
    for what, floor, value, ok in held:
        print(f"{_verdict(ok):8} {what}: {value} (floor {floor})")
    return 0 if all(ok for *_, ok in held) else 1


if __name__ == "__main__":
    sys.exit(main())
