"""A claim's whole life inside one gateway (GATEWAY_CLAIMS_SYSTEM=builtin, what `make run`
shows): submitted, received by the reference claims system, decided with the plan's
claimRules, and the decision back through the signed hook; and the hook's refusals."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from gateway.claim_records import Decision, LineDecision
from gateway.delivery import claims_secret
from gateway.fhir_claims import claim_response_resource, resource_json
from gateway.settings import Settings
from gateway.signing import SIGNATURE_HEADER, sign
from models.attempts import ServerSecret
from models.claims import Claim as ClaimRow
from tests.api.claims_journey import (
    CLAIM,
    claim_input,
    genevieve_active,
    persons,
    receipt_id,
    submit,
)
from tests.api.journey import gql, load_demo_registry
from tests.support import ClientFactory


async def eventually(
    client: httpx.AsyncClient, token: str, claim_id: str, status: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        claim = (await gql(client, CLAIM, {"id": claim_id}, token=token))["viewer"]["claim"]
        if claim["status"] == status or time.monotonic() > deadline:
            return claim
        await asyncio.sleep(0.1)


async def test_a_claim_is_received_decided_and_paid(make_client: ClientFactory) -> None:
    async with make_client(claims_system="builtin") as client:
        await load_demo_registry()
        token = await genevieve_active(client)
        people = await persons(client, token)
        lines = [
            {"serviceType": "PHYSIOTHERAPY", "serviceDate": "2026-11-20", "amountCents": 9500},
            {
                "serviceType": "MASSAGE_THERAPY",
                "serviceDate": "2026-11-21",
                "amountCents": 8000,
                "otherPlanPaidCents": 5000,
            },
            {"serviceType": "ACUPUNCTURE", "serviceDate": "2026-11-22", "amountCents": 6000},
        ]
        made = await submit(
            client,
            token,
            claim_input(people["Mathieu"], [await receipt_id(client, token)], lines=lines),
        )
        assert made["errors"] == []
        paid = await eventually(client, token, made["claim"]["id"], "PAID")
        assert paid["status"] == "PAID", paid
        # registry-format.md: 80 % of 95.00; min(80 % of 80.00, 80.00 - 50.00); not covered
        assert paid["decision"]["paidCents"] == 7600 + 3000
        assert paid["decision"]["eligibleCents"] == 9500 + 8000
        assert "Ligne 3" in paid["decision"]["reason"]  # French by default
        assert "acupuncture" in paid["decision"]["reason"].lower()
        english = await gql(client, CLAIM, {"id": made["claim"]["id"]}, token=token, language="en")
        assert "not covered by your plan" in english["viewer"]["claim"]["decision"]["reason"]


async def test_the_hook_trusts_only_fresh_signed_unseen_decisions(
    make_client: ClientFactory,
) -> None:
    async with make_client() as client:
        await load_demo_registry()
        token = await genevieve_active(client)
        people = await persons(client, token)
        made = await submit(
            client, token, claim_input(people["Geneviève"], [await receipt_id(client, token)])
        )
        row = await ClaimRow.get()
        key = (await ServerSecret.get(name="server_key")).value.encode()
        secret = claims_secret(Settings(), key)  # no secret set: derived from the server key
        decision = Decision(
            claim_id=row.public_id,
            event_id=str(uuid.uuid4()),
            outcome="PAID",
            eligible_cents=9500,
            paid_cents=7600,
            reason_fr="Ligne 1 : 80 %.",
            reason_en="Line 1: 80 %.",
            decided_at=datetime.now(UTC),
            patient_id=people["Geneviève"],
            category="HEALTH",
        )
        body = resource_json(
            claim_response_resource(decision, (LineDecision(9500, 7600, "80 %", "80 %"),))
        )

        async def post(payload: bytes, signature: str | None) -> int:
            headers = {SIGNATURE_HEADER: signature} if signature else {}
            return (
                await client.post("/hooks/claims", content=payload, headers=headers)
            ).status_code

        assert await post(body, None) == 401
        assert (
            await post(body, sign("another secret entirely, 32 chars+", body, now=time.time()))
            == 401
        )
        assert await post(body, sign(secret, body, now=time.time() - 600)) == 401
        assert await post(body + b" ", sign(secret, body, now=time.time())) == 401
        assert await post(b"{}", sign(secret, b"{}", now=time.time())) == 400
        assert await post(body, sign(secret, body, now=time.time())) == 200
        assert await post(body, sign(secret, body, now=time.time())) == 409  # replayed
        claim = (await gql(client, CLAIM, {"id": made["claim"]["id"]}, token=token))["viewer"][
            "claim"
        ]
        assert claim["status"] == "PAID" and claim["decision"]["paidCents"] == 7600
