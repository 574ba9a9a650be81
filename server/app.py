"""The Starlette application: routes, middleware, and the lifespan that opens the database."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.agreements import ensure_default_agreement
from gateway.ratelimit import AddressRateLimiter
from gateway.retention import clean_up
from gateway.settings import Settings
from gateway.toolkit import Toolkit
from schema import build_schema, operation_names
from server.body_limit import BodySizeLimit
from server.claims_routes import claims_hook, receipt_file
from server.graphql_view import GatewayGraphQL
from server.logs import configure_logging
from server.metrics import metrics_endpoint, set_known_operations
from server.middleware import RequestContext
from server.persisted import PersistedQueries, load_safelist
from server.settings import load_server_settings
from server.web import brand_of, static_routes
from store.db import Deadlines, close_database, open_database, ping
from store.serving_lock import ServingLock

log = logging.getLogger("gateway.app")


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


READY_DEADLINE_SECONDS = 2.0


def readiness(rate_limiter: AddressRateLimiter) -> Callable[[Request], Awaitable[Response]]:
    """/readyz: 200 while the database and, when the rate limit lives there, Redis answer
    within their deadline; 503 with the reason otherwise (a load balancer stops sending)."""

    async def readyz(_: Request) -> Response:
        checks: dict[str, str] = {}
        reasons: dict[str, str] = {}
        try:
            await ping(READY_DEADLINE_SECONDS)
            checks["database"] = "up"
        except Exception as error:
            checks["database"] = "down"
            reasons["database"] = type(error).__name__
        if rate_limiter.shared:
            up = await rate_limiter.storage_answers(READY_DEADLINE_SECONDS)
            checks["redis"] = "up" if up else "down"
            if not up:
                reasons["redis"] = f"no answer within {READY_DEADLINE_SECONDS} s"
        ready = all(value == "up" for value in checks.values())
        body: dict[str, object] = {"status": "ok" if ready else "unavailable", **checks}
        if reasons:
            body["reasons"] = reasons
        return JSONResponse(body, status_code=200 if ready else 503)

    return readyz


async def _ensure_an_agreement() -> None:
    """R12 needs an agreement in force; ``migrate`` publishes one, and so does the first start
    on a database migrated some other way. A database that does not answer yet is /readyz's
    business, not a reason to refuse to start."""
    try:
        await ensure_default_agreement()
    except Exception:
        log.warning("could not check for a usage agreement at start", exc_info=True)


async def _clean_up_periodically(settings: Settings) -> None:
    """Forget what no rule needs any more (``gateway/retention.py``), so that neither guessing
    unknown keys nor years of sign-ins fill the database."""
    every = settings.clean_up_minutes * 60
    while True:
        await asyncio.sleep(every)
        try:
            purged = await clean_up(settings)
        except Exception:
            log.warning("periodic clean-up failed; next try in %s s", every, exc_info=True)
        else:
            fields = {
                "attemptCountsPurged": purged.attempt_counts,
                "sessionsPurged": purged.sessions,
                "auditEventsPurged": purged.audit_events,
            }
            log.info("periodic clean-up", extra={"fields": fields})


def persisted_queries(settings: Settings) -> PersistedQueries:
    safelist = None
    if settings.persisted_queries_only:
        assert settings.persisted_queries_file is not None
        safelist = load_safelist(settings.persisted_queries_file)
    return PersistedQueries(
        settings.persisted_query_cache_size, settings.persisted_query_cache_bytes, safelist
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_server_settings()
    kit = Toolkit.build(settings)
    schema = build_schema(settings)
    set_known_operations(operation_names(schema))
    rate_limiter = AddressRateLimiter(settings)
    graphql_app = GatewayGraphQL(schema, kit, rate_limiter, persisted_queries(settings))

    serving = ServingLock(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        serving.acquire()
        await open_database(
            settings.database_url,
            Deadlines(settings.database_connect_seconds, settings.database_statement_seconds),
        )
        await _ensure_an_agreement()
        cleaning = asyncio.create_task(_clean_up_periodically(settings))
        await kit.claims.start(deliver=settings.delivery_worker, clean_up=True)
        try:
            yield
        finally:
            cleaning.cancel()
            await kit.claims.stop()
            await close_database()
            serving.release()
            kit.hasher.close()

    return Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readiness(rate_limiter)),
            Route("/metrics", metrics_endpoint(settings.metrics_token)),
            Route("/hooks/claims", claims_hook(kit), methods=["POST"]),
            Route("/receipts/{receipt_id}", receipt_file(kit), methods=["GET"]),
            *static_routes(brand_of(settings)),
        ],
        middleware=_middleware(settings),
        lifespan=lifespan,
    )


def _middleware(settings: Settings) -> list[Middleware]:
    stack = [
        Middleware(
            RequestContext,
            trusted_proxies=settings.trusted_proxies,
            deadline_seconds=settings.request_seconds,
        )
    ]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_credentials=True,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept-Language"],
                expose_headers=["X-Request-Id"],
                max_age=600,
            )
        )
    stack.append(
        Middleware(
            BodySizeLimit,
            max_bytes=settings.max_body_bytes,
            upload_bytes=settings.receipt_max_bytes,
        )
    )
    return stack


def serve_app() -> Starlette:
    """What ``gateway serve`` hands uvicorn, once per worker process: JSON logs, then the app."""
    settings = load_server_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    # What the process holds for its whole life (the modules, the schema, zxcvbn's dictionaries:
    # some 100,000 objects) is left out of the garbage collector's full passes, each of which
    # held the event loop for some 75 ms every few thousand requests (bench/README.md).
    gc.freeze()
    return app
