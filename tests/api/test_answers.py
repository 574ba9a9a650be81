"""A member's remembered answers (issue 7's fast path) never outlive the rows they came from.

The gateway executes a viewer query again only when the session statement's rows change; each
test asks the same question before and after a change that some other request makes.
"""

import httpx

from gateway import agreements
from gateway.access import Role, create_key
from server.persisted import query_hash
from tests.api.journey import (
    ACCEPT,
    ERRORS,
    GENEVIEVE,
    GENEVIEVE_SECOND,
    LINK,
    PASSWORD,
    SIGN_OUT,
    VIEWER,
    activate,
    gql,
    load_demo_registry,
    register,
    sign_in,
    sign_in_active,
)

SESSIONS = "{ viewer { sessions { id current } } }"
REVOKE = f"mutation($id: ID!) {{ revokeSession(id: $id) {{ {ERRORS} }} }}"
CORRECT = (
    "mutation($u: String!, $p: ProfileInput!) { correctProfile(userCode: $u, profile: $p) "
    "{ errors { code } } }"
)
FRAGMENTED = """
query Mine { viewer { ...Who session { ...State } } }
fragment Who on Viewer { userCode profile { lastName } }
fragment State on Session { status selectedFile { contractNumber } }
"""


async def _member(api: httpx.AsyncClient) -> str:
    await register(api, GENEVIEVE, "GenCote86")
    token: str = (await sign_in(api, "GenCote86"))["token"]
    return token


async def test_the_same_question_follows_every_change_to_the_member(api: httpx.AsyncClient):
    """R11, R12, R9 and a staff correction, each seen by the very next viewer query."""
    token = await _member(api)
    first = (await gql(api, VIEWER, token=token))["viewer"]
    assert (await gql(api, VIEWER, token=token))["viewer"] == first
    assert first["session"]["status"] == "AGREEMENT_REQUIRED"

    current = await agreements.current_agreement()
    assert current is not None
    await gql(api, ACCEPT, {"version": current.version}, token=token)
    assert (await gql(api, VIEWER, token=token))["viewer"]["session"]["status"] == "ACTIVE"

    staff = await create_key("Service à la clientèle", Role.STAFF, [])
    profile = {"firstName": "Geneviève", "lastName": "Côté-Roy"}
    await gql(api, CORRECT, {"u": "GenCote86", "p": profile}, token=staff)
    assert (await gql(api, VIEWER, token=token))["viewer"]["profile"]["lastName"] == "Côté-Roy"

    linked = {**GENEVIEVE_SECOND, "userCode": "GenCote86", "password": PASSWORD}
    assert (await gql(api, LINK, {"input": linked}))["linkExistingCredentials"]["errors"] == []
    files = (await gql(api, VIEWER, token=token))["viewer"]["insuranceFiles"]
    assert [f["contractNumber"] for f in files] == ["G81234", "G55007"]


async def test_fragments_are_answered_like_the_fields_they_spread(api: httpx.AsyncClient):
    token = await _member(api)
    for _ in range(2):
        viewer = (await gql(api, FRAGMENTED, token=token))["viewer"]
        assert viewer["userCode"] == "GenCote86"
        assert viewer["session"]["selectedFile"]["contractNumber"] == "G81234"


async def test_the_session_list_is_read_again_every_time(api: httpx.AsyncClient):
    """The list reaches beyond the caller's own session, so no remembered answer covers it."""
    token = await activate(api, await _member(api))
    assert len((await gql(api, SESSIONS, token=token))["viewer"]["sessions"]) == 1
    await sign_in(api, "GenCote86")
    assert len((await gql(api, SESSIONS, token=token))["viewer"]["sessions"]) == 2


async def test_an_ended_session_gets_no_answer(api: httpx.AsyncClient):
    token = await _member(api)
    other = await sign_in_active(api, "GenCote86")
    assert (await gql(api, VIEWER, token=token))["viewer"] is not None
    assert (await gql(api, VIEWER, token=other))["viewer"] is not None

    await gql(api, SIGN_OUT, token=token)
    assert (await gql(api, VIEWER, token=token))["viewer"] is None

    listed = (await gql(api, SESSIONS, token=other))["viewer"]["sessions"]
    mine = next(s["id"] for s in listed if s["current"])
    signed_in_again = await sign_in_active(api, "GenCote86")
    assert (await gql(api, REVOKE, {"id": mine}, token=signed_in_again))["revokeSession"][
        "errors"
    ] == []
    assert (await gql(api, VIEWER, token=other))["viewer"] is None


async def test_answers_are_the_same_with_the_table_turned_off(make_client):
    async with make_client(answer_cache_size=0) as api:
        await load_demo_registry()
        token = await _member(api)
        viewer = (await gql(api, VIEWER, token=token))["viewer"]
        assert viewer["session"]["status"] == "AGREEMENT_REQUIRED"
        assert (await gql(api, VIEWER, token=token))["viewer"] == viewer


async def test_a_persisted_viewer_is_answered_like_the_document(api: httpx.AsyncClient):
    """Automatic persisted queries reach the same answers; a protocol version the gateway does
    not speak is refused as it is without a remembered answer."""
    token = await _member(api)
    headers = {"Authorization": f"Bearer {token}"}
    digest = query_hash(VIEWER)
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = await api.post(
        "/graphql", json={"query": VIEWER, "extensions": persisted}, headers=headers
    )
    for _ in range(2):
        by_hash = await api.post("/graphql", json={"extensions": persisted}, headers=headers)
        assert by_hash.json() == registered.json()
    other_version = {"persistedQuery": {"version": 2, "sha256Hash": digest}}
    refused = await api.post("/graphql", json={"extensions": other_version}, headers=headers)
    assert refused.status_code == 400
