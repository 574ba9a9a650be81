"""The library internals the adapters use are still there (issue 14): an upgrade of Strawberry,
graphql-core or Tortoise that changes one fails here, by name, rather than somewhere deep in a
request. ``pyproject.toml`` pins the versions these were written for."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, date, datetime
from typing import Any

import pytest
from graphql import GraphQLSchema, parse
from limits import parse as parse_limit
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from strawberry.asgi import GraphQL
from tortoise import fields
from tortoise.exceptions import IntegrityError

from gateway import audit
from gateway.ratelimit import PacedMemoryStorage
from gateway.registry import import_registry_file
from models.accounts import Account, AccountCertificate
from models.attempts import AttemptCounter
from models.audit import AuditEvent
from models.sessions import Session as SessionRow
from schema import build_schema
from schema.strawberry_internals import code_of_library_message, core_schema, validate_document
from store import accounts, attempts, registry, sessions
from store.errors import Conflict
from store.statement_log import collecting_statements
from store.tortoise_adapter import Insert, JoinedSelect, Part, dialect, transaction
from tests.support import DEMO_REGISTRY


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


def test_tortoise_sqlite_client_internals_the_direct_read_uses():
    """``_read_on_this_thread`` opens its own connection on the client's file and logs each
    statement where the statement counter listens."""
    from tortoise.backends.sqlite.client import SqliteClient

    client = SqliteClient("/nonexistent/x.sqlite3", connection_name="probe")
    assert client.filename == "/nonexistent/x.sqlite3"
    assert client._connection is None
    assert client.log.name == "tortoise.db_client"


_ACCOUNTS = JoinedSelect([], "", extras=[("n", '(SELECT COUNT(*) FROM "account")')])


async def _accounts() -> int:
    joined = await _ACCOUNTS.fetch()
    return int(joined.computed("n", joined.rows[0]))


async def test_a_read_inside_a_transaction_sees_its_own_writes(db):
    """SQLite reads outside a transaction go through a connection of their own (issue 20):
    inside one, the transaction's connection must read, or it would miss its own writes;
    either way each read is logged once, where the statement counter listens."""
    assert await _accounts() == 0
    with collecting_statements() as statements:
        async with transaction():
            await Account.create(
                user_code="Direct1",
                user_code_canonical="direct1",
                password_hash="x",
                password_hint="hint",
                mothers_first_name_hash="x",
                date_of_birth=date(1980, 1, 2),
                first_name="Ada",
                last_name="Direct",
                preferred_language="fr",
            )
            assert await _accounts() == 1
        assert await _accounts() == 1
    assert sum("COUNT(*)" in statement for statement in statements) == 2


async def _create(user_code: str, certificate_id: int) -> Any:
    return await accounts.create(
        user_code=user_code,
        canonical_code=user_code.casefold(),
        password_hash="x",
        password_pepper_id=None,
        password_hint="hint",
        mothers_first_name_hash="x",
        date_of_birth=date(1986, 4, 19),
        first_name="Geneviève",
        last_name="Chain",
        email=None,
        preferred_language="fr",
        certificate_id=certificate_id,
        entry=lambda account_id: audit.entry("registered", None, account_id=account_id),
    )


async def test_rows_written_together_are_all_written_or_none(db):
    """An account, its link and its audit entry go in one round trip (insert_chain, issue
    20): the link and the entry carry the new account's key; when the link's unique key
    refuses (R2), neither the account nor its entry is left behind."""
    await import_registry_file(DEMO_REGISTRY)
    certificate = await registry.certificate_by_numbers("G81234", "0004417")()
    assert certificate is not None and certificate.owner_account_id is None
    with collecting_statements() as statements:
        first = await _create("Chain1", certificate.id)
    writes = [s for s in statements if s.lstrip().startswith(("INSERT", "WITH"))]
    assert len(writes) == (1 if dialect() == "postgres" else 3)  # one round trip either way
    link = await AccountCertificate.get(certificate_id=certificate.id)
    assert link.account_id == first.id
    assert await AuditEvent.filter(event="registered", account_id=first.id).count() == 1
    again = await registry.certificate_by_numbers("G81234", "0004417")()
    assert again is not None and again.owner_account_id == first.id

    with pytest.raises(Conflict):
        await _create("Chain2", certificate.id)
    assert not await Account.exists(user_code_canonical="chain2")
    assert await AuditEvent.filter(event="registered").count() == 1


async def test_rows_written_together_join_the_transaction_around_them(db):
    """Inside a transaction the rows are part of it: rolled back with it."""
    await import_registry_file(DEMO_REGISTRY)
    certificate = await registry.certificate_by_numbers("G81234", "0004418")()
    assert certificate is not None

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon):
        async with transaction():
            await _create("Inside1", certificate.id)
            raise Abandon
    assert not await Account.exists(user_code_canonical="inside1")
    assert not await AccountCertificate.exists(certificate_id=certificate.id)


def test_limits_memory_storage_still_schedules_its_sweep_by_that_name():
    """PacedMemoryStorage paces limits' own sweep by overriding it by its mangled name."""
    assert inspect.iscoroutinefunction(MemoryStorage._MemoryStorage__schedule_expiry)  # type: ignore[attr-defined]


async def test_the_in_process_rate_limit_counts_every_attempt_of_a_burst():
    """Sweeping once a second changes no count: 30 attempts at once, 20 through."""
    limiter = MovingWindowRateLimiter(PacedMemoryStorage("async+memory://"))
    item = parse_limit("20/minute")
    allowed = await asyncio.gather(*(limiter.hit(item, "credentials", "x") for _ in range(30)))
    assert sum(allowed) == 20
    assert not await limiter.hit(item, "credentials", "x")


async def test_a_change_written_with_rows_is_undone_with_them(db):
    """insert_chain's ``also`` (a sign-in's attempt told with its session, issue 20) runs in
    the same round trip as the rows, and is undone with them when an insert is refused."""
    await import_registry_file(DEMO_REGISTRY)
    certificate = await registry.certificate_by_numbers("G81234", "0004417")()
    assert certificate is not None
    account = await _create("Also1", certificate.id)

    async def reserve() -> None:
        counted, _ = await attempts.reserve("password", "key", 1, 0, 10**13, threshold=5)
        assert counted

    async def session_told(token_digest: str) -> None:
        now = datetime.now(UTC)
        await sessions.open_session(
            token_digest=token_digest,
            account_id=account.id,
            channel="WEB",
            selected_certificate_id=None,
            client_address=None,
            user_agent=None,
            now=now,
            expires_at=now,
            entry=audit.entry("signed_in", None, account_id=account.id),
            also=[attempts.success("password", "key")],
        )

    await reserve()
    with collecting_statements() as statements:
        await session_told("digest-1")
    assert len(statements) == (1 if dialect() == "postgres" else 3)
    assert (await AttemptCounter.get(key_digest="key")).pending == 0

    await reserve()
    with pytest.raises(IntegrityError):
        await session_told("digest-1")  # the token's digest is unique
    assert (await AttemptCounter.get(key_digest="key")).pending == 1
    assert await SessionRow.filter(account_id=account.id).count() == 1
