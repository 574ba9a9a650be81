"""The GraphQL schema: Strawberry types and thin resolvers over the gateway's services."""

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from strawberry.tools import merge_types

from schema.mutations import MemberMutation
from schema.partner import PartnerQuery, StaffMutation
from schema.queries import MemberQuery

Query = merge_types("Query", (MemberQuery, PartnerQuery))
Mutation = merge_types("Mutation", (MemberMutation, StaffMutation))


def build_schema(extensions: Sequence[Callable[[], Any] | type] = ()) -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=list(extensions))
