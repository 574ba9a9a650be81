"""Server processes for the benchmark: start on a free port, wait until ready, read the
peak memory of each worker, stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


class ServerError(RuntimeError):
    """A server did not start; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the highest resident set size the process has had since it started."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ServerError(f"no VmHWM for process {pid}")


class Server:
    """One server process (uvicorn, with ``workers`` worker processes when more than one)."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        env: dict[str, str],
        port: int,
        workers: int,
        log_path: Path,
        ready_path: str,
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.port = port
        self.workers = workers
        self.log_path = log_path
        self.ready_path = ready_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None, "the server is not started"
        return self._process.pid

    def worker_pids(self) -> list[int]:
        """The processes that answer requests: uvicorn's spawned workers, or the server."""
        if self.workers == 1:
            return [self.pid]
        return [child for child in _children(self.pid) if "spawn_main" in _cmdline(child)]

    def all_pids(self) -> list[int]:
        """The server and every process under it."""
        pids = [self.pid]
        for pid in pids:
            pids.extend(_children(pid))
        return pids

    def peak_rss_mb(self) -> float:
        """The largest VmHWM among the workers (each worker's own peak, not their sum)."""
        return max(peak_rss_mb(pid) for pid in self.worker_pids())

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self.command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Every worker reported its startup, and the server answers ``ready_path``."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ServerError(f"{self.name} exited ({self._process.returncode}){self._tail()}")
            started = self.log_path.read_text(errors="replace").count(
                "Application startup complete"
            )
            if started >= self.workers and self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise ServerError(f"{self.name} was not ready in {READY_TIMEOUT:.0f} s{self._tail()}")

    def _answers(self) -> bool:
        try:
            response = httpx.get(self.base_url + self.ready_path, timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()[-20:]
        return ":\n  " + "\n  ".join(lines) if lines else ""

    def stop(self) -> None:
        """SIGINT, uvicorn's graceful shutdown; SIGKILL to its process group if it hangs."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def reference_server(env: dict[str, str], workers: int, log_path: Path) -> Server:
    """bench/reference_app.py (bare Strawberry's ``{ hello }``) on a free port, served with
    the gateway's uvicorn options and worker count: the denominator of the viewer ratios."""
    port = free_port()
    script = Path(__file__).resolve().parent / "reference_app.py"
    return Server(
        "reference app",
        [sys.executable, str(script), f"--port={port}", f"--workers={workers}"],
        env=env,
        port=port,
        workers=workers,
        log_path=log_path,
        ready_path="/graphql?query=%7Bhello%7D",
    )
