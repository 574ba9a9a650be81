"""Registration through the API (R1-R8)."""

import asyncio

import httpx

from models.accounts import Account, AccountCertificate
from models.audit import AuditEvent
from tests.api.journey import (
    GENEVIEVE,
    PASSWORD,
    REGISTER,
    SAMUEL,
    codes,
    gql,
    register,
    registration,
    sign_in,
)


async def test_registration_confirms_the_user_code_and_opens_no_session(api: httpx.AsyncClient):
    payload = await register(api, GENEVIEVE, "GenCote86")
    assert payload == {"userCode": "GenCote86", "errors": []}
    assert not api.cookies
    assert await AuditEvent.filter(event="registered", user_code="GenCote86").count() == 1


async def test_numbers_are_compared_trimmed_and_upper_cased(api: httpx.AsyncClient):
    identity = {**GENEVIEVE, "contractNumber": "  g81234 ", "certificateNumber": " 0004417"}
    assert (await register(api, identity, "GenCote86"))["errors"] == []


async def test_identity_mismatch_is_one_error_whichever_part_is_wrong(api: httpx.AsyncClient):
    """R1: contract, certificate or date of birth wrong: one same error, field null."""
    wrong_parts = [
        {**GENEVIEVE, "contractNumber": "G99999"},
        {**GENEVIEVE, "certificateNumber": "0004418"},
        {**GENEVIEVE, "dateOfBirth": "1986-04-20"},
    ]
    messages = set()
    for identity in wrong_parts:
        payload = await register(api, identity, "GenCote86")
        assert payload["userCode"] is None
        assert codes(payload) == [("IDENTITY_NOT_VERIFIED", None)]
        messages.add(payload["errors"][0]["message"])
    assert len(messages) == 1
    assert await Account.all().count() == 0


async def test_user_code_rules(api: httpx.AsyncClient):
    """R3: 5 to 36 letters and digits, no accents or specials."""
    for bad in ["abcd", "a" * 37, "Genève86", "gen_cote", "gen cote"]:
        payload = await register(api, GENEVIEVE, bad)
        assert ("INVALID_USER_CODE", "userCode") in codes(payload), bad
    assert (await register(api, GENEVIEVE, "a" * 36))["errors"] == []


async def test_user_code_is_unique_whatever_the_case(api: httpx.AsyncClient):
    assert (await register(api, GENEVIEVE, "GenCote86"))["errors"] == []
    payload = await register(api, SAMUEL, "gencote86")
    assert codes(payload) == [("USER_CODE_TAKEN", "userCode")]


async def test_sign_in_accepts_the_user_code_in_any_case(api: httpx.AsyncClient):
    await register(api, GENEVIEVE, "GenCote86")
    assert (await sign_in(api, "GENCOTE86"))["errors"] == []


async def test_each_password_rule_broken_is_named(api: httpx.AsyncClient):
    """R4: each breach is one WEAK_PASSWORD whose message names the rule."""
    cases = {
        "Ab1!": ["8"],
        "alllowercase": ["3"],
        "xGenCote86x!": ["code"],
    }
    for password, words in cases.items():
        payload = await register(
            api, GENEVIEVE, "GenCote86", password=password, passwordConfirmation=password
        )
        weak = [e for e in payload["errors"] if e["code"] == "WEAK_PASSWORD"]
        assert weak, password
        assert all(e["field"] == "password" for e in weak)
        assert any(all(w in e["message"] for w in words) for e in weak), (password, weak)
    too_long = "Aa1!" * 65
    payload = await register(
        api, GENEVIEVE, "GenCote86", password=too_long, passwordConfirmation=too_long
    )
    assert codes(payload) == [("WEAK_PASSWORD", "password")]
    assert "128" in payload["errors"][0]["message"]


async def test_a_short_lowercase_password_gets_both_breaches(api: httpx.AsyncClient):
    payload = await register(
        api, GENEVIEVE, "GenCote86", password="abc", passwordConfirmation="abc"
    )
    assert codes(payload).count(("WEAK_PASSWORD", "password")) == 2


async def test_spaces_and_accents_count_as_symbols(api: httpx.AsyncClient):
    for password in ["fleuve noir é1", "Tempête au large"]:
        payload = await register(
            api, GENEVIEVE, "GenCote86", password=password, passwordConfirmation=password
        )
        assert payload["errors"] == [], password
        break


async def test_confirmation_must_match(api: httpx.AsyncClient):
    payload = await register(api, GENEVIEVE, "GenCote86", passwordConfirmation=PASSWORD + "x")
    assert codes(payload) == [("PASSWORD_MISMATCH", "passwordConfirmation")]


async def test_hint_must_not_reveal_the_password(api: httpx.AsyncClient):
    """R5: containing the password in any case is refused."""
    payload = await register(api, GENEVIEVE, "GenCote86", passwordHint=f"c'est {PASSWORD.upper()}")
    assert codes(payload) == [("HINT_REVEALS_PASSWORD", "passwordHint")]
    payload = await register(api, GENEVIEVE, "GenCote86", passwordHint="x" * 101)
    assert codes(payload) == [("INVALID_VALUE", "passwordHint")]


async def test_mothers_first_name_is_required_bounded_and_never_stored_in_clear(
    api: httpx.AsyncClient,
):
    payload = await register(api, GENEVIEVE, "GenCote86", mothersFirstName="   ")
    assert codes(payload) == [("REQUIRED", "mothersFirstName")]
    payload = await register(api, GENEVIEVE, "GenCote86", mothersFirstName="M" * 51)
    assert codes(payload) == [("INVALID_VALUE", "mothersFirstName")]
    await register(api, GENEVIEVE, "GenCote86")
    account = await Account.get(user_code="GenCote86")
    assert account.mothers_first_name_hash.startswith("$argon2id$")
    assert account.password_hash.startswith("$argon2id$")
    assert "Marie" not in account.mothers_first_name_hash


async def test_every_format_problem_is_reported_at_once_and_nothing_is_written(
    api: httpx.AsyncClient,
):
    values = registration(
        GENEVIEVE,
        "Gé",
        password="abc",
        passwordConfirmation="abd",
        passwordHint=" ",
        mothersFirstName="",
        profile={"firstName": " ", "lastName": "L" * 101, "email": "not-an-address"},
    )
    data = await gql(api, REGISTER, {"input": values})
    found = set(codes(data["register"]))
    assert {
        ("INVALID_USER_CODE", "userCode"),
        ("WEAK_PASSWORD", "password"),
        ("PASSWORD_MISMATCH", "passwordConfirmation"),
        ("REQUIRED", "passwordHint"),
        ("REQUIRED", "mothersFirstName"),
        ("REQUIRED", "profile.firstName"),
        ("INVALID_VALUE", "profile.lastName"),
        ("INVALID_VALUE", "profile.email"),
    } <= found
    assert await Account.all().count() == 0
    assert await AuditEvent.filter(event="registered").count() == 0


async def test_blank_numbers_are_required(api: httpx.AsyncClient):
    payload = await register(
        api, {**GENEVIEVE, "contractNumber": " ", "certificateNumber": ""}, "GenCote86"
    )
    assert codes(payload) == [("REQUIRED", "contractNumber"), ("REQUIRED", "certificateNumber")]


async def test_one_certificate_belongs_to_one_user_code(api: httpx.AsyncClient):
    """R2: a second registration of the same certificate is refused."""
    await register(api, GENEVIEVE, "GenCote86")
    payload = await register(api, GENEVIEVE, "Genevieve2")
    assert codes(payload) == [("CERTIFICATE_ALREADY_REGISTERED", "certificateNumber")]


async def test_messages_follow_accept_language(api: httpx.AsyncClient):
    values = registration({**GENEVIEVE, "contractNumber": "NOPE"}, "GenCote86")
    french = await gql(api, REGISTER, {"input": values})
    english = await gql(api, REGISTER, {"input": values}, language="en-CA,en;q=0.9")
    assert "correspondent" in french["register"]["errors"][0]["message"]
    assert "do not match" in english["register"]["errors"][0]["message"]


async def test_profile_given_by_mobile_is_shown_else_the_registry_name(api: httpx.AsyncClient):
    """R8."""
    profile = {
        "firstName": "Gen",
        "lastName": "Côté",
        "email": "gen@example.ca",
        "preferredLanguage": "EN",
    }
    await register(api, GENEVIEVE, "GenCote86", profile=profile)
    await register(api, SAMUEL, "SamOuellet", channel="WEB")
    gen = await Account.get(user_code="GenCote86")
    sam = await Account.get(user_code="SamOuellet")
    assert (gen.first_name, gen.email, gen.preferred_language) == ("Gen", "gen@example.ca", "en")
    assert (sam.first_name, sam.last_name, sam.email, sam.preferred_language) == (
        "Samuel",
        "Ouellet",
        None,
        "fr",
    )


async def test_twenty_concurrent_registrations_of_one_certificate(api: httpx.AsyncClient):
    """The unique key decides the race: one success, nineteen refusals, one link."""
    attempts = [register(api, GENEVIEVE, f"Racer{i:02d}") for i in range(20)]
    results = await asyncio.gather(*attempts)
    successes = [r for r in results if not r["errors"]]
    refused = [r for r in results if r["errors"]]
    assert len(successes) == 1
    assert all(
        codes(r) == [("CERTIFICATE_ALREADY_REGISTERED", "certificateNumber")] for r in refused
    )
    assert await AccountCertificate.all().count() == 1
    assert await Account.all().count() == 1
