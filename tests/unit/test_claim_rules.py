"""The claim rules of issue 18 that need no database: the coverage window of each file status,
the form's limits, the human reference and the delivery back-off."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from gateway.claims import (
    ClaimForm,
    ClaimLineForm,
    check_form,
    check_lines,
    content_digest,
    coverage_problem,
    new_reference,
)
from gateway.delivery import LAST_RETRY_SECONDS, retry_delay
from gateway.vocabulary import ClaimCategory, ServiceType
from store.records import InsuranceFile

TODAY = date(2026, 11, 30)
ACTIVE = InsuranceFile(
    certificate_id=1,
    product_line="GROUP_INSURANCE",
    contract_number="G1",
    certificate_number="1",
    sponsor_name="S",
    plan_name="P",
    status="ACTIVE",
    member_name="A B",
    effective_date=date(2026, 1, 15),
    termination_date=None,
    coverages=(),
    online_features=("HEALTH_CLAIMS",),
)
TERMINATED = replace(
    ACTIVE,
    status="TERMINATED",
    effective_date=date(2020, 1, 1),
    termination_date=date(2026, 9, 30),
)


def problem(file: InsuranceFile, service: date, today: date = TODAY) -> str | None:
    found = coverage_problem(file, service, today, "lines[0].serviceDate")
    if found is None:
        return None
    assert found.field == "lines[0].serviceDate"
    return found.message


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (date(2026, 11, 30), None),  # today
        (date(2026, 12, 1), "OUTSIDE_COVERAGE.future"),
        (date(2026, 1, 15), None),  # the effective date itself
        (date(2026, 1, 14), "OUTSIDE_COVERAGE.before_effective"),
    ],
)
def test_an_active_file_claims_from_its_effective_date_to_today(service, expected):
    assert problem(ACTIVE, service) == expected


def test_an_active_file_claims_the_last_twelve_months_only():
    old = replace(ACTIVE, effective_date=date(2000, 1, 1))
    assert problem(old, date(2025, 11, 30)) is None
    assert problem(old, date(2025, 11, 29)) == "OUTSIDE_COVERAGE.too_old"
    # 29 February: a year before is 28 February
    assert problem(old, date(2023, 2, 28), today=date(2024, 2, 29)) is None
    assert problem(old, date(2023, 2, 27), today=date(2024, 2, 29)) == "OUTSIDE_COVERAGE.too_old"


def test_a_terminated_file_claims_care_before_its_end_for_ninety_days():
    assert problem(TERMINATED, date(2026, 9, 30)) is None
    assert problem(TERMINATED, date(2026, 10, 1)) == "OUTSIDE_COVERAGE.after_termination"
    assert problem(TERMINATED, date(2026, 9, 1), today=date(2026, 12, 29)) is None  # day 90
    assert (
        problem(TERMINATED, date(2026, 9, 1), today=date(2026, 12, 30))
        == "OUTSIDE_COVERAGE.deadline"
    )


def test_a_suspended_file_claims_nothing():
    suspended = replace(ACTIVE, status="SUSPENDED")
    assert problem(suspended, date(2026, 11, 1)) == "OUTSIDE_COVERAGE.suspended"


def form(**changes) -> ClaimForm:
    values = ClaimForm(
        idempotency_key="k-1",
        category=ClaimCategory.HEALTH,
        patient_id="p",
        provider_name="Clinique",
        lines=[ClaimLineForm(ServiceType.PHYSIOTHERAPY, date(2026, 11, 1), 100)],
        receipt_ids=["r"],
    )
    return replace(values, **changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"idempotency_key": ""}, "idempotencyKey"),
        ({"idempotency_key": "x" * 101}, "idempotencyKey"),
        ({"idempotency_key": "tab\tkey"}, "idempotencyKey"),
        ({"provider_name": "A"}, "providerName"),
        ({"provider_name": "A" * 121}, "providerName"),
        ({"provider_name": "Clinique\u0000"}, "providerName"),
        ({"receipt_ids": []}, "receiptIds"),
        ({"receipt_ids": [str(n) for n in range(11)]}, "receiptIds"),
    ],
)
def test_the_form_limits(changes, field):
    assert [p.field for p in check_form(form(**changes))] == [field]


def test_a_claim_has_one_to_twenty_lines():
    line = ClaimLineForm(ServiceType.PHYSIOTHERAPY, date(2026, 11, 1), 100)
    assert [p.field for p in check_lines(form(lines=[]), ACTIVE, TODAY)] == ["lines"]
    assert check_lines(form(lines=[line] * 20), ACTIVE, TODAY) == []
    assert [p.field for p in check_lines(form(lines=[line] * 21), ACTIVE, TODAY)] == ["lines"]


def test_service_types_belong_to_one_category():
    assert ServiceType.DENTAL_CARE.category is ClaimCategory.DENTAL
    vision = {ServiceType.EYE_EXAM, ServiceType.EYEGLASSES, ServiceType.CONTACT_LENSES}
    assert {s for s in ServiceType if s.category is ClaimCategory.VISION} == vision
    assert ServiceType.PSYCHOLOGY.category is ClaimCategory.HEALTH


def test_the_content_digest_ignores_the_order_of_receipts_only():
    assert content_digest(form(receipt_ids=["a", "b"])) == content_digest(
        form(receipt_ids=["b", "a"])
    )
    assert content_digest(form()) != content_digest(form(provider_name="Autre"))


def test_references_are_short_random_and_unambiguous():
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    assert all(
        re.fullmatch(r"R360-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}", r) for r in references
    )


def test_retries_back_off_exponentially_with_jitter_up_to_five_minutes():
    first = [retry_delay(1) for _ in range(200)]
    assert all(0.5 <= d <= 1.5 for d in first) and len(set(first)) > 100
    assert all(4 <= retry_delay(4) <= 12 for _ in range(100))
    assert all(retry_delay(40) <= LAST_RETRY_SECONDS * 1.5 for _ in range(100))
