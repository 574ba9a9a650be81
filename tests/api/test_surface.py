"""The HTTP and GraphQL surface (issue 15): cheap requests stay cheap, nothing leaks the schema
or a secret, the usage agreement gates the session, GraphQL over HTTP to the letter."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from starlette.routing import Route

import schema.pipeline
from models.audit import AuditEvent
from server.app import create_app
from tests.api.journey import (
    ACCEPT,
    CHANGE,
    GENEVIEVE,
    NEW_PASSWORD,
    PASSWORD,
    REVOKE,
    SIGN_IN,
    gql,
    gql_raw,
    load_demo_registry,
    register,
    sign_in,
    sign_in_active,
)
from tests.support import ClientFactory

RULES = "registrationRules{userCodeMinLength}"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def codes_of(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


def messages_of(body: dict) -> str:
    return " ".join(e["message"] for e in body["errors"])


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times graphql-core's validation ran."""
    calls: list[int] = []
    original = schema.pipeline.validate_document

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(schema.pipeline, "validate_document", counted)
    return calls


async def test_a_document_made_to_slow_validation_down_is_refused_before_it(
    client: httpx.AsyncClient, validations: list[int]
):
    """490 repeats of one selection: quadratic for graphql-core's merging rule, refused by
    the cheap count instead (7 KB, under every other limit)."""
    body = await gql_raw(client, "{" + " ".join([RULES] * 200) + "}")
    assert codes_of(body) == ["TOO_MANY_SELECTIONS"]
    assert "data" not in body
    assert validations == []
    longer = await gql_raw(client, "{ " + " ".join([RULES] * 490) + " }")
    assert codes_of(longer) == ["DOCUMENT_TOO_LONG"]
    assert validations == []
    await gql(client, "{" + RULES + "}")
    assert validations == [1]


async def test_fragments_are_counted_as_they_expand(client: httpx.AsyncClient):
    """A fragment spread twice by one spread twice by another...: measured once each."""
    fragments = "fragment F0 on Query { registrationRules { userCodeMinLength } }"
    for n in range(1, 12):
        fragments += f" fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}"
    body = await gql_raw(client, "{ ...F11 } " + fragments)
    assert codes_of(body) == ["TOO_MANY_SELECTIONS"]


async def test_directives_are_counted(client: httpx.AsyncClient):
    """250 @include on one field: one error, not one per directive."""
    body = await gql_raw(client, "{ registrationRules " + "@include(if: true) " * 250 + "{ a } }")
    assert codes_of(body) == ["TOO_MANY_DIRECTIVES"]


async def test_an_estimated_cost_over_the_limit_is_refused(client: httpx.AsyncClient):
    node = "node { certificateNumber firstName lastName status registeredOnline }"
    page = f"members(first: 100) {{ edges {{ {node} }} }}"
    query = "{ " + " ".join(f'c{n}: partnerContract(number: "X") {{ {page} }}' for n in range(9))
    body = await gql_raw(client, query + " }")
    assert codes_of(body) == ["QUERY_TOO_COSTLY"]


@pytest.mark.parametrize(
    ("query", "leaks"),
    [
        ('mutation { signIn(inpt: {userCode: "a", password: "b"}) { token } }', ["input"]),
        (
            'mutation { signIn(input: {userCode: "a", password: "b", channel: MOBIL}) { token } }',
            ["MOBILE"],
        ),
        ("mutation { register(input: {}) { userCode } }", ["contractNumber", "mothersFirstName"]),
        ("mutation { signIn { token } }", ["input"]),
        ('mutation { signIn(input: {userCod: "abcde", password: "x"}) { token } }', ["userCode"]),
    ],
)
async def test_with_introspection_off_no_error_spells_out_the_schema(
    make_client: ClientFactory, query: str, leaks: list[str]
):
    async with make_client(introspection=False) as client:
        text = messages_of(await gql_raw(client, query))
    assert "Did you mean" not in text
    for name in leaks:
        assert name not in text


async def test_no_error_repeats_a_value_the_client_sent(client: httpx.AsyncClient):
    """A literal or a variable, in any mode: the password never comes back."""
    literal = (
        f'mutation {{ signIn(input: {{userCod: "abcde", password: "{PASSWORD}"}}) {{ token }} }}'
    )
    variables = {"i": {"userCod": "abcde", "password": PASSWORD}}
    from_variables = await gql_raw(
        client, "mutation($i: SignInInput!) { signIn(input: $i) { token } }", variables
    )
    date = await gql_raw(
        client,
        'mutation { passwordHint(input: {userCode: "abcde", dateOfBirth: "1986-13-45"}) { hint } }',
    )
    for body in (await gql_raw(client, literal), from_variables, date):
        text = messages_of(body)
        assert PASSWORD not in text and "abcde" not in text and "1986-13-45" not in text
    assert "userCod" in messages_of(from_variables)  # what the client wrote, named


@pytest.mark.parametrize("body", ["null", "1", '"x"', "[]", "[1, 2]"])
async def test_a_body_that_is_not_one_object_is_a_json_400(client: httpx.AsyncClient, body: str):
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["requestId"] == response.headers["X-Request-Id"]


async def test_media_types_are_negotiated(client: httpx.AsyncClient):
    text = await client.post("/graphql", content="{}", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["errors"][0]["extensions"]["code"]
    csv = await client.post(
        "/graphql", json={"query": "{" + RULES + "}"}, headers={"Accept": "text/csv"}
    )
    assert csv.status_code == 406 and csv.headers["content-type"].startswith("application/json")
    spec = await client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert spec.status_code == 400 and spec.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in spec.json()
    legacy = await client.post("/graphql", json={"query": "{ nope }"})
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith(
        "application/json"
    )


async def test_a_persisted_query_by_get_answers_graphql_whatever_the_accept(
    client: httpx.AsyncClient,
):
    extensions = '{"persistedQuery": {"version": 1, "sha256Hash": "' + "0" * 64 + '"}}'
    response = await client.get(
        "/graphql", params={"extensions": extensions}, headers={"Accept": "*/*"}
    )
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
async def test_characters_no_database_can_store_are_refused(api: httpx.AsyncClient, bad: str):
    """NUL (PostgreSQL refuses it) and lone surrogates, as variables or literals: 4xx, no 500."""
    variables = {"input": {"userCode": "GenCote86", "dateOfBirth": "1986-04-19"}}
    variables["input"]["userCode"] = bad
    payload = {
        "query": "mutation($input: PasswordHintInput!) { passwordHint(input: $input) { hint } }",
        "variables": variables,
    }
    response = await api.post(
        "/graphql",
        content=json.dumps(payload),  # ASCII escapes: a lone surrogate travels as \ud800
        headers={"Accept": GRAPHQL_RESPONSE, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    # orjson itself refuses a lone surrogate as JSON; NUL is refused by the gateway
    assert response.json()["errors"][0]["extensions"]["code"] in {"BAD_USER_INPUT", "BAD_REQUEST"}
    escaped = "\\u0000" if bad == "a\x00b" else "\\ud800"
    literal = await gql_raw(api, f'{{ partnerContract(number: "G{escaped}") {{ number }} }}')
    assert codes_of(literal)[0] in {"BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED"}  # lexer refuses


async def test_forged_or_foreign_ids_find_nothing(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    token = await sign_in_active(api, "GenCote86")
    for forged in ["MTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA", "U2Vzc2lvbjox", "x" * 200, "AAAA"]:
        revoked = await gql(api, REVOKE, {"id": forged}, token=token)
        assert revoked["revokeSession"]["errors"][0]["code"] == "NOT_FOUND"
    files = await gql(api, "{ viewer { insuranceFiles { id } } }", token=token)
    file_id = files["viewer"]["insuranceFiles"][0]["id"]
    as_session = await gql(api, REVOKE, {"id": file_id}, token=token)
    assert as_session["revokeSession"]["errors"][0]["code"] == "NOT_FOUND"


async def test_the_last_resort_answers_json_with_the_request_id(settings):
    app = create_app(settings)

    async def broken(_):
        raise RuntimeError("a bug nobody foresaw")

    app.router.routes.insert(0, Route("/broken", broken))  # before the client's catch-all
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": response.headers["X-Request-Id"],
    }
    assert "a bug" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_until_active_a_session_reads_only_what_it_needs_to_become_so(
    api: httpx.AsyncClient,
):
    """R11, R12: a session waiting for the agreement sees itself and its files, not more."""
    await register(api, GENEVIEVE, "GenCote86")
    token = (await sign_in(api, "GenCote86"))["token"]
    waiting = await gql(
        api,
        "{ viewer { userCode session { status } insuranceFiles { id } sessions { id } "
        "securityEvents { kind } } registrationRules { userCodeMinLength } "
        "usageAgreement { version } }",
        token=token,
    )
    assert waiting["viewer"]["session"]["status"] == "AGREEMENT_REQUIRED"
    assert waiting["viewer"]["sessions"] == [] and waiting["viewer"]["securityEvents"] == []
    change = {
        "input": {
            "currentPassword": PASSWORD,
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirmation": NEW_PASSWORD,
        }
    }
    refused = await gql(api, CHANGE, change, token=token)
    assert [e["code"] for e in refused["changePassword"]["errors"]] == ["SESSION_NOT_ACTIVE"]
    version = waiting["usageAgreement"]["version"]
    await gql(api, ACCEPT, {"version": version}, token=token)
    active = await gql(api, "{ viewer { sessions { id } } }", token=token)
    assert len(active["viewer"]["sessions"]) == 1
    assert (await gql(api, CHANGE, change, token=token))["changePassword"]["errors"] == []


async def test_a_secure_session_cookie_is_host_prefixed_and_never_in_the_body(
    make_client: ClientFactory,
):
    async with make_client(cookie_secure=True) as client:
        await load_demo_registry()
        await register(client, GENEVIEVE, "GenCote86")
        response = await client.post(
            "/graphql",
            json={
                "query": SIGN_IN,
                "variables": {
                    "input": {"userCode": "GenCote86", "password": PASSWORD, "channel": "WEB"}
                },
            },
        )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-gateway_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert response.json()["data"]["signIn"]["token"] is None


async def test_answers_are_never_cached_and_https_is_strict(make_client: ClientFactory):
    async with make_client(peer="127.0.0.1", trusted_proxies=_loopback()) as client:
        plain = await client.post("/graphql", json={"query": "{" + RULES + "}"})
        assert plain.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in plain.headers
        forwarded = await client.post(
            "/graphql",
            json={"query": "{" + RULES + "}"},
            headers={"X-Forwarded-Proto": "https"},
        )
        assert forwarded.headers["Strict-Transport-Security"].startswith("max-age=")
    async with make_client(peer="203.0.113.7") as stranger:
        spoofed = await stranger.post(
            "/graphql",
            json={"query": "{" + RULES + "}"},
            headers={"X-Forwarded-Proto": "https"},
        )
        assert "Strict-Transport-Security" not in spoofed.headers


def _loopback() -> tuple:
    from ipaddress import ip_network

    return (ip_network("127.0.0.0/8"),)


async def test_refused_calls_and_partner_reads_are_audited_with_the_request_id(
    api: httpx.AsyncClient,
):
    response = await api.post("/graphql", json={"query": "{ partnerContracts { number } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    [refused] = await AuditEvent.filter(event="refused")
    assert refused.request_id == response.headers["X-Request-Id"]
    assert refused.details["field"] == "partnerContracts"


async def test_the_logged_operation_name_is_bounded(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="gateway.request")
    name = "A" * 300
    await gql(client, f"query {name} {{ {RULES} }}")
    [line] = [r for r in caplog.records if r.name == "gateway.request"]
    assert line.fields["operation"] == "A" * 100
