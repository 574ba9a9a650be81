"""Signatures on the bodies exchanged with the claims system, in the manner of Stripe's webhooks.

The header is ``t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>." + body>``: signing the time
with the body lets the receiver refuse a captured request replayed later than the tolerance.
Within the tolerance a replay still verifies; refusing an event id already seen is the
caller's job, which stores them (the decision's ``event_id`` for the webhook).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

SIGNATURE_HEADER = "Gateway-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
# Bounded, so that no header makes int() work hard or overflow the clock's range.
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


class SignatureInvalid(ValueError):
    """The request is not to be trusted; the message says why, for the log, not the sender."""


def sign(secret: str, body: bytes, *, now: float) -> str:
    timestamp = int(now)
    return f"t={timestamp},v1={_hmac(_key(secret), timestamp, body)}"


def verify(
    secrets: str | Sequence[str],
    header: str | None,
    body: bytes,
    *,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Return the signed timestamp, or raise SignatureInvalid.

    Several secrets and several ``v1`` entries let a secret be rotated without a pause: the
    sender signs with the old and the new, the receiver accepts either while both are in use.
    A time too far in the future is refused too, or a sender with a fast clock could mint
    signatures that stay valid for as long as it likes.
    """
    keys = [_key(secret) for secret in ([secrets] if isinstance(secrets, str) else secrets)]
    if not keys:
        raise ValueError("verify needs at least one secret")
    if not header:
        raise SignatureInvalid("missing signature header")
    timestamp, signatures = _parse(header)
    if now - timestamp > tolerance_seconds:
        raise SignatureInvalid("timestamp too old")
    if timestamp - now > tolerance_seconds:
        raise SignatureInvalid("timestamp in the future")
    candidates = [signature.encode("utf-8", "surrogatepass") for signature in signatures]
    for key in keys:
        expected = _hmac(key, timestamp, body).encode("ascii")
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return timestamp
    raise SignatureInvalid("no matching v1 signature")


def _parse(header: str) -> tuple[int, list[str]]:
    """Unknown schemes (a future ``v2``, Stripe's ``v0``) are skipped, as Stripe's own are."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        name, separator, value = item.strip().partition("=")
        if not separator:
            raise SignatureInvalid("malformed signature header")
        if name == "t":
            timestamps.append(value)
        elif name == "v1":
            signatures.append(value)
    if len(timestamps) != 1 or not _UNIX_SECONDS.fullmatch(timestamps[0]):
        raise SignatureInvalid("malformed signature header: one t=<unix seconds> expected")
    if not signatures:
        raise SignatureInvalid("no v1 signature")
    return int(timestamps[0]), signatures


def _key(secret: str) -> bytes:
    if not secret:
        raise ValueError("an empty signing secret signs nothing")
    return secret.encode("utf-8")


def _hmac(key: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
