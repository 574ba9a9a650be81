"""Text folding shared by every comparison that must ignore case, accents and spacing."""

import unicodedata


def fold(text: str) -> str:
    """NFKD, combining marks removed, case-folded, inner spaces collapsed, trimmed (R6).

    ``"  MARIE-EVE "`` and ``"Marie-Ève"`` fold to the same string.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_marks.casefold().split())


def canonical_number(number: str) -> str:
    """Contract and certificate numbers compare trimmed and upper-cased (R1)."""
    return number.strip().upper()
