"""Query resolvers: read the caller, call one service, map the result."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from gateway import agreements
from gateway.i18n import Language
from schema.context import GatewayContext
from schema.types import RegistrationRules, UsageAgreement, Viewer

Info = strawberry.Info[GatewayContext, None]


@strawberry.type
class MemberQuery:
    @strawberry.field
    def registration_rules(self) -> RegistrationRules:
        return RegistrationRules()

    @strawberry.field(description="The current version; language defaults to the request's.")
    async def usage_agreement(self, info: Info, language: Language | None = None) -> UsageAgreement:
        agreement = await agreements.current_agreement()
        if agreement is None:
            raise GraphQLError("No usage agreement is published.", extensions={"code": "NOT_FOUND"})
        text = agreements.in_language(agreement, language or info.context.language)
        return UsageAgreement(
            version=text.version,
            language=text.language,
            title=text.title,
            body=text.body,
            published_at=text.published_at,
        )

    @strawberry.field
    async def viewer(self, info: Info) -> Viewer | None:
        session = await info.context.session()
        return Viewer(record=session) if session else None
