"""The figures of one benchmark run, the floors of issues 7 and 20, and bench/results.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from cpu import CpuUse
from loadgen import LoadResult

# Issue 20's floors, on this machine: each holds on SQLite with 1 worker and on PostgreSQL
# with 2.
VIEWER_TO_HELLO_FLOOR = 0.70
SIGN_IN_TO_ARGON2_FLOOR = 0.90
# Fair sharing: signIn beside a viewer load that would take every core, and the reverse.
SIGN_IN_UNDER_VIEWER_FLOOR = 0.30
SIGN_IN_UNDER_VIEWER_P99_MS = 2000.0
VIEWER_P99_UNDER_SIGN_IN_MS = 250.0
# Two hashes per registration (the password, the mother's first name): 0.5 is the ceiling.
REGISTER_TO_ARGON2_FLOOR = 0.45
SQL_PER_VIEWER = 1
PEAK_RSS_MB = 150.0
# A load during which other work took this many cores is flagged: its figures are low.
OTHER_CORES_WARNING = 0.25


@dataclass(frozen=True)
class Row:
    """One load: what it sent, over how many connections, and what came back."""

    key: str
    label: str
    connections: int
    result: LoadResult
    sql: int | None = None  # statements of one request, counted in-process
    peak_rss_mb: float | None = None  # the server's high-water mark once this load ended
    cpu: CpuUse | None = None


@dataclass(frozen=True)
class Argon2Limit:
    threads: int
    rate: float
    ms_per_verification: float
    memory_kib: int
    time_cost: int
    parallelism: int
    cpu: CpuUse | None = None
    samples: tuple[float, ...] = ()  # the slices' rates, in the order measured


@dataclass
class BackendReport:
    """Everything measured on one database with one worker count."""

    title: str
    workers: int
    rows: dict[str, Row] = field(default_factory=dict)
    argon2: Argon2Limit | None = None  # in turns with signIn
    register_argon2: Argon2Limit | None = None  # in turns with register
    sql_statements: dict[str, list[str]] = field(default_factory=dict)
    request_bytes: dict[str, int] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows[row.key] = row
        return row

    @property
    def gateway_peak_rss_mb(self) -> float:
        peaks = [r.peak_rss_mb for r in self.rows.values() if r.key != "hello" and r.peak_rss_mb]
        return max(peaks, default=0.0)


@dataclass(frozen=True)
class Floor:
    name: str
    measured: str
    target: str
    passed: bool

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def floors(report: BackendReport) -> list[Floor]:
    rows = report.rows
    checks: list[Floor] = []
    if "hello" in rows and "viewer-1" in rows:
        ratio = _ratio(rows["viewer-1"].result.rate, rows["hello"].result.rate)
        checks.append(
            Floor(
                "viewer (1 file) / reference `{ hello }` throughput",
                f"{ratio:.3f} ({rows['viewer-1'].result.rate:,.0f} / "
                f"{rows['hello'].result.rate:,.0f} req/s)",
                f"≥ {VIEWER_TO_HELLO_FLOOR}",
                ratio >= VIEWER_TO_HELLO_FLOOR,
            )
        )
    viewer_sql = {k: rows[k].sql for k in ("viewer-1", "viewer-10", "viewer-apq") if k in rows}
    if viewer_sql and all(v is not None for v in viewer_sql.values()):
        checks.append(
            Floor(
                "SQL statements per signed-in request (viewer: 1 file / 10 files / APQ)",
                " / ".join(str(v) for v in viewer_sql.values()),
                f"= {SQL_PER_VIEWER}",
                all(v == SQL_PER_VIEWER for v in viewer_sql.values()),
            )
        )
    if "sign-in" in rows and report.argon2 is not None:
        ratio = _ratio(rows["sign-in"].result.rate, report.argon2.rate)
        checks.append(
            Floor(
                "signIn / bare argon2id verify limit",
                f"{ratio:.3f} ({rows['sign-in'].result.rate:.1f} / {report.argon2.rate:.1f} per s)",
                f"≥ {SIGN_IN_TO_ARGON2_FLOOR}",
                ratio >= SIGN_IN_TO_ARGON2_FLOOR,
            )
        )
    if "sign-in-under-viewer" in rows and report.argon2 is not None:
        during = rows["sign-in-under-viewer"].result
        ratio = _ratio(during.rate, report.argon2.rate)
        checks.append(
            Floor(
                "signIn beside the viewer load / argon2 limit, and its p99",
                f"{ratio:.3f} ({during.rate:.1f} / {report.argon2.rate:.1f} per s), "
                f"p99 {_ms(during.p99_ms)}",
                f"≥ {SIGN_IN_UNDER_VIEWER_FLOOR}, p99 < {SIGN_IN_UNDER_VIEWER_P99_MS / 1000:.0f} s",
                ratio >= SIGN_IN_UNDER_VIEWER_FLOOR and during.p99_ms < SIGN_IN_UNDER_VIEWER_P99_MS,
            )
        )
    if "viewer-under-sign-in" in rows:
        p99 = rows["viewer-under-sign-in"].result.p99_ms
        checks.append(
            Floor(
                "viewer p99 beside the signIn load",
                f"{p99:.0f} ms",
                f"< {VIEWER_P99_UNDER_SIGN_IN_MS:.0f} ms",
                p99 < VIEWER_P99_UNDER_SIGN_IN_MS,
            )
        )
    register_limit = report.register_argon2 or report.argon2
    if "register" in rows and register_limit is not None:
        ratio = _ratio(rows["register"].result.rate, register_limit.rate)
        checks.append(
            Floor(
                "register / argon2 limit (two hashes each: 0.5 at most)",
                f"{ratio:.3f} ({rows['register'].result.rate:.1f} / "
                f"{register_limit.rate:.1f} per s)",
                f"≥ {REGISTER_TO_ARGON2_FLOOR}",
                ratio >= REGISTER_TO_ARGON2_FLOOR,
            )
        )
    if report.gateway_peak_rss_mb:
        peak = report.gateway_peak_rss_mb
        checks.append(
            Floor(
                "peak RSS of one worker (VmHWM, whole run)",
                f"{peak:.0f} MB",
                f"< {PEAK_RSS_MB:.0f} MB",
                peak < PEAK_RSS_MB,
            )
        )
    bad = sum(r.result.bad + r.result.reused for r in rows.values())
    checks.append(
        Floor("bad answers (errors, refusals, reused certificates)", str(bad), "0", bad == 0)
    )
    return checks


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def figures_table(report: BackendReport) -> list[str]:
    lines = [
        "| load | connections | req/s | p50 | p99 | SQL/request | bad | server peak RSS "
        "| CPU cores: server / client / PostgreSQL / other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report.rows.values():
        result = row.result
        sql = "–" if row.sql is None else str(row.sql)
        rss = "–" if row.peak_rss_mb is None else f"{row.peak_rss_mb:.0f} MB"
        bad = str(result.bad) + (f" (+{result.reused} reused)" if result.reused else "")
        cpu = row.cpu.describe() if row.cpu else "–"
        if row.cpu and row.cpu.other >= OTHER_CORES_WARNING:
            cpu += " ⚠"
        lines.append(
            f"| {row.label} | {row.connections} | {result.rate:,.1f} | {_ms(result.p50_ms)} "
            f"| {_ms(result.p99_ms)} | {sql} | {bad} | {rss} | {cpu} |"
        )
    for limit, load in ((report.argon2, "signIn"), (report.register_argon2, "register")):
        if limit is None:
            continue
        cpu = limit.cpu.describe() if limit.cpu else "–"
        if limit.cpu and limit.cpu.other >= OTHER_CORES_WARNING:
            cpu += " ⚠"
        label = f"bare argon2id verify, {limit.threads} threads (the hashing limit)"
        if len(limit.samples) > 1:
            rates = ", ".join(f"{rate:,.1f}" for rate in limit.samples)
            label += f", in {len(limit.samples)} slices taking turns with {load}'s ({rates} per s)"
        lines.append(
            f"| {label} | – "
            f"| {limit.rate:,.1f} | {_ms(limit.ms_per_verification)} per verify | – | – | – "
            f"| – | {cpu} |"
        )
    return lines


def floors_table(report: BackendReport) -> list[str]:
    lines = ["| floor | measured | target | result |", "|---|---|---|---|"]
    lines += [f"| {f.name} | {f.measured} | {f.target} | **{f.verdict}** |" for f in floors(report)]
    return lines


def ratio_lines(report: BackendReport) -> list[str]:
    """What the floors do not say: what APQ saves, what 10 files cost."""
    rows = report.rows
    lines = []
    if "viewer-1" in rows and "viewer-apq" in rows:
        full, apq = rows["viewer-1"].result, rows["viewer-apq"].result
        sent = report.request_bytes
        lines.append(
            f"- APQ: the hash alone instead of the viewer document gives "
            f"{_ratio(apq.rate, full.rate):.2f} x the throughput ({apq.rate:,.0f} against "
            f"{full.rate:,.0f} req/s), p50 {_ms(apq.p50_ms)} against {_ms(full.p50_ms)}; the "
            f"request body shrinks from {sent.get('viewer', 0)} to "
            f"{sent.get('viewer-apq', 0)} bytes."
        )
    if "viewer-1" in rows and "viewer-10" in rows:
        ratio = _ratio(rows["viewer-10"].result.rate, rows["viewer-1"].result.rate)
        lines.append(f"- viewer with 10 files: {ratio:.2f} x the throughput with 1 file.")
    if "viewer-1" in rows and "viewer-under-sign-in" in rows:
        alone, during = rows["viewer-1"].result, rows["viewer-under-sign-in"].result
        lines.append(
            f"- viewer during the signIn load: {during.rate:,.0f} req/s, p99 "
            f"{_ms(during.p99_ms)} (alone: {alone.rate:,.0f} req/s, p99 {_ms(alone.p99_ms)})."
        )
    return lines


def sql_lines(report: BackendReport) -> list[str]:
    lines = []
    for key, statements in report.sql_statements.items():
        label = report.rows[key].label if key in report.rows else key
        lines.append(f"- {label}: {len(statements)}")
        lines += [f"  - `{_shorten(s)}`" for s in statements]
    return lines


def _top_level_from(sql: str) -> int:
    """Where the outer FROM starts, past the columns and any subquery among them."""
    depth = 0
    for index, character in enumerate(sql):
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(" FROM ", index):
            return index
    return -1


def _shorten(statement: str, limit: int = 240) -> str:
    """The statement without its parameters' values, and a SELECT without its column list."""
    flat = " ".join(statement.split()).replace("`", "'")
    query, separator, values = flat.rpartition(": ")
    if separator and (values.startswith("[") or values == "None"):
        flat = query
    if flat.startswith("SELECT ") and (start := _top_level_from(flat)) > 0:
        flat = "SELECT …" + flat[start:]
    elif flat.startswith("INSERT ") and " VALUES " in flat:
        flat = flat.split(" (", 1)[0] + " VALUES …"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
