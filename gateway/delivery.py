"""Hands each recorded claim to the insurer's claims system, at least once, from the outbox.

The claim's own id is the idempotency key upstream, so a claim sent twice (an answer lost,
a process killed after sending) is taken once there. Failures are retried with exponential
back-off and jitter, so that a claims system coming back after an outage is not met by every
gateway's whole backlog in the same second.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from gateway import metrics
from gateway.claim_records import ClaimForDelivery, ClaimLineRecord, Patient, ReceiptLink
from gateway.ids import IdKind, OpaqueIds
from gateway.receipts import signed_link
from gateway.settings import Settings
from gateway.signing import SIGNATURE_HEADER, sign
from store import claims as stored
from store import outbox
from store.records import ClaimContext

log = logging.getLogger("gateway.delivery")

FHIR_JSON = "application/fhir+json"
# A round leases BATCH rows and sends IN_FLIGHT at a time, each within SEND_DEADLINE_SECONDS:
# the last is sent after at most BATCH / IN_FLIGHT deadlines (50 s), well within its lease, so
# no other process takes a row while this one still means to send it.
LEASE_MS = 120_000
BATCH = 40
IN_FLIGHT = 8
POLL_SECONDS = 1.0
FIRST_RETRY_SECONDS = 1.0
LAST_RETRY_SECONDS = 300.0
SEND_DEADLINE_SECONDS = 10.0

# The reference claims system when it runs inside the gateway: the body and its signature
# header in, nothing out (it raises when it does not take the claim).
InProcess = Callable[[bytes, str], Awaitable[None]]


class DeliveryFailed(Exception):
    """The claims system did not take the claim; the message is kept on the outbox row."""


def claims_secret(settings: Settings, server_key: bytes) -> str:
    """The secret both directions are signed with: the setting, or for the built-in claims
    system one derived from the server key (it never leaves the process)."""
    if settings.claims_system_secret:
        return settings.claims_system_secret
    return hmac.new(server_key, b"builtin claims system", hashlib.sha256).hexdigest()


def retry_delay(attempt: int) -> float:
    """1 s, 2 s, 4 s ... up to 5 minutes, each between half and one and a half times that."""
    base = min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempt - 1))
    return base * random.uniform(0.5, 1.5)  # noqa: S311 (jitter, not a secret)


def for_delivery(
    context: ClaimContext, ids: OpaqueIds, base_url: str, link_key: bytes
) -> ClaimForDelivery:
    claim = context.claim
    patient_id = (
        ids.encode(IdKind.DEPENDENT, claim.dependent_id)
        if claim.dependent_id is not None
        else ids.encode(IdKind.INSURED_MEMBER, claim.certificate_id)
    )
    return ClaimForDelivery(
        claim_id=claim.public_id,
        reference=claim.reference,
        category=claim.category,
        submitted_at=claim.submitted_at,
        contract_number=context.contract_number,
        certificate_number=context.certificate_number,
        plan_name=context.plan_name,
        sponsor_name=context.sponsor_name,
        patient=Patient(
            patient_id=patient_id,
            first_name=context.patient_first_name,
            last_name=context.patient_last_name,
            date_of_birth=context.patient_date_of_birth,
            relationship=context.patient_relationship,
        ),
        provider_name=claim.provider_name,
        lines=tuple(
            ClaimLineRecord(
                line.service_type,
                line.service_date,
                line.amount_cents,
                line.other_plan_paid_cents,
            )
            for line in claim.lines
        ),
        receipts=tuple(
            ReceiptLink(
                receipt_id=ids.encode(IdKind.RECEIPT, receipt.id),
                content_type=receipt.content_type,
                size_bytes=receipt.size_bytes,
                url=signed_link(base_url, receipt, link_key),
                sha256=receipt.sha256,
            )
            for receipt in claim.receipts
        ),
    )


class DeliveryWorker:
    """One per process; several processes share the outbox through its leases."""

    def __init__(
        self,
        settings: Settings,
        ids: OpaqueIds,
        *,
        in_process: InProcess | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.ids = ids
        self.in_process = in_process
        self.client = client
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """A claim was just recorded here: send it now rather than at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Send what is due; how many were delivered."""
        return (await self._round())[1]

    async def _round(self) -> tuple[int, int]:
        """(leased, delivered): a few at a time, since a claims system answers each in tens
        of milliseconds and one at a time a backlog would drain at its latency."""
        now_ms = int(time.time() * 1000)
        leases = await outbox.lease_due(now_ms, LEASE_MS, BATCH)
        in_flight = asyncio.Semaphore(IN_FLIGHT)

        async def deliver(lease: outbox.Lease) -> bool:
            async with in_flight:
                return await self._deliver(lease)

        sent = await asyncio.gather(*(deliver(lease) for lease in leases))
        return len(leases), sum(sent)

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()  # before the round: a claim recorded during it wakes the next
            try:
                leased, _ = await self._round()
                if leased == BATCH:
                    continue  # a backlog: the next batch now, not after the poll interval
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "claim delivery round failed; next in %s s", POLL_SECONDS, exc_info=True
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def _deliver(self, lease: outbox.Lease) -> bool:
        claim_id, attempt = lease.claim_id, lease.attempt
        context = await stored.claim_context(claim_id)
        if context is None:
            return False
        # fhir.resources (pydantic models) weighs ~25 MB: loaded by the first claim sent.
        from gateway.fhir_claims import claim_resource, resource_json

        await self.ids.ready()
        key = self.ids.server_key.loaded()
        claim = for_delivery(context, self.ids, self.settings.public_url, key)
        body = resource_json(claim_resource(claim))
        signature = sign(claims_secret(self.settings, key), body, now=time.time())
        try:
            await self._send(claim.claim_id, body, signature)
        except Exception as error:  # every failure is retried; the row keeps why
            delay = retry_delay(attempt)
            await outbox.failed(
                lease, int((time.time() + delay) * 1000), f"{type(error).__name__}: {error}"
            )
            metrics.CLAIM_DELIVERIES.labels("failed").inc()
            metrics.CLAIM_DELIVERY_RETRIES.inc()
            log.info(
                "claim delivery failed",
                extra={
                    "fields": {
                        "reference": claim.reference,
                        "attempt": attempt,
                        "retryIn": round(delay, 1),
                    }
                },
            )
            return False
        moment = datetime.now(UTC)
        await outbox.delivered(claim_id, moment)
        metrics.CLAIM_DELIVERIES.labels("delivered").inc()
        metrics.CLAIM_DELIVERY_LAG.observe((moment - context.claim.submitted_at).total_seconds())
        return True

    async def _send(self, claim_id: str, body: bytes, signature: str) -> None:
        if self.in_process is not None:
            await asyncio.wait_for(self.in_process(body, signature), SEND_DEADLINE_SECONDS)
            return
        url = self.settings.claims_system_url
        if url is None or self.client is None:
            raise DeliveryFailed("no claims system configured (GATEWAY_CLAIMS_SYSTEM)")
        response = await self.client.post(
            f"{url}/claims",
            content=body,
            headers={
                "Content-Type": FHIR_JSON,
                SIGNATURE_HEADER: signature,
                "Idempotency-Key": claim_id,
            },
            timeout=SEND_DEADLINE_SECONDS,
        )
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}")
