"""One declarative guard: each field says the right it needs, and no resolver checks it again.

``guarded(Right.MEMBER)`` as a field's extension admits the request (``GatewayContext.admit``:
the caller's kind, and for credential attempts the per-address limit) before the resolver runs.
A refused mutation answers its payload with the problem in ``errors`` and its other fields
empty, as every member mistake does; a refused query field is null with a GraphQL error whose
``extensions.code`` says why, except for a session not yet usable (R11, R12), whose query
fields answer null or an empty list and say nothing, as the contract asks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import OperationType
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.base import StrawberryList
from strawberry.types.field import StrawberryField

from gateway.access import Right
from gateway.problems import ErrorCode, Problem
from schema.common import Info
from schema.errors import field_error, user_errors


class Guard(FieldExtension):
    def __init__(self, right: Right) -> None:
        self.right = right
        self.field: StrawberryField | None = None

    def apply(self, field: StrawberryField) -> None:
        self.field = field

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        mutation = info.operation.operation is OperationType.MUTATION
        problems = await info.context.admit(self.right, mutation=mutation)
        if problems:
            await info.context.record_refusal(self.right, info.field_name, problems[0].code)
            return self._refusal(info, problems)
        return await next_(source, info, **kwargs)

    def _refusal(self, info: Info, problems: list[Problem]) -> Any:
        assert self.field is not None
        returned = self.field.type
        if isinstance(returned, type) and dataclasses.is_dataclass(returned):
            names = {f.name for f in dataclasses.fields(returned)}
            if "errors" in names:
                return returned(errors=user_errors(problems, info.context.language))
        if problems[0].code is ErrorCode.SESSION_NOT_ACTIVE:
            return [] if isinstance(returned, StrawberryList) else None
        raise field_error(problems[0], info.context.language)


def guarded(right: Right) -> list[FieldExtension]:
    """The extensions list of a field that needs ``right``."""
    return [Guard(right)]
