"""Every message exists in French and English (the requirements' 'Everywhere')."""

import string
from datetime import timedelta

import pytest

from gateway.i18n import Language, duration_in_words, language_from_header, translate
from gateway.i18n.catalogue import MESSAGES
from gateway.problems import ErrorCode


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_has_both_languages(code):
    entry = MESSAGES[code.value]
    assert entry["fr"].strip() and entry["en"].strip()
    assert entry["fr"] != entry["en"]


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_take_the_same_placeholders(key):
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert set(MESSAGES[key]) == {"fr", "en"}
    assert fields(MESSAGES[key]["fr"]) == fields(MESSAGES[key]["en"])


def test_translate_fills_placeholders():
    assert "15 minutes" in translate("ACCOUNT_LOCKED", Language.EN, wait=timedelta(minutes=15))


@pytest.mark.parametrize(
    ("seconds", "french", "english"),
    [
        (1, "1 seconde", "1 second"),
        (0.2, "1 seconde", "1 second"),
        (45, "45 secondes", "45 seconds"),
        (60, "1 minute", "1 minute"),
        (61, "2 minutes", "2 minutes"),
        (900, "15 minutes", "15 minutes"),
        (3600, "1 heure", "1 hour"),
        (7200, "2 heures", "2 hours"),
    ],
)
def test_waits_read_in_words_and_never_too_early(seconds, french, english):
    """Issue 19: « dans 1 seconde », « dans 1 heure », never « 1 secondes »."""
    wait = timedelta(seconds=seconds)
    assert duration_in_words(wait, Language.FR) == french
    assert duration_in_words(wait, Language.EN) == english


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Language.FR),
        ("", Language.FR),
        ("en", Language.EN),
        ("en-CA,en;q=0.9,fr;q=0.8", Language.EN),
        ("fr-CA,en;q=0.5", Language.FR),
        ("de-DE,en;q=0.3", Language.EN),
        ("de-DE", Language.FR),
        ("en;q=0.2,fr;q=0.9", Language.FR),
        ("en;q=0", Language.FR),
        ("*", Language.FR),
        ("en;q=abc", Language.FR),
    ],
)
def test_language_from_accept_language(header, expected):
    assert language_from_header(header) is expected
