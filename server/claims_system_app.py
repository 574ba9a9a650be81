"""``gateway claims-system serve``: the reference claims system as its own process, over HTTP,
as the insurer's would be. It shares the gateway's database only to read the plans' claim
rules and to keep its own books (``reference_payment``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.reference_claims import ClaimRefused, ReferenceClaimsSystem
from gateway.settings import Settings
from gateway.signing import SIGNATURE_HEADER
from store.db import Deadlines, close_database, open_database

MAX_CLAIM_BYTES = 1024 * 1024


def claims_system_app(settings: Settings, gateway_url: str, delay_seconds: float) -> Starlette:
    secret = settings.claims_system_secret
    if secret is None:
        raise ValueError("GATEWAY_CLAIMS_SYSTEM_SECRET is required")
    client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))

    async def to_gateway(body: bytes, signature: str) -> bool:
        response = await client.post(
            f"{gateway_url.rstrip('/')}/hooks/claims",
            content=body,
            headers={"Content-Type": "application/fhir+json", SIGNATURE_HEADER: signature},
        )
        return response.status_code in (200, 409)  # 409: the gateway had it already

    system = ReferenceClaimsSystem(secret, to_gateway, delay_seconds=delay_seconds)

    async def take(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_CLAIM_BYTES:
            return JSONResponse({"error": "too large"}, status_code=413)
        try:
            await system.receive(body, request.headers.get(SIGNATURE_HEADER))
        except ClaimRefused as refused:
            return JSONResponse({"error": str(refused)}, status_code=refused.status)
        return JSONResponse({"status": "received"}, status_code=202)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await open_database(
            settings.database_url,
            Deadlines(settings.database_connect_seconds, settings.database_statement_seconds),
        )
        notifier = asyncio.create_task(system.run_notifier())
        try:
            yield
        finally:
            notifier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await notifier
            await client.aclose()
            await close_database()

    return Starlette(routes=[Route("/claims", take, methods=["POST"])], lifespan=lifespan)
