"""From the rules' problems to the contract's UserError, in the caller's language."""

from __future__ import annotations

from graphql import GraphQLError

from gateway.i18n import Language, translate
from gateway.problems import ErrorCode, Problem
from schema.common import UserError

_WAITS = {ErrorCode.RATE_LIMITED, ErrorCode.ACCOUNT_LOCKED}


def user_errors(problems: list[Problem], language: Language) -> list[UserError]:
    return [
        UserError(
            code=problem.code,
            field=problem.field,
            message=translate(problem.message_key, language, **problem.params),
            retry_after=problem.params.get("seconds") if problem.code in _WAITS else None,
            attempts_left=problem.params.get("attempts_left"),
        )
        for problem in problems
    ]


def field_error(problem: Problem, language: Language) -> GraphQLError:
    """A refusal of a query field: null, with this error. No session is ``UNAUTHENTICATED``."""
    code = problem.code
    extension = "UNAUTHENTICATED" if code is ErrorCode.AUTHENTICATION_REQUIRED else code.value
    message = translate(problem.message_key, language, **problem.params)
    return GraphQLError(message, extensions={"code": extension})
