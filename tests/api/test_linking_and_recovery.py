"""Linking existing credentials (R9), forgotten passwords (R14), the member's sessions."""

import httpx

from models.accounts import AccountCertificate
from models.audit import AuditEvent
from models.sessions import Session
from tests.api.journey import (
    CHANGE,
    EVERYWHERE,
    GENEVIEVE,
    GENEVIEVE_SECOND,
    HINT,
    NEW_PASSWORD,
    PASSWORD,
    RESET,
    REVOKE,
    SAMUEL,
    SESSIONS,
    VIEWER,
    codes,
    gql,
    link,
    lock_runs_out,
    register,
    reset_input,
    sign_in,
    sign_in_active,
)


async def test_linking_reaches_a_new_file_and_signs_in(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    payload = await link(api, GENEVIEVE_SECOND)
    assert payload["errors"] == []
    assert payload["token"]
    assert payload["session"]["status"] == "FILE_SELECTION_REQUIRED"
    assert {f["contractNumber"] for f in payload["insuranceFiles"]} == {"G81234", "G55007"}
    assert await AuditEvent.filter(event="credentials_linked").count() == 1
    viewer = (await gql(api, VIEWER, token=payload["token"]))["viewer"]
    assert len(viewer["insuranceFiles"]) == 2


async def test_linking_checks_credentials_like_sign_in(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    wrong = await link(api, GENEVIEVE_SECOND, password="Wrong!Pass1")
    unknown = await link(api, GENEVIEVE_SECOND, user_code="Nobody123")
    assert codes(wrong) == codes(unknown) == [("INVALID_CREDENTIALS", None)]
    for _ in range(4):
        await link(api, GENEVIEVE_SECOND, password="Wrong!Pass1")
    assert codes(await sign_in(api, "GenCote86")) == [("ACCOUNT_LOCKED", None)]
    assert await AccountCertificate.all().count() == 1


async def test_nobody_attaches_a_strangers_file(api: httpx.AsyncClient):
    """The registry's date of birth must be the account holder's."""
    await register(api, GENEVIEVE, "GenCote86")
    stranger = await link(api, {**SAMUEL, "dateOfBirth": "1986-04-19"})
    own_date = await link(api, SAMUEL)
    assert codes(stranger) == codes(own_date) == [("IDENTITY_NOT_VERIFIED", None)]
    assert await AccountCertificate.all().count() == 1


async def test_a_certificate_of_another_account_or_already_linked(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    await register(api, GENEVIEVE_SECOND, "GenAutre1")
    taken = await link(api, GENEVIEVE_SECOND)
    assert codes(taken) == [("CERTIFICATE_ALREADY_REGISTERED", "certificateNumber")]
    again = await link(api, GENEVIEVE)
    assert again["errors"] == [] and len(again["insuranceFiles"]) == 1
    assert await AuditEvent.filter(event="credentials_linked").count() == 0


async def test_hint_only_for_the_right_user_code_and_date(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    good = await gql(api, HINT, {"input": {"userCode": "gencote86", "dateOfBirth": "1986-04-19"}})
    assert good["passwordHint"] == {"hint": "la cabane à sucre", "errors": []}
    wrong_date = await gql(
        api, HINT, {"input": {"userCode": "GenCote86", "dateOfBirth": "1986-04-20"}}
    )
    unknown = await gql(
        api, HINT, {"input": {"userCode": "Nobody123", "dateOfBirth": "1986-04-19"}}
    )
    assert wrong_date == unknown
    assert codes(unknown["passwordHint"]) == [("INVALID_CREDENTIALS", None)]
    assert unknown["passwordHint"]["hint"] is None


async def test_hint_requests_are_limited_per_user_code(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    variables = {"input": {"userCode": "GenCote86", "dateOfBirth": "1986-04-19"}}
    for _ in range(5):
        assert (await gql(api, HINT, variables))["passwordHint"]["errors"] == []
    limited = (await gql(api, HINT, variables))["passwordHint"]
    assert codes(limited) == [("RATE_LIMITED", None)] and limited["hint"] is None
    other = await gql(api, HINT, {"input": {"userCode": "Nobody123", "dateOfBirth": "1986-04-19"}})
    assert codes(other["passwordHint"]) == [("INVALID_CREDENTIALS", None)]


async def test_reset_with_the_normalised_answer_ends_every_session(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    token = (await sign_in(api, "GenCote86"))["token"]
    for _ in range(3):
        await sign_in(api, "GenCote86", "Wrong!Pass1")
    result = await gql(api, RESET, reset_input())
    assert result["resetPassword"]["errors"] == []
    assert (await gql(api, VIEWER, token=token))["viewer"] is None
    assert codes(await sign_in(api, "GenCote86")) == [("INVALID_CREDENTIALS", None)]
    assert (await sign_in(api, "GenCote86", NEW_PASSWORD))["errors"] == []
    assert await AuditEvent.filter(event="password_reset").count() == 1


async def test_reset_clears_the_sign_in_lockout(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    for _ in range(5):
        await sign_in(api, "GenCote86", "Wrong!Pass1")
    assert codes(await sign_in(api, "GenCote86")) == [("ACCOUNT_LOCKED", None)]
    assert (await gql(api, RESET, reset_input()))["resetPassword"]["errors"] == []
    assert (await sign_in(api, "GenCote86", NEW_PASSWORD))["errors"] == []


async def test_wrong_user_code_date_or_answer_look_the_same(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    answers = [
        await gql(api, RESET, reset_input(userCode="Nobody123")),
        await gql(api, RESET, reset_input(dateOfBirth="1986-04-20")),
        await gql(api, RESET, reset_input(mothersFirstName="Marie")),
    ]
    assert all(a == answers[0] for a in answers)
    assert codes(answers[0]["resetPassword"]) == [("INVALID_CREDENTIALS", None)]
    assert (await sign_in(api, "GenCote86"))["errors"] == []


async def test_new_password_follows_the_rules_and_must_change(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    weak = await gql(api, RESET, reset_input(newPassword="abc", newPasswordConfirmation="abc"))
    assert {c for c in codes(weak["resetPassword"])} == {("WEAK_PASSWORD", "newPassword")}
    mismatch = await gql(api, RESET, reset_input(newPasswordConfirmation="Other#2025"))
    assert codes(mismatch["resetPassword"]) == [("PASSWORD_MISMATCH", "newPasswordConfirmation")]
    same = await gql(
        api, RESET, reset_input(newPassword=PASSWORD, newPasswordConfirmation=PASSWORD)
    )
    assert codes(same["resetPassword"]) == [("WEAK_PASSWORD", "newPassword")]
    revealed = await gql(
        api,
        RESET,
        reset_input(newPassword="La Cabane à Sucre", newPasswordConfirmation="La Cabane à Sucre"),
    )
    assert ("HINT_REVEALS_PASSWORD", "newPassword") in codes(revealed["resetPassword"])
    assert (await sign_in(api, "GenCote86"))["errors"] == []


async def test_wrong_answers_lock_recovery(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    for _ in range(5):
        wrong = await gql(api, RESET, reset_input(mothersFirstName="Lucie"))
        assert codes(wrong["resetPassword"]) == [("INVALID_CREDENTIALS", None)]
    locked = await gql(api, RESET, reset_input())
    assert codes(locked["resetPassword"]) == [("ACCOUNT_LOCKED", None)]
    assert await AuditEvent.filter(event="recovery_locked").count() == 1
    await lock_runs_out()
    assert (await gql(api, RESET, reset_input()))["resetPassword"]["errors"] == []


async def test_change_password_ends_every_other_session(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    other = (await sign_in(api, "GenCote86"))["token"]
    mine = await sign_in_active(api, "GenCote86")
    variables = {
        "input": {
            "currentPassword": PASSWORD,
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirmation": NEW_PASSWORD,
        }
    }
    unauthenticated = await gql(api, CHANGE, variables)
    assert codes(unauthenticated["changePassword"]) == [("AUTHENTICATION_REQUIRED", None)]
    wrong = {"input": variables["input"] | {"currentPassword": "Wrong!Pass1"}}
    assert codes((await gql(api, CHANGE, wrong, token=mine))["changePassword"]) == [
        ("INVALID_CREDENTIALS", "currentPassword")
    ]
    assert (await gql(api, CHANGE, variables, token=mine))["changePassword"]["errors"] == []
    assert (await gql(api, VIEWER, token=other))["viewer"] is None
    assert (await gql(api, VIEWER, token=mine))["viewer"] is not None
    assert (await sign_in(api, "GenCote86", NEW_PASSWORD))["errors"] == []


async def test_members_list_and_revoke_their_sessions(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    await register(api, SAMUEL, "SamOuellet")
    web = await sign_in(api, "GenCote86", channel="WEB")
    assert web["token"] is None  # a WEB session is the HttpOnly cookie (issue 15)
    first = api.cookies["gateway_session"]
    second = await sign_in_active(api, "GenCote86")
    samuel = await sign_in_active(api, "SamOuellet")
    api.cookies.clear()
    listed = (await gql(api, SESSIONS, token=second))["viewer"]["sessions"]
    assert len(listed) == 2
    assert [s["current"] for s in listed] == [True, False]
    assert {s["channel"] for s in listed} == {"WEB", "MOBILE"}
    assert all(s["clientAddress"] == "203.0.113.7" for s in listed)

    samuels = (await gql(api, SESSIONS, token=samuel))["viewer"]["sessions"][0]["id"]
    refused = await gql(api, REVOKE, {"id": samuels}, token=second)
    assert codes(refused["revokeSession"]) == [("NOT_FOUND", "id")]
    assert (await gql(api, VIEWER, token=samuel))["viewer"] is not None

    revoked = await gql(api, REVOKE, {"id": listed[1]["id"]}, token=second)
    assert revoked["revokeSession"]["errors"] == []
    assert (await gql(api, VIEWER, token=first))["viewer"] is None

    third = await sign_in_active(api, "GenCote86")
    assert (await gql(api, EVERYWHERE, token=third))["signOutEverywhere"]["errors"] == []
    assert (await gql(api, VIEWER, token=second))["viewer"] is None
    assert (await gql(api, VIEWER, token=third))["viewer"] is None
    assert await Session.filter(ended_at__isnull=True).count() == 1
