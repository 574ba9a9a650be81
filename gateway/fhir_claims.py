"""HL7 FHIR R4 ``Claim`` to the insurer's claims system, ``ClaimResponse`` back from it.

The reference claims system (the insurer's side, for demos and tests) uses the same module the
other way round: ``claim_from_resource`` reads a Claim, ``claim_response_resource`` answers it.

The models are ``fhir.resources.R4B`` (FHIR 4.3.0): fhir.resources 8 has R5 as its default
package and no 4.0.1 one, and R4B changed nothing of R4's Claim and ClaimResponse but value-set
versions. Every resource built here is validated by them, so that a mapping mistake fails here
rather than at the insurer. They check structure, not codes: the codes that matter on the way
back (status, use, outcome, claim type, adjudication categories) are checked here.

Choices the FHIR base specification leaves to us:

- The patient, the coverage, the plan sponsor and the provider are contained resources: the
  claims system gets the claim in one piece and keeps no references into the gateway.
  The provider is an ``Organization``: a member types a clinic's name as often as a person's.
- What another plan already paid for a line is the item extension ``OTHER_PLAN_PAID_URL``
  (valueMoney). An item adjudication belongs to a ClaimResponse, and a second ``insurance``
  would need the other plan's coverage and ClaimResponse, which the member does not give.
- A receipt is a ``supportingInfo`` ``valueAttachment``. R4's ``Attachment.hash`` is a SHA-1
  and the gateway keeps a SHA-256, so that digest is the extension ``RECEIPT_SHA256_URL``
  (valueString, hex). The receipt's id, the one its member sees, is the extension
  ``RECEIPT_ID_URL`` (valueString): an Attachment has no identifier, and the link's id is not
  that one.
- The registry does not name the insurer, so ``Coverage.payor`` carries a data-absent-reason
  ``unknown``: the receiver is the payor.
- A ClaimResponse's ``identifier`` (system ``EVENT_ID_SYSTEM``) carries the decision's event id,
  ``request`` names the claim by identifier (``CLAIM_ID_SYSTEM``), ``patient`` by identifier
  (``PATIENT_ID_SYSTEM``).
- PAID is a ``payment`` of the benefit total; REFUSED is no ``payment``. The reasons are
  ``processNote`` texts in fr-CA and en-CA, and the English one is also the ``disposition``.

Money values are ``Decimal`` dollars with two places, never floats: ``resource_json`` writes
them as the JSON numbers they are ("123.40" stays 123.40), which ``json.dumps`` cannot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

import orjson
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as PatientResource
from pydantic import BaseModel, ValidationError

from gateway.adjudication import SERVICE_LABELS
from gateway.claim_records import (
    ClaimForDelivery,
    ClaimLineRecord,
    Decision,
    LineDecision,
    Patient,
    ReceiptLink,
)
from gateway.vocabulary import ServiceType

CLAIM_ID_SYSTEM = "urn:gateway:claim-id"
CLAIM_REFERENCE_SYSTEM = "urn:gateway:claim-reference"
PATIENT_ID_SYSTEM = "urn:gateway:patient-id"
EVENT_ID_SYSTEM = "urn:gateway:decision-event-id"
SERVICE_TYPE_SYSTEM = "urn:gateway:service-type"
OTHER_PLAN_PAID_URL = "urn:gateway:fhir:extension:other-plan-paid"
RECEIPT_SHA256_URL = "urn:gateway:fhir:extension:sha256"
RECEIPT_ID_URL = "urn:gateway:fhir:extension:receipt-id"

CLAIM_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/claim-type"
ADJUDICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPES = {"HEALTH": "professional", "DENTAL": "oral", "VISION": "vision"}
_CATEGORIES = {code: category for category, code in CLAIM_TYPES.items()}
_RELATIONSHIPS = {"MEMBER": "self", "SPOUSE": "spouse", "CHILD": "child"}
_RELATIONSHIP_OF = {code: relationship for relationship, code in _RELATIONSHIPS.items()}
_SERVICE_TYPES = {service.name: service.name for service in ServiceType}
_RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
_COVERAGE_CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"
_INFORMATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
_LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
_DATA_ABSENT_URL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
_CURRENCY = "CAD"
_CENT = Decimal("0.01")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# The contract's money is a GraphQL Int of cents: 32 bits.
_MOST = Decimal(2**31 - 1).scaleb(-2)
_Model = TypeVar("_Model", bound=BaseModel)


class ClaimResponseInvalid(ValueError):
    """An incoming body that is not a complete, consistent ClaimResponse of ours."""


class ClaimInvalid(ValueError):
    """A body that is not a complete, consistent Claim as ``claim_resource`` writes them: what
    the reference claims system refuses rather than adjudicate."""


def claim_resource(claim: ClaimForDelivery) -> dict[str, Any]:
    """Raises ValueError for a record that makes no valid Claim (an empty name, say): a
    delivery that can only be refused by the insurer is better stopped here."""
    patient = claim.patient
    receipts = [_receipt(number, receipt) for number, receipt in enumerate(claim.receipts, 1)]
    receipt_numbers = [receipt["sequence"] for receipt in receipts]
    resource: dict[str, Any] = {
        "resourceType": "Claim",
        "contained": [
            {
                "resourceType": "Patient",
                "id": "patient",
                "identifier": [{"system": PATIENT_ID_SYSTEM, "value": patient.patient_id}],
                "name": [{"family": patient.last_name, "given": [patient.first_name]}],
                "birthDate": patient.date_of_birth.isoformat(),
            },
            {
                "resourceType": "Coverage",
                "id": "coverage",
                "status": "active",
                "subscriberId": claim.certificate_number,
                "beneficiary": {"reference": "#patient"},
                "relationship": _coded(_RELATIONSHIP_SYSTEM, _RELATIONSHIPS[patient.relationship]),
                "policyHolder": {"reference": "#sponsor"},
                "payor": [{"extension": [{"url": _DATA_ABSENT_URL, "valueCode": "unknown"}]}],
                "class": [
                    {
                        "type": _coded(_COVERAGE_CLASS_SYSTEM, "group"),
                        "value": claim.contract_number,
                        "name": claim.plan_name,
                    }
                ],
            },
            {"resourceType": "Organization", "id": "sponsor", "name": claim.sponsor_name},
            {"resourceType": "Organization", "id": "provider", "name": claim.provider_name},
        ],
        "identifier": [
            {"system": CLAIM_ID_SYSTEM, "value": claim.claim_id},
            {"system": CLAIM_REFERENCE_SYSTEM, "value": claim.reference},
        ],
        "status": "active",
        "type": _coded(CLAIM_TYPE_SYSTEM, CLAIM_TYPES[claim.category]),
        "use": "claim",
        "patient": {"reference": "#patient"},
        "created": _instant(claim.submitted_at),
        "provider": {"reference": "#provider"},
        "priority": _coded("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "#coverage"}}],
        "item": [
            {
                "extension": [
                    {"url": OTHER_PLAN_PAID_URL, "valueMoney": _money(line.other_plan_paid_cents)}
                ],
                "sequence": number,
                **({"informationSequence": receipt_numbers} if receipt_numbers else {}),
                "productOrService": {
                    "coding": [
                        {
                            "system": SERVICE_TYPE_SYSTEM,
                            "code": line.service_type,
                            "display": SERVICE_LABELS[line.service_type][1],
                        }
                    ]
                },
                "servicedDate": line.service_date.isoformat(),
                "net": _money(line.amount_cents),
            }
            for number, line in enumerate(claim.lines, 1)
        ],
        "total": _money(sum(line.amount_cents for line in claim.lines)),
    }
    if receipts:
        resource["supportingInfo"] = receipts
    _validate(Claim, resource, ValueError)
    return resource


def claim_response_resource(decision: Decision, lines: Sequence[LineDecision]) -> dict[str, Any]:
    """What the reference claims system posts back; ``decision_from_claim_response`` reads the
    same decision out of it. ``lines`` are the claim's, in order (item sequence 1, 2, ...)."""
    resource: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "identifier": [{"system": EVENT_ID_SYSTEM, "value": decision.event_id}],
        "status": "active",
        "type": _coded(CLAIM_TYPE_SYSTEM, CLAIM_TYPES[decision.category]),
        "use": "claim",
        "patient": {"identifier": {"system": PATIENT_ID_SYSTEM, "value": decision.patient_id}},
        "created": _instant(decision.decided_at),
        "insurer": {"display": "Reference claims system"},
        "request": {
            "type": "Claim",
            "identifier": {"system": CLAIM_ID_SYSTEM, "value": decision.claim_id},
        },
        "outcome": "complete",
        "total": _adjudication(decision.eligible_cents, decision.paid_cents),
    }
    if lines:
        resource["item"] = [
            {
                "itemSequence": number,
                "adjudication": _adjudication(line.eligible_cents, line.paid_cents),
            }
            for number, line in enumerate(lines, 1)
        ]
    if decision.outcome == "PAID":
        resource["payment"] = {
            "type": _coded("http://terminology.hl7.org/CodeSystem/ex-paymenttype", "complete"),
            "amount": _money(decision.paid_cents),
        }
    if decision.reason_en is not None:
        resource["disposition"] = decision.reason_en
    reasons = [
        (text, language)
        for text, language in ((decision.reason_fr, "fr-CA"), (decision.reason_en, "en-CA"))
        if text is not None
    ]
    if reasons:
        resource["processNote"] = [
            {
                "number": number,
                "type": "display",
                "text": text,
                "language": _coded(_LANGUAGE_SYSTEM, language),
            }
            for number, (text, language) in enumerate(reasons, 1)
        ]
    _validate(ClaimResponse, resource, ValueError)
    return resource


def decision_from_claim_response(body: bytes | Mapping[str, Any]) -> Decision:
    """The decision a webhook body carries, once it is known complete and consistent.

    Only final decisions are taken (status active, use claim, outcome complete): anything else
    would store a guess. Amounts must be whole cents of CAD, never negative, the benefit never
    above the eligible amount, and the lines must add up to the totals.
    """
    data = _json_object(body) if isinstance(body, bytes) else dict(body)
    if data.get("resourceType") != "ClaimResponse":
        _invalid("not a ClaimResponse")
    response = _validate(ClaimResponse, data, ClaimResponseInvalid)
    if (response.status, response.use, response.outcome) != ("active", "claim", "complete"):
        _invalid("not a final decision (status active, use claim, outcome complete)")
    eligible, paid = _totals(response.total, "total")
    items = [_totals(item.adjudication, "item") for item in response.item or ()]
    if items and tuple(map(sum, zip(*items, strict=True))) != (eligible, paid):
        _invalid("the items do not add up to the totals")
    if response.payment is None:
        outcome = "REFUSED"
        if paid != 0:
            _invalid("a benefit without a payment")
    else:
        outcome = "PAID"
        if paid == 0 or _cents(response.payment.amount, "payment") != paid:
            _invalid("the payment is not the benefit total")
    request = response.request.identifier if response.request is not None else None
    notes = {_language(note): note.text for note in response.processNote or ()}
    return Decision(
        claim_id=_identified([request], CLAIM_ID_SYSTEM),
        event_id=_identified(response.identifier or (), EVENT_ID_SYSTEM),
        outcome=outcome,
        eligible_cents=eligible,
        paid_cents=paid,
        reason_fr=notes.get("fr-CA"),
        reason_en=notes.get("en-CA", response.disposition),
        decided_at=_created_at(response.created),
        patient_id=_identified([response.patient.identifier], PATIENT_ID_SYSTEM),
        category=_category(response.type),
    )


def claim_from_resource(body: bytes | Mapping[str, Any]) -> ClaimForDelivery:
    """The claim a Claim body carries, ``claim_resource``'s inverse, once it is known complete
    and consistent: what the reference claims system adjudicates.

    Everything the mapping relies on is checked, as ``decision_from_claim_response`` does the
    other way: a claim read half right would be adjudicated wrong. The contained resources are
    found through the claim's references, not at fixed places. Amounts must be whole cents of
    CAD, each line's above 0 and what another plan paid from 0 to it, and the total their sum.
    """
    try:
        return _claim(body)
    except ClaimResponseInvalid as refused:
        # The checks are shared with decision_from_claim_response, hence its error; the message
        # and the cause (there is one only for a body that is not JSON) carry over.
        raise ClaimInvalid(*refused.args) from refused.__cause__


def resource_json(resource: Mapping[str, Any]) -> bytes:
    """The bytes to send (and sign): money as exact JSON numbers."""
    return orjson.dumps(resource, default=_exact_decimal)


def _claim(body: bytes | Mapping[str, Any]) -> ClaimForDelivery:
    data = _json_object(body) if isinstance(body, bytes) else dict(body)
    if data.get("resourceType") != "Claim":
        _invalid("not a Claim")
    claim = _validate(Claim, data, ClaimResponseInvalid)
    if (claim.status, claim.use) != ("active", "claim"):
        _invalid("not a claim to adjudicate (status active, use claim)")
    patient = _contained(claim, claim.patient, PatientResource, "patient")
    focal = [insurance for insurance in claim.insurance if insurance.focal]
    if len(focal) != 1:
        _invalid("insurance: one focal coverage expected")
    coverage = _contained(claim, focal[0].coverage, Coverage, "insurance.coverage")
    if coverage.beneficiary.reference != claim.patient.reference:
        _invalid("Coverage.beneficiary: the claim's patient expected")
    sponsor = _contained(claim, coverage.policyHolder, Organization, "Coverage.policyHolder")
    provider = _contained(claim, claim.provider, Organization, "provider")
    groups = [
        group
        for group in coverage.class_fhir or ()
        if _has_code(group.type, _COVERAGE_CLASS_SYSTEM, "group")
    ]
    if len(groups) != 1:
        _invalid("Coverage.class: one group expected")
    receipts = tuple(
        _receipt_link(index, info) for index, info in enumerate(claim.supportingInfo or ())
    )
    lines = tuple(_line(index, item, len(receipts)) for index, item in enumerate(claim.item or ()))
    if not lines:
        _invalid("item: at least one expected")
    if _cents(claim.total, "total") != sum(line.amount_cents for line in lines):
        _invalid("total: the sum of the items' net amounts expected")
    first_name, last_name = _name(patient)
    return ClaimForDelivery(
        claim_id=_identified(claim.identifier or (), CLAIM_ID_SYSTEM),
        reference=_identified(claim.identifier or (), CLAIM_REFERENCE_SYSTEM),
        category=_category(claim.type),
        submitted_at=_created_at(claim.created),
        contract_number=_present(groups[0].value, "Coverage.class.value"),
        certificate_number=_present(coverage.subscriberId, "Coverage.subscriberId"),
        plan_name=_present(groups[0].name, "Coverage.class.name"),
        sponsor_name=_present(sponsor.name, "Coverage.policyHolder.name"),
        patient=Patient(
            patient_id=_identified(patient.identifier or (), PATIENT_ID_SYSTEM),
            first_name=first_name,
            last_name=last_name,
            date_of_birth=_day(patient.birthDate, "Patient.birthDate"),
            relationship=_meaning(
                coverage.relationship,
                _RELATIONSHIP_SYSTEM,
                _RELATIONSHIP_OF,
                "Coverage.relationship: one code of self, spouse or child expected",
            ),
        ),
        provider_name=_present(provider.name, "provider.name"),
        lines=lines,
        receipts=receipts,
    )


def _contained(claim: Claim, reference: Any, kind: type[_Model], where: str) -> _Model:
    """The contained resource a local reference ("#id") names: the claim comes in one piece."""
    target = reference.reference if reference is not None else None
    found = [
        resource
        for resource in claim.contained or ()
        if resource.id is not None and target == f"#{resource.id}"
    ]
    resource = found[0] if len(found) == 1 else None
    if not isinstance(resource, kind):
        _invalid(f"{where}: a reference to one contained {kind.__name__} expected")
    return resource


def _name(patient: PatientResource) -> tuple[str, str]:
    """(first, last): the gateway keeps one of each, so one name of one given name."""
    names = patient.name or []
    name = names[0] if len(names) == 1 else None
    given = (name.given or []) if name is not None else []
    if name is None or len(given) != 1:
        _invalid("Patient.name: one name, of one given name, expected")
    return _present(given[0], "Patient.name.given"), _present(name.family, "Patient.name.family")


def _line(index: int, item: Any, receipts: int) -> ClaimLineRecord:
    where = f"item.{index}"
    if item.sequence != index + 1:
        _invalid(f"{where}.sequence: the item's place (1, 2, ...) expected")
    if not set(item.informationSequence or ()) <= set(range(1, receipts + 1)):
        _invalid(f"{where}.informationSequence: receipts' sequences expected")
    amount = _cents(item.net, f"{where}.net")
    if amount == 0:
        _invalid(f"{where}.net: an amount above 0 expected")
    other_plan_paid = _cents(
        _extension(item, OTHER_PLAN_PAID_URL, where).valueMoney, f"{where}.extension"
    )
    if other_plan_paid > amount:
        _invalid(f"{where}: another plan paid more than the net amount")
    return ClaimLineRecord(
        service_type=_meaning(
            item.productOrService,
            SERVICE_TYPE_SYSTEM,
            _SERVICE_TYPES,
            f"{where}.productOrService: one {SERVICE_TYPE_SYSTEM} code of a service type expected",
        ),
        service_date=_day(item.servicedDate, f"{where}.servicedDate"),
        amount_cents=amount,
        other_plan_paid_cents=other_plan_paid,
    )


def _receipt_link(index: int, info: Any) -> ReceiptLink:
    where = f"supportingInfo.{index}"
    if info.sequence != index + 1:
        _invalid(f"{where}.sequence: the receipt's place (1, 2, ...) expected")
    if not _has_code(info.category, _INFORMATION_SYSTEM, "attachment"):
        _invalid(f"{where}.category: a claiminformationcategory attachment expected")
    attachment = info.valueAttachment
    if attachment is None or None in (attachment.contentType, attachment.url, attachment.size):
        _invalid(f"{where}.valueAttachment: contentType, url and size expected")
    where = f"{where}.valueAttachment"
    sha256 = _extension_string(attachment, RECEIPT_SHA256_URL, where)
    if not _SHA256.fullmatch(sha256):
        _invalid(f"{where}: a SHA-256 in lowercase hexadecimal expected")
    return ReceiptLink(
        receipt_id=_extension_string(attachment, RECEIPT_ID_URL, where),
        content_type=attachment.contentType,
        size_bytes=attachment.size,
        url=attachment.url,
        sha256=sha256,
    )


def _extension(element: Any, url: str, where: str) -> Any:
    found = [extension for extension in element.extension or () if extension.url == url]
    if len(found) != 1:
        _invalid(f"{where}: one extension {url} expected")
    return found[0]


def _extension_string(element: Any, url: str, where: str) -> str:
    value = _extension(element, url, where).valueString
    return _present(value, f"{where}: the valueString of {url}")


def _has_code(concept: Any, system: str, code: str) -> bool:
    codings = concept.coding if concept is not None else None
    return any(coding.system == system and coding.code == code for coding in codings or ())


def _present(value: str | None, where: str) -> str:
    if not value:
        _invalid(f"{where} expected")
    return value


def _day(value: Any, where: str) -> date:
    """FHIR dates may be partial ("2026-03"), which stay strings: a claim's are whole days."""
    if not isinstance(value, date) or isinstance(value, datetime):
        _invalid(f"{where}: a full date expected")
    return value


def _exact_decimal(value: object) -> orjson.Fragment:
    if isinstance(value, Decimal) and value.is_finite():
        return orjson.Fragment(str(value))
    raise TypeError(f"{type(value).__name__} is not JSON")


def _validate(
    model: type[_Model], resource: Mapping[str, Any], failure: type[ValueError]
) -> _Model:
    """The inputs stay out of the message: they are health data, and messages reach logs."""
    try:
        return model.model_validate(resource)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(step) for step in problem['loc'])}: {problem['msg']}"
            for problem in error.errors(include_url=False, include_input=False)
        )
        raise failure(f"not a valid FHIR R4 {model.__name__}: {problems}") from None


def _receipt(number: int, receipt: ReceiptLink) -> dict[str, Any]:
    return {
        "sequence": number,
        "category": _coded(_INFORMATION_SYSTEM, "attachment"),
        "valueAttachment": {
            "extension": [
                {"url": RECEIPT_SHA256_URL, "valueString": receipt.sha256},
                {"url": RECEIPT_ID_URL, "valueString": receipt.receipt_id},
            ],
            "contentType": receipt.content_type,
            "url": receipt.url,
            "size": receipt.size_bytes,
        },
    }


def _adjudication(eligible_cents: int, paid_cents: int) -> list[dict[str, Any]]:
    return [
        {"category": _coded(ADJUDICATION_SYSTEM, "eligible"), "amount": _money(eligible_cents)},
        {"category": _coded(ADJUDICATION_SYSTEM, "benefit"), "amount": _money(paid_cents)},
    ]


def _coded(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _money(cents: int) -> dict[str, Any]:
    return {"value": Decimal(cents).scaleb(-2), "currency": _CURRENCY}


def _instant(moment: datetime) -> str:
    """FHIR wants a zone on any dateTime with a time; a naive one would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no place in a FHIR resource")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise ClaimResponseInvalid("not JSON") from error
    if not isinstance(data, dict):
        _invalid("not a JSON object")
    return data


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a FHIR number")


def _totals(adjudications: Iterable[Any] | None, where: str) -> tuple[int, int]:
    """(eligible, benefit) in cents; each exactly once, whatever other categories come along."""
    amounts: dict[str, list[int]] = {"eligible": [], "benefit": []}
    for adjudication in adjudications or ():
        for coding in adjudication.category.coding or ():
            if coding.system == ADJUDICATION_SYSTEM and coding.code in amounts:
                amounts[coding.code].append(_cents(adjudication.amount, where))
    if any(len(found) != 1 for found in amounts.values()):
        _invalid(f"{where}: one eligible and one benefit amount expected")
    eligible, benefit = amounts["eligible"][0], amounts["benefit"][0]
    if benefit > eligible:
        _invalid(f"{where}: the benefit is above the eligible amount")
    return eligible, benefit


def _cents(money: Any, where: str) -> int:
    if money is None or money.value is None or money.currency != _CURRENCY:
        _invalid(f"{where}: an amount in {_CURRENCY} expected")
    value = Decimal(money.value)
    if value < 0 or value > _MOST:
        _invalid(f"{where}: amounts are from 0 to {_MOST} {_CURRENCY}")
    if value != value.quantize(_CENT):
        _invalid(f"{where}: amounts are whole cents")
    return int(value * 100)


def _identified(identifiers: Iterable[Any], system: str) -> str:
    values = [
        found.value
        for found in identifiers
        if found is not None and found.system == system and found.value
    ]
    if len(values) != 1:
        _invalid(f"one identifier of {system} expected")
    return str(values[0])


def _created_at(created: Any) -> datetime:
    if not isinstance(created, datetime) or created.utcoffset() is None:
        _invalid("created must be a date and time with its zone")
    return created.astimezone(UTC)


def _category(concept: Any) -> str:
    return _meaning(
        concept,
        CLAIM_TYPE_SYSTEM,
        _CATEGORIES,
        "type must be one claim-type code of professional, oral or vision",
    )


def _meaning(concept: Any, system: str, meanings: Mapping[str, str], why: str) -> str:
    """What the one coding of ``system`` among ``meanings`` stands for: one, not the first of
    several, which would be a guess."""
    codings = concept.coding if concept is not None else None
    found = [
        meanings[coding.code]
        for coding in codings or ()
        if coding.system == system and coding.code in meanings
    ]
    if len(found) != 1:
        _invalid(why)
    return found[0]


def _language(note: Any) -> str | None:
    codings = note.language.coding if note.language is not None else None
    return next((coding.code for coding in codings or () if coding.code), None)


def _invalid(why: str) -> NoReturn:
    raise ClaimResponseInvalid(why)
