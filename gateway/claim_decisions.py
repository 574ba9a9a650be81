"""Decisions coming back from the claims system (``POST /hooks/claims``): trusted only when
signed with the shared secret less than 5 minutes ago, applied once per event id."""

from __future__ import annotations

import logging
import time
from enum import Enum

from gateway import metrics
from gateway.signing import SignatureInvalid, verify
from store import claims as stored
from store.records import ClaimDecisionUpdate

log = logging.getLogger("gateway.claim_decisions")


class HookOutcome(Enum):
    APPLIED = 200
    NOT_SIGNED = 401
    INVALID = 400
    UNKNOWN_CLAIM = 404
    REPLAYED = 409


async def receive_decision(body: bytes, signature: str | None, secret: str) -> HookOutcome:
    from gateway.fhir_claims import ClaimResponseInvalid, decision_from_claim_response  # heavy

    try:
        verify(secret, signature, body, now=time.time())
    except SignatureInvalid as refused:
        log.warning("claims hook refused", extra={"fields": {"reason": str(refused)}})
        return HookOutcome.NOT_SIGNED
    try:
        decision = decision_from_claim_response(body)
    except ClaimResponseInvalid as invalid:
        log.warning("claims hook refused", extra={"fields": {"reason": str(invalid)}})
        return HookOutcome.INVALID
    claim = await stored.claim_by_public_id(decision.claim_id)
    if claim is None or claim.category != decision.category:
        return HookOutcome.UNKNOWN_CLAIM
    applied = await stored.apply_decision(
        ClaimDecisionUpdate(
            claim_public_id=decision.claim_id,
            event_id=decision.event_id,
            status=decision.outcome,
            eligible_cents=decision.eligible_cents,
            paid_cents=decision.paid_cents,
            reason_fr=decision.reason_fr,
            reason_en=decision.reason_en,
            decided_at=decision.decided_at,
        )
    )
    if not applied:
        return HookOutcome.REPLAYED
    metrics.CLAIM_DECISIONS.labels(decision.outcome).inc()
    return HookOutcome.APPLIED
