"""What every GraphQL response goes through: limits, masking, codes and the request's outcome."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import strawberry
from graphql import (
    BREAK,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    parse,
    visit,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionContext, ExecutionResult

from gateway.i18n import Language, translate
from gateway.outages import is_outage, report
from gateway.settings import Settings
from gateway.text import is_storable
from schema.error_messages import sanitize
from schema.limits import Limits, check_length, check_measure, measure
from schema.strawberry_internals import code_of_library_message, core_schema, validate_document

log = logging.getLogger("gateway.graphql")


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised on purpose are GraphQLErrors; any other exception is a bug to hide."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _code_for(error: GraphQLError) -> str:
    library_code = code_of_library_message(error.message)
    if library_code is not None:
        return library_code
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT"


def _request_state(execution_context: ExecutionContext) -> dict[str, Any]:
    context = execution_context.context
    request = getattr(context, "request", None)
    return request.scope.setdefault("state", {}) if request is not None else {}


def _top_level_fields(document: DocumentNode) -> tuple[str, ...]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            names = [getattr(s, "name", None) for s in definition.selection_set.selections]
            return tuple(n.value for n in names if n is not None)
    return ()


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: StringValueNode | None = None

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if not is_storable(node.value):
            self.found = node
            return BREAK
        return None


def _unstorable_literal(document: DocumentNode) -> GraphQLError | None:
    """A string written in the document that no database could store (NUL, a lone surrogate):
    refused like a malformed request, before it reaches a rule or a statement."""
    literals = _StringLiterals()
    visit(document, literals)
    if literals.found is None:
        return None
    return GraphQLError(
        "A string holds a character that cannot be stored (NUL or an unpaired surrogate).",
        literals.found,
        extensions={"code": "BAD_USER_INPUT"},
    )


def _payload_rejected(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    return any(isinstance(v, dict) and v.get("errors") for v in data.values())


class RequestPipeline:
    """What every operation goes through before it runs, built once per schema.

    The parse and validation caches are the ones Strawberry's ``ParserCache`` and
    ``ValidationCache`` keep, keyed by the query's text. What a document may cost is measured
    before graphql-core validates it (``schema/limits.py``), so a document built to make
    validation slow is refused in the time it takes to read it.
    """

    def __init__(self, settings: Settings) -> None:
        self.max_tokens = settings.max_tokens
        self.limits = Limits.of(settings)
        self.rules: tuple[type[ASTValidationRule], ...] = (
            () if settings.introspection else (NoSchemaIntrospectionCustomRule,)
        )
        # A parsed document weighs about 50 bytes per character of its text, so these hold
        # at most 64 x GATEWAY_MAX_QUERY_CHARACTERS x 50 bytes (32 MB with the defaults);
        # validation results are small, keyed by texts of at most that length.
        self.parse = lru_cache(maxsize=64)(parse)
        self.checked = lru_cache(maxsize=256)(self._check)

    def _check(
        self, schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
    ) -> tuple[list[GraphQLError], tuple[str, ...]]:
        """Validation errors and top-level fields, cached by the query's text: a text's hash
        is computed once by Python, a parsed document's is recomputed over its whole tree at
        every lookup (graphql-core nodes hash their fields)."""
        document = self.parse(query, max_tokens=self.max_tokens)
        fields = _top_level_fields(document)
        over = check_measure(measure(document), self.limits) or _unstorable_literal(document)
        if over is not None:
            return [over], fields
        return validate_document(schema, document, rules), fields

    def extension(self) -> SchemaExtension:
        return GatewayOperation(self)


class GatewayOperation(SchemaExtension):
    """One extension for the whole pipeline, not one per step: Strawberry runs every hook of
    every extension on every request, and that dispatch cost more than the steps themselves.

    The token limit, the cached parse, the extra rules, the cached validation, and the
    operation's name for the request's log line. (Persisted queries were turned into their
    document before: ``server/graphql_view.py``.)
    """

    def __init__(self, pipeline: RequestPipeline) -> None:
        self.pipeline = pipeline

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        too_long = check_length(context.query or "", self.pipeline.limits)
        if too_long is not None:
            raise too_long
        context.parse_options["max_tokens"] = self.pipeline.max_tokens
        context.validation_rules = context.validation_rules + self.pipeline.rules
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            context.graphql_document = self.pipeline.parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query is not None
        errors, fields = self.pipeline.checked(
            core_schema(context.schema), context.query, context.validation_rules
        )
        context.pre_execution_errors = errors
        state = _request_state(context)
        state["fields"] = fields
        state["operation"] = context.operation_name or ",".join(fields)
        yield


def _unavailable_error(
    error: GraphQLError, language: Language, request_id: str | None
) -> dict[str, Any]:
    return {
        "message": translate("SERVICE_UNAVAILABLE", language),
        "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
    }


def _internal_error(error: GraphQLError, request_id: str | None) -> dict[str, Any]:
    return {
        "message": f"Erreur interne / Internal error (request {request_id}).",
        "locations": [loc._asdict() for loc in error.locations or []] or None,
        "path": error.path,
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }


def result_has_paths(result: ExecutionResult) -> bool:
    """Whether any error arose while executing a field (it has a path)."""
    return any(error.path is not None for error in result.errors or [])


def finish_result(
    result: ExecutionResult, state: dict[str, Any], *, hide_schema: bool
) -> GraphQLHTTPResponse:
    """The response body: bugs masked behind the request id, a code on every error, messages
    that repeat no value the client sent (nor, with ``hide_schema``, any name of the schema it
    did not write: ``schema/error_messages.py``), and the request's outcome noted for its log
    line.

    Done here rather than in an extension because errors raised while parsing never pass
    back through the extensions.
    """
    request_id = state.get("request_id")
    formatted: list[dict[str, Any]] = []
    for error in result.errors or []:
        if is_unexpected(error) and is_outage(error.original_error):
            state["unavailable"] = True
            entry = _unavailable_error(error, state.get("language", Language.FR), request_id)
            if entry not in formatted:
                formatted.append(entry)
            continue
        if is_unexpected(error):
            formatted.append({k: v for k, v in _internal_error(error, request_id).items() if v})
            continue
        entry = dict(error.formatted)
        entry["message"] = sanitize(error.message, hide_schema=hide_schema)
        entry["extensions"] = {"code": _code_for(error), **(error.extensions or {})}
        if entry not in formatted:  # rewritten messages may now say the same thing
            formatted.append(entry)
    codes = {e["extensions"]["code"] for e in formatted}
    if "SERVICE_UNAVAILABLE" in codes:
        state["outcome"] = "unavailable"
    elif "INTERNAL_SERVER_ERROR" in codes:
        state["outcome"] = "internal_error"
    elif formatted:
        state["outcome"] = "graphql_error"
    elif _payload_rejected(result.data):
        state["outcome"] = "rejected"
    else:
        state["outcome"] = "ok"
    # Refused before execution (parse, validation, variables, persisted query): per the
    # GraphQL spec no data entry at all, and a 4xx where the client speaks graphql-response.
    request_error = result.data is None and bool(formatted) and not result_has_paths(result)
    state["request_error"] = request_error
    body: GraphQLHTTPResponse = {} if request_error else {"data": result.data}
    if formatted:
        body["errors"] = formatted  # type: ignore[typeddict-item]
    if result.extensions:
        body["extensions"] = result.extensions
    return body


class GatewaySchema(strawberry.Schema):
    pipeline: RequestPipeline | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the bugs, in full and under the request id the client was given; refusals
        are the client's business and show in the request's log line as its outcome."""
        request_id = (
            _request_state(execution_context).get("request_id") if execution_context else None
        )
        for error in errors:
            if is_unexpected(error) and is_outage(error.original_error):
                assert error.original_error is not None
                report(error.original_error)
            elif is_unexpected(error):
                original = error.original_error
                log.error(
                    "unexpected error in %s",
                    ".".join(str(p) for p in error.path or []) or "operation",
                    exc_info=(type(original), original, original.__traceback__)
                    if original
                    else None,
                    extra={"fields": {"requestId": request_id}},
                )
