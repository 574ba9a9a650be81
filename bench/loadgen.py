"""Load at a fixed concurrency: wrk with a Lua script, or an asyncio client when wrk is missing.

A load POSTs JSON bodies to one URL over ``connections`` keep-alive connections for a number of
seconds, each connection sending its next request as soon as the answer arrives (a closed
loop, as wrk does). Every answer is checked: a status other than 200, or a body without the
``expect`` text, counts as bad. Both clients run in a process of their own, so two loads can
run at once.

The Python client is the fallback; it spends far more CPU per request than wrk, CPU the server
then lacks on a small machine, so its figures are lower than wrk's.

    python bench/loadgen.py --spec spec.json --connections 32 --seconds 10   # the Python client
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

WRK_SCRIPT = Path(__file__).with_name("wrk_graphql.lua")
WRK_THREADS = 1
RESULT_PREFIX = "BENCH_JSON "


class LoadError(RuntimeError):
    """The load client failed; the message holds what it printed."""


@dataclass(frozen=True)
class LoadSpec:
    """What one load sends: POST bodies to one URL, each answer checked for a marker."""

    url: str
    bodies: tuple[str, ...]
    expect: str
    authorization: str | None = None
    distinct: bool = False  # each body once: every register needs a fresh certificate
    rotate: bool = False  # the bodies in turn, again and again (sign-ins of many members)


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad: int  # answers other than 200 with the marker, and socket errors
    reused: int  # distinct bodies sent again because the list ran out

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def find_wrk(install: bool) -> str | None:
    """wrk's path; when missing and allowed, install Debian's package (root only)."""
    found = shutil.which("wrk")
    if found or not install or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    print("wrk is missing: installing Debian's package", file=sys.stderr)
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
        )
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"could not install wrk ({error}); using the Python client", file=sys.stderr)
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    completed = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first_line = (completed.stdout or completed.stderr).splitlines()[:1]
    return first_line[0].split(" Copyright")[0].strip() if first_line else "wrk"


class RunningLoad:
    """A load client running in its own process; ``result()`` waits for it."""

    def __init__(self, process: subprocess.Popen[str], files: tempfile.TemporaryDirectory[str]):
        self._process = process
        self._files = files

    def result(self) -> LoadResult:
        try:
            stdout, stderr = self._process.communicate()
        finally:
            self._files.cleanup()
        line = next((x for x in stdout.splitlines() if x.startswith(RESULT_PREFIX)), None)
        if self._process.returncode != 0 or line is None:
            raise LoadError(f"load client failed ({self._process.returncode}): {stdout}{stderr}")
        raw = json.loads(line[len(RESULT_PREFIX) :])
        if "duration_us" in raw:  # wrk's figures, in microseconds
            return LoadResult(
                requests=raw["steady"],
                seconds=(raw["duration_us"] - raw["lead_us"]) / 1e6,
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                bad=raw["bad"] + raw["socket_errors"],
                reused=raw["reused"],
            )
        return LoadResult(**raw)


def start_load(
    spec: LoadSpec, *, wrk: str | None, connections: int, seconds: int, lead: float = 0.0
) -> RunningLoad:
    """Start the load now; wrk when given, else the Python client of this file. Answers in
    the first ``lead`` seconds count in the latencies but not in the rate, which is then
    over the seconds after the lead: for a load started cold."""
    files = tempfile.TemporaryDirectory(prefix="bench-load-")
    directory = Path(files.name)
    if wrk is None:
        spec_path = directory / "spec.json"
        spec_path.write_text(json.dumps(asdict(spec)), encoding="utf-8")
        command = [
            sys.executable,
            __file__,
            f"--spec={spec_path}",
            f"--connections={connections}",
            f"--seconds={seconds}",
            f"--lead={lead}",
        ]
        env = dict(os.environ)
    else:
        bodies_path = directory / "bodies.jsonl"
        bodies_path.write_text("\n".join(spec.bodies) + "\n", encoding="utf-8")
        threads = min(WRK_THREADS, connections)
        command = [
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=30s",
            f"--script={WRK_SCRIPT}",
            spec.url,
        ]
        env = dict(
            os.environ,
            BENCH_BODIES=str(bodies_path),
            BENCH_EXPECT=spec.expect,
            BENCH_AUTHORIZATION=spec.authorization or "",
            BENCH_DISTINCT="1" if spec.distinct else "0",
            BENCH_ROTATE="1" if spec.rotate else "0",
            BENCH_THREADS=str(threads),
            BENCH_LEAD_MS=str(round(lead * 1000)),
        )
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return RunningLoad(process, files)


# The Python client -------------------------------------------------------------------------


class _Bodies:
    """The requests to send, as bytes; a distinct list is used once, then again if it runs out."""

    def __init__(self, spec: LoadSpec) -> None:
        parts = urlsplit(spec.url)
        head = f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        head += "Content-Type: application/json\r\n"
        if spec.authorization:
            head += f"Authorization: {spec.authorization}\r\n"
        self._requests = [
            (head + f"Content-Length: {len(body.encode())}\r\n\r\n").encode() + body.encode()
            for body in spec.bodies
        ]
        self._distinct = spec.distinct
        self._rotate = spec.rotate
        self._next = 0
        self.reused = 0

    def next(self) -> bytes:
        if not self._distinct and not self._rotate:
            return self._requests[0]
        if self._next == len(self._requests):
            self._next = 0
            self.reused += 1 if self._distinct else 0
        request = self._requests[self._next]
        self._next += 1
        return request


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _python_load(
    spec: LoadSpec, connections: int, seconds: float, lead: float = 0.0
) -> LoadResult:
    parts = urlsplit(spec.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    bodies = _Bodies(spec)
    expect = spec.expect.encode()
    latencies: list[float] = []
    steady = 0
    bad = 0
    started = time.perf_counter()
    deadline = started + seconds
    steady_from = started + lead

    async def connection() -> None:
        nonlocal bad, steady
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                writer.write(bodies.next())
                status, body = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                bad += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            answered = time.perf_counter()
            latencies.append(answered - sent)
            steady += answered >= steady_from
            if status != 200 or expect not in body:
                bad += 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(fraction: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000

    return LoadResult(
        requests=steady,
        seconds=elapsed - lead,
        p50_ms=percentile(0.50),
        p99_ms=percentile(0.99),
        bad=bad,
        reused=bodies.reused,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, required=True, help="a LoadSpec as JSON")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--lead", type=float, default=0.0, help="seconds left out of the rate")
    arguments = parser.parse_args()
    raw = json.loads(arguments.spec.read_text(encoding="utf-8"))
    spec = LoadSpec(**{**raw, "bodies": tuple(raw["bodies"])})
    load = _python_load(spec, arguments.connections, arguments.seconds, arguments.lead)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(load)
    else:
        result = uvloop.run(load)
    print(RESULT_PREFIX + json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
