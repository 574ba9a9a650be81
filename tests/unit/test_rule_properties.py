"""Properties of the R3-R6 rules and of text folding, over generated input (issue 6).

``test_rules.py`` pins chosen examples; these let hypothesis look for the inputs nobody
thought of: Unicode digits and letters next to ASCII, odd spacing, case changes, lengths at
the bounds. Each property states what the rule must do in terms that do not copy its code,
so a change that breaks the rule for some input makes one of them fail.
"""

from __future__ import annotations

import re
import string
import unicodedata

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gateway import rules
from gateway.problems import ErrorCode
from gateway.strength import is_guessable
from gateway.text import canonical_number, canonical_user_code, fold, normalise

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

USER_CODE_SPEC = re.compile(r"\A[A-Za-z0-9]{5,36}\Z")
ALNUM = string.ascii_letters + string.digits
FRENCH_LETTERS = "àâäçéèêëîïôöùûüÿæœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
# What members type: ASCII, French letters, and a few spaces of other widths.
TYPED = st.text(
    alphabet=st.sampled_from(string.printable + FRENCH_LETTERS + "\u00a0\u2009"), max_size=60
)
# Characters that look like a user code's but are not ASCII letters or digits.
LOOKALIKES = "éÉçßıİ٣１ａＡ\u0301 -_.\n\t\u00a0"

valid_user_codes = st.from_regex(USER_CODE_SPEC, fullmatch=True)


def _message_keys(problems: list[rules.Problem]) -> set[str]:
    return {p.message_key for p in problems}


@st.composite
def near_miss_user_codes(draw: st.DrawFn) -> str:
    """A valid user code made invalid in one way: too short, too long, or one odd character."""
    code = draw(valid_user_codes)
    how = draw(st.sampled_from(["short", "long", "odd"]))
    if how == "short":
        return code[: draw(st.sampled_from([4, 4, 3, 1]))]
    if how == "long":
        size = draw(st.sampled_from([37, 37, 38, 60]))
        return code + draw(st.text(alphabet=ALNUM, min_size=size - len(code), max_size=size))
    at = draw(st.integers(0, len(code)))
    return code[:at] + draw(st.sampled_from(LOOKALIKES)) + code[at:]


# --- R3: user codes -----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.one_of(st.text(max_size=50), valid_user_codes, near_miss_user_codes()))
@example("abcde\n")  # `$` would accept it; the rule must not
@example(" GenCote86")  # registration trims later, but R3 judges what was typed
@example("a" * 36)
@example("a" * 37)
@example("٣٣٣٣٣")  # Unicode digits are digits to str.isdigit, not to R3
def test_a_user_code_is_accepted_exactly_when_it_is_5_to_36_ascii_letters_or_digits(code):
    """Anything else is refused, as REQUIRED when blank, else INVALID_USER_CODE."""
    problems = rules.check_user_code(code)
    if USER_CODE_SPEC.match(code):
        assert problems == []
    elif not code.strip():
        assert [p.code for p in problems] == [ErrorCode.REQUIRED]
    else:
        assert [(p.code, p.field) for p in problems] == [(ErrorCode.INVALID_USER_CODE, "userCode")]


@PROPERTY_SETTINGS
@given(valid_user_codes, st.randoms(use_true_random=False))
def test_user_codes_differing_only_in_case_are_one_user_code(code, random):
    """Uniqueness ignores case: GenCote86 and gencote86 may not be two members."""
    recased = "".join(random.choice([c.upper(), c.lower()]) for c in code)
    assert canonical_user_code(recased) == canonical_user_code(code)
    assert rules.check_user_code(recased) == []


@PROPERTY_SETTINGS
@given(valid_user_codes, valid_user_codes)
def test_different_user_codes_stay_different(first, second):
    assume(first.lower() != second.lower())
    assert canonical_user_code(first) != canonical_user_code(second)


# --- R4: passwords ------------------------------------------------------------------------

KIND_ALPHABETS = {
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "digit": string.digits,
    # Every other character is a symbol, accented letters and Unicode digits included.
    "symbol": "!#$%&*+-./:;?@_ ~éÉçÇ٣１ß€«»\u00a0",
}


@st.composite
def passwords_of_kinds(draw: st.DrawFn, min_size: int = 1, max_size: int = 40) -> tuple[str, int]:
    """A password built from a chosen set of kinds, each present at least once."""
    kinds = draw(st.sets(st.sampled_from(sorted(KIND_ALPHABETS)), min_size=1))
    chars = [draw(st.sampled_from(KIND_ALPHABETS[kind])) for kind in sorted(kinds)]
    alphabet = "".join(KIND_ALPHABETS[kind] for kind in kinds)
    size = draw(st.integers(max(min_size, len(chars)), max_size))
    chars += draw(st.lists(st.sampled_from(alphabet), min_size=size - len(chars), max_size=size))
    return "".join(draw(st.permutations(chars))), len(kinds)


@PROPERTY_SETTINGS
@given(passwords_of_kinds())
def test_character_kinds_counts_the_kinds_a_password_is_made_of(built):
    password, kinds = built
    assert rules.character_kinds(password) == kinds


@PROPERTY_SETTINGS
@given(st.text(max_size=40), st.text(max_size=40))
def test_character_kinds_stays_between_0_and_4_and_never_drops_when_text_is_added(a, b):
    assert 0 <= rules.character_kinds(a) <= 4
    assert rules.character_kinds(a + b) >= max(rules.character_kinds(a), rules.character_kinds(b))
    assert rules.character_kinds(a + b) <= rules.character_kinds(a) + rules.character_kinds(b)


def _expected_password_keys(password: str, user_code: str) -> set[str]:
    """R4 restated from the help page, with regular expressions rather than the rule's code,
    on the password as it is hashed (NFKC, issue 13)."""
    password = normalise(password)
    kinds = sum(bool(re.search(p, password)) for p in ("[a-z]", "[A-Z]", "[0-9]", "[^a-zA-Z0-9]"))
    expected = set()
    if len(password) < rules.PASSWORD_MIN_LENGTH:
        expected.add("WEAK_PASSWORD.too_short")
    if len(password) > rules.PASSWORD_MAX_LENGTH:
        expected.add("WEAK_PASSWORD.too_long")
    if kinds < rules.PASSWORD_REQUIRED_KINDS:
        expected.add("WEAK_PASSWORD.character_kinds")
    if user_code.strip() and user_code.strip().lower() in password.lower():
        expected.add("WEAK_PASSWORD.contains_user_code")
    return expected


@PROPERTY_SETTINGS
@given(
    st.one_of(
        passwords_of_kinds(max_size=12),
        passwords_of_kinds(min_size=120, max_size=136),
        st.tuples(st.text(min_size=1, max_size=300), st.just(0)),
    ),
    st.one_of(valid_user_codes, st.sampled_from(["abc", "Aa1!", "e"])),
)
@example(("Aa1!Aa1!", 0), "user1")  # exactly 8
@example(("Aa1!" * 32, 0), "user1")  # exactly 128
@example(("Aa1!" * 32 + "x", 0), "user1")  # 129
def test_every_broken_password_rule_is_reported_and_only_those(built, user_code):
    """Length bounds (8 to 128), three kinds of four, and no user code inside, all at once;
    a password that follows them all is refused only when it is too easy to guess."""
    password = built[0]
    assume(password.strip())
    problems = rules.check_password(password, user_code)
    assert {(p.code, p.field) for p in problems} <= {(ErrorCode.WEAK_PASSWORD, "password")}
    expected = _expected_password_keys(password, user_code)
    if not expected and is_guessable(password, [user_code]):
        expected = {"WEAK_PASSWORD.guessable"}
    assert _message_keys(problems) == expected
    assert len(problems) == len(_message_keys(problems))


@PROPERTY_SETTINGS
@given(valid_user_codes, TYPED, TYPED, st.randoms(use_true_random=False))
def test_a_password_holding_the_user_code_in_any_case_is_refused(code, before, after, random):
    recased = "".join(random.choice([c.upper(), c.lower()]) for c in code)
    password = before + recased + after
    assume(password.strip())
    assert "WEAK_PASSWORD.contains_user_code" in _message_keys(rules.check_password(password, code))


@PROPERTY_SETTINGS
@given(st.text(alphabet=" \t\n\u00a0\u3000", max_size=5), valid_user_codes)
def test_a_blank_password_is_only_required(blank, code):
    assert [(p.code, p.field) for p in rules.check_password(blank, code, "newPassword")] == [
        (ErrorCode.REQUIRED, "newPassword")
    ]


# --- R5: the memory aid -------------------------------------------------------------------

CASE_STABLE = string.ascii_letters + string.digits + "!#$%&*+-./:;?@_" + FRENCH_LETTERS
hint_passwords = st.text(alphabet=CASE_STABLE, min_size=1, max_size=30)


@PROPERTY_SETTINGS
@given(hint_passwords, TYPED, TYPED, st.randoms(use_true_random=False))
def test_a_hint_holding_the_password_in_any_case_reveals_it(password, before, after, random):
    recased = "".join(random.choice([c.upper(), c.lower()]) for c in password)
    hint = before + recased + after
    assume(len(hint.strip()) <= rules.HINT_MAX_LENGTH)
    assert [(p.code, p.field) for p in rules.check_hint(hint, password)] == [
        (ErrorCode.HINT_REVEALS_PASSWORD, "passwordHint")
    ]


@PROPERTY_SETTINGS
@given(TYPED, hint_passwords)
def test_a_hint_without_the_password_is_accepted_when_it_fits(hint, password):
    assume(hint.strip() and len(hint.strip()) <= rules.HINT_MAX_LENGTH)
    assume(password.lower() not in hint.lower())
    assert rules.check_hint(hint, password) == []


@PROPERTY_SETTINGS
@given(st.text(min_size=101, max_size=140), hint_passwords)
def test_a_hint_too_long_is_refused_for_its_length_whatever_it_holds(hint, password):
    assume(len(hint.strip()) > rules.HINT_MAX_LENGTH)
    assert [p.message_key for p in rules.check_hint(hint, password)] == ["INVALID_VALUE.too_long"]


# --- R6: folding (the mother's first name, compared without case, accents or spacing) -----

# Letters, digits, punctuation; none that decomposes into a space (NFKD turns "¨" into " ̈").
words = st.lists(
    st.text(
        alphabet=st.characters(categories=["L", "N", "Pd", "Po"]), min_size=1, max_size=12
    ).filter(lambda w: not any(c.isspace() for c in unicodedata.normalize("NFKD", w))),
    min_size=1,
    max_size=4,
)
spaces = st.text(alphabet=" \t\n\u00a0\u2003\u3000", min_size=1, max_size=3)
ACCENTED = {
    **dict.fromkeys("àâä", "a"),
    "ç": "c",
    **dict.fromkeys("éèêë", "e"),
    **dict.fromkeys("îï", "i"),
    **dict.fromkeys("ôö", "o"),
    **dict.fromkeys("ùûü", "u"),
    "ÿ": "y",
}


@PROPERTY_SETTINGS
@given(st.text(max_size=40))
def test_fold_is_idempotent_and_its_output_is_already_normal(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
    decomposed = unicodedata.normalize("NFD", folded)
    assert not any(0x0300 <= ord(c) < 0x0370 for c in decomposed), "a Latin accent is left"
    assert folded.casefold() == folded


def test_fold_keeps_the_marks_other_scripts_spell_with():
    """Issue 13: accents go by decomposition; a Devanagari vowel sign is not an accent."""
    assert fold("सीता") != fold("सत")
    assert fold("Zoë") == fold("ZOE") == "zoe"


@PROPERTY_SETTINGS
@given(st.text(alphabet=string.printable + FRENCH_LETTERS, max_size=40))
def test_fold_ignores_case(text):
    assert fold(text.upper()) == fold(text) == fold(text.lower())


@PROPERTY_SETTINGS
@given(st.text(max_size=40))
@example("Marie-Ève")
@example("ﬁlomène")
def test_fold_sees_composed_and_decomposed_forms_alike(text):
    assert fold(unicodedata.normalize("NFKD", text)) == fold(text)
    assert fold(unicodedata.normalize("NFC", text)) == fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFKC", text))


@PROPERTY_SETTINGS
@given(st.text(alphabet=string.ascii_lowercase + "".join(ACCENTED) + "- '", max_size=30))
def test_fold_ignores_french_accents(text):
    plain = "".join(ACCENTED.get(c, c) for c in text)
    assert fold(text) == fold(plain)
    assert fold(text.upper()) == fold(plain)


@PROPERTY_SETTINGS
@given(words, st.data())
def test_fold_ignores_spacing_but_keeps_words_apart(parts, data):
    """Any run of spaces, tabs or non-breaking spaces counts as one space; ends are trimmed."""
    separators = [data.draw(spaces) for _ in parts[1:]]
    lead, trail = (
        data.draw(st.one_of(st.just(""), spaces)),
        data.draw(st.one_of(st.just(""), spaces)),
    )
    spaced = lead + "".join(p + s for p, s in zip(parts, [*separators, ""], strict=True)) + trail
    assert fold(spaced) == fold(" ".join(parts))
    assert fold(spaced).count(" ") == len(parts) - 1


def test_fold_of_the_mothers_first_name_as_members_type_it():
    """The example of the help page, and its variants, fold to one answer."""
    variants = ["Marie-Ève", "  MARIE-EVE ", "marie-eve", "Marie-E\u0300ve", "MARIE-ÈVE"]
    assert {fold(v) for v in variants} == {"marie-eve"}
    assert fold("Marie Ève") != fold("Marie-Ève")


# --- R1: contract and certificate numbers -------------------------------------------------

numbers = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9 -]{0,18}[A-Za-z0-9]\Z", fullmatch=True)
padding = st.text(alphabet=" \t", max_size=3)


@PROPERTY_SETTINGS
@given(numbers, padding, padding)
def test_a_number_matches_whatever_its_case_and_surrounding_spaces(number, lead, trail):
    canonical = canonical_number(number)
    assert canonical_number(lead + number.lower() + trail) == canonical
    assert canonical_number(lead + number.upper() + trail) == canonical
    assert canonical_number(canonical) == canonical
    assert not any(c.islower() for c in canonical)  # the registry's numbers are upper case


@PROPERTY_SETTINGS
@given(numbers, numbers)
@example("RP-0012", "RP0012")
@example("55-120", "55 120")
@example("55 120", "55120")
def test_numbers_that_differ_inside_stay_different(first, second):
    """Only case and the ends are ignored: dashes and inner spaces tell certificates apart."""
    assume(first.upper() != second.upper())
    assert canonical_number(first) != canonical_number(second)
