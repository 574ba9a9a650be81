"""uvicorn's httptools protocol, with the limits it lacks against slow and hostile clients.

httptools buffers a request's line and headers without a cap and waits for them without a
deadline: one connection sending a header that never ends grows the process by the megabyte,
and a connection that sends nothing keeps its slot for ever. This protocol answers 431 when
the request line and headers pass ``GATEWAY_MAX_HEADER_BYTES``, and 408 (then closes) when a
whole request has not arrived within ``GATEWAY_REQUEST_READ_SECONDS`` of its first byte, or of
the connection's opening. Idle keep-alive connections close after
``GATEWAY_KEEP_ALIVE_SECONDS`` (uvicorn's own timer), and a worker answers 503 beyond
``GATEWAY_MAX_CONNECTIONS`` (uvicorn's ``limit_concurrency``).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.settings import Settings, load_settings


@functools.cache
def _settings() -> Settings:
    """Each worker process reads its limits once (uvicorn builds a protocol per connection)."""
    return load_settings()


def _response(status: bytes, message: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
        b"connection: close\r\ncontent-length: "
        + str(len(message)).encode()
        + b"\r\n\r\n"
        + message
    )


_HEADERS_TOO_LARGE = _response(
    b"431 Request Header Fields Too Large",
    b'{"errors":[{"message":"The request line and headers are too large.",'
    b'"extensions":{"code":"REQUEST_HEADERS_TOO_LARGE"}}]}',
)
_TOO_SLOW = _response(
    b"408 Request Timeout",
    b'{"errors":[{"message":"The request did not arrive in time.",'
    b'"extensions":{"code":"REQUEST_TIMEOUT"}}]}',
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = _settings()
        self.max_head_bytes = settings.max_header_bytes
        self.read_seconds = settings.request_read_seconds
        self.head_bytes = 0
        self.reading_head = True
        self.read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._arm()
        if self.reading_head:
            self.head_bytes += len(data)
            if self.head_bytes > self.max_head_bytes:
                self._refuse(_HEADERS_TOO_LARGE)
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.reading_head = True

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _arm(self) -> None:
        if self.read_deadline is None and not self.transport.is_closing():
            self.read_deadline = self.loop.call_later(self.read_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _too_slow(self) -> None:
        self.read_deadline = None
        if self.cycle is None or not self.cycle.response_started:
            self._refuse(_TOO_SLOW)
        else:
            self.transport.close()

    def _refuse(self, response: bytes) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()
