"""Prometheus counters of the rules themselves: what operators watch for attacks and load.

Declared here, beside the rules that count, so that the domain needs nothing from the HTTP
shell; ``server/metrics.py`` serves them at /metrics with the request counters.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

AUDIT_EVENTS = Counter(
    "gateway_audit_events",
    "Audited events: sign_in_failed, locked, recovery_locked, registered, signed_in, ...",
    ["event"],
)
RATE_LIMITED = Counter(
    "gateway_rate_limited", "Credential attempts refused by the per-address rate limit."
)
RATE_LIMIT_STORAGE_DOWN = Counter(
    "gateway_rate_limit_storage_down",
    "Credential attempts refused because the rate limit's storage (Redis) did not answer.",
)
ARGON2_SECONDS = Histogram(
    "gateway_argon2_seconds",
    "Time spent in argon2, hashing or verifying, in worker threads.",
    ["operation"],
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1),
)
CLAIMS_SUBMITTED = Counter(
    "gateway_claims_submitted",
    "Claims recorded (retries of one submission count once).",
    ["category"],
)
RECEIPTS_UPLOADED = Counter(
    "gateway_receipts_uploaded", "Receipts uploaded, by outcome (stored or refused).", ["outcome"]
)
CLAIM_DELIVERIES = Counter(
    "gateway_claim_deliveries",
    "Attempts to hand a claim to the claims system, by outcome (delivered, failed).",
    ["outcome"],
)
CLAIM_DELIVERY_RETRIES = Counter(
    "gateway_claim_delivery_retries", "Deliveries scheduled again after a failure."
)
CLAIM_DELIVERY_LAG = Histogram(
    "gateway_claim_delivery_lag_seconds",
    "From a claim's submission to the claims system's acknowledgement.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
CLAIM_DECISIONS = Counter(
    "gateway_claim_decisions", "Decisions received from the claims system, by status.", ["status"]
)
