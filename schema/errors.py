"""From service problems to the contract's UserError, in the caller's language."""

from __future__ import annotations

from gateway.i18n import Language, translate
from gateway.problems import ErrorCode, Problem
from schema.types import UserError


def user_errors(problems: list[Problem], language: Language) -> list[UserError]:
    return [
        UserError(
            code=problem.code,
            field=problem.field,
            message=translate(problem.message_key, language, **problem.params),
            retry_after=problem.params.get("seconds")
            if problem.code in {ErrorCode.RATE_LIMITED, ErrorCode.ACCOUNT_LOCKED}
            else None,
        )
        for problem in problems
    ]
