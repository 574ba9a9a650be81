"""Claims through the API (R13, R17, issue 18): receipts, submission exactly once, the rules of
coverage, the history, direct deposit and the payment card, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from gateway.access import Role, create_key
from gateway.receipts import delete_stale
from models.audit import AuditEvent
from models.claims import Claim as ClaimRow
from models.claims import DirectDeposit as DepositRow
from models.claims import OutboxMessage, ReceiptBlob
from store.receipt_blobs import DatabaseReceiptStore
from tests.api.claims_journey import (
    CLAIM,
    CLAIMS,
    SUBMIT,
    claim_input,
    genevieve_active,
    persons,
    png_bytes,
    receipt_id,
    submit,
    upload,
    upload_raw,
)
from tests.api.journey import (
    ERRORS,
    GENEVIEVE_SECOND,
    PASSWORD,
    codes,
    gql,
    gql_raw,
    link,
    load_demo_registry,
    register,
    sign_in_active,
)
from tests.support import ClientFactory

TODAY = date.today()


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def test_insured_persons_and_the_payment_card(api: httpx.AsyncClient) -> None:
    """R1: the card shows the numbers to register with, and who the file covers."""
    token = await genevieve_active(api)
    data = await gql(
        api,
        """{ viewer { paymentCard { sponsorName planName contractNumber certificateNumber
             insuredPersons { firstName lastName relationship } } } }""",
        token=token,
    )
    card = data["viewer"]["paymentCard"]
    assert card["contractNumber"] == "G81234" and card["certificateNumber"] == "0004417"
    assert card["sponsorName"] == "Coopérative forestière du Haut-Saint-Maurice"
    assert [(p["firstName"], p["relationship"]) for p in card["insuredPersons"]] == [
        ("Geneviève", "MEMBER"),
        ("Mathieu", "SPOUSE"),
        ("Léa", "CHILD"),
    ]


async def test_a_claim_is_recorded_with_its_receipt_and_a_human_reference(
    api: httpx.AsyncClient,
) -> None:
    token = await genevieve_active(api)
    people = await persons(api, token)
    receipt = await receipt_id(api, token)
    pending = await gql(api, "{ viewer { pendingReceipts { id } } }", token=token)
    assert [r["id"] for r in pending["viewer"]["pendingReceipts"]] == [receipt]
    payload = await submit(api, token, claim_input(people["Léa"], [receipt]))
    assert payload["errors"] == []
    claim = payload["claim"]
    assert re.fullmatch(r"R360-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}", claim["reference"])
    assert claim["status"] == "SUBMITTED"
    assert claim["patient"] == {
        "id": people["Léa"],
        "firstName": "Léa",
        "lastName": "Côté",
        "relationship": "CHILD",
    }
    assert claim["totalCents"] == 9500 and claim["decision"] is None
    assert [r["id"] for r in claim["receipts"]] == [receipt]
    assert claim["receipts"][0]["contentType"] == "image/png"
    pending = await gql(api, "{ viewer { pendingReceipts { id } } }", token=token)
    assert pending["viewer"]["pendingReceipts"] == []
    assert await OutboxMessage.all().count() == 1  # written with the claim


async def test_a_retry_returns_the_same_claim_and_a_reused_key_is_refused(
    api: httpx.AsyncClient,
) -> None:
    token = await genevieve_active(api)
    people = await persons(api, token)
    values = claim_input(people["Geneviève"], [await receipt_id(api, token)])
    first = await submit(api, token, values)
    again = await submit(api, token, values)
    assert again["errors"] == [] and again["claim"]["id"] == first["claim"]["id"]
    assert again["claim"]["reference"] == first["claim"]["reference"]
    changed = await submit(api, token, {**values, "providerName": "Autre clinique"})
    assert codes(changed) == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]
    assert changed["claim"] is None
    assert await ClaimRow.all().count() == 1


async def test_thirty_retries_at_once_make_one_claim(api: httpx.AsyncClient) -> None:
    """The same submission sent 30 times at once (a flaky network, an eager app)."""
    token = await genevieve_active(api)
    people = await persons(api, token)
    values = claim_input(people["Geneviève"], [await receipt_id(api, token)])
    answers = await asyncio.gather(*(submit(api, token, values) for _ in range(30)))
    ids = {answer["claim"]["id"] for answer in answers if answer["claim"]}
    assert len(ids) == 1, answers
    assert all(answer["errors"] == [] for answer in answers), answers
    assert await ClaimRow.all().count() == 1


async def test_the_same_care_twice_is_a_duplicate_even_at_once(api: httpx.AsyncClient) -> None:
    """Two different keys, the same person, service, date, provider and amount."""
    token = await genevieve_active(api)
    people = await persons(api, token)
    receipts = [await receipt_id(api, token) for _ in range(10)]
    values = [claim_input(people["Mathieu"], [r]) for r in receipts]
    same_care = {key: values[0][key] for key in ("lines", "providerName", "patientId")}
    answers = await asyncio.gather(*(submit(api, token, v | same_care) for v in values))
    made = [a for a in answers if a["claim"] is not None]
    assert len(made) == 1, answers
    assert all(codes(a) == [("DUPLICATE_CLAIM", None)] for a in answers if a["claim"] is None)
    assert await ClaimRow.all().count() == 1


async def test_every_line_rule_is_told_at_once_and_nothing_is_written(
    api: httpx.AsyncClient,
) -> None:
    token = await genevieve_active(api)
    people = await persons(api, token)
    receipt = await receipt_id(api, token)
    lines = [
        {"serviceType": "EYEGLASSES", "serviceDate": days_ago(1), "amountCents": 100},
        {"serviceType": "MASSAGE_THERAPY", "serviceDate": days_ago(-1), "amountCents": 100},
        {"serviceType": "MASSAGE_THERAPY", "serviceDate": days_ago(400), "amountCents": 100},
        {"serviceType": "MASSAGE_THERAPY", "serviceDate": days_ago(2), "amountCents": 0},
        {"serviceType": "MASSAGE_THERAPY", "serviceDate": days_ago(2), "amountCents": 10_000_001},
        {
            "serviceType": "MASSAGE_THERAPY",
            "serviceDate": days_ago(2),
            "amountCents": 500,
            "otherPlanPaidCents": 501,
        },
    ]
    answer = await submit(
        api,
        token,
        claim_input(people["Léa"], [receipt], lines=lines, providerName=" x "),
    )
    assert set(codes(answer)) == {
        ("INVALID_VALUE", "lines[0].serviceType"),
        ("OUTSIDE_COVERAGE", "lines[1].serviceDate"),
        ("OUTSIDE_COVERAGE", "lines[2].serviceDate"),
        ("INVALID_VALUE", "lines[3].amountCents"),
        ("INVALID_VALUE", "lines[4].amountCents"),
        ("INVALID_VALUE", "lines[5].otherPlanPaidCents"),
        ("INVALID_VALUE", "providerName"),
    }
    assert all(error["message"] for error in answer["errors"])
    assert await ClaimRow.all().count() == 0
    english = await gql(
        api,
        SUBMIT,
        {"input": claim_input(people["Léa"], [receipt], lines=lines[1:2])},
        token=token,
        language="en",
    )
    assert (
        english["submitClaim"]["errors"][0]["message"]
        == "The service date cannot be in the future."
    )


async def test_someone_the_file_does_not_cover_is_not_a_patient(api: httpx.AsyncClient) -> None:
    samuel = await register(
        api,
        {"contractNumber": "G81234", "certificateNumber": "0004418", "dateOfBirth": "1979-11-02"},
        "SamOuellet",
    )
    assert samuel["errors"] == []
    samuel_token = await sign_in_active(api, "SamOuellet")
    token = await genevieve_active(api)
    genevieves_child = (await persons(api, token))["Léa"]
    receipt = await receipt_id(api, samuel_token)
    answer = await submit(api, samuel_token, claim_input(genevieves_child, [receipt]))
    assert codes(answer) == [("INVALID_VALUE", "patientId")]
    # nor is another member's receipt one's own
    someone_elses = await receipt_id(api, token)
    samuel_self = (await persons(api, samuel_token))["Samuel"]
    answer = await submit(api, samuel_token, claim_input(samuel_self, [someone_elses]))
    assert codes(answer) == [("INVALID_VALUE", "receiptIds[0]")]


async def test_features_the_plan_does_not_offer_are_refused(api: httpx.AsyncClient) -> None:
    """R13: G55007 offers health and vision claims, no history, no deposit, no card."""
    token = await genevieve_active(api)
    linked = await link(api, GENEVIEVE_SECOND)
    second_token = linked["token"]
    file_id = next(f["id"] for f in linked["insuranceFiles"] if f["contractNumber"] == "G55007")
    selected = await gql(
        api,
        f'mutation {{ selectInsuranceFile(fileId: "{file_id}") {{ session {{ status }} {ERRORS} }} }}',
        token=second_token,
    )
    assert selected["selectInsuranceFile"]["session"]["status"] == "ACTIVE"
    people = await persons(api, second_token)
    receipt = await receipt_id(api, second_token)
    dental = claim_input(
        people["Geneviève"],
        [receipt],
        category="DENTAL",
        lines=[{"serviceType": "DENTAL_CARE", "serviceDate": days_ago(2), "amountCents": 100}],
    )
    assert codes(await submit(api, second_token, dental)) == [("FEATURE_NOT_AVAILABLE", "category")]
    history = await gql_raw(api, CLAIMS, {"first": 5}, token=second_token)
    assert history["errors"][0]["extensions"]["code"] == "FEATURE_NOT_AVAILABLE"
    card = await gql_raw(api, "{ viewer { paymentCard { planName } } }", token=second_token)
    assert card["errors"][0]["extensions"]["code"] == "FEATURE_NOT_AVAILABLE"
    # a claim submitted in this session stays readable by its id, without the history
    vision = claim_input(
        people["Geneviève"],
        [receipt],
        category="VISION",
        lines=[{"serviceType": "EYE_EXAM", "serviceDate": days_ago(2), "amountCents": 9000}],
    )
    made = await submit(api, second_token, vision)
    assert made["errors"] == []
    read = await gql(api, CLAIM, {"id": made["claim"]["id"]}, token=second_token)
    assert read["viewer"]["claim"]["reference"] == made["claim"]["reference"]
    # the first session chose the other file: the claim is not its file's
    other = await gql(api, CLAIM, {"id": made["claim"]["id"]}, token=token)
    assert other["viewer"]["claim"] is None


async def test_the_history_pages_newest_first_with_sealed_cursors(api: httpx.AsyncClient) -> None:
    token = await genevieve_active(api)
    people = await persons(api, token)
    references = []
    for days in range(1, 6):
        values = claim_input(
            people["Geneviève"],
            [await receipt_id(api, token)],
            lines=[
                {
                    "serviceType": "PHYSIOTHERAPY",
                    "serviceDate": days_ago(days),
                    "amountCents": 1000 + days,
                }
            ],
        )
        references.append((await submit(api, token, values))["claim"]["reference"])
    seen = []
    after = None
    while True:
        page = (await gql(api, CLAIMS, {"first": 2, "after": after}, token=token))["viewer"][
            "claims"
        ]
        seen += [edge["node"]["reference"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == references[::-1]
    tampered = await gql_raw(api, CLAIMS, {"first": 2, "after": after[:-2] + "xx"}, token=token)
    assert tampered["errors"][0]["extensions"]["code"] == "INVALID_VALUE"
    too_many = await gql_raw(api, CLAIMS, {"first": 51}, token=token)
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_VALUE"


async def test_a_session_not_active_sees_nothing_of_the_claims(api: httpx.AsyncClient) -> None:
    token = await genevieve_active(api)
    people = await persons(api, token)
    receipt = await receipt_id(api, token)
    fresh = (
        await gql(
            api,
            """mutation { signIn(input: {userCode: "GenCote86", password: "Erable!2024", channel: MOBILE}) { token session { status } } }""",
        )
    )["signIn"]
    assert fresh["session"]["status"] == "ACTIVE"  # the agreement is accepted by the account
    signed_out = await gql(api, "mutation { signOut { errors { code } } }", token=fresh["token"])
    assert signed_out["signOut"]["errors"] == []
    answer = await gql(
        api, SUBMIT, {"input": claim_input(people["Léa"], [receipt])}, token=fresh["token"]
    )
    assert codes(answer["submitClaim"]) == [("AUTHENTICATION_REQUIRED", None)]


async def test_receipts_are_checked_by_content_and_cleaned(api: httpx.AsyncClient) -> None:
    token = await genevieve_active(api)
    text = await upload(api, token, b"%PDF-1.7 but not really, just text")
    assert codes(text) == [("INVALID_RECEIPT", "file")]
    exe = await upload(api, token, b"MZ\x90\x00" + b"\x00" * 200)
    assert codes(exe) == [("INVALID_RECEIPT", "file")]
    image = Image.new("RGB", (64, 48), (10, 20, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (46.0, 49.0, 0.0)}  # a GPS position
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    assert b"Exif" in buffer.getvalue()
    stored = await upload(api, token, buffer.getvalue())
    assert stored["errors"] == []
    assert stored["receipt"]["contentType"] == "image/jpeg"
    response = await api.get(
        f"/receipts/{stored['receipt']['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert b"Exif" not in response.content and b"GPS" not in response.content
    assert Image.open(io.BytesIO(response.content)).getexif() == {}


async def test_a_receipt_is_its_owners_alone(api: httpx.AsyncClient) -> None:
    token = await genevieve_active(api)
    receipt = await receipt_id(api, token)
    assert (await api.get(f"/receipts/{receipt}")).status_code == 401
    samuel = await register(
        api,
        {"contractNumber": "G81234", "certificateNumber": "0004418", "dateOfBirth": "1979-11-02"},
        "SamOuellet",
    )
    assert samuel["errors"] == []
    other = await sign_in_active(api, "SamOuellet")
    refused = await api.get(f"/receipts/{receipt}", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 404
    forged = await api.get(
        f"/receipts/{receipt[:-2]}AA", headers={"Authorization": f"Bearer {token}"}
    )
    assert forged.status_code == 404


async def test_multipart_needs_a_preflight_header_and_carries_only_uploads(
    api: httpx.AsyncClient,
) -> None:
    token = await genevieve_active(api)
    no_header = await upload_raw(api, token, png_bytes(), headers={})
    assert no_header.status_code == 400
    assert no_header.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    smuggled = await upload_raw(
        api,
        token,
        png_bytes(),
        query="mutation($file: Upload!) { signOutEverywhere { errors { code } } }",
    )
    assert smuggled.status_code == 400
    assert await gql(api, "{ viewer { userCode } }", token=token)  # still signed in


async def test_a_file_over_the_limit_is_refused_by_name(make_client: ClientFactory) -> None:
    async with make_client(receipt_max_bytes=1024 * 1024) as client:
        await load_demo_registry()
        token = await genevieve_active(client)
        big = png_bytes() + b"\x00" * (1024 * 1024)
        answer = await upload_raw(client, token, big)
        assert answer.status_code == 200, answer.text
        payload = answer.json()["data"]["uploadReceipt"]
        assert codes(payload) == [("INVALID_RECEIPT", "file")]
        assert payload["errors"][0]["message"] == "Ce fichier dépasse 1 Mo."
        beyond_any_receipt = await upload_raw(client, token, b"\x00" * (3 * 1024 * 1024))
        assert beyond_any_receipt.status_code == 413


async def test_at_most_so_many_receipts_wait(make_client: ClientFactory) -> None:
    async with make_client(max_pending_receipts=3) as client:
        await load_demo_registry()
        token = await genevieve_active(client)
        answers = await asyncio.gather(*(upload(client, token) for _ in range(3)))
        assert all(a["errors"] == [] for a in answers)
        fourth = await upload(client, token)
        assert codes(fourth) == [("INVALID_RECEIPT", "file")]


async def test_the_pending_receipts_limit_holds_under_a_burst(make_client: ClientFactory) -> None:
    async with make_client(max_pending_receipts=5) as client:
        await load_demo_registry()
        token = await genevieve_active(client)
        answers = await asyncio.gather(*(upload(client, token) for _ in range(30)))
        stored = [a for a in answers if a["errors"] == []]
        assert 1 <= len(stored) <= 5
        assert all(codes(a) == [("INVALID_RECEIPT", "file")] for a in answers if a["errors"])
        pending = await gql(client, "{ viewer { pendingReceipts { id } } }", token=token)
        assert len(pending["viewer"]["pendingReceipts"]) == len(stored)
        assert await ReceiptBlob.all().count() == len(stored)


async def test_direct_deposit_needs_the_password_and_ends_other_sessions(
    api: httpx.AsyncClient,
) -> None:
    token = await genevieve_active(api)
    other = await sign_in_active(api, "GenCote86")
    mutation = f"""mutation Deposit($input: DirectDepositInput!) {{
      setDirectDeposit(input: $input) {{
        directDeposit {{ institutionNumber transitNumber accountNumberLast3 updatedAt }} {ERRORS}
      }} }}"""
    bad = {
        "institutionNumber": "12",
        "transitNumber": "1234a",
        "accountNumber": "123",
        "currentPassword": PASSWORD,
    }
    invalid = (await gql(api, mutation, {"input": bad}, token=token))["setDirectDeposit"]
    assert set(codes(invalid)) == {
        ("INVALID_VALUE", "institutionNumber"),
        ("INVALID_VALUE", "transitNumber"),
        ("INVALID_VALUE", "accountNumber"),
    }
    good = {
        "institutionNumber": "815",
        "transitNumber": "30121",
        "accountNumber": "0045678123",
        "currentPassword": "wrong-Password1!",
    }
    wrong = (await gql(api, mutation, {"input": good}, token=token))["setDirectDeposit"]
    assert codes(wrong) == [("REAUTHENTICATION_FAILED", "currentPassword")]
    done = (await gql(api, mutation, {"input": good | {"currentPassword": PASSWORD}}, token=token))[
        "setDirectDeposit"
    ]
    assert done["errors"] == []
    assert done["directDeposit"]["accountNumberLast3"] == "123"
    row = await DepositRow.get()
    assert "0045678123" not in row.account_number_sealed
    read = await gql(api, "{ viewer { directDeposit { accountNumberLast3 } } }", token=token)
    assert read["viewer"]["directDeposit"] == {"accountNumberLast3": "123"}
    ended = await gql(api, "{ viewer { userCode } }", token=other)
    assert ended["viewer"] is None  # the other session ended
    events = await gql(api, "{ viewer { securityEvents { kind } } }", token=token)
    assert "DIRECT_DEPOSIT_CHANGED" in [e["kind"] for e in events["viewer"]["securityEvents"]]


async def test_staff_read_claims_audited_and_partners_reach_none(api: httpx.AsyncClient) -> None:
    """Health data: staff read it through staffAccount.claims, each read audited with the key's
    name and the request id; a partner key reaches no claim, receipt or bank account."""
    token = await genevieve_active(api)
    people = await persons(api, token)
    made = await submit(api, token, claim_input(people["Léa"], [await receipt_id(api, token)]))
    staff = await create_key("Service à la clientèle", Role.STAFF, [])
    partner = await create_key("Portail Coop forestière", Role.PARTNER, ["G81234"])
    read = await gql(
        api,
        """{ staffAccount(userCode: "GenCote86") { claims(first: 5) {
             reference status patient { firstName } totalCents } } }""",
        token=staff,
    )
    assert read["staffAccount"]["claims"] == [
        {
            "reference": made["claim"]["reference"],
            "status": "SUBMITTED",
            "patient": {"firstName": "Léa"},
            "totalCents": 9500,
        }
    ]
    audited = await AuditEvent.filter(event="staff_read_claims").first()
    assert audited is not None and audited.actor == "Service à la clientèle"
    assert audited.request_id
    as_viewer = await gql_raw(
        api, "{ viewer { claims { edges { node { reference } } } } }", token=partner
    )
    assert as_viewer == {"data": {"viewer": None}}  # a key is nobody's viewer
    as_staff = await gql_raw(
        api, '{ staffAccount(userCode: "GenCote86") { claims { reference } } }', token=partner
    )
    assert as_staff["errors"][0]["extensions"]["code"] == "FORBIDDEN", as_staff
    receipt = made["claim"]["receipts"][0]["id"]
    as_partner = await api.get(
        f"/receipts/{receipt}", headers={"Authorization": f"Bearer {partner}"}
    )
    assert as_partner.status_code == 401


async def test_receipts_never_attached_are_deleted_after_a_day(api: httpx.AsyncClient) -> None:
    token = await genevieve_active(api)
    kept = await receipt_id(api, token)
    people = await persons(api, token)
    await submit(api, token, claim_input(people["Léa"], [kept]))
    forgotten = await receipt_id(api, token)
    store = DatabaseReceiptStore()
    assert await delete_stale(store, now=datetime.now(UTC)) == 0  # not a day old yet
    assert await delete_stale(store, now=datetime.now(UTC) + timedelta(hours=25)) == 1
    pending = await gql(api, "{ viewer { pendingReceipts { id } } }", token=token)
    assert pending["viewer"]["pendingReceipts"] == []
    gone = await api.get(f"/receipts/{forgotten}", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 404
    attached = await api.get(f"/receipts/{kept}", headers={"Authorization": f"Bearer {token}"})
    assert attached.status_code == 200


async def test_receipts_can_live_in_s3_object_storage(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GATEWAY_RECEIPT_STORE=s3://bucket/prefix, against a real S3 server on this machine."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    bucket = f"receipts-{uuid.uuid4().hex[:12]}"  # moto's buckets outlive its server
    s3.create_bucket(Bucket=bucket)
    try:
        async with make_client(receipt_store=f"s3://{bucket}/gateway") as client:
            await load_demo_registry()
            token = await genevieve_active(client)
            receipt = await receipt_id(client, token)
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
            assert len(keys) == 1 and keys[0].startswith("gateway/")
            read = await client.get(
                f"/receipts/{receipt}", headers={"Authorization": f"Bearer {token}"}
            )
            assert read.status_code == 200
            assert read.content == s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
            assert await ReceiptBlob.all().count() == 0  # nothing in the database
    finally:
        server.stop()
