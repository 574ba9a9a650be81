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


def values(vocabulary: type[Enum]) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)
