"""The GraphQL schema: Strawberry types and thin resolvers over the gateway's services."""

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from gateway.metrics import set_known_operations
from gateway.persisted import PersistedQueries, load_safelist
from gateway.settings import Settings
from schema.extensions import GatewaySchema, RequestPipeline
from schema.mutations import MemberMutation
from schema.partner import PartnerQuery, StaffMutation
from schema.queries import MemberQuery

Query = merge_types("Query", (MemberQuery, PartnerQuery))
Mutation = merge_types("Mutation", (MemberMutation, StaffMutation))


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the request limits of ``settings``; the bare schema for export."""
    if settings is None:
        return strawberry.Schema(query=Query, mutation=Mutation)
    pipeline = RequestPipeline(settings, persisted_queries(settings))
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=[pipeline.extension],
        config=StrawberryConfig(disable_field_suggestions=not settings.introspection),
    )
    schema.pipeline = pipeline
    roots = [schema._schema.query_type, schema._schema.mutation_type]
    set_known_operations(name for root in roots if root for name in root.fields)
    return schema


def persisted_queries(settings: Settings) -> PersistedQueries:
    safelist = None
    if settings.persisted_queries_only:
        assert settings.persisted_queries_file is not None
        safelist = load_safelist(settings.persisted_queries_file)
    return PersistedQueries(settings.persisted_query_cache_size, safelist)
