"""On SQLite, serving and importing the registry do not mix: an import writes in one
transaction (all or nothing), and SQLite lets one writer in at a time, so every sign-in and
registration would wait for the whole import. Each serving process holds a shared lock on a
file beside the database; an import takes the lock exclusively, and refuses at once with a
clear message while any gateway serves the file. (PostgreSQL needs none of this: its
transactions do not block the rows serving writes.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class DatabaseInUse(Exception):
    """A gateway is serving this SQLite database."""


def _lock_path(database_url: str) -> Path | None:
    if not database_url.startswith("sqlite://"):
        return None
    location = database_url[len("sqlite://") :].partition("?")[0]
    return Path(location).expanduser().with_suffix(".serving")


class ServingLock:
    """Held by a serving process for its whole life (released by the OS if it dies)."""

    def __init__(self, database_url: str) -> None:
        self.path = _lock_path(database_url)
        self._fd: int | None = None

    def acquire(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def exclusive(database_url: str) -> Iterator[None]:
    """For a command that must not run beside a server: raises ``DatabaseInUse`` at once."""
    path = _lock_path(database_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(str(path)) from None
        yield
    finally:
        os.close(fd)
