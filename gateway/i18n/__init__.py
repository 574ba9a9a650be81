"""The one message catalogue: every sentence a client can see, in French and English."""

from __future__ import annotations

import math
from datetime import timedelta
from enum import Enum
from typing import Any

from gateway.i18n.catalogue import MESSAGES


class Language(Enum):
    FR = "fr"
    EN = "en"


DEFAULT_LANGUAGE = Language.FR


_UNITS = {
    Language.FR: (("heure", "heures", 3600), ("minute", "minutes", 60), ("seconde", "secondes", 1)),
    Language.EN: (("hour", "hours", 3600), ("minute", "minutes", 60), ("second", "seconds", 1)),
}


def duration_in_words(wait: timedelta, language: Language) -> str:
    """A wait as a member reads it: "1 minute", "15 minutes", "1 heure", never "1 secondes".

    Rounded up to the largest unit that fits, so that the member never comes back too early.
    """
    seconds = max(1, math.ceil(wait.total_seconds()))
    for one, many, size in _UNITS[language]:
        if seconds >= size or size == 1:
            count = math.ceil(seconds / size)
            return f"{count} {one if count == 1 else many}"
    raise AssertionError("the last unit always fits")


def translate(key: str, language: Language, **params: Any) -> str:
    rendered = {
        name: duration_in_words(value, language) if isinstance(value, timedelta) else value
        for name, value in params.items()
    }
    return MESSAGES[key][language.value].format(**rendered)


def language_from_header(accept_language: str | None) -> Language:
    """The best of fr and en by the header's q-values; French when neither is asked for."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        try:
            language = Language(primary)
        except ValueError:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (quality, -position, language)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LANGUAGE
