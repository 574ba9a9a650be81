"""Whether a password is too easy to guess (OWASP ASVS 2.1.7), on top of R4's format rules.

R4's three kinds of characters let ``Password123!`` through; a guess counter does not. zxcvbn
estimates how many guesses an attacker who knows the usual patterns (dictionary words,
keyboard runs, years, dates, l33t substitutions, the member's own data) needs; under
``MIN_GUESSES`` the password is refused. Its dictionaries are English; the French speakers'
common passwords shipped beside this module join them, so that ``Motdepasse1!`` scores as
``Password123!`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from zxcvbn import matching, scoring

from gateway.text import fold, normalise

MIN_GUESSES = 10**7  # an online attacker's reach over years; ASVS and NIST's "breached" level
# zxcvbn's cost grows with the square of the length (60 to 90 ms of the event loop for 128
# characters); a password whose first 40 characters are hard to guess is hard to guess.
ANALYSED_LENGTH = 40


def _french_common_passwords() -> list[str]:
    text = (resources.files("gateway") / "data" / "common-passwords.fr.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


matching.add_frequency_lists({"french_common_passwords": _french_common_passwords()})


def is_guessable(password: str, user_inputs: Iterable[str] = ()) -> bool:
    """True when zxcvbn puts ``password`` under ``MIN_GUESSES``, given what an attacker would
    know of the member (``user_inputs``: user code, names, date of birth, numbers).

    The dictionaries are unaccented, so the password and the inputs are also tried without
    their accents: ``Éléonore1986!`` is as guessable for Éléonore as ``Eleonore1986!``.
    """
    inputs = {form for value in user_inputs for form in (value.strip(), fold(value)) if form}
    candidates = {normalise(password)[:ANALYSED_LENGTH], fold(password)[:ANALYSED_LENGTH]}
    matching.RANKED_DICTIONARIES["user_inputs"] = matching.build_ranked_dict(
        sorted(value.lower() for value in inputs)
    )
    return any(guesses(candidate) < MIN_GUESSES for candidate in candidates if candidate)


def guesses(password: str) -> int:
    """What ``zxcvbn()`` puts under "guesses", given the user inputs already ranked, without
    the feedback and crack-time texts it also writes (a third of its time, through gettext)
    that nobody reads here."""
    matches = matching.omnimatch(password, matching.RANKED_DICTIONARIES)
    return int(scoring.most_guessable_match_sequence(password, matches)["guesses"])
