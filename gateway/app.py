"""The Starlette application: routes, middleware, and the lifespan that opens the ORM."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors
from tortoise import connections

from gateway.db import close_database, open_database
from gateway.hashing import Hasher
from gateway.limits import BodySizeLimit
from gateway.settings import Settings, load_settings
from schema import build_schema
from schema.context import GatewayContext


def _unexpected(error: GraphQLError) -> bool:
    """Errors raised on purpose are GraphQLErrors; any other exception is a bug to hide."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    def __init__(self, schema: strawberry.Schema, settings: Settings, hasher: Hasher) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.introspection else None,
            allow_queries_via_get=True,
        )
        self.settings = settings
        self.hasher = hasher

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        assert isinstance(request, Request) and isinstance(response, Response)
        return GatewayContext.build(request, response, self.settings, self.hasher)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(_: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI app; ``gateway serve`` gives uvicorn this factory, one call per worker."""
    settings = settings or load_settings()
    hasher = Hasher(settings)
    schema = build_schema(extensions=[lambda: MaskErrors(should_mask_error=_unexpected)])
    graphql_app = GatewayGraphQL(schema, settings, hasher)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await open_database(settings)
        try:
            yield
        finally:
            await close_database()
            hasher.close()

    return Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        middleware=[Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)],
        lifespan=lifespan,
    )
