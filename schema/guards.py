"""One declarative guard: each field says the right it needs, and no resolver checks it again.

``guarded(Right.MEMBER)`` as a field's extension admits the request (``GatewayContext.admit``:
the caller's kind, and for credential attempts the per-address limit) before the resolver runs.
A refused mutation answers its payload with the problem in ``errors`` and its other fields
empty, as every member mistake does; a refused query field is null with a GraphQL error whose
``extensions.code`` says why.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import OperationType
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.field import StrawberryField

from gateway.access import Right
from gateway.problems import Problem
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
            return self._refusal(info, problems)
        return await next_(source, info, **kwargs)

    def _refusal(self, info: Info, problems: list[Problem]) -> Any:
        assert self.field is not None
        payload = self.field.type
        if isinstance(payload, type) and dataclasses.is_dataclass(payload):
            names = {f.name for f in dataclasses.fields(payload)}
            if "errors" in names:
                return payload(errors=user_errors(problems, info.context.language))
        raise field_error(problems[0], info.context.language)


def guarded(right: Right) -> list[FieldExtension]:
    """The extensions list of a field that needs ``right``."""
    return [Guard(right)]
