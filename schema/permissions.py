"""Rights on query fields, enforced by Strawberry before the resolver runs (R15).

The decision itself is ``gateway.access.deny_reason``; here it becomes a GraphQL error whose
``extensions.code`` is UNAUTHENTICATED or FORBIDDEN, and the field resolves to null.
"""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission

from gateway.access import Right, deny_reason
from gateway.i18n import translate
from gateway.problems import ErrorCode
from schema.context import GatewayContext


def forbidden(info: strawberry.Info[GatewayContext, None], code: ErrorCode) -> GraphQLError:
    extension = "UNAUTHENTICATED" if code is ErrorCode.AUTHENTICATION_REQUIRED else code.value
    return GraphQLError(
        translate(code.value, info.context.language), extensions={"code": extension}
    )


class _Requires(BasePermission):
    right: ClassVar[Right]

    async def has_permission(
        self, source: Any, info: strawberry.Info[GatewayContext, None], **kwargs: Any
    ) -> bool:
        reason = deny_reason(await info.context.caller(), self.right)
        if reason is not None:
            raise forbidden(info, reason)
        return True


class PartnerKey(_Requires):
    right = Right.PARTNER


class StaffKey(_Requires):
    right = Right.STAFF
