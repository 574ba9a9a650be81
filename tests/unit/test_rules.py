"""R3-R6 as pure rules, without a database."""

import unicodedata

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
    """8 to 128 characters (R4, ASVS 2.1.2)."""
    assert rules.check_password("Kq7!vZ2m", "user1") == []
    assert rules.check_password("Kq7!vZ2m" * 16, "user1") == []
    assert _codes(rules.check_password("Kq7!vZ2m" * 16 + "x", "user1")) == [
        (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.too_long")
    ]


@pytest.mark.parametrize(
    "password", ["Password123!", "Azerty123!", "Qwerty123!", "Motdepasse1!", "Bonjour123!"]
)
def test_common_and_guessable_passwords_are_refused(password):
    """ASVS 2.1.7: R4's three kinds let these through; a guess count does not."""
    assert _codes(rules.check_password(password, "GenCote86")) == [
        (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.guessable")
    ]


def test_what_is_known_of_the_member_makes_a_password_guessable():
    inputs = ["Éléonore", "Tremblay", "1986-04-19", "19860419", "G81234", "0004417"]
    for password in ["Tremblay0004417", "Éléonore19860419"]:
        assert rules.check_password(password, "Nora1986") == []
        assert _codes(rules.check_password(password, "Nora1986", user_inputs=inputs)) == [
            (ErrorCode.WEAK_PASSWORD, "password", "WEAK_PASSWORD.guessable")
        ]


@pytest.mark.parametrize("password", ["Erable!2024", "Bouleau#2025", "Pommier!2024"])
def test_the_readme_passwords_pass(password):
    assert rules.check_password(password, "GenCote86") == []


def test_passwords_are_read_as_they_are_hashed():
    """ASVS 2.1.4: NFKC, so a full-width copy of the user code counts as the user code."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "GenCote86")
    assert (
        ErrorCode.WEAK_PASSWORD,
        "password",
        "WEAK_PASSWORD.contains_user_code",
    ) in _codes(rules.check_password(f"Xy!{full_width}", "GenCote86"))


@pytest.mark.parametrize(
    "copy",
    [
        "Érable!2024",  # composed
        unicodedata.normalize("NFD", "Érable!2024"),  # decomposed
        "Ｅ\u0301ｒａｂｌｅ!２０２４",  # full-width
        "É\u200brable!20\u200d24",  # zero-width characters slipped in
    ],
)
def test_a_hint_holding_any_form_of_the_password_reveals_it(copy):
    """R5, compared as a reader would see it (issue 13)."""
    assert [p.code for p in rules.check_hint(f"mon mot: {copy}", "Érable!2024")] == [
        ErrorCode.HINT_REVEALS_PASSWORD
    ]


def test_only_ascii_letters_and_digits_make_a_user_code():
    """The Kelvin sign folds to k: it must not stand for a member's K."""
    assert rules.is_user_code("Kelvin86")
    assert not rules.is_user_code("\u212aelvin86")
    assert not rules.is_user_code("Ｋelvin86")


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
