"""The GraphQL schema: Strawberry types and thin resolvers over the gateway's services."""

from collections.abc import Callable, Sequence
from typing import Any

import strawberry

from schema.mutations import Mutation
from schema.queries import Query


def build_schema(extensions: Sequence[Callable[[], Any] | type] = ()) -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=list(extensions))
