"""Stripe-style signatures: what verifies, and each way a request fails to."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from gateway.signing import SIGNATURE_HEADER, SignatureInvalid, sign, verify

SECRET = "whsec_test_0123456789abcdef"
BODY = b'{"resourceType":"ClaimResponse"}'
NOW = 1_775_000_000.75


def test_the_header_is_stripe_s_format_over_the_timestamp_and_the_body() -> None:
    header = sign(SECRET, BODY, now=NOW)
    expected = hmac.new(SECRET.encode(), b"1775000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1775000000,v1={expected}"
    assert SIGNATURE_HEADER == "Gateway-Signature"


def test_a_signed_body_verifies_and_gives_its_timestamp() -> None:
    header = sign(SECRET, BODY, now=NOW)
    assert verify(SECRET, header, BODY, now=NOW + 10) == 1_775_000_000


def test_a_changed_body_does_not_verify() -> None:
    header = sign(SECRET, BODY, now=NOW)
    with pytest.raises(SignatureInvalid, match="no matching v1"):
        verify(SECRET, header, BODY + b" ", now=NOW)


def test_another_secret_does_not_verify() -> None:
    header = sign("another secret", BODY, now=NOW)
    with pytest.raises(SignatureInvalid, match="no matching v1"):
        verify(SECRET, header, BODY, now=NOW)


def test_a_changed_timestamp_does_not_verify() -> None:
    signature = sign(SECRET, BODY, now=NOW).split(",")[1]
    with pytest.raises(SignatureInvalid, match="no matching v1"):
        verify(SECRET, f"t=1775000001,{signature}", BODY, now=NOW)


def test_a_timestamp_older_than_the_tolerance_is_refused() -> None:
    header = sign(SECRET, BODY, now=NOW)
    assert verify(SECRET, header, BODY, now=NOW + 299) == 1_775_000_000
    with pytest.raises(SignatureInvalid, match="too old"):
        verify(SECRET, header, BODY, now=NOW + 301)
    with pytest.raises(SignatureInvalid, match="too old"):
        verify(SECRET, header, BODY, now=NOW + 61, tolerance_seconds=60)


def test_a_timestamp_too_far_in_the_future_is_refused() -> None:
    header = sign(SECRET, BODY, now=NOW + 301)
    with pytest.raises(SignatureInvalid, match="future"):
        verify(SECRET, header, BODY, now=NOW)
    assert verify(SECRET, sign(SECRET, BODY, now=NOW + 299), BODY, now=NOW) == 1_775_000_299


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_header_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureInvalid, match="missing"):
        verify(SECRET, header, BODY, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "v1=abc",
        "t=,v1=abc",
        "t=abc,v1=abc",
        "t=-5,v1=abc",
        "t=1.5,v1=abc",
        "t=١٧٧٥٠٠٠٠٠٠,v1=abc",
        "t=1775000000,t=1775000000,v1=abc",
        "t=" + "9" * 5000 + ",v1=abc",
        "t=1775000000,v1=abc,",
        "t=1775000000",
        "t=1775000000,v0=abc",
    ],
)
def test_a_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(SignatureInvalid):
        verify(SECRET, header, BODY, now=NOW)


def test_refusals_are_value_errors_with_a_reason() -> None:
    with pytest.raises(ValueError, match="malformed"):
        verify(SECRET, "garbage", BODY, now=NOW)


def test_a_non_ascii_signature_is_a_mismatch_not_a_crash() -> None:
    with pytest.raises(SignatureInvalid, match="no matching v1"):
        verify(SECRET, "t=1775000000,v1=é\udcff", BODY, now=NOW)


def test_unknown_schemes_and_spaces_are_tolerated() -> None:
    signature = sign(SECRET, BODY, now=NOW).split(",")[1]
    header = f"t=1775000000, v0=old-scheme, {signature}, v2=future"
    assert verify(SECRET, header, BODY, now=NOW) == 1_775_000_000


def test_rotation_a_header_with_two_signatures_verifies_with_either_secret() -> None:
    old, new = sign("old secret", BODY, now=NOW), sign("new secret", BODY, now=NOW)
    header = f"{old},{new.split(',')[1]}"
    assert verify("old secret", header, BODY, now=NOW) == 1_775_000_000
    assert verify("new secret", header, BODY, now=NOW) == 1_775_000_000
    with pytest.raises(SignatureInvalid):
        verify("a third secret", header, BODY, now=NOW)


def test_rotation_the_receiver_may_hold_several_secrets() -> None:
    header = sign("old secret", BODY, now=NOW)
    assert verify(["new secret", "old secret"], header, BODY, now=NOW) == 1_775_000_000
    assert verify(("old secret",), header, BODY, now=NOW) == 1_775_000_000
    with pytest.raises(SignatureInvalid):
        verify(["new secret"], header, BODY, now=NOW)


def test_no_secret_or_an_empty_one_is_a_mistake_of_the_caller() -> None:
    header = sign(SECRET, BODY, now=NOW)
    with pytest.raises(ValueError) as no_secret:
        verify([], header, BODY, now=NOW)
    assert not isinstance(no_secret.value, SignatureInvalid)
    with pytest.raises(ValueError):
        sign("", BODY, now=NOW)
    with pytest.raises(ValueError):
        verify(["", SECRET], header, BODY, now=NOW)
