"""What every GraphQL response goes through: limits, masking, codes and the request's outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from gateway.settings import Settings

log = logging.getLogger("gateway.graphql")

_CODES_BY_MESSAGE = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found. Allowed:", "TOO_MANY_ALIASES"),
    ("tokens.", "TOO_MANY_TOKENS"),
    ("Maximum introspection depth exceeded", "QUERY_TOO_DEEP"),
)


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised on purpose are GraphQLErrors; any other exception is a bug to hide."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _code_for(error: GraphQLError) -> str:
    for fragment, code in _CODES_BY_MESSAGE:
        if fragment in error.message:
            return code
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT"


def _request_state(execution_context: ExecutionContext) -> dict[str, Any]:
    context = execution_context.context
    request = getattr(context, "request", None)
    return request.scope.setdefault("state", {}) if request is not None else {}


def _operation_label(execution_context: ExecutionContext) -> str | None:
    """The client's operation name, else its top-level fields: enough to tell requests apart."""
    if execution_context.operation_name:
        return execution_context.operation_name
    document = execution_context.graphql_document
    if document is None:
        return None
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            names = [getattr(s, "name", None) for s in definition.selection_set.selections]
            return ",".join(n.value for n in names if n is not None) or None
    return None


def _payload_rejected(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    return any(isinstance(v, dict) and v.get("errors") for v in data.values())


class GatewayErrors(MaskErrors):
    """Unexpected exceptions become one generic error naming the request id; every other
    error gets a machine-readable ``extensions.code``."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = _request_state(self.execution_context).get("request_id")
        return GraphQLError(
            message=f"Erreur interne / Internal error (request {request_id}).",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            extensions = dict(error.extensions or {})
            if "code" not in extensions:
                extensions["code"] = _code_for(error)
                error.extensions = extensions
        return processed

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        state = _request_state(self.execution_context)
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        state["operation"] = _operation_label(self.execution_context)
        if any(
            e.extensions and e.extensions.get("code") == "INTERNAL_SERVER_ERROR" for e in errors
        ):
            state["outcome"] = "internal_error"
        elif errors:
            state["outcome"] = "graphql_error"
        elif _payload_rejected(getattr(result, "data", None)):
            state["outcome"] = "rejected"
        else:
            state["outcome"] = "ok"


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the bugs, in full and under the request id the client was given; refusals
        are the client's business and show in the request's log line as its outcome."""
        request_id = (
            _request_state(execution_context).get("request_id") if execution_context else None
        )
        for error in errors:
            if is_unexpected(error):
                original = error.original_error
                log.error(
                    "unexpected error in %s",
                    ".".join(str(p) for p in error.path or []) or "operation",
                    exc_info=(type(original), original, original.__traceback__)
                    if original
                    else None,
                    extra={"fields": {"requestId": request_id}},
                )


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Fresh instances per request, as Strawberry 0.316+ expects."""
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        GatewayErrors,
    ]
