"""Sign-in, lockout, sessions and their status (R10-R13)."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from datetime import UTC, datetime, timedelta

import httpx

from gateway import agreements
from models.accounts import Account, AccountCertificate
from models.agreements import AgreementAcceptance
from models.audit import AuditEvent
from models.registry import Certificate, Contract
from models.sessions import Session
from tests.api.journey import (
    ACCEPT,
    GENEVIEVE,
    GENEVIEVE_SECOND,
    GENEVIEVE_THIRD,
    LINK,
    PASSWORD,
    SAMUEL,
    SELECT_FILE,
    SIGN_IN,
    SIGN_OUT,
    VIEWER,
    codes,
    gql,
    lock_runs_out,
    register,
    sign_in,
)


async def _publish_default() -> str:
    published = await agreements.ensure_default_agreement()
    current = published or await agreements.current_agreement()
    assert current is not None
    return current.version


async def _member_with_three_files(api: httpx.AsyncClient) -> None:
    await register(api, GENEVIEVE, "GenCote86")
    for identity in (GENEVIEVE_SECOND, GENEVIEVE_THIRD):
        linked = await gql(
            api,
            LINK,
            {"input": {**identity, "userCode": "GenCote86", "password": PASSWORD}},
        )
        assert linked["linkExistingCredentials"]["errors"] == []


async def test_unknown_user_code_and_wrong_password_answer_alike(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    unknown = await sign_in(api, "Nobody123")
    wrong = await sign_in(api, "GenCote86", "Wrong!Pass1")
    assert codes(unknown) == codes(wrong) == [("INVALID_CREDENTIALS", None)]
    assert unknown["errors"][0]["message"] == wrong["errors"][0]["message"]
    assert unknown["token"] is None and unknown["session"] is None


async def test_one_file_is_chosen_at_sign_in_then_the_agreement_is_asked(api: httpx.AsyncClient):
    """R11 with one file, then R12."""
    version = await _publish_default()
    await register(api, GENEVIEVE, "GenCote86")
    payload = await sign_in(api, "GenCote86")
    assert payload["errors"] == []
    assert len(payload["token"]) >= 43
    session = payload["session"]
    assert session["status"] == "AGREEMENT_REQUIRED"
    assert session["channel"] == "MOBILE"
    assert session["selectedFile"]["contractNumber"] == "G81234"
    assert [f["contractNumber"] for f in payload["insuranceFiles"]] == ["G81234"]

    accepted = await gql(api, ACCEPT, {"version": version}, token=payload["token"])
    assert accepted["acceptUsageAgreement"]["errors"] == []
    assert accepted["acceptUsageAgreement"]["session"]["status"] == "ACTIVE"
    acceptance = await AgreementAcceptance.get()
    assert (acceptance.channel, acceptance.client_address) == ("MOBILE", "203.0.113.7")

    again = await sign_in(api, "GenCote86")
    assert again["session"]["status"] == "ACTIVE"


async def test_several_files_require_a_choice_among_the_members_own(api: httpx.AsyncClient):
    """R11: FILE_SELECTION_REQUIRED until one of the member's files is chosen."""
    await _publish_default()
    await _member_with_three_files(api)
    await register(api, SAMUEL, "SamOuellet")
    payload = await sign_in(api, "GenCote86")
    token = payload["token"]
    assert payload["session"]["status"] == "FILE_SELECTION_REQUIRED"
    assert payload["session"]["selectedFile"] is None
    files = payload["insuranceFiles"]
    assert {f["productLine"] for f in files} == {"GROUP_INSURANCE", "GROUP_RETIREMENT_SAVINGS"}
    assert len(files) == 3
    info = next(f for f in files if f["contractNumber"] == "G81234")["info"]
    assert info["memberName"] == "Geneviève Côté"
    assert {"benefit": "LIFE", "tier": None} in info["coverages"]
    assert "HEALTH_CLAIMS" in info["onlineFeatures"]

    samuel_file = (await sign_in(api, "SamOuellet"))["insuranceFiles"][0]["id"]
    for foreign in [samuel_file, "not-an-id", "SW5zdXJhbmNlRmlsZTo5OTk5"]:
        refused = await gql(api, SELECT_FILE, {"fileId": foreign}, token=token)
        assert codes(refused["selectInsuranceFile"]) == [("FILE_NOT_ACCESSIBLE", "fileId")]

    chosen = next(f for f in files if f["contractNumber"] == "G55007")
    selected = await gql(api, SELECT_FILE, {"fileId": chosen["id"]}, token=token)
    session = selected["selectInsuranceFile"]["session"]
    assert session["status"] == "AGREEMENT_REQUIRED"
    assert session["selectedFile"]["id"] == chosen["id"]
    assert await AuditEvent.filter(event="file_selected").count() == 1


async def test_session_mutations_need_a_session(api: httpx.AsyncClient):
    selected = await gql(api, SELECT_FILE, {"fileId": "x"})
    accepted = await gql(api, ACCEPT, {"version": "1"}, token="made-up-token")
    assert codes(selected["selectInsuranceFile"]) == [("AUTHENTICATION_REQUIRED", None)]
    assert codes(accepted["acceptUsageAgreement"]) == [("AUTHENTICATION_REQUIRED", None)]


async def test_another_version_is_outdated_and_a_new_one_is_asked_again(api: httpx.AsyncClient):
    version = await _publish_default()
    await register(api, GENEVIEVE, "GenCote86")
    token = (await sign_in(api, "GenCote86"))["token"]
    outdated = await gql(api, ACCEPT, {"version": "0"}, token=token)
    assert codes(outdated["acceptUsageAgreement"]) == [("AGREEMENT_OUTDATED", "version")]
    await gql(api, ACCEPT, {"version": version}, token=token)

    await agreements.publish_agreement(
        "2", title_fr="Convention 2", title_en="Agreement 2", body_fr="Texte", body_en="Text"
    )
    payload = await sign_in(api, "GenCote86")
    assert payload["session"]["status"] == "AGREEMENT_REQUIRED"
    stale = await gql(api, ACCEPT, {"version": version}, token=payload["token"])
    assert codes(stale["acceptUsageAgreement"]) == [("AGREEMENT_OUTDATED", "version")]
    fresh = await gql(api, ACCEPT, {"version": "2"}, token=payload["token"])
    assert fresh["acceptUsageAgreement"]["session"]["status"] == "ACTIVE"


async def test_lockout_after_consecutive_failures_even_with_the_right_password(
    api: httpx.AsyncClient,
):
    await register(api, GENEVIEVE, "GenCote86")
    for _ in range(5):
        assert codes(await sign_in(api, "GenCote86", "Wrong!Pass1")) == [
            ("INVALID_CREDENTIALS", None)
        ]
    locked = await sign_in(api, "GenCote86")
    assert codes(locked) == [("ACCOUNT_LOCKED", None)]
    assert "15 minutes" in locked["errors"][0]["message"]
    assert await AuditEvent.filter(event="locked").count() == 1

    await lock_runs_out()
    assert (await sign_in(api, "GenCote86"))["errors"] == []


async def test_a_success_resets_the_failure_count(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    for _ in range(4):
        await sign_in(api, "GenCote86", "Wrong!Pass1")
    assert (await sign_in(api, "GenCote86"))["errors"] == []
    for _ in range(4):
        await sign_in(api, "GenCote86", "Wrong!Pass1")
    assert (await sign_in(api, "GenCote86"))["errors"] == []


async def test_viewer_is_null_without_a_valid_session(api: httpx.AsyncClient):
    assert (await gql(api, VIEWER))["viewer"] is None
    assert (await gql(api, VIEWER, token="x" * 43))["viewer"] is None


async def test_viewer_shows_the_member_profile_and_files(api: httpx.AsyncClient):
    await _publish_default()
    await _member_with_three_files(api)
    token = (await sign_in(api, "GenCote86"))["token"]
    viewer = (await gql(api, VIEWER, token=token))["viewer"]
    assert viewer["userCode"] == "GenCote86"
    assert viewer["profile"] == {
        "firstName": "Geneviève",
        "lastName": "Côté",
        "email": None,
        "preferredLanguage": "FR",
    }
    assert viewer["session"]["status"] == "FILE_SELECTION_REQUIRED"
    assert len(viewer["insuranceFiles"]) == 3


async def test_idle_and_absolute_expiry(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    token = (await sign_in(api, "GenCote86"))["token"]
    session = await Session.get()
    await Session.filter(id=session.id).update(
        last_seen_at=datetime.now(UTC) - timedelta(minutes=31)
    )
    assert (await gql(api, VIEWER, token=token))["viewer"] is None

    token = (await sign_in(api, "GenCote86"))["token"]
    await Session.filter(ended_at__isnull=True).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await gql(api, VIEWER, token=token))["viewer"] is None


async def test_tokens_are_stored_only_as_digests(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    token = (await sign_in(api, "GenCote86"))["token"]
    session = await Session.get()
    assert token not in session.token_hash and len(session.token_hash) == 64


async def test_web_sign_in_sets_a_strict_http_only_cookie_and_sign_out_clears_it(
    api: httpx.AsyncClient,
):
    await register(api, GENEVIEVE, "GenCote86")
    response = await api.post(
        "/graphql",
        json={
            "query": SIGN_IN,
            "variables": {
                "input": {"userCode": "GenCote86", "password": PASSWORD, "channel": "WEB"}
            },
        },
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert (await gql(api, VIEWER))["viewer"]["userCode"] == "GenCote86"

    signed_out = await gql(api, SIGN_OUT)
    assert signed_out["signOut"]["errors"] == []
    assert (await gql(api, VIEWER))["viewer"] is None
    assert await AuditEvent.filter(event="signed_out").count() == 1


async def test_cookie_sessions_refuse_mutations_that_are_not_json_posts(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    await sign_in(api, "GenCote86", channel="WEB")
    as_get = await api.get("/graphql", params={"query": "mutation { signOut { errors { code } } }"})
    assert as_get.status_code in {400, 405}
    as_form = await api.post("/graphql", data={"query": "mutation { signOut { errors { code } } }"})
    assert as_form.status_code in {400, 415}
    assert (await gql(api, VIEWER))["viewer"] is not None


async def test_sign_out_ends_a_bearer_session(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    token = (await sign_in(api, "GenCote86"))["token"]
    assert (await gql(api, SIGN_OUT, token=token))["signOut"]["errors"] == []
    assert (await gql(api, VIEWER, token=token))["viewer"] is None
    again = await gql(api, SIGN_OUT, token=token)
    assert codes(again["signOut"]) == [("AUTHENTICATION_REQUIRED", None)]


async def test_a_hash_made_with_other_parameters_is_upgraded_at_sign_in(api: httpx.AsyncClient):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=128, parallelism=1).hash(PASSWORD)
    await register(api, GENEVIEVE, "GenCote86")
    await Account.filter(user_code="GenCote86").update(password_hash=old)
    assert (await sign_in(api, "GenCote86"))["errors"] == []
    upgraded = (await Account.get(user_code="GenCote86")).password_hash
    assert upgraded != old and "m=64," in upgraded


async def test_sign_in_audit_never_holds_a_secret(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    await sign_in(api, "GenCote86")
    await sign_in(api, "GenCote86", "Wrong!Pass1")
    events = await AuditEvent.all()
    assert {"registered", "signed_in", "sign_in_failed"} <= {e.event for e in events}
    for event in events:
        text = repr((event.details, event.user_code, event.actor))
        assert PASSWORD not in text and "Wrong!Pass1" not in text and "Marie" not in text


async def test_viewer_request_costs_a_bounded_number_of_queries(
    api: httpx.AsyncClient, count_queries: Callable[[], ContextManager[list[str]]]
):
    """1 file or 10: the same few SQL queries, whatever the fields asked (issue 7: at most 3)."""
    await _publish_default()
    await register(api, GENEVIEVE, "GenCote86")
    one_file = (await sign_in(api, "GenCote86"))["token"]
    with count_queries() as counted_one:
        viewer = (await gql(api, VIEWER, token=one_file))["viewer"]
    assert len(viewer["insuranceFiles"]) == 1

    account = await Account.get(user_code="GenCote86")
    contract = await Contract.create(
        number="BIG10", product_line="GROUP_INSURANCE", sponsor_name="S", plan_name="P"
    )
    for n in range(9):
        certificate = await Certificate.create(
            contract=contract,
            number=f"C{n}",
            first_name="Geneviève",
            last_name="Côté",
            date_of_birth=account.date_of_birth,
            status="ACTIVE",
            effective_date=account.date_of_birth,
        )
        await AccountCertificate.create(account_id=account.id, certificate_id=certificate.id)
    ten_files = (await sign_in(api, "GenCote86"))["token"]
    with count_queries() as counted_ten:
        viewer = (await gql(api, VIEWER, token=ten_files))["viewer"]
    assert len(viewer["insuranceFiles"]) == 10
    assert len(counted_ten) == len(counted_one) <= 3, counted_ten


_SIGN_IN_TRIES = """mutation($input: SignInInput!) {
  signIn(input: $input) { errors { code message attemptsLeft } } }"""


async def test_each_wrong_password_tells_the_tries_left_and_warns_before_the_last(
    api: httpx.AsyncClient,
):
    """Issue 19: the member is warned while the reset can still spare them the lockout; an
    unknown user code counts down alike, so the number tells nothing about accounts."""
    await register(api, GENEVIEVE, "GenCote86")
    for user_code in ("GenCote86", "Nobody1234"):
        answers = [
            (
                await gql(
                    api, _SIGN_IN_TRIES, {"input": {"userCode": user_code, "password": "Wr0ng!x"}}
                )
            )["signIn"]["errors"][0]
            for _ in range(5)
        ]
        assert [a["attemptsLeft"] for a in answers] == [4, 3, 2, 1, 0]
        assert "une tentative" not in answers[2]["message"]
        assert "Il vous reste une tentative" in answers[3]["message"]
        assert "réinitialisez votre mot de passe" in answers[3]["message"]
        locked = (
            await gql(api, _SIGN_IN_TRIES, {"input": {"userCode": user_code, "password": PASSWORD}})
        )["signIn"]["errors"][0]
        assert (locked["code"], locked["attemptsLeft"]) == ("ACCOUNT_LOCKED", None)
