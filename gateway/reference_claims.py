"""A reference claims system: what the insurer's would do, for the demo and the tests.

It takes a signed FHIR Claim, once per claim id however often it is sent, adjudicates it with
the plan's ``claimRules`` exactly as contract/registry-format.md says, and, after a short
delay, posts the signed ClaimResponse back to the gateway's hook until the gateway takes it.
Inside the gateway (``GATEWAY_CLAIMS_SYSTEM=builtin``) both directions are function calls
through the same bytes and signatures; alone (``gateway claims-system serve``) they are HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from gateway.adjudication import adjudicate
from gateway.claim_records import ClaimForDelivery, ClaimRule
from gateway.fhir_claims import (
    ClaimResponseInvalid,
    claim_from_resource,
    claim_response_resource,
    resource_json,
)
from gateway.signing import SignatureInvalid, sign, verify
from store import claims as stored_claims
from store import reference

log = logging.getLogger("gateway.reference_claims")

# (ClaimResponse body, its signature header) -> whether the gateway took it.
Notify = Callable[[bytes, str], Awaitable[bool]]


class ClaimRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def patient_key(claim: ClaimForDelivery) -> str:
    who = f"{claim.contract_number}/{claim.certificate_number}/{claim.patient.patient_id}"
    return hashlib.sha256(who.encode()).hexdigest()


class ReferenceClaimsSystem:
    def __init__(self, secret: str, notify: Notify, *, delay_seconds: float = 1.0) -> None:
        self.secret = secret
        self.notify = notify
        self.delay = timedelta(seconds=delay_seconds)
        # One claim at a time: two claims of one person must not both count on the same
        # remainder of a yearly maximum.
        self._deciding = asyncio.Lock()

    async def receive(self, body: bytes, signature: str | None) -> None:
        """Takes the claim or raises ``ClaimRefused``; a claim taken before is acknowledged
        again and not decided twice."""
        try:
            verify(self.secret, signature, body, now=time.time())
        except SignatureInvalid as refused:
            raise ClaimRefused(401, str(refused)) from None
        try:
            claim = claim_from_resource(body)
        except (ClaimResponseInvalid, ValueError) as invalid:
            raise ClaimRefused(400, str(invalid)) from None
        async with self._deciding:
            if await reference.is_known(claim.claim_id):
                return
            rules_table = await stored_claims.contract_rules(claim.contract_number)
            if rules_table is None:
                raise ClaimRefused(422, "unknown contract")
            rules = {
                str(rule["serviceType"]): ClaimRule(
                    str(rule["serviceType"]),
                    int(rule["reimbursementPercent"]),
                    None if rule["annualMaximumCents"] is None else int(rule["annualMaximumCents"]),
                )
                for rule in rules_table
            }
            key = patient_key(claim)
            paid_before: dict[tuple[str, int], int] = {}
            for line in claim.lines:
                slot = (line.service_type, line.service_date.year)
                if slot not in paid_before:
                    paid_before[slot] = await reference.paid_this_year(key, *slot)
            decision, lines = adjudicate(
                claim,
                rules,
                lambda service_type, year: paid_before[(service_type, year)],
                event_id=str(uuid.uuid4()),
                decided_at=datetime.now(UTC),
            )
            response = resource_json(claim_response_resource(decision, lines)).decode()
            paid = [
                {
                    "serviceType": line.service_type,
                    "year": line.service_date.year,
                    "paidCents": outcome.paid_cents,
                }
                for line, outcome in zip(claim.lines, lines, strict=True)
            ]
            await reference.record(claim.claim_id, key, response, paid, datetime.now(UTC))

    async def notify_due(self) -> int:
        """Send the decisions whose delay has passed; how many the gateway took."""
        taken = 0
        due = await reference.due_notifications(datetime.now(UTC) - self.delay, limit=50)
        for claim_id, body in due:
            raw = body.encode()
            try:
                accepted = await self.notify(raw, sign(self.secret, raw, now=time.time()))
            except Exception as error:  # the gateway is down: try again next round
                log.info("decision not delivered", extra={"fields": {"error": str(error)}})
                continue
            if accepted:
                await reference.notified(claim_id, datetime.now(UTC))
                taken += 1
        return taken

    async def run_notifier(self) -> None:
        pause = max(0.05, min(0.5, self.delay.total_seconds() / 4))
        while True:
            try:
                await self.notify_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("reference claims system: notifying failed", exc_info=True)
            await asyncio.sleep(pause)
