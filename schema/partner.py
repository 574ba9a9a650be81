"""Partner portals (contract/partner.graphql): a plan administrator's contracts and members."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from gateway import partners
from gateway.access import Right
from gateway.problems import ErrorCode, Problem
from gateway.vocabulary import FileStatus, ProductLine
from schema.common import Info, PageInfo
from schema.errors import field_error
from schema.guards import guarded
from store.records import Contract


@strawberry.type(
    description="What a plan administrator may see of a member: enough to give them their numbers."
)
class PartnerMember:
    certificate_number: str
    first_name: str
    last_name: str
    status: FileStatus
    registered_online: bool


@strawberry.type
class PartnerMemberEdge:
    cursor: str
    node: PartnerMember


@strawberry.type
class PartnerMemberConnection:
    edges: list[PartnerMemberEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class PartnerContract:
    record: strawberry.Private[Contract]

    @strawberry.field
    def number(self) -> str:
        return self.record.number

    @strawberry.field
    def product_line(self) -> ProductLine:
        return ProductLine(self.record.product_line)

    @strawberry.field
    def sponsor_name(self) -> str:
        return self.record.sponsor_name

    @strawberry.field
    def plan_name(self) -> str:
        return self.record.plan_name

    @strawberry.field
    async def certificate_count(self) -> int:
        return await partners.certificate_count(self.record.id)

    @strawberry.field(
        description="How many of its certificates are registered for the online services."
    )
    async def registered_count(self) -> int:
        return await partners.registered_count(self.record.id)

    @strawberry.field(
        description=(
            "first: 1 to 100. search: part of a first or last name, or a certificate number."
        )
    )
    async def members(
        self, info: Info, first: int, after: str | None = None, search: str | None = None
    ) -> PartnerMemberConnection:
        try:
            context = info.context
            page = await partners.members(
                context.key(), self.record, first, after, search, context.origin(), context.kit.ids
            )
        except partners.InvalidPageRequest as invalid:
            raise GraphQLError(str(invalid), extensions={"code": "BAD_USER_INPUT"}) from None
        edges = [
            PartnerMemberEdge(
                cursor=cursor,
                node=PartnerMember(
                    certificate_number=m.certificate_number,
                    first_name=m.first_name,
                    last_name=m.last_name,
                    status=FileStatus(m.status),
                    registered_online=m.registered_online,
                ),
            )
            for cursor, m in page.edges
        ]
        return PartnerMemberConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )


@strawberry.type
class PartnerQuery:
    @strawberry.field(
        extensions=guarded(Right.PARTNER),
        description=(
            "Partner keys: the contracts in the key's scope; null (with FORBIDDEN) for any "
            "other caller."
        ),
    )
    async def partner_contracts(self, info: Info) -> list[PartnerContract] | None:
        records = await partners.contracts_in_scope(info.context.key(), info.context.origin())
        return [PartnerContract(record=r) for r in records]

    @strawberry.field(
        extensions=guarded(Right.PARTNER),
        description="Partner keys: one contract of the key's scope.",
    )
    async def partner_contract(self, info: Info, number: str) -> PartnerContract | None:
        record = await partners.contract_in_scope(info.context.key(), number, info.context.origin())
        if record is None:
            raise field_error(Problem(ErrorCode.FORBIDDEN), info.context.language)
        return PartnerContract(record=record)
