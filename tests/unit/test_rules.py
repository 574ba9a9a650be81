"""R3-R6 as pure rules, without a database."""

import pytest

from gateway import rules
from gateway.problems import ErrorCode
from gateway.text import canonical_number, fold


def _codes(problems):
    return [(p.code, p.field, p.message_key) for p in problems]


@pytest.mark.parametrize("code", ["abcde", "ABCDE", "a1B2c", "x" * 36, "0123456789"])
def test_user_codes_that_follow_r3(code):
    assert rules.check_user_code(code) == []


@pytest.mark.parametrize(
    "code", ["abcd", "x" * 37, "abcdé", "abc-de", "abc de", "ａｂｃｄｅ", "abcd\n"]
)
def test_user_codes_that_break_r3(code):
    assert [p.code for p in rules.check_user_code(code)] == [ErrorCode.INVALID_USER_CODE]


def test_blank_user_code_is_required():
    assert [p.code for p in rules.check_user_code("   ")] == [ErrorCode.REQUIRED]


@pytest.mark.parametrize(
    ("password", "kinds"),
    [
        ("abcdefgh", 1),
        ("abcdEFGH", 2),
        ("abcdEF12", 3),
        ("abcdEF1!", 4),
        ("abcd efgh", 2),
        ("abcdéfgh", 2),
        ("ÀÉÎÕÜ123", 2),
    ],
)
def test_character_kinds_count_everything_else_as_symbols(password, kinds):
    assert rules.character_kinds(password) == kinds


def test_password_breaches_are_each_named():
    problems = rules.check_password("abc", "GenCote86")
    assert _codes(problems) == [
        (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.too_short"),
        (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.character_kinds"),
    ]


def test_password_must_not_contain_the_user_code_in_any_case():
    problems = rules.check_password("My-gencote86-Pass", "GenCote86")
    assert _codes(problems) == [
        (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.contains_user_code")
    ]


def test_password_length_bounds():
    assert rules.check_password("Aa1!" * 2, "user1") == []
    assert rules.check_password("Aa1!" * 64, "user1") == []
    assert _codes(rules.check_password("Aa1!" * 64 + "x", "user1")) == [
        (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.too_long")
    ]


def test_hint_rules():
    assert rules.check_hint("la cabane", "Erable!2024") == []
    assert [p.code for p in rules.check_hint("ERABLE!2024 voilà", "Erable!2024")] == [
        ErrorCode.HINT_REVEALS_PASSWORD
    ]
    assert [p.code for p in rules.check_hint(" ", "Erable!2024")] == [ErrorCode.REQUIRED]
    assert [p.code for p in rules.check_hint("x" * 101, "Erable!2024")] == [ErrorCode.INVALID_VALUE]


@pytest.mark.parametrize("email", ["a@b.ca", "genevieve.cote+assur@example.qc.ca"])
def test_valid_emails(email):
    assert rules.check_email(email, "profile.email") == []


@pytest.mark.parametrize("email", ["plain", "a@b", "a b@c.ca", "a@@b.ca", "x" * 250 + "@b.ca"])
def test_invalid_emails(email):
    assert [p.code for p in rules.check_email(email, "profile.email")] == [ErrorCode.INVALID_VALUE]


def test_fold_ignores_case_accents_and_spacing():
    """R6: the answer is compared in its normalised form."""
    assert fold("  MARIE-EVE ") == fold("Marie-Ève") == "marie-eve"
    assert fold("Marie   Ève") == "marie eve"
    assert fold("ﬁlomène") == "filomene"


def test_numbers_are_trimmed_and_upper_cased():
    assert canonical_number("  g81234 ") == "G81234"
