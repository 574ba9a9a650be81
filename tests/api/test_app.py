"""The HTTP surface: routes, limits, GraphiQL and the first queries (issue 2)."""

import httpx
from asgi_lifespan import LifespanManager

from gateway import agreements
from gateway.settings import Settings
from server.app import create_app
from tests.api.journey import gql, gql_raw


async def test_health_and_readiness(client: httpx.AsyncClient):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "up"


async def test_registration_rules(client: httpx.AsyncClient):
    data = await gql(
        client,
        "{ registrationRules { userCodeMinLength userCodeMaxLength passwordMinLength"
        " passwordRequiredCharacterKinds } }",
    )
    assert data["registrationRules"] == {
        "userCodeMinLength": 5,
        "userCodeMaxLength": 36,
        "passwordMinLength": 8,
        "passwordRequiredCharacterKinds": 3,
    }


async def test_usage_agreement_follows_the_requested_or_accepted_language(
    client: httpx.AsyncClient,
):
    await agreements.ensure_default_agreement()
    query = "query($l: Language) { usageAgreement(language: $l) { version language title body } }"
    default = (await gql(client, query))["usageAgreement"]
    english = (await gql(client, query, language="en-US"))["usageAgreement"]
    forced = (await gql(client, query, {"l": "FR"}, language="en"))["usageAgreement"]
    assert default["language"] == "FR" and default["version"] == "1"
    assert "Convention" in default["title"]
    assert english["language"] == "EN" and "agreement" in english["title"]
    assert forced["language"] == "FR"


async def test_queries_work_by_get_but_mutations_do_not(client: httpx.AsyncClient):
    query = await client.get(
        "/graphql", params={"query": "{ registrationRules { userCodeMinLength } }"}
    )
    assert query.json()["data"]["registrationRules"]["userCodeMinLength"] == 5
    mutation = await client.get(
        "/graphql", params={"query": "mutation { signOut { errors { code } } }"}
    )
    assert mutation.status_code in {400, 405}


async def test_browsers_get_graphiql(client: httpx.AsyncClient):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_bodies_over_100_kib_are_refused_before_parsing(client: httpx.AsyncClient):
    big = b'{"query": "' + b"x" * (100 * 1024) + b'"}'
    response = await client.post(
        "/graphql", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413

    async def stream():
        for _ in range(30):
            yield b"x" * 4096

    chunked = await client.post(
        "/graphql", content=stream(), headers={"Content-Type": "application/json"}
    )
    assert chunked.status_code == 413


async def test_malformed_json_is_a_client_error(client: httpx.AsyncClient):
    response = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_a_malformed_date_is_a_graphql_error_not_a_crash(client: httpx.AsyncClient):
    body = await gql_raw(
        client,
        'mutation { passwordHint(input: {userCode: "abcde", dateOfBirth: "1986-13-45"}) { hint } }',
    )
    assert body["errors"] and "Traceback" not in str(body)


async def test_graphiql_is_served_from_the_gateway_itself(client: httpx.AsyncClient):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


async def test_metrics_count_operations_outcomes_and_audit_events(make_client):
    async with make_client(peer="127.0.0.1") as api:
        await gql(api, "{ registrationRules { userCodeMinLength } }")
        await gql(
            api,
            'mutation { signIn(input: {userCode: "Nobody123", password: "x"}) { errors { code } } }',
        )
        text = (await api.get("/metrics")).text
    assert 'gateway_requests_total{operation="registrationRules",outcome="ok"}' in text
    assert 'gateway_requests_total{operation="signIn",outcome="rejected"}' in text
    assert 'gateway_audit_events_total{event="sign_in_failed"}' in text
    assert "gateway_request_duration_seconds_bucket" in text
    assert "gateway_argon2_seconds_count" in text


async def test_client_operation_names_cannot_mint_metric_labels(make_client):
    async with make_client(peer="127.0.0.1") as client:
        await gql(client, "query Attacker123 { registrationRules { userCodeMinLength } }")
        await gql_raw(client, "{ notAField }")
        text = (await client.get("/metrics")).text
    assert "Attacker123" not in text and "notAField" not in text


async def test_without_a_token_metrics_are_read_from_this_machine_only(make_client):
    """/metrics shows lockouts as they happen: not to a visitor (issue 15)."""
    async with make_client(peer="203.0.113.7") as outsider:
        refused = await outsider.get("/metrics")
        assert refused.status_code == 403 and "GATEWAY_METRICS_TOKEN" in refused.json()["error"]
    async with make_client(peer="::1") as local:
        assert (await local.get("/metrics")).status_code == 200


async def test_metrics_behind_a_token_when_configured(make_client):
    async with make_client(metrics_token="s3cret-operator-token") as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await client.get(
            "/metrics", headers={"Authorization": "Bearer s3cret-operator-token"}
        )
        assert right.status_code == 200 and "gateway_requests_total" in right.text


async def test_readiness_fails_while_the_database_does_not_answer():
    app = create_app(Settings(database_url="postgres://postgres@127.0.0.1:1/unreachable"))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as client,
    ):
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "down"
