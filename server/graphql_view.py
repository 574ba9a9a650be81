"""The GraphQL endpoint: persisted queries, remembered answers, the context, JSON by orjson."""

from __future__ import annotations

from collections.abc import Hashable

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from gateway.ratelimit import AddressRateLimiter
from gateway.toolkit import Toolkit
from schema.context import GatewayContext
from schema.pipeline import GatewaySchema, finish_result
from schema.strawberry_internals import core_schema
from server.answers import Answer, Answers
from server.persisted import PersistedQueries
from server.web import graphiql_response
from store.records import SignedIn


class Refused(Exception):
    """A persisted-query request that cannot run; answered as a GraphQL error."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        kit: Toolkit,
        rate_limiter: AddressRateLimiter,
        persisted: PersistedQueries,
    ) -> None:
        settings = kit.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.introspection else None,
            allow_queries_via_get=True,
        )
        self.kit = kit
        self.rate_limiter = rate_limiter
        self.persisted = persisted
        assert isinstance(schema, GatewaySchema) and schema.pipeline is not None
        pipeline = schema.pipeline
        self.answers = Answers(
            core_schema(schema),
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
        """The document behind a persisted query first; then a member's own-data query whose
        rows have not changed gets the answer it got before (server/answers.py); anything
        else is executed."""
        try:
            request_data.query = self._document(request_data)
        except Refused as refused:
            return ExecutionResult(data=None, errors=[refused.error])
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

    def _document(self, request_data: GraphQLRequestData) -> str | None:
        """Automatic persisted queries (Apollo's protocol) and the safelist mode."""
        store = self.persisted
        query = request_data.query
        extension = (request_data.extensions or {}).get("persistedQuery")
        if not (isinstance(extension, dict) and extension.get("version") == 1):
            if query is not None and not store.allows(query):
                raise Refused("PersistedQueryNotSupported", "PERSISTED_QUERY_REQUIRED")
            return query
        digest = str(extension.get("sha256Hash", "")).lower()
        if query is None:
            known = store.lookup(digest)
            if known is None:
                raise Refused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            return known
        if not store.allows(query):
            raise Refused("PersistedQueryNotSupported", "PERSISTED_QUERY_REQUIRED")
        if not store.register(digest, query):
            raise Refused("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
        return query

    async def _answer_key(
        self, request_data: GraphQLRequestData, context: GatewayContext
    ) -> Hashable | None:
        if not self.answers.size or request_data.query is None:
            return None
        try:
            caller = await context.caller()
        except Exception:  # the resolver asks again, and its error is reported masked
            return None
        if not isinstance(caller, SignedIn):
            return None
        return self.answers.key(
            request_data.query,
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
