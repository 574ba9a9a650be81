"""The reference claims system's decision on a claim, by the plan's ``claimRules``.

Production claims are decided by the insurer; this decides them for demos and tests exactly as
``contract/registry-format.md`` says, so that members see amounts and reasons they can check
against their plan's table. Money is integer cents throughout: a floor, never a rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from gateway.claim_records import (
    ClaimForDelivery,
    ClaimLineRecord,
    ClaimRule,
    Decision,
    LineDecision,
)

# Every ServiceType of contract/claims.graphql, as a member reads it: (French, English).
SERVICE_LABELS: Mapping[str, tuple[str, str]] = {
    "PHYSIOTHERAPY": ("physiothérapie", "physiotherapy"),
    "MASSAGE_THERAPY": ("massothérapie", "massage therapy"),
    "CHIROPRACTIC": ("chiropratique", "chiropractic care"),
    "OSTEOPATHY": ("ostéopathie", "osteopathy"),
    "PSYCHOLOGY": ("psychologie", "psychology"),
    "ACUPUNCTURE": ("acupuncture", "acupuncture"),
    "NATUROPATHY": ("naturopathie", "naturopathy"),
    "SPEECH_THERAPY": ("orthophonie", "speech therapy"),
    "MEDICAL_EQUIPMENT": ("équipement médical", "medical equipment"),
    "HOSPITAL": ("soins hospitaliers", "hospital care"),
    "DENTAL_CARE": ("soins dentaires", "dental care"),
    "EYE_EXAM": ("examen de la vue", "eye exam"),
    "EYEGLASSES": ("lunettes", "eyeglasses"),
    "CONTACT_LENSES": ("lentilles cornéennes", "contact lenses"),
}

PaidThisYear = Callable[[str, int], int]


def adjudicate(
    claim: ClaimForDelivery,
    rules: Mapping[str, ClaimRule],
    paid_this_year: PaidThisYear,
    *,
    event_id: str,
    decided_at: datetime,
) -> tuple[Decision, tuple[LineDecision, ...]]:
    """Decide the lines in their order: a line's payment uses up the annual maximum of the
    later lines of the same service type and year, as earlier claims' payments do.

    ``paid_this_year(service_type, year)`` is what this claim's patient was already paid for
    that service type in that calendar year, before this claim.
    """
    paid_so_far: dict[tuple[str, int], int] = {}
    decisions: list[LineDecision] = []
    for number, line in enumerate(claim.lines, start=1):
        rule = rules.get(line.service_type)
        if rule is None:
            decisions.append(_not_covered(number, line))
            continue
        key = (line.service_type, line.service_date.year)
        if key not in paid_so_far:
            paid_so_far[key] = 0 if rule.annual_maximum_cents is None else paid_this_year(*key)
        decision = _covered(number, line, rule, paid_so_far[key])
        paid_so_far[key] += decision.paid_cents
        decisions.append(decision)
    paid = sum(decision.paid_cents for decision in decisions)
    return (
        Decision(
            claim_id=claim.claim_id,
            event_id=event_id,
            outcome="PAID" if paid > 0 else "REFUSED",
            eligible_cents=sum(decision.eligible_cents for decision in decisions),
            paid_cents=paid,
            reason_fr=_joined(decision.reason_fr for decision in decisions),
            reason_en=_joined(decision.reason_en for decision in decisions),
            decided_at=decided_at,
            patient_id=claim.patient.patient_id,
            category=claim.category,
        ),
        tuple(decisions),
    )


def _not_covered(number: int, line: ClaimLineRecord) -> LineDecision:
    """Eligible 0: the spec makes a line's amount eligible only when its service is covered.

    A line of 0 $ lost nothing, so like any line paid in full it has no reason.
    """
    if line.amount_cents <= 0:
        return LineDecision(eligible_cents=0, paid_cents=0, reason_fr=None, reason_en=None)
    fr, en = _line_names(number, line)
    return LineDecision(
        eligible_cents=0,
        paid_cents=0,
        reason_fr=f"{fr} : service non couvert par votre régime.",
        reason_en=f"{en}: service not covered by your plan.",
    )


def _covered(
    number: int, line: ClaimLineRecord, rule: ClaimRule, already_paid: int
) -> LineDecision:
    """The smallest of the three limits decides; the first of them that binds is the reason,
    so that a tie names the plan's own rate before the other plan or the maximum."""
    amount = line.amount_cents
    maximum = rule.annual_maximum_cents
    coinsurance = amount * rule.reimbursement_percent // 100
    balance = amount - line.other_plan_paid_cents
    left = None if maximum is None else maximum - already_paid
    limit = min(coinsurance, balance) if left is None else min(coinsurance, balance, left)
    paid = max(limit, 0)
    if paid >= amount:
        return LineDecision(eligible_cents=amount, paid_cents=paid, reason_fr=None, reason_en=None)
    fr, en = _line_names(number, line)
    if limit == coinsurance:
        percent = rule.reimbursement_percent
        why_fr = f"votre régime rembourse {percent} % de ce service."
        why_en = f"your plan pays {percent}% of this service."
    elif limit == balance:
        other_fr, other_en = _money(line.other_plan_paid_cents)
        why_fr = f"un autre régime en a déjà payé {other_fr} ; votre régime ne paie que le solde."
        why_en = f"another plan already paid {other_en} of it; your plan pays only the balance."
    else:
        assert maximum is not None and left is not None
        year = line.service_date.year
        max_fr, max_en = _money(maximum)
        if left <= 0:
            why_fr = f"maximum annuel de {max_fr} pour {year} atteint."
            why_en = f"annual maximum of {max_en} for {year} reached."
        else:
            left_fr, left_en = _money(left)
            why_fr = (
                f"maximum annuel de {max_fr} pour {year} atteint avec cette ligne "
                f"(il restait {left_fr})."
            )
            why_en = (
                f"annual maximum of {max_en} for {year} reached with this line "
                f"({left_en} was left)."
            )
    return LineDecision(
        eligible_cents=amount,
        paid_cents=paid,
        reason_fr=f"{fr} : {why_fr}",
        reason_en=f"{en}: {why_en}",
    )


def _line_names(number: int, line: ClaimLineRecord) -> tuple[str, str]:
    label_fr, label_en = SERVICE_LABELS[line.service_type]
    day = line.service_date.isoformat()
    return f"Ligne {number} ({label_fr}, {day})", f"Line {number} ({label_en}, {day})"


def _money(cents: int) -> tuple[str, str]:
    """French « 1 234,56 $ » and English "$1,234.56"."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    grouped = f"{dollars:,}"
    return (
        f"{sign}{grouped.replace(',', ' ')},{rest:02d} $",
        f"{sign}${grouped}.{rest:02d}",
    )


def _joined(reasons: Iterable[str | None]) -> str | None:
    text = " ".join(reason for reason in reasons if reason is not None)
    return text or None
