"""`gateway serve --workers N`: each worker listens on its own socket of the port (Linux)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import GATEWAY_COMMAND, REPO, free_port

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT spreads on Linux")

LISTEN, ESTABLISHED = "0A", "01"
HEALTH_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"


def _workers(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in children if b"spawn_main" in _cmdline(int(child))]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_sockets(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 TCP sockets in ``state`` whose local port is ``port``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _listening_workers(server: subprocess.Popen[str], port: int, count: int) -> dict[int, set[str]]:
    """Each worker's listening sockets on ``port``, once ``count`` workers listen."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        listening = _tcp_sockets(port, LISTEN)
        found = {}
        for worker in _workers(server.pid):
            try:
                found[worker] = _socket_inodes(worker) & listening
            except OSError:
                continue
        if sum(1 for inodes in found.values() if inodes) == count:
            return found
        time.sleep(0.2)
    pytest.fail(f"{count} workers did not listen on port {port} within 60 s")


def _healthy(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(HEALTH_REQUEST)
        return connection.recv(64).startswith(b"HTTP/1.1 200")


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    server = subprocess.Popen(
        [*GATEWAY_COMMAND, "serve", f"--port={port}", "--workers=2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GATEWAY_DATABASE_URL": f"sqlite://{tmp_path / 'gw.sqlite3'}"},
        cwd=REPO,
    )
    try:
        yield server, port
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=60)


def test_a_burst_of_connections_spreads_over_the_workers(serving):
    """A proxy opening its pool at once must not leave one worker with every connection."""
    server, port = serving
    listeners = _listening_workers(server, port, 2)
    assert len(set().union(*listeners.values())) == 2, "one socket shared by the workers"

    connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(32)]
    try:
        for connection in connections:
            connection.sendall(HEALTH_REQUEST)
        for connection in connections:
            assert connection.recv(64).startswith(b"HTTP/1.1 200")
        established = _tcp_sockets(port, ESTABLISHED)
        held = {worker: len(_socket_inodes(worker) & established) for worker in listeners}
    finally:
        for connection in connections:
            connection.close()

    assert sum(held.values()) == 32
    # By a hash of each connection's addresses: fewer than 4 of 32 on a worker would happen
    # about once in 400,000 runs.
    assert min(held.values()) >= 4, held


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(serving):
    server, port = serving
    first = _listening_workers(server, port, 2)
    killed = min(first)
    os.kill(killed, signal.SIGKILL)

    deadline = time.monotonic() + 60
    while True:
        workers = _listening_workers(server, port, 2)
        if killed not in workers:
            break
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.2)
    assert all(_healthy(port) for _ in range(20))
    assert server.poll() is None


def test_sigterm_stops_every_worker_and_the_server_exits_cleanly(serving):
    server, port = serving
    workers = _listening_workers(server, port, 2)
    assert _healthy(port)

    server.send_signal(signal.SIGTERM)
    _, logs = server.communicate(timeout=60)

    assert server.returncode == 0, logs
    assert not any(Path(f"/proc/{worker}").exists() for worker in workers)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_a_port_another_program_listens_on_is_refused(tmp_path: Path):
    """SO_REUSEPORT must not let the workers slip in beside another listener of this user."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        started = subprocess.run(
            [*GATEWAY_COMMAND, "serve", f"--port={port}", "--workers=2"],
            capture_output=True,
            text=True,
            env={**os.environ, "GATEWAY_DATABASE_URL": f"sqlite://{tmp_path / 'gw.sqlite3'}"},
            cwd=REPO,
            timeout=120,
        )
    assert started.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in started.stderr
