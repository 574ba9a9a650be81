"""The GraphQL endpoint, GraphQL over HTTP to the letter: media types negotiated
(``application/graphql-response+json`` when accepted, with 4xx for requests that cannot run),
every refusal a JSON body, persisted queries, remembered answers, the context."""

from __future__ import annotations

from collections.abc import Hashable
from contextvars import ContextVar
from typing import Any

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult

from gateway.outages import RETRY_AFTER_SECONDS
from gateway.ratelimit import AddressRateLimiter
from gateway.text import unstorable_paths
from gateway.toolkit import Toolkit
from schema.context import GatewayContext
from schema.pipeline import GatewaySchema, finish_result
from schema.strawberry_internals import core_schema
from server.answers import Answer, Answers
from server.fair_share import ReadGate
from server.persisted import PersistedQueries
from server.uploads import Upload, UploadRefused, has_preflight_header, read_upload
from server.web import graphiql_response
from store.records import SignedIn

# The upload read for this request (each request runs in its own task, so its own context).
_UPLOAD: ContextVar[tuple[dict[str, Any], Upload] | None] = ContextVar("upload", default=None)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_ACCEPTABLE = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in: the client's most preferred of the two GraphQL over HTTP
    allows (application/json when it says nothing); None when it accepts neither (406)."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        media, _, parameters = item.strip().partition(";")
        chosen = _ACCEPTABLE.get(media.strip().lower())
        if chosen is None:
            continue
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, chosen)
    return best[2] if best else None


def error_response(status: int, message: str, code: str, request_id: str | None) -> Response:
    """A request refused before GraphQL could run it: JSON, with the request id, never text."""
    error = {"message": message, "extensions": {"code": code, "requestId": request_id}}
    return JSONResponse({"errors": [error]}, status_code=status)


_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class Refused(Exception):
    """A persisted-query request that cannot run; answered as a GraphQL error."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})


def _not_on_the_safelist() -> Refused:
    """Its own code, not Apollo's PersistedQueryNotSupported: that one tells a client the
    server has no persisted queries at all, and it would stop sending them."""
    return Refused(
        "This document is not one of the operations this server runs.",
        "PERSISTED_QUERY_NOT_ALLOWED",
    )


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
        self.read_gate = ReadGate(settings.hashing_cpu_share / 100, kit.hasher)
        self.persisted = persisted
        assert isinstance(schema, GatewaySchema) and schema.pipeline is not None
        pipeline = schema.pipeline
        self.answers = Answers(
            core_schema(schema),
            lambda query: pipeline.parse(query, max_tokens=pipeline.max_tokens),
            settings.answer_cache_size,
            settings.answer_cache_bytes,
            settings.answer_max_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every answer JSON: Strawberry's refusals are plain text, which a GraphQL client
        cannot read, and carry no request id to quote."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request = Request(scope=scope, receive=receive)
        if self._carries_credentials(request):
            await self.read_gate.admit()
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None and not self._wants_the_ide(request):
            response: Response = error_response(
                406,
                "Accept application/graphql-response+json or application/json.",
                "NOT_ACCEPTABLE",
                state.get("request_id"),
            )
        elif self._multipart(request) and (refusal := await self._read_upload(request)):
            response = refusal
        else:
            try:
                response = await self._remembered(request, state) or await self.run(request)
                if media_type == GRAPHQL_RESPONSE and not self._wants_the_ide(request):
                    self._as_graphql_response(response, state)
                self._unavailable(response, state)
            except HTTPException as refused:
                status = (
                    415 if refused.reason == "Unsupported content type" else refused.status_code
                )
                code = _HTTP_CODES.get(status, "BAD_REQUEST")
                response = error_response(status, refused.reason, code, state.get("request_id"))
            finally:
                received = state.pop("upload", None)
                if received is not None:
                    _UPLOAD.set(None)  # a test client runs every request in one context
                    received[1].discard()
        await response(scope, receive, send)

    def _carries_credentials(self, request: Request) -> bool:
        """A member's or a partner's request: mostly reads, which give way to credential
        hashing when it waits. Sign-ins, registrations and recoveries carry neither."""
        headers = request.headers
        return "authorization" in headers or self.kit.settings.cookie_name in headers.get(
            "cookie", ""
        )

    async def _remembered(self, request: Request, state: dict[str, Any]) -> Response | None:
        """A member's remembered answer (server/answers.py) without Strawberry's request
        machinery, which cost more than the rest of such a request (bench/README.md); None
        for anything else, which then takes the whole way. A remembered answer exists only
        for a plain JSON POST of a query whose rows have not changed, so only such a request
        is looked at, and nothing is read from the database before the document is known to
        qualify: a request that does not qualify costs no statement here."""
        headers = request.headers
        if (
            request.method != "POST"
            or not self.answers.size
            or headers.get("content-type", "").partition(";")[0].strip().lower() != JSON
            or not self._carries_credentials(request)
            or any(kind in headers.get("accept", "") for kind in ("multipart", "event-stream"))
        ):
            return None
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        request_data = _plain_request(body)
        if request_data is None:
            return None
        try:
            request_data.query = self._document(request_data)
        except Refused:
            return None
        if request_data.query is None or not self.answers.may_remember(request_data.query):
            return None
        sub_response = await super().get_sub_response(request)
        context = GatewayContext.build(request, sub_response, self.kit, self.rate_limiter)
        await self.kit.ids.ready()
        key = await self._answer_key(request_data, context)
        answer = self.answers.get(key) if key is not None else None
        if answer is None:
            # Executed the usual way, with this context: its caller is looked up already.
            state["context"] = context
            return None
        state.update(answer.labels)
        processed = await self.process_result(request, answer.result)
        return self.create_response(processed, sub_response)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """The response of a context built before (``_remembered``), which may hold cookies."""
        context = request.scope.setdefault("state", {}).get("context")
        if isinstance(context, GatewayContext):
            return context.response
        return await super().get_sub_response(request)

    @staticmethod
    def _multipart(request: Request) -> bool:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return request.method == "POST" and content_type == "multipart/form-data"

    async def _read_upload(self, request: Request) -> Response | None:
        """A refusal, or None with the upload in the request's state for parse_http_body."""
        state = request.scope.setdefault("state", {})
        if not has_preflight_header(request.headers):
            return error_response(
                400,
                "A multipart request must carry an Apollo-Require-Preflight, "
                "X-Apollo-Operation-Name or GraphQL-Preflight header (CSRF protection).",
                "CSRF_PREFLIGHT_REQUIRED",
                state.get("request_id"),
            )
        settings = self.kit.settings
        try:
            upload = await read_upload(
                request.headers["content-type"],
                request.stream(),
                max_operations_bytes=settings.max_body_bytes,
                max_file_bytes=settings.receipt_max_bytes,
            )
        except UploadRefused as refused:
            return error_response(
                refused.status, str(refused), refused.code, state.get("request_id")
            )
        state["upload"] = upload
        state["csrf_preflight"] = True
        _UPLOAD.set(upload)
        return None

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Only for a browser asking for a page: a GET carrying a persisted query's hash (or
        anything else of a GraphQL request) gets GraphQL, whatever its Accept header."""
        params = request.query_params
        if request.method != "GET" or any(params.get(name) for name in ("query", "extensions")):
            return False
        return "text/html" in request.headers.get("accept", "")

    @staticmethod
    def _unavailable(response: Response, state: dict[str, object]) -> None:
        """An outage: 503, and when to come back."""
        if state.get("unavailable"):
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)

    @staticmethod
    def _as_graphql_response(response: Response, state: dict[str, object]) -> None:
        """The spec's own media type; a request that could not run (parse, validation,
        variables) is then a 400, as the spec asks."""
        if response.headers.get("content-type", "").startswith(JSON):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if state.get("request_error"):
                response.status_code = 400

    @staticmethod
    def _wants_the_ide(request: Request) -> bool:
        return request.method == "GET" and "text/html" in request.headers.get("accept", "")

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """A JSON body must be one object (null, a number, a string or a list is a 400, not a
        crash)."""
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        upload = _UPLOAD.get()
        if upload is not None:
            operations, _ = upload
            return GraphQLRequestData(
                query=operations["query"],
                variables=operations["variables"],
                operation_name=operations.get("operationName"),
                extensions=None,
            )
        if request.method == "POST" and content_type == JSON:
            body = self.decode_json(await request.get_body())
            if not isinstance(body, dict):
                raise HTTPException(400, "The request body must be one JSON object.")
        return await super().parse_http_body(request)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{JSON}; charset=utf-8"
        return response

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
        return finish_result(
            result,
            request.scope.setdefault("state", {}),
            hide_schema=not self.kit.settings.introspection,
        )

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
        await self.kit.ids.ready()
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
        """Automatic persisted queries (Apollo's protocol) and the safelist mode; variables
        no database could store refused first."""
        for path in unstorable_paths(request_data.variables or {}):
            raise Refused(
                f"Variable '${path}' holds a character that cannot be stored "
                "(NUL or an unpaired surrogate).",
                "BAD_USER_INPUT",
            )
        store = self.persisted
        query = request_data.query
        extension = (request_data.extensions or {}).get("persistedQuery")
        if not (isinstance(extension, dict) and extension.get("version") == 1):
            if query is not None and not store.allows(query):
                raise _not_on_the_safelist()
            return query
        digest = str(extension.get("sha256Hash", "")).lower()
        if query is None:
            known = store.lookup(digest)
            if known is None:
                raise Refused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            return known
        if not store.allows(query):
            raise _not_on_the_safelist()
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
        built = request.scope.setdefault("state", {}).pop("context", None)
        if isinstance(built, GatewayContext) and built.response is response:
            return built
        return GatewayContext.build(request, response, self.kit, self.rate_limiter)


def _plain_request(body: object) -> GraphQLRequestData | None:
    """One operation with fields of the right types; None for anything Strawberry's parsing
    must answer (a batch, a wrong type: a 400 with its message)."""
    if not isinstance(body, dict):
        return None
    query, variables = body.get("query"), body.get("variables")
    name, extensions = body.get("operationName"), body.get("extensions")
    if (
        not isinstance(query, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(name, str | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=name, extensions=extensions
    )
