"""Schemathesis throws generated GraphQL at every query and mutation of the real app (issue 6).

Nothing a client sends may crash the gateway: each generated document, valid or not, must be
answered below 500, as JSON shaped like a GraphQL response, and never with the masked
``INTERNAL_SERVER_ERROR`` that stands for an unexpected exception. The documents are sent as
four callers, since most resolvers stop at the caller check: anonymous, a signed-in member (a
fresh session per example, since the fuzzer may well sign it out), a staff key and a partner key.

The schema is read from the code at collection time (no database needed; schemathesis'
``from_fixture`` loader does not run under pytest 9), and the app runs in-process over ASGI on
a SQLite copy of the migrated template holding the demo registry. Generation is derandomized:
for a given code base, every run sends the same documents.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from asgi_lifespan import LifespanManager
from graphql import StringValueNode
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.python import asgi
from starlette.applications import Starlette
from tortoise.backends.base.executor import EXECUTOR_CACHE

from gateway.access import Role, create_key
from gateway.agreements import ensure_default_agreement
from gateway.settings import Settings
from schema import build_schema
from server.app import create_app
from tests.api.journey import ACCEPT, PASSWORD, gql, load_demo_registry, register, sign_in
from tests.support import CHEAP_ARGON2

ENDPOINT = f"http://{asgi.HOST}/graphql"
EXAMPLES_PER_OPERATION = 25

# Marie-Ève Tremblay, one file in the demo registry: her sessions are ACTIVE once the agreement
# is accepted, so the fuzzer reaches the resolvers behind the session checks too.
MEMBER_IDENTITY = {
    "contractNumber": "G20418",
    "certificateNumber": "120301",
    "dateOfBirth": "1976-07-11",
}
MEMBER_CODE = "FuzzMember01"
PARTNER_CONTRACT = "G20418"

# Deliberate GraphQL errors: refusals of the caller, of a limit or of the document itself.
EXPECTED_ERROR_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_TOKENS",
}

# A JSON request cannot carry a file: what it sends for an Upload is a string, which the
# resolver must refuse as INVALID_RECEIPT, not crash on.
schemathesis.graphql.scalar("Upload", st.builds(StringValueNode, value=st.text(max_size=20)))
schema = schemathesis.graphql.from_file(build_schema(Settings()).as_str())
schema.config.generation.update(
    max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none"
)


def _fuzz_settings(database_url: str) -> Settings:
    """A lockout that never triggers: each wrong ``changePassword`` the fuzzer sends counts
    toward it, and once locked the member could no longer sign in for the next examples."""
    return Settings(
        database_url=database_url,
        cookie_secure=False,
        rate_limit_per_ip="1000000/minute",
        lockout_threshold=1_000_000,
        recovery_threshold=1_000_000,
        **CHEAP_ARGON2,
    )


async def _prepare(settings: Settings) -> dict[str, str]:
    """Demo registry, agreement, a member who accepted it, and one key of each role."""
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as client,
    ):
        await ensure_default_agreement()  # unless the migrated template already has one
        version = (await gql(client, "{ usageAgreement { version } }"))["usageAgreement"]
        await load_demo_registry()
        registered = await register(client, MEMBER_IDENTITY, MEMBER_CODE)
        assert registered["errors"] == [], registered
        token = (await sign_in(client, MEMBER_CODE))["token"]
        accepted = await gql(client, ACCEPT, {"version": version["version"]}, token=token)
        assert accepted["acceptUsageAgreement"]["errors"] == []
        assert accepted["acceptUsageAgreement"]["session"]["status"] == "ACTIVE"
        return {
            "staff": await create_key("fuzz staff", Role.STAFF, []),
            "partner": await create_key("fuzz partner", Role.PARTNER, [PARTNER_CONTRACT]),
        }


@pytest.fixture(scope="module")
def fuzz_database(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[Settings, dict[str, str]]]:
    """One database for the whole module: what the fuzzer writes stays, as it would in use."""
    path = tmp_path_factory.mktemp("fuzz") / "gateway.sqlite3"
    shutil.copyfile(sqlite_template, path)
    EXECUTOR_CACHE.clear()  # earlier tests may have left PostgreSQL SQL for the same models
    fuzz_settings = _fuzz_settings(f"sqlite://{path}")
    keys = asyncio.run(_prepare(fuzz_settings))
    yield fuzz_settings, keys
    EXECUTOR_CACHE.clear()


@pytest.fixture
def fuzz_app(fuzz_database: tuple[Settings, dict[str, str]]) -> Iterator[Starlette]:
    """A new app per operation: schemathesis ends the ASGI lifespan after each test, and the
    gateway's lifespan, which closes its hashing threads, runs once per app."""
    app = create_app(fuzz_database[0])
    yield app
    asgi.shutdown_lifespans()


def _member_token(app: Starlette) -> str:
    """Signed in afresh for each example, in the app's own event loop."""
    query = "mutation($input: SignInInput!) { signIn(input: $input) { token errors { code } } }"
    variables = {"input": {"userCode": MEMBER_CODE, "password": PASSWORD}}
    with asgi.get_client(app) as client:
        body = client.post(ENDPOINT, json={"query": query, "variables": variables}).json()
    payload = body["data"]["signIn"]
    assert payload["errors"] == [], payload
    return payload["token"]


def handled_without_crashing(ctx: Any, response: Any, case: Any) -> bool:
    """Below 500, and every GraphQL error a deliberate, coded refusal.

    Replaces schemathesis' ``not_a_server_error``, which counts any execution error as a server
    error, including this API's FORBIDDEN for a caller without the right key.
    """
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    content_type = response.headers.get("content-type", [""])[0]  # schemathesis: name -> values
    assert content_type.startswith("application/json"), f"{content_type}: {response.text[:500]}"
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in EXPECTED_ERROR_CODES, f"unexpected GraphQL error: {error}"
    return True


@schema.parametrize()
@pytest.mark.parametrize("caller", ["anonymous", "member", "staff", "partner"])
@settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
def test_no_generated_document_crashes_the_gateway(
    case: Any, caller: str, fuzz_app: Starlette, fuzz_database: tuple[Settings, dict[str, str]]
) -> None:
    """Every query and mutation, with generated arguments and selections, as each caller."""
    keys = fuzz_database[1]
    headers = {}
    if caller == "member":
        headers["Authorization"] = f"Bearer {_member_token(fuzz_app)}"
    elif caller in keys:
        headers["Authorization"] = f"Bearer {keys[caller]}"
    case.call_and_validate(
        app=fuzz_app,
        base_url=ENDPOINT,
        headers=headers,
        # Both read any refusal as a failure; this API refuses on purpose, e.g. a partner's
        # `members(first: -5)` (BAD_USER_INPUT: 1 to 100), which the schema's Int allows.
        excluded_checks=[not_a_server_error, positive_data_acceptance],
        additional_checks=[handled_without_crashing],
    )
