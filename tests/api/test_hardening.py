"""What a hostile or careless client may send, and what it gets back (issue 6)."""

import json
import logging
from datetime import timedelta

import httpx
import pytest
from tortoise import connections

from gateway.i18n import Language, duration_in_words
from gateway.ratelimit import AddressRateLimiter
from gateway.settings import Settings
from tests.api.journey import (
    GENEVIEVE,
    PASSWORD,
    REGISTER,
    SIGN_IN,
    VIEWER,
    gql,
    gql_raw,
    load_demo_registry,
    registration,
    sign_in,
)
from tests.support import ClientFactory

RULES = "{ registrationRules { userCodeMinLength } }"


def codes_of(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def assert_healthy(client: httpx.AsyncClient) -> None:
    assert (await gql(client, RULES))["registrationRules"]["userCodeMinLength"] == 5


@pytest.mark.parametrize("size", [150 * 1024, 2 * 1024 * 1024])
async def test_large_bodies_are_refused(client: httpx.AsyncClient, size: int):
    body = json.dumps({"query": RULES, "variables": {"pad": "x" * size}})
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    await assert_healthy(client)


async def test_deep_queries_are_refused(client: httpx.AsyncClient):
    deep = "{ viewer { session { selectedFile { info { coverages { benefit } } } } } }"
    assert "errors" not in await gql_raw(client, deep)
    nested = "query { viewer { session { selectedFile { info { coverages { benefit } } } } } }"
    assert "errors" not in await gql_raw(client, nested)
    fragment = "fragment F on Viewer { userCode } " + "query Q { viewer { ...F } }"
    assert "errors" not in await gql_raw(client, fragment)


async def test_depth_limit_is_configurable_and_coded(make_client: ClientFactory):
    async with make_client(max_query_depth=3) as client:
        body = await gql_raw(
            client, "{ viewer { session { selectedFile { info { memberName } } } } }"
        )
        assert codes_of(body) == ["QUERY_TOO_DEEP"]
        await assert_healthy(client)


async def test_introspection_nesting_is_refused_but_graphiql_introspection_works(
    client: httpx.AsyncClient,
):
    nested = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
    body = await gql_raw(client, nested)
    assert codes_of(body) == ["QUERY_TOO_DEEP"]
    from graphql import get_introspection_query

    full = await gql_raw(client, get_introspection_query(descriptions=True))
    assert "errors" not in full and full["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_too_many_aliases(client: httpx.AsyncClient):
    query = (
        "{ "
        + " ".join(f"a{i}: registrationRules {{ userCodeMinLength }}" for i in range(200))
        + " }"
    )
    body = await gql_raw(client, query)
    assert codes_of(body) == ["TOO_MANY_ALIASES"]
    await assert_healthy(client)


async def test_too_many_tokens(client: httpx.AsyncClient):
    query = "{ registrationRules { " + " ".join(["x"] * 2500) + " } }"
    body = await gql_raw(client, query)
    assert codes_of(body) == ["TOO_MANY_TOKENS"]
    await assert_healthy(client)


async def test_mutation_by_get_and_malformed_json(client: httpx.AsyncClient):
    by_get = await client.get(
        "/graphql", params={"query": "mutation { signOut { errors { code } } }"}
    )
    assert 400 <= by_get.status_code < 500
    malformed = await client.post(
        "/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    wrong_type = await client.post(
        "/graphql", content=b"query=x", headers={"Content-Type": "text/plain"}
    )
    assert wrong_type.status_code in {400, 415}
    await assert_healthy(client)


async def test_syntax_and_validation_errors_carry_codes(client: httpx.AsyncClient):
    assert codes_of(await gql_raw(client, "{ registrationRules { ")) == ["GRAPHQL_PARSE_FAILED"]
    assert codes_of(await gql_raw(client, "{ nothingHere }")) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_suggestions_and_introspection_off_in_production(make_client: ClientFactory):
    async with make_client(introspection=False) as client:
        body = await gql_raw(client, "{ registrationRule { userCodeMinLength } }")
        assert "Did you mean" not in json.dumps(body)
        introspection = await gql_raw(client, "{ __schema { types { name } } }")
        assert introspection.get("errors")
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        await assert_healthy(client)


async def test_an_unexpected_failure_is_masked_and_logged_under_its_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    await connections.get("default").execute_script(
        'DROP TABLE "usage_agreement_missing_check"'
    ) if False else None
    await connections.get("default").execute_script(
        'ALTER TABLE "usage_agreement" RENAME TO "usage_agreement_gone"'
    )
    with caplog.at_level(logging.ERROR, logger="gateway.graphql"):
        response = await client.post("/graphql", json={"query": "{ usageAgreement { version } }"})
    body = response.json()
    assert response.status_code == 200
    [error] = body["errors"]
    request_id = error["extensions"]["requestId"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert request_id == response.headers["X-Request-Id"]
    text = json.dumps(body).lower()
    for leak in ("select", "usage_agreement", "traceback", ".py", "sqlite", "postgres"):
        assert leak not in text
    logged = [r for r in caplog.records if getattr(r, "fields", {}).get("requestId") == request_id]
    assert logged and logged[0].exc_info


async def test_credential_mutations_are_rate_limited_per_address(make_client: ClientFactory):
    async with make_client(rate_limit_per_ip="3/minute") as client:
        await load_demo_registry()
        variables = {"input": {"userCode": "Nobody123", "password": "x"}}
        for _ in range(3):
            body = await gql(client, SIGN_IN, variables)
            assert body["signIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
        limited = await gql_raw(
            client,
            "mutation($input: SignInInput!) { signIn(input: $input) { errors { code message retryAfter } } }",
            variables,
            language="en",
        )
        [error] = limited["data"]["signIn"]["errors"]
        assert error["code"] == "RATE_LIMITED"
        assert 0 < error["retryAfter"] <= 60
        wait = duration_in_words(timedelta(seconds=error["retryAfter"]), Language.EN)
        assert wait in error["message"]
        registered = await gql(client, REGISTER, {"input": registration(GENEVIEVE, "GenCote86")})
        assert registered["register"]["errors"][0]["code"] == "RATE_LIMITED"
        assert (await gql(client, VIEWER))["viewer"] is None


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_client: ClientFactory):
    query = "mutation($input: SignInInput!) { signIn(input: $input) { errors { code } } }"
    variables = {
        "json": {"query": query, "variables": {"input": {"userCode": "Nobody123", "password": "x"}}}
    }

    async def attempt(client: httpx.AsyncClient, forwarded: str) -> str:
        response = await client.post(
            "/graphql", headers={"X-Forwarded-For": forwarded}, **variables
        )
        return response.json()["data"]["signIn"]["errors"][0]["code"]

    async with make_client(rate_limit_per_ip="2/minute") as direct:
        spoofed = [await attempt(direct, f"198.51.100.{i}") for i in range(3)]
        assert spoofed[-1] == "RATE_LIMITED"

    async with make_client(
        peer="10.0.0.5",
        rate_limit_per_ip="2/minute",
        trusted_proxies=Settings().trusted_proxies or _networks("10.0.0.0/8"),
    ) as proxied:
        assert [await attempt(proxied, f"198.51.100.{i}") for i in range(3)] == [
            "INVALID_CREDENTIALS"
        ] * 3
        same = [await attempt(proxied, "203.0.113.9, 198.51.100.77") for _ in range(3)]
        assert same[-1] == "RATE_LIMITED"


def _networks(text: str):
    from gateway.settings import load_settings

    return load_settings({"GATEWAY_TRUSTED_PROXIES": text}).trusted_proxies


async def test_a_rate_limit_storage_that_does_not_answer_refuses_credential_attempts(
    make_client: ClientFactory,
):
    """Fails closed: bringing Redis down must not lift the limit on guessing (issue 15)."""
    async with make_client(rate_limit_storage="redis://127.0.0.1:1") as client:
        await load_demo_registry()
        body = await gql(
            client,
            "mutation($i: SignInInput!) { signIn(input: $i) { errors { code retryAfter } } }",
            {"i": {"userCode": "Nobody123", "password": "x"}},
        )
        [error] = body["signIn"]["errors"]
        assert error["code"] == "RATE_LIMITED" and error["retryAfter"] > 0
        rules = await gql(client, RULES)
        assert rules["registrationRules"]["userCodeMinLength"] == 5


async def test_ipv6_clients_are_counted_by_slash_64():
    """One subscriber's block is one client: stepping through its addresses does not help."""
    limiter = AddressRateLimiter(Settings(rate_limit_per_ip="2/minute"))
    assert await limiter.retry_after("2001:db8:1:2::1") is None
    assert await limiter.retry_after("2001:db8:1:2:ffff::99") is None
    assert await limiter.retry_after("2001:db8:1:2:abcd::7") is not None
    assert await limiter.retry_after("2001:db8:1:3::1") is None


async def test_browser_safety_headers_on_every_response(client: httpx.AsyncClient):
    for response in [
        await client.post("/graphql", json={"query": RULES}),
        await client.get("/healthz"),
        await client.get("/nowhere"),
    ]:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Request-Id"]


async def test_cors_only_for_listed_origins(make_client: ClientFactory):
    preflight = {"Origin": "https://membres.example.ca", "Access-Control-Request-Method": "POST"}
    async with make_client() as closed:
        response = await closed.options("/graphql", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    async with make_client(cors_origins=("https://membres.example.ca",)) as open_to_one:
        allowed = await open_to_one.options("/graphql", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://membres.example.ca"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        other = await open_to_one.options(
            "/graphql", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


async def test_logs_hold_one_line_per_request_and_no_secret(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    secrets = [PASSWORD, "Wrong!Pass1", "Marie-Ève"]
    with caplog.at_level(logging.DEBUG):
        await gql(api, REGISTER, {"input": registration(GENEVIEVE, "GenCote86")})
        signed = await sign_in(api, "GenCote86")
        token = signed["token"]
        secrets.append(token)
        await gql(api, VIEWER, token=token)
        await sign_in(api, "GenCote86", "Wrong!Pass1")
    request_lines = [r for r in caplog.records if r.name == "gateway.request"]
    assert len(request_lines) == 4
    fields = [r.fields for r in request_lines]
    assert [f["operation"] for f in fields] == ["Register", "SignIn", "viewer", "SignIn"]
    assert [f["outcome"] for f in fields] == ["ok", "ok", "ok", "rejected"]
    assert all(f["client"] == "203.0.113.7" and f["durationMs"] >= 0 for f in fields)
    from server.logs import JsonFormatter

    formatter = JsonFormatter()
    text = "\n".join(formatter.format(r) for r in caplog.records)
    for secret in secrets:
        assert secret not in text
