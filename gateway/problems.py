"""What a service answers instead of raising: typed problems a client can act on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import timedelta
from enum import Enum
from typing import Any


class ErrorCode(Enum):
    REQUIRED = "REQUIRED"
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_USER_CODE = "INVALID_USER_CODE"
    USER_CODE_TAKEN = "USER_CODE_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    PASSWORD_MISMATCH = "PASSWORD_MISMATCH"
    HINT_REVEALS_PASSWORD = "HINT_REVEALS_PASSWORD"
    IDENTITY_NOT_VERIFIED = "IDENTITY_NOT_VERIFIED"
    CERTIFICATE_ALREADY_REGISTERED = "CERTIFICATE_ALREADY_REGISTERED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    RATE_LIMITED = "RATE_LIMITED"
    AUTHENTICATION_REQUIRED = "AUTHENTICATION_REQUIRED"
    FILE_NOT_ACCESSIBLE = "FILE_NOT_ACCESSIBLE"
    AGREEMENT_OUTDATED = "AGREEMENT_OUTDATED"
    FEATURE_NOT_AVAILABLE = "FEATURE_NOT_AVAILABLE"
    SESSION_NOT_ACTIVE = "SESSION_NOT_ACTIVE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE_CLAIM = "DUPLICATE_CLAIM"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_RECEIPT = "INVALID_RECEIPT"
    OUTSIDE_COVERAGE = "OUTSIDE_COVERAGE"
    REAUTHENTICATION_FAILED = "REAUTHENTICATION_FAILED"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request.

    ``message`` is a key of the catalogue (``gateway.i18n``); it defaults to the code's own
    message. ``params`` fill the message's placeholders.
    """

    code: ErrorCode
    field: str | None = None
    message: str | None = None
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def message_key(self) -> str:
        return self.message or self.code.value


def waiting(
    code: ErrorCode, wait: timedelta, field: str | None = None, message: str | None = None
) -> Problem:
    """A refusal that tells when to come back: in words in the message, in whole seconds for
    a client (``retryAfter``)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    return Problem(code, field, message, {"wait": timedelta(seconds=seconds), "seconds": seconds})
