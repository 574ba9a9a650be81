"""Text normalisation shared by every comparison of what a person typed (R3, R5, R6).

One pipeline for all of them, so that a password, a memory aid, a user code and a mother's
first name are compared on the same ground: Unicode compatibility forms (full-width letters,
ligatures) are folded by NFKC, and invisible format characters (zero-width spaces and joiners,
bidirectional marks) are dropped, since a person cannot see them and an attacker can hide
behind them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

# The accents of the Latin script: what French names carry (é, è, ê, ë, ç, ï, ô...). Only
# these are stripped, so that the marks other scripts need to spell a name (Devanagari vowel
# signs, Hebrew points) keep names apart.
_LATIN_ACCENTS = range(0x0300, 0x0370)


def normalise(text: str) -> str:
    """NFKC, without invisible format characters (Unicode category Cf)."""
    composed = unicodedata.normalize("NFKC", text)
    return "".join(c for c in composed if unicodedata.category(c) != "Cf")


def comparable(text: str) -> str:
    """``normalise``, then case-folded: how R4 and R5 compare a password with other text."""
    return normalise(text).casefold()


def fold(text: str) -> str:
    """``normalise``, Latin accents removed, case-folded, inner spaces collapsed, trimmed (R6).

    ``"  MARIE-EVE "`` and ``"Marie-Ève"`` fold to the same string.
    """
    decomposed = unicodedata.normalize("NFD", comparable(text))
    without_accents = "".join(c for c in decomposed if ord(c) not in _LATIN_ACCENTS)
    return " ".join(unicodedata.normalize("NFC", without_accents).split())


def canonical_user_code(user_code: str) -> str:
    """The form under which user codes are unique and counted (R3): normalised, trimmed,
    case-folded. A typed code that is not a valid user code keeps its folded form too, so that
    its attempts are counted like any other; it just never matches an account."""
    return comparable(user_code).strip()


def canonical_number(number: str) -> str:
    """Contract and certificate numbers compare trimmed and upper-cased (R1)."""
    return number.strip().upper()


# NUL, which PostgreSQL refuses in text, and unpaired surrogates, which neither driver can
# encode: a value holding one can be neither stored nor compared with what is stored.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_paths(value: Any, path: str = "") -> Iterator[str]:
    """Where, in a JSON-like value, a string holds a character no database can store."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unstorable_paths(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_paths(item, f"{path}[{index}]")


def is_storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None
