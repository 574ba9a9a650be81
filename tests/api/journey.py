"""A member's steps through the API, written once so tests read like the journey."""

from __future__ import annotations

import time
from typing import Any

import httpx

from gateway.registry import import_registry_file
from models.attempts import AttemptCounter
from tests.support import DEMO_REGISTRY

# Geneviève Côté: three files in the demo registry (G81234/0004417, G55007/7710, RC3090/0004417).
GENEVIEVE = {
    "contractNumber": "G81234",
    "certificateNumber": "0004417",
    "dateOfBirth": "1986-04-19",
}
GENEVIEVE_SECOND = {
    "contractNumber": "G55007",
    "certificateNumber": "7710",
    "dateOfBirth": "1986-04-19",
}
GENEVIEVE_THIRD = {
    "contractNumber": "RC3090",
    "certificateNumber": "0004417",
    "dateOfBirth": "1986-04-19",
}
# Samuel Ouellet: G81234/0004418 and RA0042/55-120.
SAMUEL = {"contractNumber": "G81234", "certificateNumber": "0004418", "dateOfBirth": "1979-11-02"}

PASSWORD = "Erable!2024"

FILE_FIELDS = """
  id productLine contractNumber certificateNumber sponsorName planName status
  info { memberName effectiveDate terminationDate coverages { benefit tier } onlineFeatures }
"""
SESSION_FIELDS = f"status channel expiresAt selectedFile {{ {FILE_FIELDS} }}"
ERRORS = "errors { code field message }"

REGISTER = f"""
mutation Register($input: RegisterInput!) {{
  register(input: $input) {{ userCode {ERRORS} }}
}}"""
SIGN_IN_FIELDS = f"token session {{ {SESSION_FIELDS} }} insuranceFiles {{ {FILE_FIELDS} }} {ERRORS}"
SIGN_IN = f"""
mutation SignIn($input: SignInInput!) {{
  signIn(input: $input) {{ {SIGN_IN_FIELDS} }}
}}"""
SELECT_FILE = f"""
mutation Select($fileId: ID!) {{
  selectInsuranceFile(fileId: $fileId) {{ session {{ {SESSION_FIELDS} }} {ERRORS} }}
}}"""
ACCEPT = f"""
mutation Accept($version: String!) {{
  acceptUsageAgreement(version: $version) {{ session {{ {SESSION_FIELDS} }} {ERRORS} }}
}}"""
LINK = f"""
mutation Link($input: LinkExistingCredentialsInput!) {{
  linkExistingCredentials(input: $input) {{ {SIGN_IN_FIELDS} }}
}}"""
SIGN_OUT = f"mutation {{ signOut {{ {ERRORS} }} }}"
HINT = f"mutation($input: PasswordHintInput!) {{ passwordHint(input: $input) {{ hint {ERRORS} }} }}"
RESET = f"mutation($input: ResetPasswordInput!) {{ resetPassword(input: $input) {{ {ERRORS} }} }}"
CHANGE = (
    f"mutation($input: ChangePasswordInput!) {{ changePassword(input: $input) {{ {ERRORS} }} }}"
)
SESSIONS = "{ viewer { sessions { id channel createdAt lastSeenAt clientAddress current } } }"
REVOKE = f"mutation($id: ID!) {{ revokeSession(id: $id) {{ {ERRORS} }} }}"
EVERYWHERE = f"mutation {{ signOutEverywhere {{ {ERRORS} }} }}"
NEW_PASSWORD = "Bouleau#2025"
AGREEMENT_VERSION = "{ usageAgreement { version } }"
VIEWER = f"""
query {{
  viewer {{
    userCode
    profile {{ firstName lastName email preferredLanguage }}
    session {{ {SESSION_FIELDS} }}
    insuranceFiles {{ {FILE_FIELDS} }}
  }}
}}"""


async def load_demo_registry() -> None:
    await import_registry_file(DEMO_REGISTRY)


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL document; fail the test on any GraphQL-level error."""
    body = await gql_raw(client, query, variables, token=token, language=language)
    assert "errors" not in body, body.get("errors")
    return body["data"]


async def gql_raw(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if language:
        headers["Accept-Language"] = language
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def registration(identity: dict[str, str], user_code: str, **overrides: Any) -> dict[str, Any]:
    values = {
        **identity,
        "userCode": user_code,
        "password": PASSWORD,
        "passwordConfirmation": PASSWORD,
        "passwordHint": "la cabane à sucre",
        "mothersFirstName": "Marie-Ève",
        "channel": "MOBILE",
    }
    values.update(overrides)
    return values


async def register(
    client: httpx.AsyncClient, identity: dict[str, str], user_code: str, **overrides: Any
) -> dict[str, Any]:
    data = await gql(client, REGISTER, {"input": registration(identity, user_code, **overrides)})
    return data["register"]


async def sign_in(
    client: httpx.AsyncClient, user_code: str, password: str = PASSWORD, channel: str = "MOBILE"
) -> dict[str, Any]:
    data = await gql(
        client,
        SIGN_IN,
        {"input": {"userCode": user_code, "password": password, "channel": channel}},
    )
    return data["signIn"]


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def lock_runs_out() -> None:
    """Every lock of the attempt ledger ends now, as it would once its time is up."""
    await AttemptCounter.filter(locked_until_ms__isnull=False).update(
        locked_until_ms=time.time_ns() // 1_000_000 - 1000
    )


async def link(
    api: httpx.AsyncClient, identity: dict, user_code: str = "GenCote86", password: str = PASSWORD
) -> dict[str, Any]:
    variables = {
        "input": {**identity, "userCode": user_code, "password": password, "channel": "MOBILE"}
    }
    return (await gql(api, LINK, variables))["linkExistingCredentials"]


def reset_input(**overrides: Any) -> dict[str, Any]:
    values = {
        "userCode": "GenCote86",
        "dateOfBirth": "1986-04-19",
        "mothersFirstName": "  MARIE-EVE ",
        "newPassword": NEW_PASSWORD,
        "newPasswordConfirmation": NEW_PASSWORD,
    }
    return {"input": values | overrides}


async def activate(client: httpx.AsyncClient, token: str) -> str:
    """Accept the agreement in force for a one-file session, so that it is ACTIVE (R12)."""
    version = (await gql(client, AGREEMENT_VERSION))["usageAgreement"]["version"]
    accepted = await gql(client, ACCEPT, {"version": version}, token=token)
    assert accepted["acceptUsageAgreement"]["session"]["status"] == "ACTIVE", accepted
    return token


async def sign_in_active(client: httpx.AsyncClient, user_code: str) -> str:
    """A MOBILE sign-in whose session is ACTIVE, for what only an active session may do."""
    return await activate(client, (await sign_in(client, user_code))["token"])
