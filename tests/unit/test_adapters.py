"""The library internals the adapters use are still there (issue 14): an upgrade of Strawberry,
graphql-core or Tortoise that changes one fails here, by name, rather than somewhere deep in a
request. ``pyproject.toml`` pins the versions these were written for."""

from __future__ import annotations

import inspect

import pytest
from graphql import GraphQLSchema, parse
from strawberry.asgi import GraphQL
from tortoise import fields

from models.accounts import Account
from models.audit import AuditEvent
from schema import build_schema
from schema.strawberry_internals import code_of_library_message, core_schema, validate_document
from store.tortoise_adapter import Insert, JoinedSelect, Part


def test_strawberry_exposes_graphql_cores_schema():
    assert isinstance(core_schema(build_schema()), GraphQLSchema)


def test_strawberry_validates_with_extra_rules():
    parameters = list(inspect.signature(validate_document).parameters)
    assert parameters[:3] == ["schema", "document", "validation_rules"]


def test_the_view_still_executes_one_request_through_execute_single():
    parameters = list(inspect.signature(GraphQL.execute_single).parameters)
    assert parameters == [
        "self",
        "request",
        "request_adapter",
        "sub_response",
        "context",
        "root_value",
        "request_data",
    ]


def test_graphql_cores_introspection_depth_rule_still_says_so():
    from graphql import get_introspection_query
    from graphql.validation import specified_rules

    nested = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    schema = core_schema(build_schema())
    errors = validate_document(schema, parse(nested), tuple(specified_rules))
    assert any(code_of_library_message(e.message) == "QUERY_TOO_DEEP" for e in errors)
    assert not validate_document(schema, parse(get_introspection_query()), tuple(specified_rules))


def test_graphql_cores_token_limit_still_says_tokens():
    with pytest.raises(Exception) as raised:
        parse("{ a b c d e }", max_tokens=3)
    assert code_of_library_message(str(raised.value)) == "TOO_MANY_TOKENS"


def test_tortoise_model_metadata_the_plans_read():
    meta = Account._meta
    for name in (
        "db_fields",
        "fields_map",
        "db_native_fields",
        "db_default_fields",
        "db_complex_fields",
        "fields_db_projection",
        "pk_attr",
        "db_pk_column",
        "db_table",
    ):
        assert hasattr(meta, name), name
    assert isinstance(meta.fields_map["user_code"], fields.CharField)


async def test_plans_compose_from_the_models_columns(db):
    """Planned once the ORM knows the models (its split of fields by driver type)."""
    select = JoinedSelect([Part(Account, "a", only=("id", "user_code"))], 'FROM "account" AS "a"')
    assert select.layout("sqlite").sql == 'SELECT "a"."id", "a"."user_code" FROM "account" AS "a"'
    insert = Insert(AuditEvent)
    assert insert.sql("postgres").startswith('INSERT INTO "audit_event"')
    assert insert.sql("postgres").endswith('RETURNING "id"')
