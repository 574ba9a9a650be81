"""The API benchmark of issues 7 and 20: the gateway against bare Strawberry, in one run.

On a fresh SQLite database loaded with a generated registry, then on a scratch PostgreSQL
database with two workers, it loads at a fixed concurrency: the reference ``{ hello }``
(bench/reference_app.py), the signed-in ``viewer`` with 1 and with 10 files, the same query
as an automatic persisted query, ``signIn``, ``register`` and ``viewer`` while ``signIn``
saturates the CPU (and ``signIn`` beside that viewer load: fair sharing); it measures the
bare argon2id verify limit with the gateway's parameters, counts SQL statements per request
and reads each server's peak RSS, checks the floors of issue 20 on both databases and writes
everything to bench/results.md.

    make bench
    .venv/bin/python bench/api_bench.py --seconds 2 --warmup 1 --no-postgres   # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import members
import report
from cpu import CpuMeter, CpuUse
from loadgen import LoadResult, LoadSpec, find_wrk, start_load, wrk_version
from members import Picks, Prepared
from report import Argon2Limit, BackendReport, Row
from servers import Server, free_port, reference_server, running
from turns import combined, in_turns, mean_cpu

from gateway.settings import Settings, load_settings

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# Per second, so that the limiter's moving window holds the last second's attempts from the
# bench's one address, not the last minute's thousands (bench/README.md).
RAISED_RATE_LIMIT = "1000000/second"
# Registrations are bounded by argon2 (two hashes each, some 30 ms of CPU per hash here);
# this many fresh certificates per second and core leaves a wide margin.
REGISTERS_PER_SECOND_PER_CORE = 100
BUSY_WARNING = 0.10  # share of the CPUs busy before or after the run that earns a warning
# signIn and the bare argon2 limit take turns in slices this long: the machine's speed drifts
# by 15% from one second to the next (other tenants), and finer turns cancel more of it.
SLICE_SECONDS = 2
# A slice's load starts cold: no sign-in is answered before the first verifications end
# (some 40 ms), which would cost 2% of a 2 s slice; its rate counts from this far in.
SLICE_LEAD_SECONDS = 0.25


@dataclass(frozen=True)
class Options:
    seconds: int
    warmup: int
    connections: int
    mixed_viewer_connections: int
    certificates: int
    postgres: str | None
    postgres_workers: int
    wrk: str | None
    output: Path
    strict: bool


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Loads -----------------------------------------------------------------------------------


class Runner:
    """Runs loads the same way each time: a warm-up, then the measured seconds."""

    def __init__(self, options: Options) -> None:
        self.options = options

    def _run(
        self, loads: list[tuple[LoadSpec, int]], seconds: int, lead: float = 0.0
    ) -> list[LoadResult]:
        running_loads = [
            start_load(
                spec, wrk=self.options.wrk, connections=connections, seconds=seconds, lead=lead
            )
            for spec, connections in loads
        ]
        return [load.result() for load in running_loads]

    def run_once(self, spec: LoadSpec, connections: int, seconds: int) -> LoadResult:
        (result,) = self._run([(spec, connections)], seconds)
        return result

    def warm_up(
        self, loads: list[tuple[LoadSpec, int]], warmups: list[LoadSpec] | None = None
    ) -> None:
        if self.options.warmup > 0:
            specs = warmups or [spec for spec, _ in loads]
            self._run(
                [(spec, c) for spec, (_, c) in zip(specs, loads, strict=True)],
                self.options.warmup,
            )

    def measure(
        self,
        server: Server,
        loads: list[tuple[LoadSpec, int]],
        warmups: list[LoadSpec] | None = None,
        *,
        warm_up: bool = True,
        seconds: int | None = None,
        lead: float = 0.0,
    ) -> tuple[list[LoadResult], CpuUse]:
        """Several loads at once (usually one), and who used the CPU meanwhile; ``warmups``
        replace the specs while warming up, for loads whose bodies can be sent only once."""
        if warm_up:
            self.warm_up(loads, warmups)
        meter = CpuMeter(server.all_pids)
        meter.start()
        results = self._run(loads, seconds or self.options.seconds, lead)
        return results, meter.stop()


def check_answer(spec: LoadSpec) -> None:
    """One request before the load, so that a wrong setup stops the run at once."""
    headers = {"Content-Type": "application/json"}
    if spec.authorization:
        headers["Authorization"] = spec.authorization
    response = httpx.post(spec.url, content=spec.bodies[0].encode(), headers=headers, timeout=30)
    if response.status_code != 200 or spec.expect not in response.text:
        raise RuntimeError(f"{spec.url}: {response.status_code} {response.text[:500]}")


def register_persisted_query(runner: Runner, url: str, authorization: str) -> None:
    """Each worker keeps its own APQ cache, and which worker a connection reaches is up to
    uvicorn's workers racing to accept: sequential probes may all reach one. So register the
    way the load will connect, wrk's connections opened at once, until three probe loads of
    the hash alone in a row get no miss."""
    register = LoadSpec(url, (members.APQ_REGISTER_BODY,), members.VIEWER_EXPECT, authorization)
    probe = LoadSpec(url, (members.APQ_BODY,), members.VIEWER_EXPECT, authorization)
    connections = runner.options.connections
    clean = 0
    for _ in range(30):
        runner.run_once(register, connections, seconds=1)
        clean = clean + 1 if runner.run_once(probe, connections, seconds=1).bad == 0 else 0
        if clean == 3:
            return
    raise RuntimeError("the persisted query could not be registered on every worker")


# Databases and servers ---------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        GATEWAY_DATABASE_URL=database_url,
        GATEWAY_RATE_LIMIT_PER_IP=RAISED_RATE_LIMIT,
        PYTHONUNBUFFERED="1",
    )


def gateway_cli(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "gateway", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def generate_registry(path: Path, certificates: int) -> None:
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "generate_registry.py"),
            f"--certificates={certificates}",
            f"--output={path}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def _admin(server_url: str, statement: str) -> str:
    connection = await asyncpg.connect(_asyncpg_url(server_url), timeout=5)
    try:
        await connection.execute(statement)
        version: str = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    return version


def postgres_version(server_url: str) -> str | None:
    try:
        return asyncio.run(_admin(server_url, "SELECT 1"))
    except (OSError, TimeoutError, asyncpg.PostgresError):
        return None


@contextlib.contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A new database on the server, dropped afterwards whatever happens."""
    name = f"bench_api_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(server_url)
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def argon2_limit(settings: Settings, seconds: int, idle_server: Server) -> Argon2Limit:
    threads = os.cpu_count() or 1
    meter = CpuMeter(idle_server.all_pids)
    meter.start()
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH / "argon2_limit.py"),
            f"--seconds={seconds}",
            f"--threads={threads}",
            f"--memory-kib={settings.argon2_memory_kib}",
            f"--time-cost={settings.argon2_time_cost}",
            f"--parallelism={settings.argon2_parallelism}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    raw = json.loads(completed.stdout)
    return Argon2Limit(
        threads=threads,
        rate=raw["rate"],
        ms_per_verification=raw["ms_per_verification"],
        memory_kib=settings.argon2_memory_kib,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
        cpu=meter.stop(),
    )


def against_limit(
    runner: Runner,
    gateway: Server,
    settings: Settings,
    slices: Sequence[LoadSpec],
    connections: int,
    warmup: LoadSpec,
) -> tuple[LoadResult, CpuUse, Argon2Limit]:
    """A load bounded by argon2 (signIn, register) and the bare argon2 limit in alternating
    slices: limit, load, limit, ..., load, limit (``slices``: what each load slice sends).
    Each load slice is set against the mean of the limit slices on either side, so drift
    weighs on both sides of the ratio alike; the gateway drains its queued hashes before each
    limit slice, which would otherwise share the cores with them.
    """
    runner.warm_up([(warmup, connections)])
    wait_until_idle(gateway)
    limits = [argon2_limit(settings, SLICE_SECONDS, gateway)]
    loads: list[LoadResult] = []
    uses: list[CpuUse] = []
    for spec in slices:
        (load,), use = runner.measure(
            gateway,
            [(spec, connections)],
            warm_up=False,
            seconds=SLICE_SECONDS,
            lead=SLICE_LEAD_SECONDS,
        )
        loads.append(load)
        uses.append(use)
        wait_until_idle(gateway)
        limits.append(argon2_limit(settings, SLICE_SECONDS, gateway))
    references = [(before.rate + after.rate) / 2 for before, after in pairwise(limits)]
    limit = replace(
        limits[0],
        rate=sum(references) / len(references),
        ms_per_verification=sum(x.ms_per_verification for x in limits) / len(limits),
        cpu=mean_cpu([x.cpu for x in limits if x.cpu is not None]),
        samples=tuple(x.rate for x in limits),
    )
    return combined(loads), mean_cpu(uses), limit


def wait_until_idle(server: Server, timeout: float = 15.0) -> None:
    """Until the server spends under a tenth of a core: requests a load client left behind
    when it stopped are still being answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        meter = CpuMeter(server.all_pids)
        meter.start()
        time.sleep(0.3)
        if meter.stop().server < 0.1:
            return


# One backend -------------------------------------------------------------------------------


def run_backend(
    title: str,
    database_url: str,
    workers: int,
    options: Options,
    registry: Path,
    picks: Picks,
    workdir: Path,
) -> BackendReport:
    env = server_env(database_url)
    settings = load_settings(env)
    result = BackendReport(title=title, workers=workers)
    runner = Runner(options)

    log(f"{title}: migrating and importing the registry")
    gateway_cli(env, "migrate")
    gateway_cli(env, "registry", "import", str(registry))
    log(f"{title}: registering and signing in the members, counting SQL")
    prepared = asyncio.run(members.prepare(settings, picks))
    result.sql_statements = prepared.sql
    result.request_bytes = {
        "viewer": len(members.VIEWER_BODY.encode()),
        "viewer-apq": len(members.APQ_BODY.encode()),
    }

    reference = reference_server(env, workers, workdir / f"reference-{workers}.log")
    port = free_port()
    serve = ["serve", "--no-migrate", f"--port={port}", f"--workers={workers}"]
    gateway = Server(
        "gateway",
        [sys.executable, "-m", "gateway", *serve],
        env=env,
        port=port,
        workers=workers,
        log_path=workdir / f"gateway-{workers}.log",
        ready_path="/healthz",
    )
    with running(reference), running(gateway):
        _gateway_loads(gateway, reference, settings, prepared, picks, options, runner, result)
    return result


def _gateway_loads(
    gateway: Server,
    reference: Server,
    settings: Settings,
    prepared: Prepared,
    picks: Picks,
    options: Options,
    runner: Runner,
    result: BackendReport,
) -> None:
    url = gateway.base_url + "/graphql"
    connections = options.connections
    sql = {key: len(statements) for key, statements in prepared.sql.items()}
    one = members.bearer(prepared.one_file_token)
    ten = members.bearer(prepared.ten_files_token)
    viewer_one = LoadSpec(url, (members.VIEWER_BODY,), members.VIEWER_EXPECT, one)
    viewer_ten = LoadSpec(url, (members.VIEWER_BODY,), members.VIEWER_EXPECT, ten)
    apq = LoadSpec(url, (members.APQ_BODY,), members.VIEWER_EXPECT, one)
    sign_in = LoadSpec(
        url,
        tuple(members.sign_in_body(code) for code in members.SIGN_IN_CODES),
        members.MUTATION_EXPECT,
        rotate=True,
    )
    register_persisted_query(runner, url, one)
    for spec in (viewer_one, viewer_ten, apq, sign_in):
        check_answer(spec)

    hello = LoadSpec(reference.base_url + "/graphql", (members.HELLO_BODY,), members.HELLO_EXPECT)
    check_answer(hello)
    log(f"{result.title}: reference {{ hello }} and viewer, 1 file, in turns")
    (hello_measured, hello_cpu), (viewer_measured, viewer_cpu) = in_turns(
        [(reference, hello), (gateway, viewer_one)],
        wrk=options.wrk,
        connections=connections,
        warmup=options.warmup,
        seconds=options.seconds,
        slice_seconds=SLICE_SECONDS,
    )
    label = "reference `{ hello }`"
    peak = reference.peak_rss_mb()
    result.add(Row("hello", label, connections, hello_measured, 0, peak, hello_cpu))
    peak = gateway.peak_rss_mb()
    result.add(
        Row(
            "viewer-1",
            "viewer, 1 file",
            connections,
            viewer_measured,
            sql["viewer-1"],
            peak,
            viewer_cpu,
        )
    )
    for key, label, spec in (
        ("viewer-10", "viewer, 10 files", viewer_ten),
        ("viewer-apq", "viewer, 1 file, APQ (hash only)", apq),
    ):
        log(f"{result.title}: {label}")
        (measured,), cpu = runner.measure(gateway, [(spec, connections)])
        peak = gateway.peak_rss_mb()
        result.add(Row(key, label, connections, measured, sql[key], peak, cpu))

    log(f"{result.title}: signIn and the bare argon2id verify limit, in turns")
    slices = max(1, options.seconds // SLICE_SECONDS)
    measured, cpu, result.argon2 = against_limit(
        runner, gateway, settings, [sign_in] * slices, connections, sign_in
    )
    result.add(
        Row("sign-in", "signIn", connections, measured, sql["sign-in"], gateway.peak_rss_mb(), cpu)
    )

    log(f"{result.title}: viewer and signIn at once, each able to take every core")
    viewer_connections = options.mixed_viewer_connections
    (sign_in_during, viewer_during), cpu = runner.measure(
        gateway, [(sign_in, connections), (viewer_one, viewer_connections)]
    )
    peak = gateway.peak_rss_mb()
    result.add(
        Row(
            "viewer-under-sign-in",
            "viewer, 1 file, during the signIn load below",
            viewer_connections,
            viewer_during,
            sql["viewer-1"],
            peak,
            cpu,
        )
    )
    result.add(
        Row(
            "sign-in-under-viewer",
            "signIn, during the viewer load above (same CPU figures)",
            connections,
            sign_in_during,
            sql["sign-in"],
            peak,
            cpu,
        )
    )

    log(f"{result.title}: register and the bare argon2id verify limit, in turns")
    per_slice = REGISTERS_PER_SECOND_PER_CORE * (os.cpu_count() or 1) * SLICE_SECONDS
    per_slice += connections
    warm_bodies, bodies = picks.register_bodies(
        per_slice * max(1, options.warmup // SLICE_SECONDS), per_slice * slices
    )
    register_slices = [
        LoadSpec(url, tuple(bodies[i : i + per_slice]), members.MUTATION_EXPECT, distinct=True)
        for i in range(0, len(bodies), per_slice)
    ]
    register_warmup = LoadSpec(url, tuple(warm_bodies), members.MUTATION_EXPECT, distinct=True)
    measured, cpu, result.register_argon2 = against_limit(
        runner, gateway, settings, register_slices, connections, register_warmup
    )
    result.add(
        Row(
            "register",
            "register (a fresh certificate each)",
            connections,
            measured,
            sql["register"],
            gateway.peak_rss_mb(),
            cpu,
        )
    )


# The report --------------------------------------------------------------------------------


def _first_line(path: str, prefix: str) -> str | None:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return None


def cpu_busy(seconds: float = 2.0) -> float:
    """The share of all CPUs busy meanwhile (/proc/stat): other work on the machine."""

    def snapshot() -> tuple[int, int]:
        ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]  # all, idle + iowait

    total, idle = snapshot()
    time.sleep(seconds)
    total_after, idle_after = snapshot()
    return 1 - (idle_after - idle) / max(1, total_after - total)


def code_version() -> str:
    """The commit measured, and whether the gateway's code differs from it."""
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            [
                "git",
                "--no-optional-locks",
                "status",
                "--porcelain",
                "--",
                "gateway",
                "schema",
                "models",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        # A tree exported with `git archive` has no history: the caller may name it.
        return os.environ.get("BENCH_CODE_VERSION") or "unknown (not a git checkout)"
    files = [line[3:] for line in changed if line.strip()]
    return f"`{commit}`" + (f", with uncommitted changes to {', '.join(files)}" if files else "")


def machine_lines(options: Options, postgres: str | None) -> list[str]:
    cores = os.cpu_count()
    memory = _first_line("/proc/meminfo", "MemTotal")
    memory_gb = f"{int(memory.split()[0]) / 1024 / 1024:.0f} GB" if memory else "?"
    packages = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in (
            "strawberry-graphql",
            "starlette",
            "uvicorn",
            "uvloop",
            "httptools",
            "tortoise-orm",
            "aiosqlite",
            "asyncpg",
            "argon2-cffi",
        )
    )
    client = wrk_version(options.wrk) if options.wrk else "the Python client (bench/loadgen.py)"
    return [
        f"- CPU: {_first_line('/proc/cpuinfo', 'model name') or platform.processor()}, "
        f"nproc {cores} (usable {len(os.sched_getaffinity(0))}), memory {memory_gb}",
        f"- OS: Linux {platform.release()}; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}; PostgreSQL {postgres or 'not run'} on the same host",
        f"- {packages}",
        f"- load client: {client}, one thread, keep-alive connections, closed loop",
        f"- gateway code: {code_version()}",
    ]


def render(
    options: Options,
    command: str,
    reports: list[BackendReport],
    postgres: str | None,
    postgres_note: str | None,
    started: datetime,
    elapsed: float,
    background: tuple[float, float],
) -> str:
    settings = load_settings(server_env("sqlite://unused"))
    lines = [
        "# API benchmark results",
        "",
        f"Written by {command} on {started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} min "
        "(bench/README.md explains the method). Every figure comes from this one run, so the "
        "ratios are what matters: absolute figures drift from run to run.",
        "",
        "## Machine",
        "",
        *machine_lines(options, postgres),
        f"- each load: {options.connections} connections, {options.warmup} s warm-up, then "
        f"{options.seconds} s measured; the viewer beside the signIn load has "
        f"{options.mixed_viewer_connections} connections",
        f"- other work on the machine: {background[0]:.0%} of the CPUs busy just before the "
        f"run, {background[1]:.0%} just after{_background_warning(background)}",
        f"- gateway settings: defaults (argon2id m={settings.argon2_memory_kib} KiB, "
        f"t={settings.argon2_time_cost}, p={settings.argon2_parallelism}; hashing threads at "
        f"nice {settings.hashing_nice}, left {settings.hashing_cpu_share}% of the cores by "
        "signed-in reads while they wait; request logs at INFO) but GATEWAY_RATE_LIMIT_PER_IP="
        f"{RAISED_RATE_LIMIT}; the registry is generated with {options.certificates:,} "
        "certificates",
    ]
    for backend in reports:
        held = all(f.passed for f in report.floors(backend))
        summary = "every floor holds" if held else "some floor fails"
        lines += [
            "",
            f"## {backend.title}: {summary}",
            "",
            *report.floors_table(backend),
            "",
            *report.figures_table(backend),
            "",
            *report.ratio_lines(backend),
        ]
    if postgres_note:
        lines += ["", f"PostgreSQL: {postgres_note}"]
    lines += [
        "",
        "## SQL per request",
        "",
        "Counted in-process, one request after a warm one, from Tortoise's debug log, on each "
        "run's database:",
        "",
    ]
    for backend in reports:
        lines += [f"{backend.title}:", "", *report.sql_lines(backend), ""]
    lines += [
        "## Reading the table",
        "",
        "- req/s counts the answers received in the measured seconds; p50 and p99 are wrk's "
        "latency percentiles (closed loop: a slow answer delays that connection's next request).",
        "- bad counts answers other than 200 with the expected content (session ACTIVE for the "
        'viewer, `"errors":[]` for the mutations), and socket errors.',
        "- server peak RSS is the server's VmHWM (/proc/PID/status) read after the load: the "
        "high-water mark of the run so far; with several workers, the largest worker's.",
        "- the argon2 row verifies one hash in a loop, one thread per core, in a process of its "
        "own: the most sign-ins per second the CPU allows with these parameters.",
        "- CPU cores: the average number of cores each party used during the measured seconds "
        "(/proc): the server (all its processes), the load clients (wrk, or the argon2 loop), "
        "PostgreSQL's processes, and other work on the machine. ⚠ marks a load during which "
        f"other work took {report.OTHER_CORES_WARNING} core or more: its figures are low, and "
        "ratios involving it unreliable.",
        "",
    ]
    return "\n".join(lines)


def _background_warning(background: tuple[float, float]) -> str:
    if max(background) < BUSY_WARNING:
        return ""
    return (
        " (**other processes were using the CPU**: absolute figures are low, and ratios "
        "against the argon2 limit or the reference less trustworthy than on a quiet machine)"
    )


def print_summary(reports: list[BackendReport]) -> None:
    for backend in reports:
        print(f"\n{backend.title}")
        print("\n".join(report.figures_table(backend)))
        print()
        print("\n".join(report.floors_table(backend)))
        print("\n".join(report.ratio_lines(backend)))


# Main --------------------------------------------------------------------------------------


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=int,
        default=_env_int("BENCH_SECONDS", 10),
        help="measured seconds per load (BENCH_SECONDS; default 10)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=_env_int("BENCH_WARMUP", 2),
        help="warm-up seconds before each load (BENCH_WARMUP; default 2)",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--mixed-viewer-connections",
        type=int,
        default=32,
        help="connections of the viewer load beside the signIn load (default 32)",
    )
    parser.add_argument(
        "--certificates", type=int, default=20_000, help="size of the generated registry"
    )
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="PostgreSQL server for the scratch database (BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--postgres-workers", type=int, default=2)
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load client: wrk (installed from Debian when missing), else Python",
    )
    parser.add_argument("--output", type=Path, default=BENCH / "results.md")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a floor fails"
    )
    arguments = parser.parse_args(argv)
    if arguments.seconds < 1 or arguments.warmup < 0 or arguments.connections < 1:
        parser.error("--seconds must be at least 1, --warmup at least 0, --connections 1")
    wrk = None if arguments.client == "python" else find_wrk(install=True)
    if arguments.client == "wrk" and wrk is None:
        parser.error("wrk is not installed and could not be installed")
    return Options(
        seconds=arguments.seconds,
        warmup=arguments.warmup,
        connections=arguments.connections,
        mixed_viewer_connections=arguments.mixed_viewer_connections,
        certificates=arguments.certificates,
        postgres=None if arguments.no_postgres else arguments.postgres,
        postgres_workers=arguments.postgres_workers,
        wrk=wrk,
        output=arguments.output,
        strict=arguments.strict,
    )


def _command() -> str:
    """How this run was started, as Markdown."""
    script = f"`{shlex.join(['python', 'bench/api_bench.py', *sys.argv[1:]])}`"
    return f"`make bench`, that is {script}," if os.environ.get("MAKELEVEL") else script


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    busy_before = cpu_busy()
    if busy_before >= BUSY_WARNING:
        log(f"warning: {busy_before:.0%} of the CPUs are busy with other work before the run")
    started = datetime.now(UTC)
    clock = time.monotonic()
    reports: list[BackendReport] = []
    postgres = None
    postgres_note = None
    with tempfile.TemporaryDirectory(prefix="bench-api-") as directory:
        workdir = Path(directory)
        registry = workdir / "registry.json"
        log(f"generating a registry of {options.certificates:,} certificates")
        generate_registry(registry, options.certificates)
        picks = members.pick_certificates(registry)

        database_url = f"sqlite://{workdir / 'gateway.sqlite3'}"
        reports.append(
            run_backend("SQLite, 1 worker", database_url, 1, options, registry, picks, workdir)
        )
        if options.postgres is None:
            postgres_note = "not run (--no-postgres)."
        elif (postgres := postgres_version(options.postgres)) is None:
            postgres_note = f"not run: no server answers at {options.postgres}."
            log(postgres_note)
        else:
            workers = options.postgres_workers
            title = f"PostgreSQL, {workers} workers"
            with scratch_postgres(options.postgres) as url:
                reports.append(run_backend(title, url, workers, options, registry, picks, workdir))
    elapsed = time.monotonic() - clock
    background = (busy_before, cpu_busy())
    text = render(
        options, _command(), reports, postgres, postgres_note, started, elapsed, background
    )
    options.output.write_text(text, encoding="utf-8")
    print_summary(reports)
    print(f"\nwrote {options.output}")
    failed = any(not f.passed for backend in reports for f in report.floors(backend))
    return 1 if failed and options.strict else 0


if __name__ == "__main__":
    sys.exit(main())
