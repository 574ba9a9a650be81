"""The registry's and the contract's words, once: the import checks them, the rules use them,
the schema publishes them as its enums (``schema/common.py``)."""

from __future__ import annotations

from enum import Enum


class ProductLine(Enum):
    GROUP_INSURANCE = "GROUP_INSURANCE"
    GROUP_RETIREMENT_SAVINGS = "GROUP_RETIREMENT_SAVINGS"
    GROUP_ANNUITY = "GROUP_ANNUITY"


class FileStatus(Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"


class OnlineFeature(Enum):
    """The online features a plan may offer (R13)."""

    HEALTH_CLAIMS = "HEALTH_CLAIMS"
    DENTAL_CLAIMS = "DENTAL_CLAIMS"
    VISION_CLAIMS = "VISION_CLAIMS"
    CLAIMS_HISTORY = "CLAIMS_HISTORY"
    DIRECT_DEPOSIT = "DIRECT_DEPOSIT"
    ELECTRONIC_STATEMENTS = "ELECTRONIC_STATEMENTS"
    PAYMENT_CARD = "PAYMENT_CARD"


class Channel(Enum):
    WEB = "WEB"
    MOBILE = "MOBILE"


class ClaimCategory(Enum):
    HEALTH = "HEALTH"
    DENTAL = "DENTAL"
    VISION = "VISION"


class ServiceType(Enum):
    PHYSIOTHERAPY = "PHYSIOTHERAPY"
    MASSAGE_THERAPY = "MASSAGE_THERAPY"
    CHIROPRACTIC = "CHIROPRACTIC"
    OSTEOPATHY = "OSTEOPATHY"
    PSYCHOLOGY = "PSYCHOLOGY"
    ACUPUNCTURE = "ACUPUNCTURE"
    NATUROPATHY = "NATUROPATHY"
    SPEECH_THERAPY = "SPEECH_THERAPY"
    MEDICAL_EQUIPMENT = "MEDICAL_EQUIPMENT"
    HOSPITAL = "HOSPITAL"
    DENTAL_CARE = "DENTAL_CARE"
    EYE_EXAM = "EYE_EXAM"
    EYEGLASSES = "EYEGLASSES"
    CONTACT_LENSES = "CONTACT_LENSES"

    @property
    def category(self) -> ClaimCategory:
        if self is ServiceType.DENTAL_CARE:
            return ClaimCategory.DENTAL
        if self in (ServiceType.EYE_EXAM, ServiceType.EYEGLASSES, ServiceType.CONTACT_LENSES):
            return ClaimCategory.VISION
        return ClaimCategory.HEALTH


# The feature a category of claims needs in the file's onlineFeatures (R13).
CLAIM_FEATURE = {
    ClaimCategory.HEALTH: OnlineFeature.HEALTH_CLAIMS,
    ClaimCategory.DENTAL: OnlineFeature.DENTAL_CLAIMS,
    ClaimCategory.VISION: OnlineFeature.VISION_CLAIMS,
}


class Relationship(Enum):
    MEMBER = "MEMBER"
    SPOUSE = "SPOUSE"
    CHILD = "CHILD"


class ClaimStatus(Enum):
    SUBMITTED = "SUBMITTED"
    RECEIVED = "RECEIVED"
    PAID = "PAID"
    REFUSED = "REFUSED"


def values(vocabulary: type[Enum]) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)
