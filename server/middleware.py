"""Every response: a request id, browser-safety headers, and one JSON log line."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import metrics
from server.network import Networks, client_address

log = logging.getLogger("gateway.request")

API_CSP = "default-src 'none'; frame-ancestors 'none'"


class RequestContext:
    """Names the request, finds the client's address, and logs how the request ended."""

    def __init__(self, app: ASGIApp, trusted_proxies: Networks) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        headers = {k.lower(): v for k, v in scope["headers"]}
        peer = scope["client"][0] if scope.get("client") else None
        forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1") or None
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["client_address"] = client_address(peer, forwarded, self.trusted_proxies)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers["X-Request-Id"] = request_id
                response_headers["X-Content-Type-Options"] = "nosniff"
                response_headers["Referrer-Policy"] = "no-referrer"
                response_headers["X-Frame-Options"] = "DENY"
                if "content-security-policy" not in response_headers:
                    response_headers["Content-Security-Policy"] = API_CSP
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            duration = time.perf_counter() - started
            outcome = state.get("outcome") or ("ok" if status < 400 else "refused")
            if scope["path"] == "/graphql":
                operation = metrics.operation_label(state.get("fields", ()))
                metrics.REQUESTS.labels(operation, outcome).inc()
                metrics.LATENCY.labels(operation).observe(duration)
            log.info(
                "request",
                extra={
                    "fields": {
                        "requestId": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "operation": state.get("operation"),
                        "outcome": outcome,
                        "durationMs": round(duration * 1000, 2),
                        "client": state["client_address"],
                    }
                },
            )
