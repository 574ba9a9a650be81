"""Every response: a request id, browser-safety and caching headers, a JSON body even for a
failure nobody foresaw, and one log line."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.i18n import Language, translate
from gateway.outages import RETRY_AFTER_SECONDS, is_outage, report
from server import metrics
from server.network import Networks, arrived_over_https, client_address

log = logging.getLogger("gateway.request")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"
# The log names an operation as its client did: bounded, so a client cannot fill the log.
OPERATION_NAME_LENGTH = 100


class RequestContext:
    """Names the request, finds the client's address, and logs how the request ended."""

    def __init__(self, app: ASGIApp, trusted_proxies: Networks, deadline_seconds: float) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies
        self.deadline_seconds = deadline_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        headers = {k.lower(): v for k, v in scope["headers"]}
        peer = scope["client"][0] if scope.get("client") else None
        forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1") or None
        # Each request its own copy of the lifespan's state, as uvicorn gives it: a server (or
        # a test client) that handed every request the same dict would let one request's
        # labels and upload leak into another's.
        state = scope["state"] = dict(scope.get("state") or {})
        state["request_id"] = request_id
        state["client_address"] = client_address(peer, forwarded, self.trusted_proxies)
        https = arrived_over_https(
            scope.get("scheme", "http"),
            peer,
            headers.get(b"x-forwarded-proto", b"").decode("latin-1") or None,
            self.trusted_proxies,
        )
        status = 500
        started_response = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                message["headers"] = _with_safety_headers(
                    message.get("headers", ()), request_id, https
                )
            await send(message)

        try:
            async with asyncio.timeout(self.deadline_seconds):
                await self.app(scope, receive, send_with_headers)
        except Exception as error:
            unavailable = isinstance(error, TimeoutError) or is_outage(error)
            if unavailable:
                state["outcome"] = "unavailable"
                report(error)
            else:
                log.exception("unexpected error", extra={"fields": {"requestId": request_id}})
            if started_response:
                raise
            if unavailable:
                language = state.get("language", Language.FR)
                await send_with_headers(_UNAVAILABLE_START)
                await send_with_headers(_error_body("SERVICE_UNAVAILABLE", request_id, language))
            else:
                await send_with_headers(_INTERNAL_ERROR_START)
                await send_with_headers(_internal_error_body(request_id))
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
                        "operation": (state.get("operation") or "")[:OPERATION_NAME_LENGTH] or None,
                        "outcome": outcome,
                        "durationMs": round(duration * 1000, 2),
                        "client": state["client_address"],
                    }
                },
            )


# Set on every response, replacing the application's own (raw ASGI headers: Starlette's
# MutableHeaders scanned the whole list at each of seven assignments, on every request).
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_REPLACED = frozenset({b"x-request-id", *(name for name, _ in _ALWAYS)})
_REPLACED_OVER_HTTPS = _REPLACED | {b"strict-transport-security"}
_CSP = (b"content-security-policy", API_CSP.encode())
# Answers depend on the caller (a session, a key): no cache may keep them. The static pages
# say themselves how they may be cached.
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", HSTS.encode())


def _with_safety_headers(
    headers: Iterable[tuple[bytes, bytes]], request_id: str, https: bool
) -> list[tuple[bytes, bytes]]:
    """The response's headers with the request id and the browser-safety headers."""
    replaced = _REPLACED_OVER_HTTPS if https else _REPLACED
    kept = []
    present = set()
    for name, value in headers:
        lowered = name.lower()
        present.add(lowered)
        if lowered not in replaced:
            kept.append((name, value))
    kept.append((b"x-request-id", request_id.encode()))
    kept.extend(_ALWAYS)
    if _CSP[0] not in present:
        kept.append(_CSP)
    if _NO_STORE[0] not in present:
        kept.append(_NO_STORE)
    if https:
        kept.append(_HSTS)
    return kept


_INTERNAL_ERROR_START: Message = {
    "type": "http.response.start",
    "status": 500,
    "headers": [(b"content-type", b"application/json")],
}


_UNAVAILABLE_START: Message = {
    "type": "http.response.start",
    "status": 503,
    "headers": [
        (b"content-type", b"application/json"),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ],
}


def _error_body(code: str, request_id: str, language: Language) -> Message:
    error = {
        "message": translate(code, language),
        "extensions": {"code": code, "requestId": request_id},
    }
    return {"type": "http.response.body", "body": orjson.dumps({"errors": [error]})}


def _internal_error_body(request_id: str) -> Message:
    """The last resort, when something failed outside GraphQL's own error handling: JSON with
    the id to quote, never a stack trace."""
    error = {
        "message": f"Erreur interne / Internal error (request {request_id}).",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }
    return {"type": "http.response.body", "body": orjson.dumps({"errors": [error]})}
