"""The Starlette application: routes, middleware, and the lifespan that opens the ORM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Hashable

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from tortoise import connections

from gateway.agreements import ensure_default_agreement
from gateway.attempts import purge_expired
from gateway.body_limit import BodySizeLimit
from gateway.db import close_database, open_database
from gateway.logs import configure_logging
from gateway.metrics import metrics_endpoint
from gateway.middleware import RequestContext
from gateway.ratelimit import AddressRateLimiter
from gateway.settings import Settings, load_settings
from gateway.toolkit import Toolkit
from gateway.web import graphiql_response, static_routes
from models.sessions import Session as SessionRecord
from schema import build_schema
from schema.answers import Answer, Answers
from schema.context import GatewayContext
from schema.extensions import GatewaySchema, finish_result

log = logging.getLogger("gateway.app")


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        kit: Toolkit,
        rate_limiter: AddressRateLimiter,
    ) -> None:
        settings = kit.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.introspection else None,
            allow_queries_via_get=True,
        )
        self.kit = kit
        self.rate_limiter = rate_limiter
        assert isinstance(schema, GatewaySchema) and schema.pipeline is not None
        self.pipeline = pipeline = schema.pipeline
        self.answers = Answers(
            schema._schema,
            lambda query: pipeline.parse(query, max_tokens=pipeline.max_tokens),
            settings.answer_cache_size,
        )

    def decode_json(self, data: str | bytes) -> object:
        """orjson: its decode error is a ``json.JSONDecodeError``, so bad bodies stay a 400."""
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the gateway's own static files, never a CDN (works offline)."""
        return graphiql_response()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        return finish_result(result, request.scope.setdefault("state", {}))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GatewayContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """A member's own-data query whose rows have not changed gets the answer it got
        before (schema/answers.py); anything else is executed."""
        key = await self._answer_key(request_data, context)
        state = request.scope.setdefault("state", {})
        if key is not None and (answer := self.answers.get(key)) is not None:
            state.update(answer.labels)
            return answer.result
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if key is not None and not result.errors and result.data is not None:
            labels = {name: state[name] for name in ("fields", "operation") if name in state}
            self.answers.put(key, Answer(result, labels))
        return result

    async def _answer_key(
        self, request_data: GraphQLRequestData, context: GatewayContext
    ) -> Hashable | None:
        if not self.answers.size:
            return None
        query = request_data.query
        persisted = (request_data.extensions or {}).get("persistedQuery")
        if persisted is not None:
            hash_only = isinstance(persisted, dict) and persisted.get("version") == 1
            if query is not None or not hash_only:
                return None  # a registration, or something the pipeline refuses
            query = self.pipeline.persisted.lookup(str(persisted.get("sha256Hash", "")).lower())
        if query is None:
            return None
        try:
            caller = await context.caller()
        except Exception:  # the resolver asks again, and its error is reported masked
            return None
        if not isinstance(caller, SessionRecord):
            return None
        return self.answers.key(
            query,
            request_data.operation_name,
            request_data.variables,
            context.language.value,
            caller,
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        assert isinstance(request, Request) and isinstance(response, Response)
        return GatewayContext.build(request, response, self.kit, self.rate_limiter)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(_: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


async def _ensure_an_agreement() -> None:
    """R12 needs an agreement in force; ``migrate`` publishes one, and so does the first start
    on a database migrated some other way. A database that does not answer yet is /readyz's
    business, not a reason to refuse to start."""
    try:
        await ensure_default_agreement()
    except Exception:
        log.warning("could not check for a usage agreement at start", exc_info=True)


CLEAN_UP_EVERY = 600  # seconds


async def _clean_up_periodically() -> None:
    """Forget what no rule needs any more (attempt counts past their window and lock), so
    that guessing unknown keys cannot fill the database."""
    while True:
        await asyncio.sleep(CLEAN_UP_EVERY)
        try:
            purged = await purge_expired()
        except Exception:
            log.warning("periodic clean-up failed; next try in %s s", CLEAN_UP_EVERY, exc_info=True)
        else:
            log.info("periodic clean-up", extra={"fields": {"attemptCountsPurged": purged}})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    kit = Toolkit.build(settings)
    schema = build_schema(settings)
    graphql_app = GatewayGraphQL(schema, kit, AddressRateLimiter(settings))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await open_database(settings)
        await _ensure_an_agreement()
        clean_up = asyncio.create_task(_clean_up_periodically())
        try:
            yield
        finally:
            clean_up.cancel()
            await close_database()
            kit.hasher.close()

    return Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint(settings.metrics_token)),
            *static_routes(),
        ],
        middleware=_middleware(settings),
        lifespan=lifespan,
    )


def _middleware(settings: Settings) -> list[Middleware]:
    stack = [Middleware(RequestContext, trusted_proxies=settings.trusted_proxies)]
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
    stack.append(Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes))
    return stack


def serve_app() -> Starlette:
    """What ``gateway serve`` hands uvicorn, once per worker process: JSON logs, then the app."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
