"""The FHIR R4 Claim the gateway sends and the ClaimResponse it takes back."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.adjudication import adjudicate
from gateway.claim_records import (
    ClaimForDelivery,
    ClaimLineRecord,
    ClaimRule,
    Decision,
    LineDecision,
    Patient,
    ReceiptLink,
)
from gateway.fhir_claims import (
    CLAIM_ID_SYSTEM,
    CLAIM_REFERENCE_SYSTEM,
    OTHER_PLAN_PAID_URL,
    PATIENT_ID_SYSTEM,
    RECEIPT_ID_URL,
    RECEIPT_SHA256_URL,
    SERVICE_TYPE_SYSTEM,
    ClaimInvalid,
    ClaimResponseInvalid,
    claim_from_resource,
    claim_resource,
    claim_response_resource,
    decision_from_claim_response,
    resource_json,
)
from gateway.vocabulary import ServiceType

CLAIM_ID = "6f1c2b1e-0a4d-4a7e-8f0e-2d5b9c3a7e10"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SUBMITTED_AT = datetime(2026, 3, 5, 9, 30, 15, tzinfo=UTC)


def a_claim(category: str = "HEALTH", relationship: str = "SPOUSE") -> ClaimForDelivery:
    return ClaimForDelivery(
        claim_id=CLAIM_ID,
        reference="R360-7K4M-2Q",
        category=category,
        submitted_at=SUBMITTED_AT,
        contract_number="G-1001",
        certificate_number="C-42",
        plan_name="Régime Santé Plus",
        sponsor_name="Acme inc.",
        patient=Patient("patient-7", "Julie", "Tremblay", date(1988, 6, 1), relationship),
        provider_name="Clinique du Parc",
        lines=(
            ClaimLineRecord("PHYSIOTHERAPY", date(2026, 3, 4), 12345, 2000),
            ClaimLineRecord("MASSAGE_THERAPY", date(2026, 3, 4), 10000, 0),
            ClaimLineRecord("ACUPUNCTURE", date(2026, 3, 3), 7010, 0),
        ),
        receipts=(
            ReceiptLink(
                "receipt-1", "application/pdf", 48213, "https://gw.example/r/receipt-1", SHA256
            ),
            ReceiptLink(
                "receipt-2", "image/jpeg", 1024, "https://gw.example/r/receipt-2", "ab" * 32
            ),
        ),
    )


def a_decision() -> tuple[Decision, tuple[LineDecision, ...]]:
    rules = {
        "PHYSIOTHERAPY": ClaimRule("PHYSIOTHERAPY", 80, None),
        "MASSAGE_THERAPY": ClaimRule("MASSAGE_THERAPY", 100, 50000),
    }
    return adjudicate(
        a_claim(),
        rules,
        lambda service_type, year: 45000,
        event_id="evt_01HZX3",
        decided_at=datetime(2026, 3, 6, 14, 2, 3, 456789, tzinfo=UTC),
    )


def coding(concept: dict[str, Any]) -> tuple[str, str]:
    (only,) = concept["coding"]
    return only["system"], only["code"]


def contained(resource: dict[str, Any], resource_type: str, id_: str) -> dict[str, Any]:
    (found,) = [
        item
        for item in resource["contained"]
        if item["resourceType"] == resource_type and item["id"] == id_
    ]
    return found


def test_the_claim_is_a_valid_fhir_claim_that_survives_json() -> None:
    resource = claim_resource(a_claim())
    assert resource["resourceType"] == "Claim"
    Claim.model_validate(resource)
    Claim.model_validate(json.loads(resource_json(resource), parse_float=Decimal))


def test_the_claim_says_what_and_when() -> None:
    resource = claim_resource(a_claim())
    assert resource["status"] == "active"
    assert resource["use"] == "claim"
    assert coding(resource["type"]) == (
        "http://terminology.hl7.org/CodeSystem/claim-type",
        "professional",
    )
    assert resource["created"] == "2026-03-05T09:30:15Z"
    assert {(found["system"], found["value"]) for found in resource["identifier"]} == {
        (CLAIM_ID_SYSTEM, CLAIM_ID),
        (CLAIM_REFERENCE_SYSTEM, "R360-7K4M-2Q"),
    }


@pytest.mark.parametrize(
    ("category", "claim_type"),
    [("HEALTH", "professional"), ("DENTAL", "oral"), ("VISION", "vision")],
)
def test_the_claim_type_follows_the_category(category: str, claim_type: str) -> None:
    assert coding(claim_resource(a_claim(category=category))["type"])[1] == claim_type


def test_the_patient_is_contained_with_name_birth_date_and_identifier() -> None:
    resource = claim_resource(a_claim())
    assert resource["patient"] == {"reference": "#patient"}
    patient = contained(resource, "Patient", "patient")
    assert patient["name"] == [{"family": "Tremblay", "given": ["Julie"]}]
    assert patient["birthDate"] == "1988-06-01"
    assert patient["identifier"] == [{"system": PATIENT_ID_SYSTEM, "value": "patient-7"}]


@pytest.mark.parametrize(
    ("relationship", "code"), [("MEMBER", "self"), ("SPOUSE", "spouse"), ("CHILD", "child")]
)
def test_the_coverage_carries_contract_certificate_and_relationship(
    relationship: str, code: str
) -> None:
    resource = claim_resource(a_claim(relationship=relationship))
    assert resource["insurance"] == [
        {"sequence": 1, "focal": True, "coverage": {"reference": "#coverage"}}
    ]
    coverage = contained(resource, "Coverage", "coverage")
    assert coverage["subscriberId"] == "C-42"
    assert coverage["beneficiary"] == {"reference": "#patient"}
    assert coding(coverage["relationship"]) == (
        "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
        code,
    )
    (group,) = coverage["class"]
    assert coding(group["type"])[1] == "group"
    assert (group["value"], group["name"]) == ("G-1001", "Régime Santé Plus")
    assert coverage["policyHolder"] == {"reference": "#sponsor"}
    assert contained(resource, "Organization", "sponsor")["name"] == "Acme inc."


def test_the_provider_is_a_contained_organization() -> None:
    resource = claim_resource(a_claim())
    assert resource["provider"] == {"reference": "#provider"}
    assert contained(resource, "Organization", "provider")["name"] == "Clinique du Parc"


def test_each_line_is_an_item_with_exact_amounts_and_the_other_plan_s_payment() -> None:
    items = claim_resource(a_claim())["item"]
    assert [item["sequence"] for item in items] == [1, 2, 3]
    assert [coding(item["productOrService"]) for item in items] == [
        (SERVICE_TYPE_SYSTEM, "PHYSIOTHERAPY"),
        (SERVICE_TYPE_SYSTEM, "MASSAGE_THERAPY"),
        (SERVICE_TYPE_SYSTEM, "ACUPUNCTURE"),
    ]
    assert [item["servicedDate"] for item in items] == ["2026-03-04", "2026-03-04", "2026-03-03"]
    assert [str(item["net"]["value"]) for item in items] == ["123.45", "100.00", "70.10"]
    assert all(isinstance(item["net"]["value"], Decimal) for item in items)
    assert {item["net"]["currency"] for item in items} == {"CAD"}
    other_plan = [item["extension"] for item in items]
    assert other_plan[0] == [
        {"url": OTHER_PLAN_PAID_URL, "valueMoney": {"value": Decimal("20.00"), "currency": "CAD"}}
    ]
    assert str(other_plan[1][0]["valueMoney"]["value"]) == "0.00"
    assert [item["informationSequence"] for item in items] == [[1, 2]] * 3


def test_the_total_is_the_sum_of_the_lines() -> None:
    total = claim_resource(a_claim())["total"]
    assert total == {"value": Decimal("293.55"), "currency": "CAD"}
    assert str(total["value"]) == "293.55"


def test_the_receipts_are_attachments_with_their_sha256_and_id() -> None:
    supporting = claim_resource(a_claim())["supportingInfo"]
    assert [info["sequence"] for info in supporting] == [1, 2]
    assert {coding(info["category"])[1] for info in supporting} == {"attachment"}
    first = supporting[0]["valueAttachment"]
    assert first["contentType"] == "application/pdf"
    assert first["url"] == "https://gw.example/r/receipt-1"
    assert first["size"] == 48213
    assert first["extension"] == [
        {"url": RECEIPT_SHA256_URL, "valueString": SHA256},
        {"url": RECEIPT_ID_URL, "valueString": "receipt-1"},
    ]
    assert "hash" not in first


def test_a_claim_without_receipts_has_no_supporting_info() -> None:
    resource = claim_resource(replace(a_claim(), receipts=()))
    Claim.model_validate(resource)
    assert "supportingInfo" not in resource
    assert all("informationSequence" not in item for item in resource["item"])


def test_the_json_bytes_keep_the_cents() -> None:
    text = resource_json(claim_resource(a_claim())).decode()
    assert '"net":{"value":100.00,"currency":"CAD"}' in text
    assert '"total":{"value":293.55,"currency":"CAD"}' in text


def test_a_naive_submission_time_is_refused() -> None:
    naive = replace(a_claim(), submitted_at=datetime(2026, 3, 5, 9, 30))
    with pytest.raises(ValueError, match="naive"):
        claim_resource(naive)


def test_created_is_written_in_utc() -> None:
    eastern = SUBMITTED_AT.astimezone(timezone(timedelta(hours=-5)))
    assert (
        claim_resource(replace(a_claim(), submitted_at=eastern))["created"]
        == "2026-03-05T09:30:15Z"
    )


def test_the_claim_response_is_a_valid_fhir_claim_response() -> None:
    decision, lines = a_decision()
    resource = claim_response_resource(decision, lines)
    response = ClaimResponse.model_validate(resource)
    assert (response.status, response.use, response.outcome) == ("active", "claim", "complete")
    assert resource["request"]["identifier"] == {"system": CLAIM_ID_SYSTEM, "value": CLAIM_ID}
    assert resource["identifier"][0]["value"] == "evt_01HZX3"
    assert resource["created"] == "2026-03-06T14:02:03.456789Z"
    assert resource["disposition"] == decision.reason_en
    notes = {
        note["language"]["coding"][0]["code"]: note["text"] for note in resource["processNote"]
    }
    assert notes == {"fr-CA": decision.reason_fr, "en-CA": decision.reason_en}


def test_the_claim_response_adjudicates_each_item_and_the_total() -> None:
    decision, lines = a_decision()
    resource = claim_response_resource(decision, lines)
    amounts = [
        {
            coding(entry["category"])[1]: str(entry["amount"]["value"])
            for entry in item["adjudication"]
        }
        for item in resource["item"]
    ]
    # 80 % of 123.45 $ floored; 50 $ left of the massage maximum; acupuncture not covered.
    assert amounts == [
        {"eligible": "123.45", "benefit": "98.76"},
        {"eligible": "100.00", "benefit": "50.00"},
        {"eligible": "0.00", "benefit": "0.00"},
    ]
    totals = {
        coding(entry["category"])[1]: str(entry["amount"]["value"]) for entry in resource["total"]
    }
    assert totals == {"eligible": "223.45", "benefit": "148.76"}
    assert {coding(entry["category"])[0] for entry in resource["total"]} == {
        "http://terminology.hl7.org/CodeSystem/adjudication"
    }
    assert str(resource["payment"]["amount"]["value"]) == "148.76"


def test_the_claim_response_round_trips_as_bytes_and_as_a_dict() -> None:
    decision, lines = a_decision()
    resource = claim_response_resource(decision, lines)
    assert decision_from_claim_response(resource_json(resource)) == decision
    assert decision_from_claim_response(resource) == decision
    assert decision_from_claim_response(json.loads(resource_json(resource))) == decision


def test_a_refusal_round_trips_without_payment() -> None:
    decision = Decision(
        claim_id=CLAIM_ID,
        event_id="evt-2",
        outcome="REFUSED",
        eligible_cents=0,
        paid_cents=0,
        reason_fr="Ligne 1 (acupuncture, 2026-03-03) : service non couvert par votre régime.",
        reason_en="Line 1 (acupuncture, 2026-03-03): service not covered by your plan.",
        decided_at=datetime(2026, 3, 6, tzinfo=UTC),
        patient_id="patient-7",
        category="DENTAL",
    )
    lines = (LineDecision(0, 0, decision.reason_fr, decision.reason_en),)
    resource = claim_response_resource(decision, lines)
    assert "payment" not in resource
    assert decision_from_claim_response(resource_json(resource)) == decision


def test_a_payment_in_full_round_trips_without_reasons() -> None:
    decision = Decision(
        claim_id=CLAIM_ID,
        event_id="evt-3",
        outcome="PAID",
        eligible_cents=12345,
        paid_cents=12345,
        reason_fr=None,
        reason_en=None,
        decided_at=datetime(2026, 3, 6, tzinfo=UTC),
        patient_id="patient-7",
        category="VISION",
    )
    resource = claim_response_resource(decision, (LineDecision(12345, 12345, None, None),))
    assert "processNote" not in resource
    assert "disposition" not in resource
    assert decision_from_claim_response(resource_json(resource)) == decision


def test_the_decision_time_comes_back_in_utc() -> None:
    decision, lines = a_decision()
    resource = claim_response_resource(decision, lines)
    resource["created"] = "2026-03-06T09:02:03.456789-05:00"
    parsed = decision_from_claim_response(resource)
    assert parsed.decided_at == decision.decided_at
    assert parsed.decided_at.utcoffset() == timedelta(0)


def _valid_response() -> dict[str, Any]:
    decision, lines = a_decision()
    return json.loads(resource_json(claim_response_resource(decision, lines)))


def _without(key: str) -> dict[str, Any]:
    resource = _valid_response()
    del resource[key]
    return resource


def _changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    resource = copy.deepcopy(_valid_response())
    target = resource
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return resource


INVALID_BODIES = [
    pytest.param(b"{not json", "not JSON", id="not JSON"),
    pytest.param(b"\xff\xfe\x00{", "not JSON", id="not UTF-8"),
    pytest.param(b"[]", "not a JSON object", id="a JSON array"),
    pytest.param(b'{"resourceType": "ClaimResponse", "x": NaN}', "not JSON", id="NaN"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "not JSON", id="deeply nested"),
    pytest.param(_changed(("resourceType",), "Claim"), "not a ClaimResponse", id="a Claim"),
    pytest.param(_without("resourceType"), "not a ClaimResponse", id="no resourceType"),
    pytest.param(_changed(("bogus",), 1), "bogus: Extra inputs", id="an unknown element"),
    pytest.param(_without("patient"), "patient: Field required", id="missing patient"),
    pytest.param(_without("created"), "created", id="missing created"),
    pytest.param(_without("identifier"), "decision-event-id", id="missing event id"),
    pytest.param(
        _changed(("identifier", 0, "system"), "urn:other"),
        "decision-event-id",
        id="an event id of another system",
    ),
    pytest.param(_without("request"), "claim-id", id="missing claim id"),
    pytest.param(
        _changed(("request", "identifier", "system"), "urn:other"),
        "claim-id",
        id="a claim id of another system",
    ),
    pytest.param(
        _changed(("created",), "2026-03-06"), "date and time", id="a created date without time"
    ),
    pytest.param(_without("total"), "one eligible and one benefit", id="missing totals"),
    pytest.param(
        _changed(("total",), _valid_response()["total"][:1]),
        "one eligible and one benefit",
        id="a missing benefit total",
    ),
    pytest.param(
        _changed(("total", 1, "amount", "value"), 300),
        "total: the benefit is above",
        id="paid above eligible",
    ),
    pytest.param(
        _changed(("total", 0, "amount", "value"), -1), "amounts are from 0", id="a negative total"
    ),
    pytest.param(
        _changed(("item", 2, "adjudication", 0, "amount", "value"), -5),
        "item: amounts are from 0",
        id="a negative item",
    ),
    pytest.param(
        _changed(("item", 2, "adjudication", 1, "amount", "value"), 1),
        "item: the benefit is above",
        id="an item paid above eligible",
    ),
    pytest.param(
        _changed(("item", 0, "adjudication", 0, "amount", "value"), 100),
        "do not add up",
        id="items not adding up",
    ),
    pytest.param(
        _changed(("total", 0, "amount", "value"), Decimal("223.455")),
        "whole cents",
        id="a fraction of a cent",
    ),
    pytest.param(
        _changed(("total", 0, "amount", "value"), 10**30),
        "amounts are from 0",
        id="too large an amount",
    ),
    pytest.param(
        _changed(("total", 0, "amount", "currency"), "USD"), "in CAD", id="another currency"
    ),
    pytest.param(
        _changed(("payment", "amount", "value"), 1),
        "payment is not the benefit",
        id="a payment that is not the benefit",
    ),
    pytest.param(_without("payment"), "benefit without a payment", id="a benefit without payment"),
    pytest.param(_changed(("outcome",), "queued"), "not a final decision", id="a queued outcome"),
    pytest.param(
        _changed(("status",), "cancelled"), "not a final decision", id="a cancelled response"
    ),
    pytest.param(
        _changed(("use",), "preauthorization"), "not a final decision", id="a predetermination"
    ),
    pytest.param(
        _changed(("type", "coding", 0, "code"), "pharmacy"),
        "claim-type code",
        id="an unknown claim type",
    ),
]


@pytest.mark.parametrize(("body", "why"), INVALID_BODIES)
def test_an_invalid_claim_response_is_refused(body: bytes | dict[str, Any], why: str) -> None:
    with pytest.raises(ClaimResponseInvalid, match=why):
        decision_from_claim_response(body)


def test_refusals_do_not_repeat_the_body_s_health_data() -> None:
    resource = _changed(("processNote", 0, "bogus"), "Julie Tremblay, psychologie")
    with pytest.raises(ClaimResponseInvalid, match=r"processNote\.0\.bogus") as refused:
        decision_from_claim_response(resource)
    assert "Tremblay" not in str(refused.value)
    assert refused.value.__cause__ is None
    assert refused.value.__suppress_context__


def test_a_record_that_makes_no_valid_claim_is_refused() -> None:
    with pytest.raises(ValueError, match=r"contained\.3\.name"):
        claim_resource(replace(a_claim(), provider_name=""))


def test_a_refusal_with_a_payment_is_refused() -> None:
    decision = Decision(
        claim_id=CLAIM_ID,
        event_id="evt-4",
        outcome="PAID",
        eligible_cents=100,
        paid_cents=0,
        reason_fr="x",
        reason_en="x",
        decided_at=datetime(2026, 3, 6, tzinfo=UTC),
        patient_id="patient-7",
        category="HEALTH",
    )
    with pytest.raises(ClaimResponseInvalid, match="payment"):
        decision_from_claim_response(claim_response_resource(decision, ()))


# --- claim_from_resource: the reference claims system reads the Claim back ----------------

ROUND_TRIPS = [
    pytest.param(a_claim(), id="a spouse's health claim, three lines, two receipts"),
    pytest.param(
        replace(
            a_claim(category="DENTAL", relationship="MEMBER"),
            lines=(ClaimLineRecord("DENTAL_CARE", date(2026, 2, 28), 1, 1),),
            receipts=(),
        ),
        id="a member's cent, all paid by another plan, no receipt",
    ),
    pytest.param(
        replace(
            a_claim(category="VISION", relationship="CHILD"),
            submitted_at=datetime(2026, 3, 5, 23, 59, 59, 999999, tzinfo=UTC),
            lines=(
                ClaimLineRecord("EYEGLASSES", date(2026, 1, 1), 10_000_000, 9_999_999),
                ClaimLineRecord("CONTACT_LENSES", date(2025, 12, 31), 1, 0),
                ClaimLineRecord("EYE_EXAM", date(2026, 1, 2), 100, 100),
            ),
            receipts=a_claim().receipts[1:],
        ),
        id="a child's 100000.00 $ and 0.01 $, one receipt",
    ),
]


@pytest.mark.parametrize("claim", ROUND_TRIPS)
def test_a_claim_round_trips_as_bytes_and_as_a_dict(claim: ClaimForDelivery) -> None:
    resource = claim_resource(claim)
    assert claim_from_resource(resource_json(resource)) == claim
    assert claim_from_resource(resource) == claim
    assert claim_from_resource(json.loads(resource_json(resource), parse_float=Decimal)) == claim
    assert claim_from_resource(json.loads(resource_json(resource))) == claim


def test_the_submission_time_comes_back_in_utc() -> None:
    eastern = SUBMITTED_AT.astimezone(timezone(timedelta(hours=-5)))
    read = claim_from_resource(
        resource_json(claim_resource(replace(a_claim(), submitted_at=eastern)))
    )
    assert read.submitted_at == SUBMITTED_AT
    assert read.submitted_at.utcoffset() == timedelta(0)


def test_money_comes_back_as_exact_cents() -> None:
    resource = _valid_claim()
    resource["item"][0]["net"]["value"] = Decimal("123.4")
    resource["item"][0]["extension"][0]["valueMoney"]["value"] = 20
    resource["total"]["value"] = Decimal("293.50")
    (line, *_) = claim_from_resource(resource).lines
    assert (line.amount_cents, line.other_plan_paid_cents) == (12340, 2000)


def test_contained_resources_are_found_by_their_references() -> None:
    resource = _valid_claim()
    resource["contained"].reverse()
    resource["contained"][0]["id"] = "clinic"
    resource["provider"] = {"reference": "#clinic"}
    assert claim_from_resource(resource) == a_claim()


SERVICE_TYPES = sorted(service.name for service in ServiceType)
# Letters (French ones too), digits, punctuation and spaces: what members and the registry type.
TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P"), include_characters=" "),
    min_size=1,
    max_size=30,
)
DAYS = st.dates(date(1900, 1, 1), date(2100, 12, 31))
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
)


@st.composite
def claim_lines(draw: st.DrawFn) -> ClaimLineRecord:
    amount = draw(st.integers(1, 10_000_000))
    return ClaimLineRecord(
        draw(st.sampled_from(SERVICE_TYPES)), draw(DAYS), amount, draw(st.integers(0, amount))
    )


receipt_links = st.builds(
    ReceiptLink,
    receipt_id=TEXT,
    content_type=st.sampled_from(["application/pdf", "image/jpeg", "image/png"]),
    size_bytes=st.integers(0, 10 * 2**20),
    url=st.builds(
        "https://gw.example/receipts/{}?expires={}&signature=c2ln".format,
        st.uuids(),
        st.integers(0, 2**32),
    ),
    sha256=st.binary(min_size=32, max_size=32).map(bytes.hex),
)

claims = st.builds(
    ClaimForDelivery,
    claim_id=TEXT,
    reference=TEXT,
    category=st.sampled_from(["HEALTH", "DENTAL", "VISION"]),
    submitted_at=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=ZONES),
    contract_number=TEXT,
    certificate_number=TEXT,
    plan_name=TEXT,
    sponsor_name=TEXT,
    patient=st.builds(
        Patient,
        patient_id=TEXT,
        first_name=TEXT,
        last_name=TEXT,
        date_of_birth=DAYS,
        relationship=st.sampled_from(["MEMBER", "SPOUSE", "CHILD"]),
    ),
    provider_name=TEXT,
    lines=st.lists(claim_lines(), min_size=1, max_size=5).map(tuple),
    receipts=st.lists(receipt_links, max_size=3).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(claims)
def test_any_claim_round_trips(claim: ClaimForDelivery) -> None:
    read = claim_from_resource(resource_json(claim_resource(claim)))
    assert read == claim
    assert read.submitted_at.utcoffset() == timedelta(0)


def _valid_claim() -> dict[str, Any]:
    return json.loads(resource_json(claim_resource(a_claim())), parse_float=Decimal)


def _claim_changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    resource = _valid_claim()
    target = resource
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return resource


def _claim_without(*path: Any) -> dict[str, Any]:
    resource = _valid_claim()
    target = resource
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return resource


PATIENT, COVERAGE, SPONSOR, PROVIDER = range(4)  # where claim_resource puts them in contained
NET = ("item", 0, "net", "value")
OTHER_PLAN_PAID = ("item", 0, "extension", 0, "valueMoney", "value")
ATTACHMENT = ("supportingInfo", 0, "valueAttachment")

INVALID_CLAIMS = [
    pytest.param(b"{not json", "not JSON", id="not JSON"),
    pytest.param(b"\xff\xfe\x00{", "not JSON", id="not UTF-8"),
    pytest.param(b"[]", "not a JSON object", id="a JSON array"),
    pytest.param(b'{"resourceType": "Claim", "x": NaN}', "not JSON", id="NaN"),
    pytest.param(
        _claim_changed(("resourceType",), "ClaimResponse"), "not a Claim", id="a response"
    ),
    pytest.param(_claim_without("resourceType"), "not a Claim", id="no resourceType"),
    pytest.param(_claim_changed(("bogus",), 1), "bogus: Extra inputs", id="an unknown element"),
    pytest.param(
        _claim_changed(("status",), "cancelled"), "status active, use claim", id="cancelled"
    ),
    pytest.param(
        _claim_changed(("use",), "preauthorization"), "status active, use claim", id="a preauth"
    ),
    pytest.param(
        _claim_changed(("type", "coding", 0, "code"), "pharmacy"),
        "claim-type code",
        id="an unknown claim type",
    ),
    pytest.param(_claim_without("identifier"), "claim-id", id="no identifiers"),
    pytest.param(
        _claim_changed(("identifier",), _valid_claim()["identifier"][1:]),
        "claim-id",
        id="missing claim id",
    ),
    pytest.param(
        _claim_changed(("identifier",), _valid_claim()["identifier"][:1]),
        "claim-reference",
        id="missing claim reference",
    ),
    pytest.param(
        _claim_changed(("identifier", 0, "system"), "urn:other"),
        "claim-id",
        id="a claim id of another system",
    ),
    pytest.param(_claim_without("created"), "created", id="missing created"),
    pytest.param(
        _claim_changed(("created",), "2026-03-05"), "date and time", id="a created date only"
    ),
    pytest.param(_claim_without("patient"), "patient: Field required", id="missing patient"),
    pytest.param(
        _claim_without("contained", PATIENT),
        "patient: a reference to one contained Patient",
        id="missing contained patient",
    ),
    pytest.param(
        _claim_changed(("patient", "reference"), "#coverage"),
        "patient: a reference to one contained Patient",
        id="a patient that is a coverage",
    ),
    pytest.param(
        _claim_changed(("contained", SPONSOR, "id"), "patient"),
        "patient: a reference to one contained Patient",
        id="two contained resources of one id",
    ),
    pytest.param(
        _claim_without("contained", PATIENT, "identifier"), "patient-id", id="no patient id"
    ),
    pytest.param(
        _claim_without("contained", PATIENT, "name"), "Patient.name", id="a patient without name"
    ),
    pytest.param(
        _claim_changed(("contained", PATIENT, "name", 0, "given"), ["Julie", "Anne"]),
        "Patient.name: one name, of one given name",
        id="two given names",
    ),
    pytest.param(
        _claim_without("contained", PATIENT, "name", 0, "family"),
        "Patient.name.family",
        id="no family name",
    ),
    pytest.param(
        _claim_without("contained", PATIENT, "birthDate"),
        "Patient.birthDate: a full date",
        id="no birth date",
    ),
    pytest.param(
        _claim_changed(("contained", PATIENT, "birthDate"), "1988-06"),
        "Patient.birthDate: a full date",
        id="a partial birth date",
    ),
    pytest.param(
        _claim_changed(("insurance", 0, "focal"), False), "one focal coverage", id="no focal"
    ),
    pytest.param(
        _claim_changed(("insurance", 0, "coverage", "reference"), "#sponsor"),
        "insurance.coverage: a reference to one contained Coverage",
        id="a coverage that is an organization",
    ),
    pytest.param(
        _claim_changed(("contained", COVERAGE, "beneficiary", "reference"), "#sponsor"),
        "Coverage.beneficiary",
        id="someone else's coverage",
    ),
    pytest.param(
        _claim_without("contained", COVERAGE, "subscriberId"),
        "Coverage.subscriberId",
        id="no certificate number",
    ),
    pytest.param(
        _claim_changed(("contained", COVERAGE, "relationship", "coding", 0, "code"), "parent"),
        "Coverage.relationship",
        id="an unknown relationship",
    ),
    pytest.param(
        _claim_without("contained", COVERAGE, "relationship"),
        "Coverage.relationship",
        id="no relationship",
    ),
    pytest.param(
        _claim_changed(("contained", COVERAGE, "class", 0, "type", "coding", 0, "code"), "plan"),
        "Coverage.class: one group",
        id="no group class",
    ),
    pytest.param(
        _claim_without("contained", COVERAGE, "class", 0, "name"),
        "Coverage.class.name",
        id="no plan name",
    ),
    pytest.param(
        _claim_without("contained", COVERAGE, "policyHolder"),
        "Coverage.policyHolder",
        id="no sponsor",
    ),
    pytest.param(
        _claim_without("contained", SPONSOR, "name"), "Coverage.policyHolder.name", id="no name"
    ),
    pytest.param(
        _claim_without("contained", PROVIDER),
        "provider: a reference to one contained Organization",
        id="missing provider",
    ),
    pytest.param(
        _claim_changed(("provider", "reference"), "#patient"),
        "provider: a reference to one contained Organization",
        id="a provider that is a patient",
    ),
    pytest.param(_claim_without("item"), "item: at least one", id="no items"),
    pytest.param(
        _claim_changed(("item", 1, "sequence"), 3), "item.1.sequence", id="items out of order"
    ),
    pytest.param(
        _claim_changed(("item", 0, "informationSequence"), [1, 3]),
        "item.0.informationSequence",
        id="a missing receipt",
    ),
    pytest.param(
        _claim_changed(("item", 1, "productOrService", "coding", 0, "code"), "MASSAGE"),
        "item.1.productOrService",
        id="an unknown service type",
    ),
    pytest.param(
        _claim_changed(("item", 1, "productOrService", "coding", 0, "system"), "urn:other"),
        "item.1.productOrService",
        id="a service type of another system",
    ),
    pytest.param(
        _claim_changed(("item", 0, "servicedDate"), "2026-03"),
        "item.0.servicedDate: a full date",
        id="a partial service date",
    ),
    pytest.param(
        _claim_without("item", 0, "servicedDate"),
        "item.0.servicedDate: a full date",
        id="no service date",
    ),
    pytest.param(_claim_without("item", 0, "net"), "item.0.net: an amount in CAD", id="no net"),
    pytest.param(_claim_changed(NET, -1), "item.0.net: amounts are from 0", id="a negative net"),
    pytest.param(_claim_changed(NET, 0), "item.0.net: an amount above 0", id="a net of zero"),
    pytest.param(
        _claim_changed(NET, Decimal("123.455")), "item.0.net: amounts are whole cents", id="3 dp"
    ),
    pytest.param(_claim_changed(NET, 10**30), "item.0.net: amounts are from 0", id="too large"),
    pytest.param(
        _claim_changed(("item", 0, "net", "currency"), "USD"),
        "item.0.net: an amount in CAD",
        id="a net in USD",
    ),
    pytest.param(
        _claim_changed(OTHER_PLAN_PAID, Decimal("123.46")),
        "item.0: another plan paid more than the net",
        id="other plan paid above net",
    ),
    pytest.param(
        _claim_changed(OTHER_PLAN_PAID, -1),
        "item.0.extension: amounts are from 0",
        id="other plan paid negative",
    ),
    pytest.param(
        _claim_changed(("item", 0, "extension", 0, "valueMoney", "currency"), "EUR"),
        "item.0.extension: an amount in CAD",
        id="other plan paid in EUR",
    ),
    pytest.param(
        _claim_without("item", 0, "extension"),
        "item.0: one extension urn:gateway:fhir:extension:other-plan-paid",
        id="no other plan paid",
    ),
    pytest.param(
        _claim_changed(("total", "value"), Decimal("293.56")),
        "total: the sum of the items",
        id="a total that is not the sum",
    ),
    pytest.param(
        _claim_changed(("total", "currency"), "USD"), "total: an amount in CAD", id="USD total"
    ),
    pytest.param(_claim_without("total"), "total: an amount in CAD", id="no total"),
    pytest.param(
        _claim_changed(("supportingInfo", 1, "sequence"), 1),
        "supportingInfo.1.sequence",
        id="receipts out of order",
    ),
    pytest.param(
        _claim_changed(("supportingInfo", 0, "category", "coding", 0, "code"), "info"),
        "supportingInfo.0.category",
        id="supporting information that is not a receipt",
    ),
    pytest.param(
        _claim_without("supportingInfo", 0, "valueAttachment"),
        "contentType, url and size",
        id="a receipt without attachment",
    ),
    *(
        pytest.param(
            _claim_without(*ATTACHMENT, element),
            "supportingInfo.0.valueAttachment: contentType, url and size",
            id=f"a receipt without {element}",
        )
        for element in ("contentType", "url", "size")
    ),
    pytest.param(
        _claim_changed(
            (*ATTACHMENT, "extension"),
            _valid_claim()["supportingInfo"][0]["valueAttachment"]["extension"][1:],
        ),
        "one extension urn:gateway:fhir:extension:sha256",
        id="a receipt without its SHA-256",
    ),
    pytest.param(
        _claim_changed((*ATTACHMENT, "extension", 0, "valueString"), SHA256.upper()),
        "a SHA-256 in lowercase hexadecimal",
        id="a SHA-256 in capitals",
    ),
    pytest.param(
        _claim_changed((*ATTACHMENT, "extension", 0, "valueString"), SHA256[:40]),
        "a SHA-256 in lowercase hexadecimal",
        id="a SHA-1",
    ),
    pytest.param(
        _claim_changed(
            (*ATTACHMENT, "extension"),
            _valid_claim()["supportingInfo"][0]["valueAttachment"]["extension"][:1],
        ),
        "one extension urn:gateway:fhir:extension:receipt-id",
        id="a receipt without its id",
    ),
    pytest.param(
        _claim_changed((*ATTACHMENT, "extension", 1), {"url": RECEIPT_ID_URL, "valueCode": "r"}),
        "the valueString of urn:gateway:fhir:extension:receipt-id",
        id="a receipt id that is not a string",
    ),
]


@pytest.mark.parametrize(("body", "why"), INVALID_CLAIMS)
def test_an_invalid_claim_is_refused(body: bytes | dict[str, Any], why: str) -> None:
    with pytest.raises(ClaimInvalid, match=why):
        claim_from_resource(body)


def test_claim_refusals_do_not_repeat_the_body_s_health_data() -> None:
    resource = _claim_changed(("contained", PATIENT, "bogus"), "Julie Tremblay, psychologie")
    with pytest.raises(ClaimInvalid, match=r"contained\.0\.bogus") as refused:
        claim_from_resource(resource)
    assert "Tremblay" not in str(refused.value)
    assert not isinstance(refused.value, ClaimResponseInvalid)
    assert refused.value.__cause__ is None
    assert refused.value.__suppress_context__


def test_a_claim_that_is_not_json_keeps_the_parser_s_reason_as_cause() -> None:
    with pytest.raises(ClaimInvalid, match="not JSON") as refused:
        claim_from_resource(b"{not json")
    assert isinstance(refused.value.__cause__, ValueError)
