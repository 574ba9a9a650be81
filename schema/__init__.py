"""The GraphQL schema: Strawberry types and thin resolvers over the gateway's flows, one
module per part of the API (member, partner, staff), each field guarded by the right it needs."""

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from gateway.settings import Settings
from schema.claims import ClaimsMutation
from schema.member import MemberMutation, MemberQuery
from schema.partner import PartnerQuery
from schema.pipeline import GatewaySchema, RequestPipeline
from schema.staff import StaffMutation, StaffQuery
from schema.strawberry_internals import core_schema

Query = merge_types("Query", (MemberQuery, PartnerQuery, StaffQuery))
Mutation = merge_types("Mutation", (MemberMutation, ClaimsMutation, StaffMutation))


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the request limits of ``settings``; the bare schema for export."""
    if settings is None:
        return strawberry.Schema(query=Query, mutation=Mutation)
    pipeline = RequestPipeline(settings)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=[pipeline.extension],
        config=StrawberryConfig(disable_field_suggestions=not settings.introspection),
    )
    schema.pipeline = pipeline
    return schema


def operation_names(schema: strawberry.Schema) -> list[str]:
    """Every top-level field: the only names a request's metrics label may carry."""
    graphql_schema = core_schema(schema)
    roots = [graphql_schema.query_type, graphql_schema.mutation_type]
    return [name for root in roots if root for name in root.fields]
