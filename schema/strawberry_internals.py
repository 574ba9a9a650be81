"""Where the gateway reaches into Strawberry's and graphql-core's internals, for speed or for
codes they do not give: the one module to check on an upgrade (``pyproject.toml`` pins the
versions it was written for, and ``tests/unit/test_adapters.py`` fails loudly when one of
these changes).
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLSchema
from strawberry.schema.schema import validate_document

__all__ = ["code_of_library_message", "core_schema", "validate_document"]

# The limits graphql-core enforces itself (its parser's token limit, its introspection depth
# rule) say which they are only in their message; the gateway answers a code a client can act
# on. The gateway's own limits carry their code (schema/limits.py).
_CODES_BY_MESSAGE = (
    ("tokens.", "TOO_MANY_TOKENS"),
    ("Maximum introspection depth exceeded", "QUERY_TOO_DEEP"),
)


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """graphql-core's schema behind Strawberry's (validation and the answer cache read it)."""
    return schema._schema


def code_of_library_message(message: str) -> str | None:
    for fragment, code in _CODES_BY_MESSAGE:
        if fragment in message:
            return code
    return None
