"""Worker processes that each listen on a socket of their own, all on one port.

uvicorn's workers share one listening socket and race to accept from it: a burst of new
connections (a proxy filling its pool, a load test starting) goes to whichever worker woke
first, and keep-alive keeps them there, so one worker's share of the cores does the work of
all while the others idle. Measured with wrk's 32 connections and two workers: all 32 on one
worker in 3 of 24 two-second slices, each such slice signing members in at half the rate of
the others (bench/README.md, point 8 of the method). With SO_REUSEPORT each worker has its
own socket and Linux hands every new connection to one of them by a hash of its addresses, so
a burst spreads evenly whoever is awake. Elsewhere (where the option does not spread
connections) uvicorn's own supervisor serves instead.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")  # beside uvicorn's own lines

# How often the supervisor looks for a worker that exited, to start another in its place.
WATCH_SECONDS = 0.5
# After the workers' own graceful shutdown, how long they have to exit before being killed.
EXIT_MARGIN_SECONDS = 10.0


def spreads_connections() -> bool:
    """Linux balances new connections among the sockets of a SO_REUSEPORT group."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def _socket(host: str, port: int, *, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _serve(config: uvicorn.Config) -> None:
    """One worker: its own socket on the shared port, then uvicorn's server on it."""
    config.configure_logging()
    try:
        sock = _socket(config.host, config.port, shared=True)
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", config.host, config.port, error)
        sys.exit(STARTUP_FAILURE)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run([sock])


class Supervisor:
    """Starts ``config.workers`` workers, starts another when one exits, stops them all on
    SIGINT or SIGTERM (each finishing its requests first), and gives up when a worker cannot
    start (a broken setting or app would fail the same way every time)."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._config = config
        self._context = multiprocessing.get_context("spawn")
        self._stopping = threading.Event()
        self._workers: list[BaseProcess] = []

    def run(self) -> int:
        """Serve until told to stop: 0, or STARTUP_FAILURE when a worker could not start.

        OSError at once when another program listens on the port: SO_REUSEPORT would let the
        workers join a listener of this user's, where a plain bind fails as uvicorn's would.
        """
        _socket(self._config.host, self._config.port, shared=False).close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self._stopping.set())
        self._workers = [self._start() for _ in range(self._config.workers)]
        log.info(
            "serving on %s:%s with %d workers, a listening socket each",
            self._config.host,
            self._config.port,
            len(self._workers),
        )
        failed = False
        while not self._stopping.wait(WATCH_SECONDS):
            failed = self._replace_the_exited()
            if failed:
                break
        self._stop_all()
        return STARTUP_FAILURE if failed else 0

    def _start(self) -> BaseProcess:
        worker = self._context.Process(target=_serve, args=(self._config,))
        worker.start()
        return worker

    def _replace_the_exited(self) -> bool:
        """True when a worker failed at start-up, which ends the whole server."""
        for index, worker in enumerate(self._workers):
            if worker.is_alive() or self._stopping.is_set():
                continue
            if worker.exitcode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping", worker.pid)
                return True
            log.warning("worker %s exited (%s); starting another", worker.pid, worker.exitcode)
            self._workers[index] = self._start()
        return False

    def _stop_all(self) -> None:
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        grace = (self._config.timeout_graceful_shutdown or 0) + EXIT_MARGIN_SECONDS
        deadline = time.monotonic() + grace
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                log.error("worker %s did not stop in %.0f s; killed", worker.pid, grace)
                worker.kill()
                worker.join()
