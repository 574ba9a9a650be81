"""Who used the CPUs during a load: the server, the load client, PostgreSQL, or other work.

On a shared machine another job can take a core in the middle of a run; the figures of that
load are then low, and the ratios that involve it unreliable. Each load's row therefore says
how many cores each party used, read from /proc before and after it. "Other" is whatever the
machine spent beyond the three: some other program, or the bench itself (idle meanwhile).
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuUse:
    """Cores used on average during the measure (2.0 = both cores of a 2-core machine)."""

    server: float
    client: float
    database: float
    other: float

    def describe(self) -> str:
        database = f"{self.database:.2f}" if self.database >= 0.005 else "–"
        return f"{self.server:.2f} / {self.client:.2f} / {database} / {self.other:.2f}"


def _process_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _machine_ticks() -> tuple[int, int]:
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]  # all, idle + iowait


def _postgres_ticks() -> int:
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if name == "postgres":
                total += _process_ticks(int(entry.name))
    return total


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class _Snapshot:
    wall: float
    machine_total: int
    machine_idle: int
    server: int
    database: int
    children: float


class CpuMeter:
    """``start()`` before a load, ``stop()`` once its clients have exited and been reaped
    (their CPU time only then reaches RUSAGE_CHILDREN)."""

    def __init__(self, server_pids: Callable[[], list[int]]) -> None:
        self._server_pids = server_pids
        self._start: _Snapshot | None = None

    def _snapshot(self) -> _Snapshot:
        total, idle = _machine_ticks()
        return _Snapshot(
            wall=time.monotonic(),
            machine_total=total,
            machine_idle=idle,
            server=sum(_process_ticks(pid) for pid in self._server_pids()),
            database=_postgres_ticks(),
            children=_children_seconds(),
        )

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> CpuUse:
        assert self._start is not None, "start() first"
        before, after = self._start, self._snapshot()
        wall = max(after.wall - before.wall, 1e-9)
        cores = os.cpu_count() or 1
        total = max(after.machine_total - before.machine_total, 1)
        busy = (total - (after.machine_idle - before.machine_idle)) / total * cores
        server = (after.server - before.server) / TICKS_PER_SECOND / wall
        database = (after.database - before.database) / TICKS_PER_SECOND / wall
        client = (after.children - before.children) / wall
        return CpuUse(server, client, database, max(0.0, busy - server - client - database))
