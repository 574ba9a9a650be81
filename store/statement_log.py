"""The SQL statements the store sends, counted: what the tests assert and the benchmark
reports (one statement per signed-in request), read from Tortoise's debug log."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class _Collector(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(_STATEMENTS):
            self.sink.append(message)


@contextlib.contextmanager
def collecting_statements() -> Iterator[list[str]]:
    """The statements sent while the block runs, as logged (values included: tests only)."""
    statements: list[str] = []
    handler = _Collector(statements)
    log = logging.getLogger("tortoise.db_client")
    previous = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)
