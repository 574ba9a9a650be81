"""The format rules of R3-R6 as pure functions: each returns every problem it finds."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gateway import strength
from gateway.problems import ErrorCode, Problem
from gateway.text import comparable, normalise
from store import limits

USER_CODE_MIN_LENGTH = 5
USER_CODE_MAX_LENGTH = limits.USER_CODE
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128  # OWASP ASVS 2.1.2
PASSWORD_REQUIRED_KINDS = 3
HINT_MAX_LENGTH = limits.PASSWORD_HINT
MOTHERS_FIRST_NAME_MAX_LENGTH = 50  # only its hash is stored: no column to read it from
NAME_MAX_LENGTH = limits.PERSON_NAME
EMAIL_MAX_LENGTH = limits.EMAIL
NUMBER_MAX_LENGTH = min(limits.CONTRACT_NUMBER, limits.CERTIFICATE_NUMBER)

USER_CODE_PATTERN = f"^[A-Za-z0-9]{{{USER_CODE_MIN_LENGTH},{USER_CODE_MAX_LENGTH}}}$"
_USER_CODE = re.compile(USER_CODE_PATTERN)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

_KIND_TESTS: tuple[Callable[[str], bool], ...] = (
    lambda c: "a" <= c <= "z",
    lambda c: "A" <= c <= "Z",
    lambda c: "0" <= c <= "9",
)


def is_blank(value: str | None) -> bool:
    return value is None or not value.strip()


def required(value: str | None, field: str) -> list[Problem]:
    return [Problem(ErrorCode.REQUIRED, field)] if is_blank(value) else []


def bounded_text(value: str | None, field: str, max_length: int) -> list[Problem]:
    """A required free text: not blank, not longer than ``max_length`` once trimmed."""
    if value is None or is_blank(value):
        return [Problem(ErrorCode.REQUIRED, field)]
    if len(value.strip()) > max_length:
        return [
            Problem(ErrorCode.INVALID_VALUE, field, "INVALID_VALUE.too_long", {"max": max_length})
        ]
    return []


def check_user_code(user_code: str) -> list[Problem]:
    """R3; the stored form keeps the member's spelling, uniqueness ignores case."""
    if is_blank(user_code):
        return [Problem(ErrorCode.REQUIRED, "userCode")]
    if not is_user_code(user_code):
        return [
            Problem(
                ErrorCode.INVALID_USER_CODE,
                "userCode",
                params={"min": USER_CODE_MIN_LENGTH, "max": USER_CODE_MAX_LENGTH},
            )
        ]
    return []


def is_user_code(user_code: str) -> bool:
    """R3 exactly: ASCII letters and digits only, so that no other script's look-alike (the
    Kelvin sign for a K) can stand for a member's code."""
    return _USER_CODE.fullmatch(user_code) is not None


def character_kinds(password: str) -> int:
    """How many of lowercase, uppercase, digits and symbols (every other character) appear."""
    kinds = {i for c in password for i, test in enumerate(_KIND_TESTS) if test(c)}
    has_symbol = any(not any(test(c) for test in _KIND_TESTS) for c in password)
    return len(kinds) + (1 if has_symbol else 0)


def check_password(
    password: str, user_code: str, field: str = "password", user_inputs: Iterable[str] = ()
) -> list[Problem]:
    """R4: one WEAK_PASSWORD per rule broken, so the member sees them all at once; then, for
    a password that follows them, whether it is too easy to guess (ASVS 2.1.7) given what is
    known of the member (``user_inputs``: names, date of birth, numbers)."""
    problems = check_password_rules(password, user_code, field)
    return problems or check_guessable(password, user_code, field, user_inputs)


def check_password_rules(password: str, user_code: str, field: str = "password") -> list[Problem]:
    """R4's rules alone, for a flow that learns more of the member before it can judge how
    guessable the password is (zxcvbn is most of a registration's own CPU: it runs once).

    Every rule reads the password as it is hashed: NFKC-normalised (ASVS 2.1.4).
    """
    if is_blank(password):
        return [Problem(ErrorCode.REQUIRED, field)]
    password = normalise(password)
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(
            Problem(
                ErrorCode.WEAK_PASSWORD,
                field,
                "WEAK_PASSWORD.too_short",
                {"min": PASSWORD_MIN_LENGTH},
            )
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(
            Problem(
                ErrorCode.WEAK_PASSWORD,
                field,
                "WEAK_PASSWORD.too_long",
                {"max": PASSWORD_MAX_LENGTH},
            )
        )
    if character_kinds(password) < PASSWORD_REQUIRED_KINDS:
        problems.append(
            Problem(
                ErrorCode.WEAK_PASSWORD,
                field,
                "WEAK_PASSWORD.character_kinds",
                {"required": PASSWORD_REQUIRED_KINDS},
            )
        )
    code = comparable(user_code).strip()
    if code and code in comparable(password):
        problems.append(Problem(ErrorCode.WEAK_PASSWORD, field, "WEAK_PASSWORD.contains_user_code"))
    return problems


def check_guessable(
    password: str, user_code: str, field: str, user_inputs: Iterable[str] = ()
) -> list[Problem]:
    """ASVS 2.1.7 alone, for when more is learnt of the member after the format checks."""
    if strength.is_guessable(password, [user_code, *user_inputs]):
        return [Problem(ErrorCode.WEAK_PASSWORD, field, "WEAK_PASSWORD.guessable")]
    return []


def check_confirmation(password: str, confirmation: str, field: str) -> list[Problem]:
    if is_blank(confirmation):
        return [Problem(ErrorCode.REQUIRED, field)]
    if confirmation != password:
        return [Problem(ErrorCode.PASSWORD_MISMATCH, field)]
    return []


def hint_reveals(hint: str, password: str) -> bool:
    """R5: the hint holds the password, in any case, form or spelling a reader would see
    as the same (NFD, full-width, zero-width characters slipped in)."""
    return not is_blank(password) and comparable(password) in comparable(hint)


def check_hint(hint: str, password: str) -> list[Problem]:
    """R5: a memory aid that contains the password would give it away."""
    problems = bounded_text(hint, "passwordHint", HINT_MAX_LENGTH)
    if problems:
        return problems
    if hint_reveals(hint, password):
        return [Problem(ErrorCode.HINT_REVEALS_PASSWORD, "passwordHint")]
    return []


def check_email(email: str | None, field: str) -> list[Problem]:
    if email is None or is_blank(email):
        return []
    value = email.strip()
    if len(value) > EMAIL_MAX_LENGTH:
        return [
            Problem(
                ErrorCode.INVALID_VALUE, field, "INVALID_VALUE.too_long", {"max": EMAIL_MAX_LENGTH}
            )
        ]
    if not _EMAIL.fullmatch(value):
        return [Problem(ErrorCode.INVALID_VALUE, field, "INVALID_VALUE.email")]
    return []


@dataclass(frozen=True)
class ProfileForm:
    first_name: str
    last_name: str
    email: str | None
    preferred_language: str | None


def check_profile(profile: ProfileForm, prefix: str = "profile") -> list[Problem]:
    return [
        *bounded_text(profile.first_name, f"{prefix}.firstName", NAME_MAX_LENGTH),
        *bounded_text(profile.last_name, f"{prefix}.lastName", NAME_MAX_LENGTH),
        *check_email(profile.email, f"{prefix}.email"),
    ]


def check_number(value: str, field: str) -> list[Problem]:
    return bounded_text(value, field, NUMBER_MAX_LENGTH)
