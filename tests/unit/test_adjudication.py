"""The reference claims system's decisions, rule by rule of contract/registry-format.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.adjudication import SERVICE_LABELS, adjudicate
from gateway.claim_records import (
    ClaimForDelivery,
    ClaimLineRecord,
    ClaimRule,
    Decision,
    LineDecision,
    Patient,
)
from gateway.vocabulary import ServiceType, values

DECIDED_AT = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
MARCH_4 = date(2026, 3, 4)


def line(
    service_type: str = "PHYSIOTHERAPY",
    amount: int = 10000,
    other_plan: int = 0,
    day: date = MARCH_4,
) -> ClaimLineRecord:
    return ClaimLineRecord(
        service_type=service_type,
        service_date=day,
        amount_cents=amount,
        other_plan_paid_cents=other_plan,
    )


def claim(*lines: ClaimLineRecord) -> ClaimForDelivery:
    return ClaimForDelivery(
        claim_id="6f1c2b1e-0a4d-4a7e-8f0e-2d5b9c3a7e10",
        reference="R360-7K4M-2Q",
        category="HEALTH",
        submitted_at=datetime(2026, 3, 5, 9, 30, tzinfo=UTC),
        contract_number="G-1001",
        certificate_number="C-42",
        plan_name="Régime Santé Plus",
        sponsor_name="Acme inc.",
        patient=Patient("patient-7", "Julie", "Tremblay", date(1988, 6, 1), "MEMBER"),
        provider_name="Clinique du Parc",
        lines=lines,
        receipts=(),
    )


def rules(*entries: tuple[str, int, int | None]) -> dict[str, ClaimRule]:
    return {name: ClaimRule(name, percent, maximum) for name, percent, maximum in entries}


def nothing_paid(service_type: str, year: int) -> int:
    return 0


def decide(
    the_claim: ClaimForDelivery,
    table: Mapping[str, ClaimRule],
    paid_this_year: Callable[[str, int], int] = nothing_paid,
) -> tuple[Decision, tuple[LineDecision, ...]]:
    return adjudicate(the_claim, table, paid_this_year, event_id="event-1", decided_at=DECIDED_AT)


def test_every_service_type_has_a_french_and_an_english_label() -> None:
    assert set(SERVICE_LABELS) == set(values(ServiceType))
    assert all(fr and en for fr, en in SERVICE_LABELS.values())


def test_a_service_absent_from_the_table_is_refused_with_nothing_eligible() -> None:
    decision, (only,) = decide(claim(line("ACUPUNCTURE", 8000)), rules(("PHYSIOTHERAPY", 80, None)))
    assert (only.eligible_cents, only.paid_cents) == (0, 0)
    assert (
        only.reason_fr
        == "Ligne 1 (acupuncture, 2026-03-04) : service non couvert par votre régime."
    )
    assert only.reason_en == "Line 1 (acupuncture, 2026-03-04): service not covered by your plan."
    assert decision.outcome == "REFUSED"
    assert (decision.eligible_cents, decision.paid_cents) == (0, 0)
    assert decision.reason_fr == only.reason_fr
    assert decision.reason_en == only.reason_en


def test_an_empty_table_covers_nothing() -> None:
    decision, _ = decide(claim(line("PHYSIOTHERAPY", 5000)), {})
    assert decision.outcome == "REFUSED"
    assert decision.reason_en is not None and "not covered" in decision.reason_en


def test_the_percentage_is_floored_to_the_cent() -> None:
    _, (only,) = decide(claim(line(amount=9999)), rules(("PHYSIOTHERAPY", 85, None)))
    # 9999 × 85 / 100 = 8499.15
    assert (only.eligible_cents, only.paid_cents) == (9999, 8499)
    assert only.reason_fr == (
        "Ligne 1 (physiothérapie, 2026-03-04) : votre régime rembourse 85 % de ce service."
    )
    assert (
        only.reason_en == "Line 1 (physiotherapy, 2026-03-04): your plan pays 85% of this service."
    )


def test_a_hundred_percent_without_maximum_pays_in_full_and_gives_no_reason() -> None:
    decision, (only,) = decide(claim(line(amount=12345)), rules(("PHYSIOTHERAPY", 100, None)))
    assert (only.eligible_cents, only.paid_cents) == (12345, 12345)
    assert (only.reason_fr, only.reason_en) == (None, None)
    assert decision.outcome == "PAID"
    assert (decision.reason_fr, decision.reason_en) == (None, None)


def test_zero_percent_pays_nothing_and_says_so() -> None:
    decision, (only,) = decide(claim(line(amount=5000)), rules(("PHYSIOTHERAPY", 0, None)))
    assert (only.eligible_cents, only.paid_cents) == (5000, 0)
    assert decision.outcome == "REFUSED"
    assert (
        only.reason_en == "Line 1 (physiotherapy, 2026-03-04): your plan pays 0% of this service."
    )


def test_another_plan_s_payment_leaves_the_balance() -> None:
    _, (only,) = decide(
        claim(line(amount=10000, other_plan=3000)), rules(("PHYSIOTHERAPY", 100, None))
    )
    assert (only.eligible_cents, only.paid_cents) == (10000, 7000)
    assert only.reason_fr == (
        "Ligne 1 (physiothérapie, 2026-03-04) : un autre régime en a déjà payé 30,00 $ ; "
        "votre régime ne paie que le solde."
    )
    assert only.reason_en == (
        "Line 1 (physiotherapy, 2026-03-04): another plan already paid $30.00 of it; "
        "your plan pays only the balance."
    )


def test_coordination_pays_no_more_than_the_plan_would_alone() -> None:
    # 80 % of 100 $ is 80 $; the balance after the other plan is 90 $.
    _, (only,) = decide(
        claim(line(amount=10000, other_plan=1000)), rules(("PHYSIOTHERAPY", 80, None))
    )
    assert only.paid_cents == 8000
    assert only.reason_en is not None and "80%" in only.reason_en


def test_another_plan_that_paid_everything_leaves_nothing() -> None:
    decision, (only,) = decide(
        claim(line(amount=10000, other_plan=12000)), rules(("PHYSIOTHERAPY", 100, None))
    )
    assert (only.eligible_cents, only.paid_cents) == (10000, 0)
    assert decision.outcome == "REFUSED"
    assert only.reason_en is not None and "another plan already paid $120.00" in only.reason_en


def test_the_maximum_counts_what_earlier_claims_were_paid_that_year() -> None:
    asked: list[tuple[str, int]] = []

    def paid_this_year(service_type: str, year: int) -> int:
        asked.append((service_type, year))
        return 45000

    _, (only,) = decide(
        claim(line("MASSAGE_THERAPY", 10000)),
        rules(("MASSAGE_THERAPY", 100, 50000)),
        paid_this_year,
    )
    assert only.paid_cents == 5000
    assert asked == [("MASSAGE_THERAPY", 2026)]
    assert only.reason_fr == (
        "Ligne 1 (massothérapie, 2026-03-04) : maximum annuel de 500,00 $ pour 2026 atteint "
        "avec cette ligne (il restait 50,00 $)."
    )
    assert only.reason_en == (
        "Line 1 (massage therapy, 2026-03-04): annual maximum of $500.00 for 2026 reached "
        "with this line ($50.00 was left)."
    )


def test_a_maximum_already_reached_pays_nothing() -> None:
    decision, (only,) = decide(
        claim(line("MASSAGE_THERAPY", 10000)),
        rules(("MASSAGE_THERAPY", 100, 50000)),
        lambda service_type, year: 50000,
    )
    assert (only.eligible_cents, only.paid_cents) == (10000, 0)
    assert decision.outcome == "REFUSED"
    assert only.reason_fr == (
        "Ligne 1 (massothérapie, 2026-03-04) : maximum annuel de 500,00 $ pour 2026 atteint."
    )
    assert only.reason_en == (
        "Line 1 (massage therapy, 2026-03-04): annual maximum of $500.00 for 2026 reached."
    )


def test_a_maximum_lowered_below_what_was_paid_pays_nothing_and_never_less() -> None:
    _, (only,) = decide(
        claim(line("MASSAGE_THERAPY", 10000)),
        rules(("MASSAGE_THERAPY", 100, 20000)),
        lambda service_type, year: 30000,
    )
    assert only.paid_cents == 0


def test_a_zero_maximum_pays_nothing() -> None:
    _, (only,) = decide(claim(line("MASSAGE_THERAPY", 10000)), rules(("MASSAGE_THERAPY", 100, 0)))
    assert only.paid_cents == 0
    assert (
        only.reason_en is not None and "annual maximum of $0.00 for 2026 reached." in only.reason_en
    )


def test_a_null_maximum_never_asks_what_was_paid() -> None:
    def paid_this_year(service_type: str, year: int) -> int:
        raise AssertionError("no maximum, nothing to look up")

    _, (only,) = decide(
        claim(line("HOSPITAL", 10_000_000)), rules(("HOSPITAL", 100, None)), paid_this_year
    )
    assert only.paid_cents == 10_000_000


def test_earlier_lines_of_the_claim_use_up_the_maximum_of_later_ones() -> None:
    decision, lines = decide(
        claim(
            line("MASSAGE_THERAPY", 20000),
            line("PHYSIOTHERAPY", 20000),
            line("MASSAGE_THERAPY", 20000),
            line("MASSAGE_THERAPY", 20000),
        ),
        rules(("MASSAGE_THERAPY", 100, 50000), ("PHYSIOTHERAPY", 100, 50000)),
        lambda service_type, year: 5000,
    )
    assert [decided.paid_cents for decided in lines] == [20000, 20000, 20000, 5000]
    assert decision.paid_cents == 65000
    assert decision.eligible_cents == 80000
    assert decision.reason_en == (
        "Line 4 (massage therapy, 2026-03-04): annual maximum of $500.00 for 2026 reached "
        "with this line ($50.00 was left)."
    )


def test_the_maximum_is_per_calendar_year_of_the_service_date() -> None:
    asked: list[int] = []

    def paid_this_year(service_type: str, year: int) -> int:
        asked.append(year)
        return {2025: 50000, 2026: 0}[year]

    _, lines = decide(
        claim(
            line("MASSAGE_THERAPY", 10000, day=date(2025, 12, 30)),
            line("MASSAGE_THERAPY", 60000, day=date(2026, 1, 2)),
            line("MASSAGE_THERAPY", 10000, day=date(2025, 12, 31)),
        ),
        rules(("MASSAGE_THERAPY", 100, 50000)),
        paid_this_year,
    )
    assert [decided.paid_cents for decided in lines] == [0, 50000, 0]
    assert sorted(asked) == [2025, 2026]


def test_a_claim_with_something_paid_is_paid_and_names_only_the_lines_not_paid_in_full() -> None:
    decision, lines = decide(
        claim(line("PHYSIOTHERAPY", 10000), line("ACUPUNCTURE", 4000), line("PSYCHOLOGY", 9000)),
        rules(("PHYSIOTHERAPY", 100, None), ("PSYCHOLOGY", 50, None)),
    )
    assert [decided.paid_cents for decided in lines] == [10000, 0, 4500]
    assert [decided.eligible_cents for decided in lines] == [10000, 0, 9000]
    assert decision.outcome == "PAID"
    assert (decision.eligible_cents, decision.paid_cents) == (19000, 14500)
    assert decision.reason_fr == (
        "Ligne 2 (acupuncture, 2026-03-04) : service non couvert par votre régime. "
        "Ligne 3 (psychologie, 2026-03-04) : votre régime rembourse 50 % de ce service."
    )
    assert decision.reason_en == (
        "Line 2 (acupuncture, 2026-03-04): service not covered by your plan. "
        "Line 3 (psychology, 2026-03-04): your plan pays 50% of this service."
    )
    assert lines[0].reason_en is None


def test_the_decision_carries_the_claim_and_the_event() -> None:
    decision, _ = decide(claim(line()), rules(("PHYSIOTHERAPY", 100, None)))
    assert decision.claim_id == "6f1c2b1e-0a4d-4a7e-8f0e-2d5b9c3a7e10"
    assert decision.event_id == "event-1"
    assert decision.decided_at == DECIDED_AT
    assert decision.patient_id == "patient-7"
    assert decision.category == "HEALTH"


def test_amounts_in_the_reasons_are_grouped_by_thousands() -> None:
    _, (only,) = decide(
        claim(line("HOSPITAL", 500000, other_plan=123456)), rules(("HOSPITAL", 100, None))
    )
    assert only.reason_fr is not None and "1 234,56 $" in only.reason_fr
    assert only.reason_en is not None and "$1,234.56" in only.reason_en


SERVICE_TYPES = sorted(SERVICE_LABELS)[:4]
amounts = st.integers(min_value=0, max_value=2_000_000)
generated_lines = st.lists(
    st.builds(
        line,
        service_type=st.sampled_from(SERVICE_TYPES),
        amount=amounts,
        other_plan=st.integers(min_value=0, max_value=2_500_000),
        day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    ),
    max_size=8,
)
generated_rules = st.dictionaries(
    st.sampled_from(SERVICE_TYPES),
    st.tuples(st.integers(min_value=0, max_value=100), st.none() | st.integers(0, 300_000)),
)
earlier = st.dictionaries(
    st.tuples(st.sampled_from(SERVICE_TYPES), st.sampled_from([2025, 2026])),
    st.integers(min_value=0, max_value=400_000),
)


@settings(max_examples=300, deadline=None)
@given(generated_lines, generated_rules, earlier)
def test_properties_of_any_decision(
    claim_lines: list[ClaimLineRecord],
    table: dict[str, tuple[int, int | None]],
    paid_before: dict[tuple[str, int], int],
) -> None:
    plan = {name: ClaimRule(name, percent, maximum) for name, (percent, maximum) in table.items()}
    decision, lines = decide(
        claim(*claim_lines),
        plan,
        lambda service_type, year: paid_before.get((service_type, year), 0),
    )
    assert len(lines) == len(claim_lines)
    for claimed, decided in zip(claim_lines, lines, strict=True):
        assert 0 <= decided.paid_cents <= decided.eligible_cents <= claimed.amount_cents
        rule = plan.get(claimed.service_type)
        if rule is None:
            assert (decided.eligible_cents, decided.paid_cents) == (0, 0)
        else:
            assert decided.eligible_cents == claimed.amount_cents
            assert decided.paid_cents <= claimed.amount_cents * rule.reimbursement_percent // 100
            assert decided.paid_cents <= max(
                0, claimed.amount_cents - claimed.other_plan_paid_cents
            )
        assert (decided.reason_en is None) == (decided.paid_cents == claimed.amount_cents)
        assert (decided.reason_fr is None) == (decided.reason_en is None)
    assert decision.eligible_cents == sum(decided.eligible_cents for decided in lines)
    assert decision.paid_cents == sum(decided.paid_cents for decided in lines)
    assert decision.outcome == ("PAID" if decision.paid_cents > 0 else "REFUSED")
    everything_paid = all(
        decided.paid_cents == claimed.amount_cents
        for claimed, decided in zip(claim_lines, lines, strict=True)
    )
    assert (decision.reason_en is None) == everything_paid
    assert (decision.reason_fr is None) == everything_paid
    paid_per_year: dict[tuple[str, int], int] = {}
    for claimed, decided in zip(claim_lines, lines, strict=True):
        key = (claimed.service_type, claimed.service_date.year)
        paid_per_year[key] = paid_per_year.get(key, 0) + decided.paid_cents
    for (service_type, year), paid in paid_per_year.items():
        rule = plan.get(service_type)
        if rule is not None and rule.annual_maximum_cents is not None:
            left = rule.annual_maximum_cents - paid_before.get((service_type, year), 0)
            assert paid <= max(0, left)
