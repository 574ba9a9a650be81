"""API keys: each role against each field and mutation, allowed and refused (R15, R8)."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from gateway.access import Role, create_key, revoke_key
from gateway.text import fold
from models.accounts import Account
from models.audit import AuditEvent
from models.registry import Certificate, Contract
from tests.api.journey import GENEVIEVE, SAMUEL, VIEWER, gql, gql_raw, register, sign_in

CONTRACTS = "{ partnerContracts { number productLine sponsorName planName certificateCount registeredCount } }"
ONE_CONTRACT = "query($n: String!) { partnerContract(number: $n) { number registeredCount } }"
MEMBERS = """
query($n: String!, $first: Int!, $after: String, $search: String) {
  partnerContract(number: $n) {
    members(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { certificateNumber firstName lastName status registeredOnline } }
    }
  }
}"""
STAFF_ACCOUNT = """
query($u: String!) {
  staffAccount(userCode: $u) {
    userCode profile { firstName lastName email preferredLanguage }
    insuranceFiles { contractNumber } locked lockedUntil activeSessionCount
  }
}"""
STAFF_RESULT = "account { userCode locked activeSessionCount profile { firstName lastName email } } errors { code field message }"
CORRECT = f"mutation($u: String!, $p: ProfileInput!) {{ correctProfile(userCode: $u, profile: $p) {{ {STAFF_RESULT} }} }}"
UNLOCK = f"mutation($u: String!) {{ unlockAccount(userCode: $u) {{ {STAFF_RESULT} }} }}"
REVOKE_ALL = f"mutation($u: String!) {{ revokeSessions(userCode: $u) {{ {STAFF_RESULT} }} }}"


@pytest.fixture
async def keys(api: httpx.AsyncClient) -> dict[str, str]:
    await register(api, GENEVIEVE, "GenCote86")
    await register(api, SAMUEL, "SamOuellet")
    member = (await sign_in(api, "GenCote86"))["token"]
    return {
        "partner": await create_key("Portail Coop forestière", Role.PARTNER, ["g81234", "RC3090"]),
        "staff": await create_key("Service à la clientèle", Role.STAFF, []),
        "member": member,
    }


def error_codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_partner_sees_the_contracts_of_its_scope_only(api, keys):
    body = await gql_raw(api, CONTRACTS, token=keys["partner"])
    contracts = body["data"]["partnerContracts"]
    assert [c["number"] for c in contracts] == ["G81234", "RC3090"]
    g81234 = contracts[0]
    assert g81234["productLine"] == "GROUP_INSURANCE"
    assert g81234["certificateCount"] >= 2 and g81234["registeredCount"] == 2

    inside = await gql(api, ONE_CONTRACT, {"n": " g81234 "}, token=keys["partner"])
    assert inside["partnerContract"]["number"] == "G81234"
    outside = await gql_raw(api, ONE_CONTRACT, {"n": "G55007"}, token=keys["partner"])
    assert outside["data"]["partnerContract"] is None
    assert error_codes(outside) == ["FORBIDDEN"]
    unknown = await gql_raw(api, ONE_CONTRACT, {"n": "NOPE"}, token=keys["partner"])
    assert error_codes(unknown) == ["FORBIDDEN"]


@pytest.mark.parametrize("who", ["member", "staff", None])
async def test_partner_views_refuse_every_other_caller(api, keys, who):
    token = keys[who] if who else None
    for query, variables in [(CONTRACTS, None), (ONE_CONTRACT, {"n": "G81234"})]:
        body = await gql_raw(api, query, variables, token=token)
        assert list(body["data"].values()) == [None]
        assert error_codes(body) == ["UNAUTHENTICATED" if who is None else "FORBIDDEN"]


@pytest.mark.parametrize("who", ["member", "partner", None])
async def test_staff_views_refuse_every_other_caller(api, keys, who):
    token = keys[who] if who else None
    body = await gql_raw(api, STAFF_ACCOUNT, {"u": "GenCote86"}, token=token)
    assert body["data"]["staffAccount"] is None
    assert error_codes(body) == ["UNAUTHENTICATED" if who is None else "FORBIDDEN"]
    expected = "AUTHENTICATION_REQUIRED" if who is None else "FORBIDDEN"
    for mutation, variables in [
        (CORRECT, {"u": "GenCote86", "p": {"firstName": "X", "lastName": "Y"}}),
        (UNLOCK, {"u": "GenCote86"}),
        (REVOKE_ALL, {"u": "GenCote86"}),
    ]:
        data = await gql(api, mutation, variables, token=token)
        payload = next(iter(data.values()))
        assert payload["account"] is None
        assert [e["code"] for e in payload["errors"]] == [expected]
    account = await Account.get(user_code="GenCote86")
    assert account.first_name == "Geneviève"
    assert (await gql(api, VIEWER, token=keys["member"]))["viewer"] is not None


@pytest.mark.parametrize("role", ["partner", "staff"])
async def test_keys_never_reach_the_member_side(api, keys, role):
    token = keys[role]
    assert (await gql(api, VIEWER, token=token))["viewer"] is None
    signed = await gql(
        api,
        'mutation { signIn(input: {userCode: "GenCote86", password: "Erable!2024"}) { token errors { code } } }',
        token=token,
    )
    assert signed["signIn"] == {"token": None, "errors": [{"code": "FORBIDDEN"}]}
    selected = await gql(
        api, 'mutation { selectInsuranceFile(fileId: "x") { errors { code } } }', token=token
    )
    assert selected["selectInsuranceFile"]["errors"] == [{"code": "FORBIDDEN"}]


async def _big_contract() -> None:
    contract = await Contract.get(number="G81234")
    people = [("Émilie", "Tremblay"), ("Emile", "Tremblay"), ("Zoé", "Gagnon"), ("Luc", "Roy")]
    for n in range(24):
        first, last = people[n % 4]
        await Certificate.create(
            contract=contract,
            number=f"9{n:03d}",
            first_name=first,
            last_name=f"{last}{n // 4}",
            date_of_birth=date(1990, 1, 1 + n),
            status="ACTIVE",
            effective_date=date(2020, 1, 1),
            search_text=fold(f"{first} {last}{n // 4}"),
        )


async def test_members_page_through_in_a_stable_order(api, keys):
    await _big_contract()
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await gql(
            api, MEMBERS, {"n": "G81234", "first": 7, "after": after}, token=keys["partner"]
        )
        connection = data["partnerContract"]["members"]
        assert connection["totalCount"] == 26
        seen += [e["node"]["certificateNumber"] for e in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]
    assert pages == 4 and len(seen) == len(set(seen)) == 26
    single = await gql(api, MEMBERS, {"n": "G81234", "first": 100}, token=keys["partner"])
    assert [
        e["node"]["certificateNumber"] for e in single["partnerContract"]["members"]["edges"]
    ] == seen
    registered = {
        e["node"]["certificateNumber"]
        for e in single["partnerContract"]["members"]["edges"]
        if e["node"]["registeredOnline"]
    }
    assert registered == {"0004417", "0004418"}


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_first_out_of_range_is_a_clear_error(api, keys, first):
    body = await gql_raw(api, MEMBERS, {"n": "G81234", "first": first}, token=keys["partner"])
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in body["errors"][0]["message"]


async def test_a_forged_cursor_is_a_clear_error(api, keys):
    body = await gql_raw(
        api, MEMBERS, {"n": "G81234", "first": 5, "after": "bm9wZQ"}, token=keys["partner"]
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_search_ignores_accents_and_case_and_finds_numbers(api, keys):
    await _big_contract()

    async def search(text: str) -> list[str]:
        data = await gql(
            api, MEMBERS, {"n": "G81234", "first": 100, "search": text}, token=keys["partner"]
        )
        return [e["node"]["firstName"] for e in data["partnerContract"]["members"]["edges"]]

    assert set(await search("EMILIE")) == {"Émilie"}
    assert set(await search("emil")) == {"Émilie", "Emile"}
    assert await search("côté") == ["Geneviève"]
    assert await search("0004418") == ["Samuel"]
    assert await search("zzz") == []


async def test_partners_never_see_dates_of_birth_or_user_codes(api, keys):
    body = await gql_raw(api, '{ __type(name: "PartnerMember") { fields { name } } }')
    names = {f["name"] for f in body["data"]["__type"]["fields"]}
    assert names == {"certificateNumber", "firstName", "lastName", "status", "registeredOnline"}


async def test_partner_reads_are_audited_with_the_key_name(api, keys):
    await gql(api, MEMBERS, {"n": "G81234", "first": 5}, token=keys["partner"])
    event = await AuditEvent.get(event="partner_listed_members")
    assert event.actor == "Portail Coop forestière"


async def test_staff_see_and_correct_an_account(api, keys):
    data = await gql(api, STAFF_ACCOUNT, {"u": "gencote86"}, token=keys["staff"])
    account = data["staffAccount"]
    assert account["userCode"] == "GenCote86"
    assert account["locked"] is False and account["activeSessionCount"] == 1
    assert [f["contractNumber"] for f in account["insuranceFiles"]] == ["G81234"]
    assert (await gql(api, STAFF_ACCOUNT, {"u": "Nobody123"}, token=keys["staff"]))[
        "staffAccount"
    ] is None

    bad = await gql(
        api,
        CORRECT,
        {"u": "GenCote86", "p": {"firstName": " ", "lastName": "Côté", "email": "x"}},
        token=keys["staff"],
    )
    assert [(e["code"], e["field"]) for e in bad["correctProfile"]["errors"]] == [
        ("REQUIRED", "profile.firstName"),
        ("INVALID_VALUE", "profile.email"),
    ]
    profile = {"firstName": "Geneviève", "lastName": "Côté-Roy", "email": "gcr@example.ca"}
    good = await gql(api, CORRECT, {"u": "GenCote86", "p": profile}, token=keys["staff"])
    assert good["correctProfile"]["errors"] == []
    assert good["correctProfile"]["account"]["profile"]["lastName"] == "Côté-Roy"
    viewer = (await gql(api, VIEWER, token=keys["member"]))["viewer"]
    assert viewer["profile"]["lastName"] == "Côté-Roy"
    event = await AuditEvent.get(event="profile_corrected")
    assert event.actor == "Service à la clientèle"
    assert event.details["previous"]["lastName"] == "Côté"

    missing = await gql(api, UNLOCK, {"u": "Nobody123"}, token=keys["staff"])
    assert [(e["code"], e["field"]) for e in missing["unlockAccount"]["errors"]] == [
        ("NOT_FOUND", "userCode")
    ]


async def test_staff_unlock_and_end_sessions(api, keys):
    for _ in range(5):
        await sign_in(api, "SamOuellet", "Wrong!Pass1")
    locked = await gql(api, STAFF_ACCOUNT, {"u": "SamOuellet"}, token=keys["staff"])
    assert locked["staffAccount"]["locked"] is True and locked["staffAccount"]["lockedUntil"]
    unlocked = await gql(api, UNLOCK, {"u": "SamOuellet"}, token=keys["staff"])
    assert unlocked["unlockAccount"]["account"]["locked"] is False
    assert (await sign_in(api, "SamOuellet"))["errors"] == []

    ended = await gql(api, REVOKE_ALL, {"u": "GenCote86"}, token=keys["staff"])
    assert ended["revokeSessions"]["account"]["activeSessionCount"] == 0
    assert (await gql(api, VIEWER, token=keys["member"]))["viewer"] is None
    assert await AuditEvent.filter(actor="Service à la clientèle").count() >= 2


async def test_a_revoked_key_is_refused_at_the_next_request(api, keys):
    assert (await gql_raw(api, CONTRACTS, token=keys["partner"]))["data"]["partnerContracts"]
    await revoke_key("Portail Coop forestière")
    body = await gql_raw(api, CONTRACTS, token=keys["partner"])
    assert body["data"]["partnerContracts"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_keys_are_stored_as_digests_and_track_last_use(api, keys):
    from models.apikeys import ApiKey

    record = await ApiKey.get(name="Portail Coop forestière")
    assert keys["partner"].startswith("gwk_") and len(keys["partner"]) >= 47
    assert keys["partner"] not in record.key_hash and record.last_used_at is None
    await gql_raw(api, CONTRACTS, token=keys["partner"])
    record = await ApiKey.get(name="Portail Coop forestière")
    assert record.last_used_at is not None
    assert datetime.now(UTC) - record.last_used_at < timedelta(minutes=1)
