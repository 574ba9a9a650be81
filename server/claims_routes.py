"""The claims' two plain-HTTP endpoints: the claims system's decisions (``POST /hooks/claims``)
and the receipts read back (``GET /receipts/{id}``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway import receipts
from gateway.sessions import SessionStatus, find_signed_in, status
from gateway.signing import SIGNATURE_HEADER
from gateway.toolkit import Toolkit
from schema.context import bearer_token

HOOK_BODY_BYTES = 256 * 1024
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}

Endpoint = Callable[[Request], Awaitable[Response]]


def _error(status_code: int, code: str, message: str, request: Request) -> Response:
    request_id = request.scope.get("state", {}).get("request_id")
    body = {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]}
    return JSONResponse(body, status_code=status_code)


def claims_hook(kit: Toolkit) -> Endpoint:
    async def hook(request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > HOOK_BODY_BYTES:
                return _error(413, "PAYLOAD_TOO_LARGE", "The body is too large.", request)
        outcome = await kit.claims.receive_decision(
            bytes(body), request.headers.get(SIGNATURE_HEADER)
        )
        if outcome.value == 200:
            return JSONResponse({"status": "applied"})
        return _error(outcome.value, outcome.name, outcome.name.replace("_", " ").lower(), request)

    return hook


def receipt_file(kit: Toolkit) -> Endpoint:
    """The member's own receipt (session cookie or bearer token, an active session), or the
    claims system's signed link; never cached, always a download of the stored type."""

    async def read(request: Request) -> Response:
        receipt_id = request.path_params["receipt_id"]
        params = request.query_params
        store = kit.claims.receipts
        if "signature" in params:
            await kit.ids.ready()
            found = await receipts.receipt_by_link(
                receipt_id,
                params.get("expires", ""),
                params["signature"],
                kit.ids.server_key.loaded(),
                store,
            )
        else:
            token = bearer_token(request) or request.cookies.get(_cookie_name(kit))
            member = await find_signed_in(token, kit.settings) if token else None
            if member is None:
                return _error(401, "AUTHENTICATION_REQUIRED", "Sign in first.", request)
            if status(member) is not SessionStatus.ACTIVE:
                return _error(403, "SESSION_NOT_ACTIVE", "The session is not active.", request)
            await kit.ids.ready()
            found = await receipts.receipt_of_member(member, receipt_id, kit.ids, store)
        if found is None:
            return _error(404, "NOT_FOUND", "No such receipt.", request)
        receipt, data = found
        name = f"receipt-{receipt.public_id[:8]}.{_EXTENSIONS.get(receipt.content_type, 'bin')}"
        return Response(
            data,
            media_type=receipt.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return read


def _cookie_name(kit: Toolkit) -> str:
    name = kit.settings.cookie_name
    return f"__Host-{name}" if kit.settings.cookie_secure else name
